package nl.berichtenbox.engine.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The loop's promises: one round at a time, a wake-up never lost, spacing only between trickles. */
class BackgroundLoopTest {
  private final Vertx vertx = Vertx.vertx();
  private final List<Long> begins = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  /** A loop woken only, spaced, whose rounds note when they began and say {@code more}. */
  private BackgroundLoop spaced(long millis, BooleanSupplier more) {
    return new BackgroundLoop(
            vertx,
            "test",
            0,
            () -> {
              begins.add(System.nanoTime());
              return Future.succeededFuture(more.getAsBoolean());
            },
            e -> {})
        .spaced(millis);
  }

  private static long ms(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  @Test
  void spacedRoundsBeginApartAndTheLastWakeUpIsStillServed() throws Exception {
    BackgroundLoop loop = spaced(200, () -> false);
    loop.start();
    long first = System.nanoTime();
    for (int i = 0; i < 24; i++) {
      loop.wakeUp();
      Thread.sleep(25);
    }
    long lastWakeUp = System.nanoTime();
    loop.wakeUp();
    while (begins.isEmpty() || begins.get(begins.size() - 1) < lastWakeUp) {
      Thread.sleep(10);
    }
    // 25 wake-ups, 25 ms apart: without the spacing, 25 rounds; with it, one each 200 ms and the
    // last
    long most = ms(lastWakeUp - first) / 200 + 2;
    assertTrue(
        begins.size() >= 3 && begins.size() <= most, "rounds: " + begins.size() + " > " + most);
    for (int i = 1; i < begins.size(); i++) {
      long gap = ms(begins.get(i) - begins.get(i - 1));
      assertTrue(gap >= 199, "round " + i + " began " + gap + " ms after the one before");
    }
    loop.stop().await();
  }

  @Test
  void aRoundThatFoundMoreIsFollowedAtOnceDespiteTheSpacing() throws Exception {
    AtomicInteger left = new AtomicInteger(5);
    BackgroundLoop loop = spaced(60_000, () -> left.getAndDecrement() > 0);
    loop.start();
    loop.wakeUp();
    long start = System.nanoTime();
    while (begins.size() < 6 && ms(System.nanoTime() - start) < 30_000) {
      Thread.sleep(10);
    }
    assertEquals(6, begins.size(), "the backlog's rounds ran without waiting a minute each");
    // the backlog done, a wake-up waits for the spacing again
    loop.wakeUp();
    Thread.sleep(300);
    assertEquals(6, begins.size());
    loop.stop().await();
  }

  /**
   * What is observable of a stop: no round after it. Whether the waiting timer was cancelled or
   * fired into a stopped loop is not (both run nothing).
   */
  @Test
  void noRoundRunsAfterStopNotEvenOneThatWaitedForItsSpacing() throws Exception {
    BackgroundLoop loop = spaced(300, () -> false);
    loop.start();
    loop.wakeUp();
    while (begins.isEmpty()) {
      Thread.sleep(5);
    }
    loop.wakeUp(); // waits for its spacing
    loop.stop().await();
    Thread.sleep(600);
    assertEquals(1, begins.size());
  }
}
