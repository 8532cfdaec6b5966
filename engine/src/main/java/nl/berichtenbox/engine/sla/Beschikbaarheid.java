package nl.berichtenbox.engine.sla;

import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import nl.berichtenbox.engine.domain.Tijd;

/**
 * A month's availability against the agreement (SNO 2.1), from the minutes in which some engine
 * process was ready (its heartbeats). A minute without one is an outage; inside a planned window
 * with downtime it is planned, anywhere else (the Berichtenbox window without downtime included)
 * unplanned. Availability = (base − unplanned) / base, where the base is the month's minutes
 * less the planned windows with downtime; the budget is 1 % of the base. Only the part of the
 * month from the first heartbeat ever up to now is judged: before the engine ran there was
 * nothing to be available, after now nothing has happened yet.
 */
public final class Beschikbaarheid {
  public static final double NORM_PROCENT = 99.0;

  private Beschikbaarheid() {}

  /** Minutes, and the percentage over the judged part; {@code null} percentage when nothing is judged. */
  public record Uitkomst(
      YearMonth maand,
      long maandMinuten,
      long geplandMinuten,
      long basisMinuten,
      long beoordeeldMinuten,
      long ongeplandMinuten,
      long geplandUitMinuten,
      Double procent,
      long budgetMinuten,
      long resterendMinuten,
      boolean binnenNorm) {}

  /**
   * @param vensters the month's maintenance windows; those that excuse an outage (with downtime,
   *     and announced in time when moved) are taken out of the base
   * @param eerste the first heartbeat ever (null: none, nothing judged)
   * @param op the minutes (truncated) with a ready heartbeat
   */
  public static Uitkomst bereken(
      YearMonth maand,
      List<Onderhoudsvensters.Venster> alle,
      Instant eerste,
      Instant nu,
      Set<Instant> op) {
    Instant begin = maand.atDay(1).atStartOfDay(Tijd.NL).toInstant();
    Instant einde = maand.plusMonths(1).atDay(1).atStartOfDay(Tijd.NL).toInstant();
    List<Onderhoudsvensters.Venster> vensters =
        alle.stream().filter(Onderhoudsvensters.Venster::excuseert).toList();
    long maandMinuten = Duration.between(begin, einde).toMinutes();
    // the part of each window inside the month (a moved window may cross its end)
    long gepland = vensters.stream()
        .mapToLong(v -> Math.max(
            0, Duration.between(max(v.van(), begin), min(v.tot(), einde)).toMinutes()))
        .sum();
    long basis = maandMinuten - gepland;

    Instant van = eerste == null ? einde : max(begin, eerste.truncatedTo(ChronoUnit.MINUTES));
    Instant tot = min(einde, nu.truncatedTo(ChronoUnit.MINUTES));
    long beoordeeld = 0;
    long ongepland = 0;
    long geplandUit = 0;
    for (Instant m = van; m.isBefore(tot); m = m.plus(1, ChronoUnit.MINUTES)) {
      Instant minuut = m;
      boolean inVenster = vensters.stream().anyMatch(v -> v.bevat(minuut));
      if (!inVenster) {
        beoordeeld++;
      }
      if (!op.contains(minuut)) {
        if (inVenster) {
          geplandUit++;
        } else {
          ongepland++;
        }
      }
    }
    long budget = basis / 100;
    Double procent = beoordeeld == 0
        ? null
        : Math.round((beoordeeld - ongepland) * 10000.0 / beoordeeld) / 100.0;
    return new Uitkomst(
        maand,
        maandMinuten,
        gepland,
        basis,
        beoordeeld,
        ongepland,
        geplandUit,
        procent,
        budget,
        Math.max(0, budget - ongepland),
        ongepland <= budget);
  }

  private static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}
