package nl.berichtenbox.api;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock a test can set forward: real time plus an offset, or stopped at a moment. */
final class TestClock extends Clock {
  private volatile Duration verschuiving = Duration.ZERO;
  private volatile Instant stil;

  void verzet(Duration d) {
    stil = null;
    verschuiving = d;
  }

  /** From now on the clock reads {@code t} and stands still there. */
  void zetStil(Instant t) {
    stil = t;
  }

  /** From now on the clock reads {@code t}, and runs on from there. */
  void zet(Instant t) {
    stil = null;
    verschuiving = Duration.between(Instant.now(), t);
  }

  @Override
  public Instant instant() {
    Instant s = stil;
    return s != null ? s : Instant.now().plus(verschuiving);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException();
  }
}
