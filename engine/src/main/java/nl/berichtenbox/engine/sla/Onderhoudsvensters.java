package nl.berichtenbox.engine.sla;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import nl.berichtenbox.engine.domain.Tijd;

/**
 * The planned maintenance windows (SNO 2.1), in Europe/Amsterdam wall time, so a window keeps
 * its local hours across a change of the clocks. By default:
 * <ul>
 *   <li>portal technical maintenance, 2nd Wednesday 00:00–06:00, with downtime;
 *   <li>portal functional maintenance, 4th Wednesday 00:00–06:00, with downtime;
 *   <li>Berichtenbox maintenance, 2nd Tuesday 09:00–15:00, without downtime (rolling: an outage
 *       then still counts).
 * </ul>
 * A fifth Wednesday has no window. The rules are configurable ({@link #parse}). A window may be
 * moved; the moved window is still planned when it was announced at least
 * {@value #AANKONDIGING_WERKDAGEN} working days ahead ({@link #tijdigAangekondigd}), otherwise an
 * outage inside it counts as unplanned.
 */
public final class Onderhoudsvensters {
  public static final int AANKONDIGING_WERKDAGEN = 10;
  public static final String STANDAARD = "PORTAAL_TECHNISCH 2 woensdag 00:00-06:00 downtime, "
      + "PORTAAL_FUNCTIONEEL 4 woensdag 00:00-06:00 downtime, BERICHTENBOX 2 dinsdag 09:00-15:00 zonder-downtime";

  private static final Map<String, DayOfWeek> DAGEN = Map.of(
      "maandag",
      DayOfWeek.MONDAY,
      "dinsdag",
      DayOfWeek.TUESDAY,
      "woensdag",
      DayOfWeek.WEDNESDAY,
      "donderdag",
      DayOfWeek.THURSDAY,
      "vrijdag",
      DayOfWeek.FRIDAY,
      "zaterdag",
      DayOfWeek.SATURDAY,
      "zondag",
      DayOfWeek.SUNDAY);

  /** A recurring window: the {@code week}-th {@code dag} of every month, {@code van}–{@code tot} local time. */
  public record Regel(
      String soort, int week, DayOfWeek dag, LocalTime van, LocalTime tot, boolean metDowntime) {
    /** The day of this window in a month, if the month has a {@code week}-th such day. */
    public Optional<LocalDate> datum(YearMonth maand) {
      LocalDate d = maand.atDay(1).with(TemporalAdjusters.dayOfWeekInMonth(week, dag));
      return YearMonth.from(d).equals(maand) ? Optional.of(d) : Optional.empty();
    }

    Instant begin(LocalDate d) {
      return d.atTime(van).atZone(Tijd.NL).toInstant();
    }

    Instant einde(LocalDate d) {
      // 22:00-02:00 runs into the next day
      return (tot.isAfter(van) ? d : d.plusDays(1)).atTime(tot).atZone(Tijd.NL).toInstant();
    }
  }

  /** An announced move of the window of {@code soort} that would have been on {@code datum}. */
  public record Verplaatsing(
      String soort, LocalDate datum, Instant van, Instant tot, Instant aangekondigdOp) {}

  /**
   * One window of a month. {@code gepland} is false for a window moved at too short notice;
   * {@code oorspronkelijkVan} and {@code aangekondigdOp} are set on a moved window.
   */
  public record Venster(
      String soort,
      Instant van,
      Instant tot,
      boolean metDowntime,
      boolean gepland,
      Instant oorspronkelijkVan,
      Instant aangekondigdOp) {
    public boolean bevat(Instant t) {
      return !t.isBefore(van) && t.isBefore(tot);
    }

    /** Whether an outage inside this window is planned (and so not counted against availability). */
    public boolean excuseert() {
      return metDowntime && gepland;
    }
  }

  private final List<Regel> regels;

  public Onderhoudsvensters(List<Regel> regels) {
    this.regels = List.copyOf(regels);
  }

  public static Onderhoudsvensters standaard() {
    return parse(STANDAARD);
  }

