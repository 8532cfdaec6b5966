package nl.berichtenbox.engine.support;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A background stage's loop on one event-loop context: at most one round runs at a time; a
 * round runs on every wake-up and on a slow period as a safety net; a round that says there is
 * more runs again at once; a wake-up during a round runs one more after it. A loop can be
 * {@link #spaced}: then a round begun on a wake-up or the period waits until that long after the
 * one before began, so what arrives meanwhile is taken together. Stopping waits for the round under
 * way.
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
  private long spacingNanos;
  private long lastBeginNanos;
  private long spacingTimer = -1;

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

  /**
   * Rounds begun on a wake-up or the period begin at least {@code millis} apart; a round that said
   * there is more is followed at once all the same. Set before {@link #start}.
   */
  public BackgroundLoop spaced(long millis) {
    spacingNanos = TimeUnit.MILLISECONDS.toNanos(millis);
    lastBeginNanos = System.nanoTime() - spacingNanos;
    return this;
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
    if (spacingNanos > 0) {
      long wait = lastBeginNanos + spacingNanos - System.nanoTime();
      if (wait > 0) {
        if (spacingTimer < 0) {
          spacingTimer = vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait)), id -> {
            spacingTimer = -1;
            kick();
          });
        }
        return;
      }
    }
    begin();
  }

  private void begin() {
    running = true;
    again = false;
    lastBeginNanos = System.nanoTime();
    Future<Boolean> r;
    try {
      r = round.get();
    } catch (RuntimeException e) {
      r = Future.failedFuture(e);
    }
    current = r.mapEmpty();
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
      } else if (Boolean.TRUE.equals(ar.result()) && !stopped) {
        // a backlog: the spacing is for gathering what trickles in, not for holding back a queue
        begin();
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
          if (spacingTimer >= 0) {
            vertx.cancelTimer(spacingTimer);
          }
          p.complete(current.recover(e -> Future.succeededFuture()));
        }))
        .compose(f -> f);
  }
}
