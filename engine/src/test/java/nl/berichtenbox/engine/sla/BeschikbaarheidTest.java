package nl.berichtenbox.engine.sla;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import nl.berichtenbox.engine.domain.Tijd;
import org.junit.jupiter.api.Test;

class BeschikbaarheidTest {
  private static final YearMonth OKTOBER = YearMonth.of(2026, 10);
  private static final List<Onderhoudsvensters.Venster> STANDAARD =
      Onderhoudsvensters.standaard().van(OKTOBER);

  private static Instant ams(String lokaal) {
    return LocalDateTime.parse(lokaal).atZone(Tijd.NL).toInstant();
  }

  /** Every minute of October 2026 up, except those in the given [from, to) ranges (Amsterdam time). */
  private static Set<Instant> opBehalve(String... uit) {
    Set<Instant> op = new HashSet<>();
    for (Instant m = ams("2026-10-01T00:00");
        m.isBefore(ams("2026-11-01T00:00"));
        m = m.plus(1, ChronoUnit.MINUTES)) {
      op.add(m);
    }
    for (int i = 0; i < uit.length; i += 2) {
      for (Instant m = ams(uit[i]);
          m.isBefore(ams(uit[i + 1]));
          m = m.plus(1, ChronoUnit.MINUTES)) {
        op.remove(m);
      }
    }
    return op;
  }

  @Test
  void aMonthWithTheClocksGoingBackHas745HoursLessItsTwoWindowsWithDowntime() {
    var u = Beschikbaarheid.bereken(
        OKTOBER, STANDAARD, ams("2026-01-01T00:00"), ams("2026-12-01T00:00"), opBehalve());
    assertEquals(745 * 60, u.maandMinuten());
    assertEquals(12 * 60, u.geplandMinuten());
    assertEquals(733 * 60, u.basisMinuten());
    assertEquals(733 * 60, u.beoordeeldMinuten());
    assertEquals(100.0, u.procent());
    assertEquals(439, u.budgetMinuten(), "1 % of 733 hours");
  }

  @Test
  void anOutageInsideAWindowWithDowntimeIsPlannedAndOneAcrossItsEndOnlyPartly() {
    var u = Beschikbaarheid.bereken(
        OKTOBER,
        STANDAARD,
        ams("2026-01-01T00:00"),
        ams("2026-12-01T00:00"),
        opBehalve(
            "2026-10-14T01:00", "2026-10-14T03:00", // inside the 2nd Wednesday's window: planned
            "2026-10-28T05:30",
                "2026-10-28T06:30", // across the 4th Wednesday's end: 30 min unplanned
            "2026-10-13T10:00",
                "2026-10-13T10:45", // in the Berichtenbox window, which has no downtime: unplanned
            "2026-10-20T12:00", "2026-10-20T14:00")); // plain outage
    assertEquals(150, u.geplandUitMinuten());
    assertEquals(30 + 45 + 120, u.ongeplandMinuten());
    assertEquals(Math.round((733 * 60 - 195) * 10000.0 / (733 * 60)) / 100.0, u.procent());
    assertTrue(u.binnenNorm());
    assertEquals(439 - 195, u.resterendMinuten());
  }

  @Test
  void moreThanOnePercentUnplannedMissesTheNorm() {
    var u = Beschikbaarheid.bereken(
        OKTOBER,
        STANDAARD,
        ams("2026-01-01T00:00"),
        ams("2026-12-01T00:00"),
        opBehalve("2026-10-05T00:00", "2026-10-05T08:00"));
    assertEquals(480, u.ongeplandMinuten());
    assertFalse(u.binnenNorm());
    assertEquals(0, u.resterendMinuten());
  }

