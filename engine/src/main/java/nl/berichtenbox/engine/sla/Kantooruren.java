package nl.berichtenbox.engine.sla;

import static nl.berichtenbox.engine.domain.Tijd.NL;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZonedDateTime;

/**
 * Office hours of the agreement: working days (Monday to Friday, not a public holiday)
 * 08:00–17:00 Europe/Amsterdam. Wall-clock times, so a working day is nine hours on the days
 * the clocks change too.
 */
public final class Kantooruren {
  static final LocalTime BEGIN = LocalTime.of(8, 0);
  static final LocalTime EINDE = LocalTime.of(17, 0);

  private Kantooruren() {}

  public static boolean isWerkdag(LocalDate d) {
    return d.getDayOfWeek() != DayOfWeek.SATURDAY
        && d.getDayOfWeek() != DayOfWeek.SUNDAY
        && !Feestdagen.isFeestdag(d);
  }

  /** The moment {@code uren} of office time after {@code start} have passed (start outside office hours: from the next opening). */
  public static Instant plus(Instant start, Duration uren) {
    ZonedDateTime t = start.atZone(NL);
    Duration rest = uren;
    while (true) {
      LocalDate d = t.toLocalDate();
      if (isWerkdag(d) && t.toLocalTime().isBefore(EINDE)) {
        ZonedDateTime open = d.atTime(BEGIN).atZone(NL);
        if (t.isBefore(open)) {
          t = open;
        }
        ZonedDateTime dicht = d.atTime(EINDE).atZone(NL);
        Duration vandaag = Duration.between(t, dicht);
        if (rest.compareTo(vandaag) <= 0) {
          return t.plus(rest).toInstant();
        }
        rest = rest.minus(vandaag);
      }
      t = d.plusDays(1).atTime(BEGIN).atZone(NL);
    }
  }

  /** Office time between two moments (0 when {@code tot} is not after {@code van}). */
  public static Duration tussen(Instant van, Instant tot) {
    if (!tot.isAfter(van)) {
      return Duration.ZERO;
    }
    Duration som = Duration.ZERO;
    LocalDate d = van.atZone(NL).toLocalDate();
    LocalDate laatste = tot.atZone(NL).toLocalDate();
    for (; !d.isAfter(laatste); d = d.plusDays(1)) {
      if (!isWerkdag(d)) {
        continue;
      }
      Instant open = max(d.atTime(BEGIN).atZone(NL).toInstant(), van);
      Instant dicht = min(d.atTime(EINDE).atZone(NL).toInstant(), tot);
      if (dicht.isAfter(open)) {
        som = som.plus(Duration.between(open, dicht));
      }
    }
    return som;
  }

  private static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}
