package nl.berichtenbox.engine.notificaties;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class ThrottleTest {
  private final Throttle norm = new Throttle(125_000, 3_000_000);

  @Test
  void anHourStartsWithAMinutesWorthAndGrowsEvenly() {
    Instant top = Instant.parse("2026-11-29T10:00:00Z");
    assertEquals(2_083, norm.ruimte(top, 0, 0));
    assertEquals(62_500 + 2_083, norm.ruimte(top.plusSeconds(1_800), 0, 0));
    assertEquals(34, norm.toegestaanInUur(top.plusSeconds(1)) - norm.toegestaanInUur(top));
  }

  @Test
  void neverMoreThanTheHourlyLimitWithinOneClockHour() {
    Instant top = Instant.parse("2026-11-29T10:00:00Z");
    assertEquals(125_000, norm.ruimte(top.plusSeconds(3_599), 0, 0));
    assertEquals(124_999, norm.ruimte(top.plusSeconds(3_540), 0, 0));
    assertEquals(125_000, norm.ruimte(top.plusSeconds(3_541), 0, 0));
    assertEquals(0, norm.ruimte(top.plusSeconds(3_599), 125_000, 125_000));
    assertEquals(1, norm.ruimte(top.plusSeconds(3_599), 124_999, 124_999));
    // sent beyond what is allowed so far (another process's claim): no room, never negative
    assertEquals(0, norm.ruimte(top, 5_000, 5_000));
  }

  @Test
  void theDailyLimitBindsWhenTheHoursWouldAllowMore() {
    Throttle t = new Throttle(1_000, 1_500);
    Instant top = Instant.parse("2026-11-29T10:00:00Z");
    assertEquals(500, t.ruimte(top.plusSeconds(3_599), 0, 1_000));
    assertEquals(0, t.ruimte(top.plusSeconds(3_599), 0, 1_500));
    assertEquals(Instant.parse("2026-11-29T23:00:00Z"), t.volgendeRuimte(top, 1_500));
  }

  @Test
  void theDayIsTheAmsterdamCalendarDayAcrossDaylightSavingChanges() {
    // winter: UTC+1
    assertEquals(Instant.parse("2026-11-28T23:00:00Z"), Throttle.dagBegin(Instant.parse("2026-11-29T10:00:00Z")));
    assertEquals(Instant.parse("2026-11-29T23:00:00Z"), Throttle.dagBegin(Instant.parse("2026-11-29T23:30:00Z")));
    // 29 March 2026, 23 hours: starts at UTC+1, ends at UTC+2
    assertEquals(Instant.parse("2026-03-28T23:00:00Z"), Throttle.dagBegin(Instant.parse("2026-03-29T21:59:00Z")));
    assertEquals(Instant.parse("2026-03-29T22:00:00Z"), Throttle.dagBegin(Instant.parse("2026-03-29T22:00:00Z")));
    // 25 October 2026, 25 hours
    assertEquals(Instant.parse("2026-10-24T22:00:00Z"), Throttle.dagBegin(Instant.parse("2026-10-25T22:59:00Z")));
    assertEquals(Instant.parse("2026-10-25T23:00:00Z"), Throttle.dagBegin(Instant.parse("2026-10-25T23:00:00Z")));
  }

  @Test
  void whenTheHourIsUsedUpTheNextRoomIsTheNextHour() {
    Throttle t = new Throttle(60, 10_000);
    Instant late = Instant.parse("2026-11-29T10:59:30Z");
    assertEquals(Instant.parse("2026-11-29T11:00:00Z"), t.volgendeRuimte(late, 0));
    Instant early = Instant.parse("2026-11-29T10:10:00Z");
    assertEquals(early.plusSeconds(60), t.volgendeRuimte(early, 0));
  }
}
