package nl.berichtenbox.engine.sla;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BeschikbaarheidTest {
  private static final YearMonth OKTOBER = YearMonth.of(2026, 10);

  private static Instant ams(String lokaal) {
    return LocalDateTime.parse(lokaal).atZone(Kantooruren.ZONE).toInstant();
  }

  /** Every minute of October 2026 up, except those in the given [from, to) ranges (Amsterdam time). */
  private static Set<Instant> opBehalve(String... uit) {
    Set<Instant> op = new HashSet<>();
    for (Instant m = ams("2026-10-01T00:00"); m.isBefore(ams("2026-11-01T00:00")); m = m.plus(1, ChronoUnit.MINUTES)) {
      op.add(m);
    }
    for (int i = 0; i < uit.length; i += 2) {
      for (Instant m = ams(uit[i]); m.isBefore(ams(uit[i + 1])); m = m.plus(1, ChronoUnit.MINUTES)) {
        op.remove(m);
      }
    }
    return op;
  }

  @Test
  void aMonthWithTheClocksGoingBackHas745HoursLessItsTwoWindowsWithDowntime() {
    var u = Beschikbaarheid.bereken(OKTOBER, ams("2026-01-01T00:00"), ams("2026-12-01T00:00"), opBehalve());
    assertEquals(745 * 60, u.maandMinuten());
    assertEquals(12 * 60, u.geplandMinuten());
    assertEquals(733 * 60, u.basisMinuten());
    assertEquals(733 * 60, u.beoordeeldMinuten());
    assertEquals(100.0, u.procent());
    assertEquals(439, u.budgetMinuten(), "1 % of 733 hours");
  }

  @Test
  void anOutageInsideAWindowWithDowntimeIsPlannedAndOneAcrossItsEndOnlyPartly() {
    var u = Beschikbaarheid.bereken(OKTOBER, ams("2026-01-01T00:00"), ams("2026-12-01T00:00"), opBehalve(
        "2026-10-14T01:00", "2026-10-14T03:00",      // inside the 2nd Wednesday's window: planned
        "2026-10-28T05:30", "2026-10-28T06:30",      // across the 4th Wednesday's end: 30 min unplanned
        "2026-10-13T10:00", "2026-10-13T10:45",      // in the Berichtenbox window, which has no downtime: unplanned
        "2026-10-20T12:00", "2026-10-20T14:00"));    // plain outage
    assertEquals(150, u.geplandUitMinuten());
    assertEquals(30 + 45 + 120, u.ongeplandMinuten());
    assertEquals(Math.round((733 * 60 - 195) * 10000.0 / (733 * 60)) / 100.0, u.procent());
    assertTrue(u.binnenNorm());
    assertEquals(439 - 195, u.resterendMinuten());
  }

  @Test
  void moreThanOnePercentUnplannedMissesTheNorm() {
    var u = Beschikbaarheid.bereken(OKTOBER, ams("2026-01-01T00:00"), ams("2026-12-01T00:00"),
        opBehalve("2026-10-05T00:00", "2026-10-05T08:00"));
    assertEquals(480, u.ongeplandMinuten());
    assertFalse(u.binnenNorm());
    assertEquals(0, u.resterendMinuten());
  }

  @Test
  void onlyThePartFromTheFirstHeartbeatUpToNowIsJudged() {
    var u = Beschikbaarheid.bereken(OKTOBER, ams("2026-10-31T00:00"), ams("2026-10-31T12:00"), opBehalve());
    assertEquals(12 * 60, u.beoordeeldMinuten());
    assertEquals(0, u.ongeplandMinuten());
    var niets = Beschikbaarheid.bereken(OKTOBER, null, ams("2026-10-31T12:00"), Set.of());
    assertEquals(0, niets.beoordeeldMinuten());
    assertNull(niets.procent());
  }
}
