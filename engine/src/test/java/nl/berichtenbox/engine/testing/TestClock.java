package nl.berichtenbox.engine.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock a test can move: real time plus an offset, or stopped at a moment. The engine reads
 * every moment it decides by from its clock (docs/architecture.md, Time), so a test passes the
 * bundling window or three weeks at once.
 */
public final class TestClock extends Clock {
  private volatile Duration offset = Duration.ZERO;
  private volatile Instant stopped;

  /** From now on the clock reads real time plus {@code d} (and runs). */
  public void shift(Duration d) {
    stopped = null;
    offset = d;
  }

  /** From now on the clock reads {@code t} and stands still there. */
  public void stopAt(Instant t) {
    stopped = t;
  }

  /** From now on the clock reads {@code t}, and runs on from there. */
  public void setTo(Instant t) {
    stopped = null;
    offset = Duration.between(Instant.now(), t);
  }

  @Override
  public Instant instant() {
    Instant s = stopped;
    return s != null ? s : Instant.now().plus(offset);
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
