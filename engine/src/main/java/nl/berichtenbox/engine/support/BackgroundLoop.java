package nl.berichtenbox.engine.support;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A background stage's loop on one event-loop context: at most one round runs at a time; a
 * round runs on every wake-up and on a slow period as a safety net; a round that says there is
 * more runs again at once; a wake-up during a round runs one more after it. Stopping waits for
 * the round under way.
 */
public final class BackgroundLoop {
  private static final Logger LOG = LoggerFactory.getLogger(BackgroundLoop.class);

  private final Vertx vertx;
  private final String name;
  private final long periodMillis;
  private final Supplier<Future<Boolean>> round;
  private final Consumer<Throwable> onFailure;
  private final List<Long> timers = new ArrayList<>();
  private final List<Runnable> periodicTasks = new ArrayList<>();
  private final List<Long> periodicMillis = new ArrayList<>();
  private volatile Context context;
  private boolean running;
  private boolean again;
  private boolean stopped;
  private Future<Void> current = Future.succeededFuture();
  private final AtomicLong rounds = new AtomicLong();

  /**
   * @param round one round; its result says whether there is more to do at once
   * @param onFailure also told of a failed round (after it is logged)
   */
  public BackgroundLoop(
      Vertx vertx,
      String name,
      long periodMillis,
      Supplier<Future<Boolean>> round,
      Consumer<Throwable> onFailure) {
    this.vertx = vertx;
    this.name = name;
    this.periodMillis = periodMillis;
    this.round = round;
    this.onFailure = onFailure;
  }

  /** Another periodic task on the same context (housekeeping); register before {@link #start}. */
  public BackgroundLoop every(long millis, Runnable task) {
    periodicMillis.add(millis);
    periodicTasks.add(task);
    return this;
  }

  public void start() {
    start(vertx.getOrCreateContext());
  }

  /**
   * Starts on {@code c}: loops that share state run on one context, so one thread. A loop made
   * with no period ({@code periodMillis} 0) runs only when woken, and not at start.
   */
  public void start(Context c) {
    context = c;
    c.runOnContext(v -> {
      if (periodMillis > 0) {
        timers.add(vertx.setPeriodic(periodMillis, id -> kick()));
      }
      for (int i = 0; i < periodicTasks.size(); i++) {
        Runnable task = periodicTasks.get(i);
        timers.add(vertx.setPeriodic(periodicMillis.get(i), id -> task.run()));
      }
      if (periodMillis > 0) {
        kick();
      }
    });
  }

  /** There may be work; callable from any thread. */
  public void wakeUp() {
    Context c = context;
    if (c != null) {
      c.runOnContext(v -> kick());
    }
  }

  private void kick() {
    if (stopped) {
      return;
    }
    if (running) {
      again = true;
      return;
    }
    running = true;
    again = false;
    Future<Void> r;
    try {
      r = round.get().map(more -> {
        again |= more;
        return null;
      });
    } catch (RuntimeException e) {
      r = Future.failedFuture(e);
    }
    current = r;
    r.onComplete(ar -> {
      running = false;
      rounds.incrementAndGet();
      if (ar.failed()) {
        LOG.warn(
            "{} round failed, {}: {}",
            name,
            periodMillis > 0
                ? "trying again after " + periodMillis + " ms"
                : "trying again when woken",
            Logs.safe(ar.cause()));
        onFailure.accept(ar.cause());
      } else if (again) {
        kick();
      }
    });
  }

  /**
   * Rounds finished (done or failed) since start. A round begins only after the one before it has
   * finished, so two more than read at some moment means one whole round ran after it: what a test
   * waits for to say "nothing more came", instead of a time.
   */
  public long rounds() {
    return rounds.get();
  }

  /** Takes no new rounds; completes when the round under way has finished. */
  public Future<Void> stop() {
    Context c = context;
    if (c == null) {
      return Future.succeededFuture();
    }
    return Future.<Future<Void>>future(p -> c.runOnContext(v -> {
          stopped = true;
          timers.forEach(vertx::cancelTimer);
          p.complete(current.recover(e -> Future.succeededFuture()));
        }))
        .compose(f -> f);
  }
}
