package nl.berichtenbox.engine.sla;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.YearMonth;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The agreement's planned maintenance windows of a month (SNO 2.1), in Europe/Amsterdam wall
 * time, so a window keeps its local hours across a change of the clocks:
 * <ul>
 *   <li>portal technical maintenance, 2nd Wednesday 00:00–06:00, with downtime;
 *   <li>portal functional maintenance, 4th Wednesday 00:00–06:00, with downtime;
 *   <li>Berichtenbox maintenance, 2nd Tuesday 09:00–15:00, without downtime (rolling: an outage
 *       then still counts).
 * </ul>
 * A fifth Wednesday has no window.
 */
public final class Onderhoudsvensters {
  private Onderhoudsvensters() {}

  /** One window: {@code soort} names it; {@code metDowntime} says whether it excuses an outage. */
  public record Venster(String soort, Instant van, Instant tot, boolean metDowntime) {
    public boolean bevat(Instant t) {
      return !t.isBefore(van) && t.isBefore(tot);
    }
  }

  public static List<Venster> van(YearMonth maand) {
    List<Venster> out = new ArrayList<>();
    out.add(venster("PORTAAL_TECHNISCH", nth(maand, DayOfWeek.WEDNESDAY, 2), LocalTime.MIDNIGHT, LocalTime.of(6, 0), true));
    out.add(venster("PORTAAL_FUNCTIONEEL", nth(maand, DayOfWeek.WEDNESDAY, 4), LocalTime.MIDNIGHT, LocalTime.of(6, 0), true));
    out.add(venster("BERICHTENBOX", nth(maand, DayOfWeek.TUESDAY, 2), LocalTime.of(9, 0), LocalTime.of(15, 0), false));
    out.sort(Comparator.comparing(Venster::van));
    return out;
  }

  private static LocalDate nth(YearMonth maand, DayOfWeek dag, int n) {
    return maand.atDay(1).with(TemporalAdjusters.dayOfWeekInMonth(n, dag));
  }

  private static Venster venster(String soort, LocalDate d, LocalTime van, LocalTime tot, boolean downtime) {
    return new Venster(soort, d.atTime(van).atZone(Kantooruren.ZONE).toInstant(),
        d.atTime(tot).atZone(Kantooruren.ZONE).toInstant(), downtime);
  }
}
