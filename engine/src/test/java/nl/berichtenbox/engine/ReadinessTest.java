package nl.berichtenbox.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import nl.berichtenbox.engine.Readiness.Reason;
import nl.berichtenbox.engine.Readiness.State;
import nl.berichtenbox.engine.support.Component;
import org.junit.jupiter.api.Test;

/** The answer the parts give together: which reason is named, and when nothing is asked. */
class ReadinessTest {
  /** A part whose answer the test sets, counting how often it was asked. */
  private static final class Part implements Component {
    final AtomicBoolean up = new AtomicBoolean(true);
    final AtomicInteger asked = new AtomicInteger();
    Future<Boolean> answer;

    @Override
    public void start() {}

    @Override
    public Future<Void> stop() {
      return Future.succeededFuture();
    }

    @Override
    public Future<Boolean> ready() {
      asked.incrementAndGet();
      return answer != null ? answer : Future.succeededFuture(up.get());
    }
  }

  private static State check(Readiness r) throws Exception {
    return r.check().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void readyWhenEveryPartIsAndPartsNotRunAreUp() throws Exception {
    Readiness r = new Readiness(() -> false);
    Part db = new Part();
    r.register(Reason.DATABASE, db);
    State s = check(r);
    assertTrue(s.ready());
    assertNull(s.reason());
    assertEquals(Map.of(Reason.DATABASE, true), s.parts());
    assertTrue(s.up(Reason.KAFKA), "a process without the Kafka face is not held back by it");
    assertEquals(1, db.asked.get());
  }

  @Test
  void theFirstReasonInItsOrderIsNamedWhateverTheOrderOfRegistration() throws Exception {
    Readiness r = new Readiness(() -> false);
    Part kafka = new Part();
    Part db = new Part();
    Part disk = new Part();
    r.register(Reason.KAFKA, kafka);
    r.register(Reason.DATABASE, db);
    r.register(Reason.DISK, disk);
    kafka.up.set(false);
    assertEquals(Reason.KAFKA, check(r).reason());
    db.up.set(false);
    State s = check(r);
    assertEquals(Reason.DATABASE, s.reason());
    assertFalse(s.up(Reason.KAFKA));
    assertFalse(s.up(Reason.DATABASE));
    assertTrue(s.up(Reason.DISK));
    disk.up.set(false);
    assertEquals(Reason.DISK, check(r).reason());
  }

  @Test
  void aFailedCheckIsNotReadyNotAFailure() throws Exception {
    Readiness r = new Readiness(() -> false);
    Part db = new Part();
    db.answer = Future.failedFuture(new IllegalStateException("connection refused"));
    r.register(Reason.DATABASE, db);
    assertEquals(Reason.DATABASE, check(r).reason());
  }

  @Test
  void aPartThatDoesNotAnswerIsNotReadyAfterTheBound() throws Exception {
    Readiness r = new Readiness(() -> false);
    Part kafka = new Part();
    kafka.answer = Promise.<Boolean>promise().future(); // never completes
    r.register(Reason.KAFKA, kafka);
    State s = check(r);
    assertEquals(Reason.KAFKA, s.reason());
    assertFalse(s.up(Reason.KAFKA));
  }

  @Test
  void aDrainingProcessAsksNothingAndSaysSo() throws Exception {
    Readiness r = new Readiness(() -> false);
    Part db = new Part();
    r.register(Reason.DATABASE, db);
    r.drain();
    State s = check(r);
    assertEquals(Reason.DRAINING, s.reason());
    assertEquals(Map.of(), s.parts());
    assertEquals(0, db.asked.get());
    assertTrue(r.draining());
    assertFalse(r.refusesNewRequests(), "a draining process still serves until told to refuse");
    r.refuseNewRequests();
    assertTrue(r.refusesNewRequests());
  }

  @Test
  void drainingIsNotAPart() {
    Readiness r = new Readiness(() -> false);
    assertThrows(IllegalArgumentException.class, () -> r.register(Reason.DRAINING, new Part()));
  }

  @Test
  void theDiskFlagIsReadAsItIs() {
    AtomicBoolean full = new AtomicBoolean();
    Readiness r = new Readiness(full::get);
    assertFalse(r.diskFull());
    full.set(true);
    assertTrue(r.diskFull());
  }
}
