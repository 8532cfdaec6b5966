package nl.berichtenbox.engine.notificaties;

import static nl.berichtenbox.engine.domain.Tijd.NL;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The throttle's arithmetic (pure, so it is unit-tested). Two rules at once:
 * <ul>
 *   <li>exact caps: at most {@code perHour} e-mails in a clock hour and {@code perDay} in an
 *       Amsterdam calendar day (the counts are kept in the database);
 *   <li>pacing: a token bucket filled at {@code perHour / 3600} per second holding at most one
 *       minute's worth, so a backlog drains at the limit's rate rather than in a burst.
 * </ul>
 * Over any sliding 60 minutes the bucket allows at most {@code perHour} plus one minute's worth
 * (1/60 more); over a clock hour the cap makes it exact.
 */
final class Throttle {

  private final int perHour;
  private final int perDay;
  private final double perMs;
  private final double emmer;

  Throttle(int perHour, int perDay) {
    this.perHour = perHour;
    this.perDay = perDay;
    this.perMs = perHour / 3_600_000.0;
    this.emmer = Math.max(1, perHour / 60);
  }

  /** Start of the clock hour holding {@code now} (Amsterdam's offsets are whole hours). */
  static Instant hourStart(Instant now) {
    return now.truncatedTo(ChronoUnit.HOURS);
  }

  /** Start of the Amsterdam calendar day holding {@code now} (23 or 25 hours long at DST). */
  static Instant dayStart(Instant now) {
    return now.atZone(NL).toLocalDate().atStartOfDay(NL).toInstant();
  }

  /** The bucket at {@code now}, from what it held at {@code stand}; a clock that went back adds nothing. */
  double tegoed(double opgeslagen, Instant stand, Instant now) {
    long ms = Math.max(0, now.toEpochMilli() - stand.toEpochMilli());
    return Math.min(emmer, opgeslagen + perMs * ms);
  }

  /** E-mails that may be claimed now, given the bucket and the counts of this hour and day. */
  int ruimte(double tegoed, long uurVerzonden, long dagVerzonden) {
    long r = Math.min(
        (long) Math.floor(tegoed), Math.min(perHour - uurVerzonden, perDay - dagVerzonden));
    return (int) Math.max(0, r);
  }

  /** When there is room for one more, if nothing else changes. */
  Instant volgendeRuimte(Instant now, double tegoed, long uurVerzonden, long dagVerzonden) {
    if (dagVerzonden >= perDay) {
      return dayStart(now).atZone(NL).plusDays(1).toInstant();
    }
    if (uurVerzonden >= perHour) {
      return hourStart(now).plus(Duration.ofHours(1));
    }
    return now.plusMillis((long) Math.ceil(Math.max(0, 1 - tegoed) / perMs));
  }
}
