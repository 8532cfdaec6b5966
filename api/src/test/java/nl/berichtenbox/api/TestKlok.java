package nl.berichtenbox.api;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A running clock that a test can set forward: real time plus an offset. */
final class TestKlok extends Clock {
  private volatile Duration verschuiving = Duration.ZERO;

  void verzet(Duration d) {
    verschuiving = d;
  }

  /** From now on the clock reads {@code t}, and runs on from there. */
  void zet(Instant t) {
    verschuiving = Duration.between(Instant.now(), t);
  }

  @Override
  public Instant instant() {
    return Instant.now().plus(verschuiving);
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
