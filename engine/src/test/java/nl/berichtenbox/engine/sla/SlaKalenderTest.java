package nl.berichtenbox.engine.sla;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.util.List;
import nl.berichtenbox.engine.domain.Tijd;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

class SlaKalenderTest {
  private static Instant ams(String lokaal) {
    return LocalDateTime.parse(lokaal).atZone(Tijd.NL).toInstant();
  }

  @Test
  void easterAndTheHolidaysThatFollowIt() {
    assertEquals(LocalDate.of(2024, 3, 31), Feestdagen.pasen(2024));
    assertEquals(LocalDate.of(2025, 4, 20), Feestdagen.pasen(2025));
    assertEquals(LocalDate.of(2026, 4, 5), Feestdagen.pasen(2026));
    assertEquals(LocalDate.of(2027, 3, 28), Feestdagen.pasen(2027));
    assertEquals(
        List.of(
            LocalDate.of(2026, 1, 1),
            LocalDate.of(2026, 4, 6),
            LocalDate.of(2026, 4, 27),
            LocalDate.of(2026, 5, 5),
            LocalDate.of(2026, 5, 14),
            LocalDate.of(2026, 5, 25),
            LocalDate.of(2026, 12, 25),
            LocalDate.of(2026, 12, 26)),
        List.copyOf(Feestdagen.van(2026)));
    // 27 April 2025 is a Sunday: Koningsdag on Saturday the 26th
    assertTrue(Feestdagen.isFeestdag(LocalDate.of(2025, 4, 26)));
    assertFalse(Feestdagen.isFeestdag(LocalDate.of(2025, 4, 27)));
    // Goede Vrijdag is a working day under the Algemene termijnenwet
    assertTrue(Kantooruren.isWerkdag(LocalDate.of(2026, 4, 3)));
  }

  @Test
  void thePriorityMatrixOfTheAgreement() {
    Prioriteit.Niveau h = Prioriteit.Niveau.HOOG;
    Prioriteit.Niveau m = Prioriteit.Niveau.MIDDEN;
    Prioriteit.Niveau l = Prioriteit.Niveau.LAAG;
    assertEquals(Prioriteit.P1, Prioriteit.van(h, h));
    assertEquals(Prioriteit.P2, Prioriteit.van(h, m));
    assertEquals(Prioriteit.P2, Prioriteit.van(m, h));
    assertEquals(Prioriteit.P3, Prioriteit.van(h, l));
    assertEquals(Prioriteit.P3, Prioriteit.van(l, h));
    assertEquals(Prioriteit.P3, Prioriteit.van(m, m));
    assertEquals(Prioriteit.P3, Prioriteit.van(l, l));
  }

  @Test
  void aP2ReportedOnFridayAtHalfPastFourRunsIntoWednesday() {
    // Fri 0.5 h, Mon 9 h, Tue 9 h, Wed 1.5 h
    assertEquals(ams("2026-12-02T09:30"), Prioriteit.P2.deadline(ams("2026-11-27T16:30")));
  }

  @Test
  void officeHoursSkipChristmasAndTheWeekend() {
    // Thu 24 Dec 12:00: 5 h that day; Fri 25 and Sat 26 holidays, Sunday; Mon 9, Tue 9, Wed 7 h
    assertEquals(ams("2026-12-30T15:00"), Prioriteit.P3.deadline(ams("2026-12-24T12:00")));
    // reported at night: the clock starts at the next opening
    assertEquals(
        ams("2026-12-01T08:00").plus(Duration.ofHours(9)),
        Kantooruren.plus(ams("2026-12-01T03:00"), Duration.ofHours(9)));
    assertEquals(
        ams("2026-12-02T09:00"), Kantooruren.plus(ams("2026-12-01T17:00"), Duration.ofHours(1)));
    assertEquals(
        Duration.ofHours(18).plusMinutes(30),
        Kantooruren.tussen(ams("2026-11-27T16:30"), ams("2026-12-01T17:30")));
  }

  @Test
  void aP1CountsClockHoursAcrossTheNightTheClocksGoForward() {
    // 29 March 2026, 02:00 becomes 03:00: six clock hours after 00:30 is 07:30 local
    assertEquals(ams("2026-03-29T07:30"), Prioriteit.P1.deadline(ams("2026-03-29T00:30")));
  }

