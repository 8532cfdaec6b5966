package nl.berichtenbox.engine.notificaties;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;

/**
 * The exact throttle's arithmetic (pure, so it is unit-tested): how many e-mails may go now,
 * given the limits and what was sent in the current clock hour and calendar day.
 *
 * <p>Within an hour the allowance grows evenly, plus one minute's worth at the start, and never
 * passes the hourly limit: a backlog drains at the limit's rate instead of in a burst at the top of
 * the hour followed by silence. The counts live in the database and are locked while a notifier
 * claims, so all processes together keep to the limits exactly.
 */
final class Throttle {
  static final ZoneId ZONE = ZoneId.of("Europe/Amsterdam");

  private final int perUur;
  private final int perDag;

  Throttle(int perUur, int perDag) {
    this.perUur = perUur;
    this.perDag = perDag;
  }

  /** Start of the clock hour holding {@code now} (Amsterdam's offsets are whole hours). */
  static Instant uurBegin(Instant now) {
    return now.truncatedTo(ChronoUnit.HOURS);
  }

  /** Start of the Amsterdam calendar day holding {@code now} (23 or 25 hours long at DST). */
  static Instant dagBegin(Instant now) {
    return now.atZone(ZONE).toLocalDate().atStartOfDay(ZONE).toInstant();
  }

  /** What the hour allows by {@code now}, sent or not: paced, with a minute's worth at once. */
  int toegestaanInUur(Instant now) {
    long verstreken = Duration.between(uurBegin(now), now).toMillis();
    long gespreid = (long) perUur * verstreken / 3_600_000L;
    long vooraf = Math.max(1, perUur / 60);
    return (int) Math.min(perUur, gespreid + vooraf);
  }

  /**
   * E-mails that may be claimed now.
   *
   * @param uurVerzonden counted in the hour of {@code now} (0 when the stored count is of an earlier hour)
   * @param dagVerzonden counted in the day of {@code now}
   */
  int ruimte(Instant now, long uurVerzonden, long dagVerzonden) {
    long r = Math.min(toegestaanInUur(now) - uurVerzonden, perDag - dagVerzonden);
    return (int) Math.max(0, r);
  }

  /** When the allowance next grows by one (the notifier sleeps until then when it has none). */
  Instant volgendeRuimte(Instant now, long dagVerzonden) {
    if (dagVerzonden >= perDag) {
      return dagBegin(now).atZone(ZONE).plusDays(1).toInstant();
    }
    if (toegestaanInUur(now) >= perUur) {
      return uurBegin(now).plus(Duration.ofHours(1));
    }
    long perEen = Math.max(1, 3_600_000L / perUur);
    return now.plusMillis(perEen);
  }
}