  /**
   * Rules separated by commas, each {@code SOORT WEEK DAG HH:MM-HH:MM downtime|zonder-downtime},
   * e.g. {@code BERICHTENBOX 2 dinsdag 09:00-15:00 zonder-downtime}.
   *
   * @throws IllegalArgumentException naming the rule that is wrong and why
   */
  public static Onderhoudsvensters parse(String spec) {
    List<Regel> regels = new ArrayList<>();
    if (spec == null || spec.isBlank()) {
      return new Onderhoudsvensters(regels);
    }
    for (String deel : spec.split(",")) {
      String[] w = deel.trim().split("\\s+");
      String fout =
          "'" + deel.trim() + "': expected SOORT WEEK DAG HH:MM-HH:MM downtime|zonder-downtime";
      if (w.length != 5
          || !w[0].matches("^[A-Z][A-Z0-9_]{0,39}$")
          || !w[1].matches("^[1-5]$")
          || !DAGEN.containsKey(w[2].toLowerCase(Locale.ROOT))
          || !w[3].matches("^\\d{2}:\\d{2}-\\d{2}:\\d{2}$")
          || !(w[4].equals("downtime") || w[4].equals("zonder-downtime"))) {
        throw new IllegalArgumentException(fout);
      }
      LocalTime van;
      LocalTime tot;
      try {
        van = LocalTime.parse(w[3].substring(0, 5));
        tot = LocalTime.parse(w[3].substring(6));
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(fout);
      }
      if (van.equals(tot)) {
        throw new IllegalArgumentException("'" + deel.trim() + "': a window needs a length");
      }
      String soort = w[0];
      if (regels.stream().anyMatch(r -> r.soort().equals(soort))) {
        throw new IllegalArgumentException("'" + soort + "' appears twice");
      }
      regels.add(new Regel(
          soort,
          Integer.parseInt(w[1]),
          DAGEN.get(w[2].toLowerCase(Locale.ROOT)),
          van,
          tot,
          w[4].equals("downtime")));
    }
    return new Onderhoudsvensters(regels);
  }

  public List<Regel> regels() {
    return regels;
  }

  public Optional<Regel> regel(String soort) {
    return regels.stream().filter(r -> r.soort().equals(soort)).findFirst();
  }

  /** The month's windows as the rules give them, none moved. */
  public List<Venster> van(YearMonth maand) {
    return van(maand, List.of());
  }

  /**
   * The windows overlapping the month: the rules' windows less those moved away, plus the moved
   * windows (which may come from another month), in order of start.
   */
  public List<Venster> van(YearMonth maand, List<Verplaatsing> verplaatsingen) {
    Instant begin = maand.atDay(1).atStartOfDay(Tijd.NL).toInstant();
    Instant einde = maand.plusMonths(1).atDay(1).atStartOfDay(Tijd.NL).toInstant();
    List<Venster> out = new ArrayList<>();
    // a window of the month before may run into this one (22:00-02:00 on the last day)
    for (YearMonth m : List.of(maand.minusMonths(1), maand)) {
      for (Regel r : regels) {
        Optional<LocalDate> d = r.datum(m);
        if (d.isEmpty()
            || verplaatsingen.stream()
                .anyMatch(v -> v.soort().equals(r.soort()) && v.datum().equals(d.get()))) {
          continue;
        }
        Venster v = new Venster(
            r.soort(), r.begin(d.get()), r.einde(d.get()), r.metDowntime(), true, null, null);
        if (v.tot().isAfter(begin) && v.van().isBefore(einde)) {
          out.add(v);
        }
      }
    }
    for (Verplaatsing v : verplaatsingen) {
      Optional<Regel> r = regel(v.soort());
      if (r.isEmpty() || !v.tot().isAfter(begin) || !v.van().isBefore(einde)) {
        continue;
      }
      out.add(new Venster(
          v.soort(),
          v.van(),
          v.tot(),
          r.get().metDowntime(),
          tijdigAangekondigd(v.aangekondigdOp(), v.van()),
          r.get().begin(v.datum()),
          v.aangekondigdOp()));
    }
    out.sort(Comparator.comparing(Venster::van));
    return out;
  }

  /**
   * The earliest day a window announced at {@code aangekondigdOp} may be on and still be planned:
   * the {@value #AANKONDIGING_WERKDAGEN}th working day after the day of the announcement
   * (Europe/Amsterdam; weekends and public holidays do not count).
   */
  public static LocalDate vroegsteDatum(Instant aangekondigdOp) {
    LocalDate d = aangekondigdOp.atZone(Tijd.NL).toLocalDate();
    int n = 0;
    while (n < AANKONDIGING_WERKDAGEN) {
      d = d.plusDays(1);
      if (Kantooruren.isWerkdag(d)) {
        n++;
      }
    }
    return d;
  }

  public static boolean tijdigAangekondigd(Instant aangekondigdOp, Instant van) {
    return !van.atZone(Tijd.NL).toLocalDate().isBefore(vroegsteDatum(aangekondigdOp));
  }
}