  @Test
  void windowsOfAMonthWithFiveWednesdays() {
    // April 2026: Wednesdays 1, 8, 15, 22, 29; Tuesdays 7, 14, ...
    List<Onderhoudsvensters.Venster> v = Onderhoudsvensters.standaard().van(YearMonth.of(2026, 4));
    assertEquals(3, v.size(), "the fifth Wednesday has none");
    assertEquals("PORTAAL_TECHNISCH", v.get(0).soort());
    assertEquals(ams("2026-04-08T00:00"), v.get(0).van());
    assertEquals(ams("2026-04-08T06:00"), v.get(0).tot());
    assertEquals("BERICHTENBOX", v.get(1).soort());
    assertEquals(ams("2026-04-14T09:00"), v.get(1).van());
    assertFalse(v.get(1).metDowntime());
    assertEquals(ams("2026-04-22T00:00"), v.get(2).van());
    assertTrue(v.get(2).metDowntime());
  }

  @Test
  void windowsKeepTheirLocalHoursAcrossTheChangeOfTheClocks() {
    // October 2026: the clocks go back on the 25th; 2nd Tuesday the 13th and 2nd Wednesday the 14th
    // (UTC+2), 4th Wednesday the 28th (UTC+1)
    List<Onderhoudsvensters.Venster> v = Onderhoudsvensters.standaard().van(YearMonth.of(2026, 10));
    assertEquals(Instant.parse("2026-10-13T07:00:00Z"), v.get(0).van());
    assertEquals(Instant.parse("2026-10-13T22:00:00Z"), v.get(1).van());
    assertEquals(Instant.parse("2026-10-27T23:00:00Z"), v.get(2).van());
    assertEquals(Duration.ofHours(6), Duration.between(v.get(2).van(), v.get(2).tot()));
  }

  @Test
  void tenWorkingDaysOfNoticeSkipWeekendsAndHolidays() {
    // announced Monday 2 November 2026: 3..6, 9..13, 16 -> Monday 16 November
    assertEquals(
        LocalDate.of(2026, 11, 16), Onderhoudsvensters.vroegsteDatum(ams("2026-11-02T23:30")));
    // announced Thursday 17 December 2026: Christmas and Boxing Day do not count -> Monday 4
    // January 2027
    // (18, 21, 22, 23, 24, 28, 29, 30, 31 December, 1 January is New Year's Day, so the 10th is 4
    // January)
    assertEquals(
        LocalDate.of(2027, 1, 4), Onderhoudsvensters.vroegsteDatum(ams("2026-12-17T10:00")));
    assertTrue(
        Onderhoudsvensters.tijdigAangekondigd(ams("2026-11-02T10:00"), ams("2026-11-16T00:00")));
    assertFalse(
        Onderhoudsvensters.tijdigAangekondigd(ams("2026-11-02T10:00"), ams("2026-11-15T23:59")));
  }

  @Test
  void configuredWindowsReplaceTheDefaultAndBadRulesAreNamed() {
    var o = Onderhoudsvensters.parse(
        "NACHT 1 zondag 22:00-02:00 downtime, ROLLEND 3 donderdag 10:00-12:00 zonder-downtime");
    List<Onderhoudsvensters.Venster> v = o.van(YearMonth.of(2026, 11));
    assertEquals(2, v.size());
    assertEquals(ams("2026-11-01T22:00"), v.get(0).van());
    assertEquals(
        ams("2026-11-02T02:00"), v.get(0).tot(), "a window past midnight ends the next day");
    assertEquals(ams("2026-11-19T10:00"), v.get(1).van());
    assertFalse(v.get(1).metDowntime());
    var e = Assertions.assertThrows(
        IllegalArgumentException.class,
        () -> Onderhoudsvensters.parse("NACHT 6 zondag 22:00-02:00 downtime"));
    assertTrue(e.getMessage().contains("NACHT 6"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> Onderhoudsvensters.parse("A 1 maandag 25:00-26:00 downtime"));
    assertThrows(
        IllegalArgumentException.class,
        () -> Onderhoudsvensters.parse(
            "A 1 maandag 01:00-02:00 downtime, A 2 maandag 01:00-02:00 downtime"));
    assertEquals(0, Onderhoudsvensters.parse("").van(YearMonth.of(2026, 11)).size());
  }
}
