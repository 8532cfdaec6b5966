package nl.berichtenbox.engine.sla;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.Month;
import java.util.Set;
import java.util.TreeSet;

/**
 * Dutch public holidays as the Algemene termijnenwet counts them for deadlines: Nieuwjaarsdag,
 * Tweede Paasdag, Koningsdag (27 April, or 26 April when the 27th is a Sunday), Bevrijdingsdag
 * (5 May), Hemelvaartsdag, Tweede Pinksterdag, Eerste en Tweede Kerstdag. (Eerste Paas- and
 * Pinksterdag are Sundays; Goede Vrijdag is not in that law and counts as a working day.)
 */
public final class Feestdagen {
  private Feestdagen() {}

  public static Set<LocalDate> van(int jaar) {
    Set<LocalDate> out = new TreeSet<>();
    LocalDate pasen = pasen(jaar);
    out.add(LocalDate.of(jaar, Month.JANUARY, 1));
    out.add(pasen.plusDays(1));
    LocalDate koningsdag = LocalDate.of(jaar, Month.APRIL, 27);
    out.add(koningsdag.getDayOfWeek() == DayOfWeek.SUNDAY ? koningsdag.minusDays(1) : koningsdag);
    out.add(LocalDate.of(jaar, Month.MAY, 5));
    out.add(pasen.plusDays(39));
    out.add(pasen.plusDays(50));
    out.add(LocalDate.of(jaar, Month.DECEMBER, 25));
    out.add(LocalDate.of(jaar, Month.DECEMBER, 26));
    return out;
  }

  public static boolean isFeestdag(LocalDate d) {
    return van(d.getYear()).contains(d);
  }

  /** Easter Sunday (Gregorian; the anonymous algorithm of Meeus/Jones/Butcher). */
  static LocalDate pasen(int y) {
    int a = y % 19;
    int b = y / 100;
    int c = y % 100;
    int d = b / 4;
    int e = b % 4;
    int f = (b + 8) / 25;
    int g = (b - f + 1) / 3;
    int h = (19 * a + b - d - g + 15) % 30;
    int i = c / 4;
    int k = c % 4;
    int l = (32 + 2 * e + 2 * i - h - k) % 7;
    int m = (a + 11 * h + 22 * l) / 451;
    int maand = (h + l - 7 * m + 114) / 31;
    int dag = (h + l - 7 * m + 114) % 31 + 1;
    return LocalDate.of(y, maand, dag);
  }
}
