package nl.berichtenbox.engine.abonnementen;

import static nl.berichtenbox.engine.domain.Tijd.NL;

import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZonedDateTime;

/**
 * The Abonnementservice's window (contract §2.5): "HH:MM-HH:MM" in Europe/Amsterdam, which may
 * run past midnight (the default 23:00-07:00), or "altijd". Quotas count per night: the date on
 * which the window opened; with "altijd", per calendar day.
 */
public final class Venster {
  private final LocalTime van;
  private final LocalTime tot;

  public Venster(String spec) {
    if ("altijd".equals(spec)) {
      van = null;
      tot = null;
    } else {
      String[] p = spec.split("-");
      van = LocalTime.parse(p[0]);
      tot = LocalTime.parse(p[1]);
    }
  }

  public boolean always() {
    return van == null;
  }

  public boolean open(ZonedDateTime t) {
    if (always()) {
      return true;
    }
    LocalTime lt = t.withZoneSameInstant(NL).toLocalTime();
    return van.isBefore(tot)
        ? !lt.isBefore(van) && lt.isBefore(tot)
        : !lt.isBefore(van) || lt.isBefore(tot);
  }

  /** The night (date the window opened) that moment t belongs to; with "altijd" its date. */
  public LocalDate night(ZonedDateTime t) {
    ZonedDateTime nl = t.withZoneSameInstant(NL);
    if (!always() && !van.isBefore(tot) && nl.toLocalTime().isBefore(tot)) {
      return nl.toLocalDate().minusDays(1);
    }
    return nl.toLocalDate();
  }

  /** Seconds until the window next opens (with "altijd": until the next day, for a used-up quota). */
  public long secondsToNext(ZonedDateTime t, boolean quotumOp) {
    ZonedDateTime nl = t.withZoneSameInstant(NL);
    ZonedDateTime volgende;
    if (always()) {
      volgende = nl.toLocalDate().plusDays(1).atStartOfDay(NL);
    } else {
      volgende = nl.toLocalDate().atTime(van).atZone(NL);
      if (!volgende.isAfter(nl) || (quotumOp && open(t))) {
        volgende = nl.toLocalDate().plusDays(1).atTime(van).atZone(NL);
        if (quotumOp && !van.isBefore(tot) && nl.toLocalTime().isBefore(tot)) {
          volgende = nl.toLocalDate().atTime(van).atZone(NL);
        }
      }
    }
    return Math.max(1, Duration.between(nl, volgende).getSeconds());
  }
}