  @Test
  void onlyThePartFromTheFirstHeartbeatUpToNowIsJudged() {
    var u = Beschikbaarheid.bereken(
        OKTOBER, STANDAARD, ams("2026-10-31T00:00"), ams("2026-10-31T12:00"), opBehalve());
    assertEquals(12 * 60, u.beoordeeldMinuten());
    assertEquals(0, u.ongeplandMinuten());
    var niets =
        Beschikbaarheid.bereken(OKTOBER, STANDAARD, null, ams("2026-10-31T12:00"), Set.of());
    assertEquals(0, niets.beoordeeldMinuten());
    assertNull(niets.procent());
  }

  @Test
  void aWindowMovedInTimeExcusesItsNewHoursAndOneMovedAtShortNoticeExcusesNothing() {
    // the 2nd Wednesday's window (14 Oct 00:00-06:00) moved to Saturday 17 Oct 22:00 - Sunday 18
    // Oct 03:00,
    // announced on Thursday 1 October: the 10th working day after it is Thursday 15 October, so in
    // time
    var tijdig = new Onderhoudsvensters.Verplaatsing(
        "PORTAAL_TECHNISCH",
        LocalDate.of(2026, 10, 14),
        ams("2026-10-17T22:00"),
        ams("2026-10-18T03:00"),
        ams("2026-10-01T12:00"));
    var vensters = Onderhoudsvensters.standaard().van(OKTOBER, List.of(tijdig));
    var u = Beschikbaarheid.bereken(
        OKTOBER,
        vensters,
        ams("2026-01-01T00:00"),
        ams("2026-12-01T00:00"),
        opBehalve(
            "2026-10-14T01:00", "2026-10-14T02:00", // the old hours: no longer a window, unplanned
            "2026-10-17T23:00", "2026-10-18T01:00")); // the new hours: planned
    assertEquals(5 * 60 + 6 * 60, u.geplandMinuten());
    assertEquals(60, u.ongeplandMinuten());
    assertEquals(120, u.geplandUitMinuten());

    // the same move announced on Friday 2 October: the 10th working day is Friday 16 October, still
    // in
    // time; announced on Monday 5 October it is the 19th: too late, so the outage counts
    var laat = new Onderhoudsvensters.Verplaatsing(
        "PORTAAL_TECHNISCH",
        LocalDate.of(2026, 10, 14),
        ams("2026-10-17T22:00"),
        ams("2026-10-18T03:00"),
        ams("2026-10-05T09:00"));
    var teLaat = Beschikbaarheid.bereken(
        OKTOBER,
        Onderhoudsvensters.standaard().van(OKTOBER, List.of(laat)),
        ams("2026-01-01T00:00"),
        ams("2026-12-01T00:00"),
        opBehalve("2026-10-17T23:00", "2026-10-18T01:00"));
    assertEquals(6 * 60, teLaat.geplandMinuten(), "only the 4th Wednesday's window");
    assertEquals(120, teLaat.ongeplandMinuten());
  }

  @Test
  void aWindowMovedIntoTheNextMonthCountsThereOnlyForItsPartInside() {
    // 4th Wednesday of October (28th) moved to 31 Oct 22:00 - 1 Nov 04:00, announced in September
    var v = new Onderhoudsvensters.Verplaatsing(
        "PORTAAL_FUNCTIONEEL",
        LocalDate.of(2026, 10, 28),
        ams("2026-10-31T22:00"),
        ams("2026-11-01T04:00"),
        ams("2026-09-15T10:00"));
    var oktober = Beschikbaarheid.bereken(
        OKTOBER,
        Onderhoudsvensters.standaard().van(OKTOBER, List.of(v)),
        ams("2026-01-01T00:00"),
        ams("2026-12-01T00:00"),
        opBehalve());
    assertEquals(6 * 60 + 2 * 60, oktober.geplandMinuten());
    var november = Onderhoudsvensters.standaard().van(YearMonth.of(2026, 11), List.of(v));
    assertTrue(
        november.stream()
            .anyMatch(w ->
                w.soort().equals("PORTAAL_FUNCTIONEEL") && w.van().equals(ams("2026-10-31T22:00"))),
        "the moved window shows in November too, where it ends");
  }
}
