package nl.berichtenbox.engine.notificaties;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class ThrottleTest {
  private final Throttle norm = new Throttle(125_000, 3_000_000);
  private final Instant t = Instant.parse("2026-11-29T10:30:00Z");

  @Test
  void theBucketHoldsOneMinutesWorthAndFillsAtTheHourlyRate() {
    double vol = norm.tegoed(0, Instant.EPOCH, t);
    assertEquals(2_083, norm.ruimte(vol, 0, 0));
    // empty, then ten seconds: 347.2 e-mails' worth
    assertEquals(347, norm.ruimte(norm.tegoed(0, t, t.plusSeconds(10)), 0, 0));
    // an idle half hour gives no catch-up burst: still one minute's worth
    assertEquals(2_083, norm.ruimte(norm.tegoed(0, t, t.plusSeconds(1_800)), 0, 0));
    // a clock that went back adds nothing
    assertEquals(5, norm.ruimte(norm.tegoed(5.5, t, t.minusSeconds(60)), 0, 0));
  }

  @Test
  void theHourlyCountCapsExactlyWhateverTheBucketHolds() {
    assertEquals(0, norm.ruimte(2_083, 125_000, 125_000));
    assertEquals(1, norm.ruimte(2_083, 124_999, 124_999));
    // counted beyond the cap (another process's claim): no room, never negative
    assertEquals(0, norm.ruimte(2_083, 130_000, 130_000));
  }

  @Test
  void theDailyLimitBindsWhenTheHoursWouldAllowMore() {
    Throttle th = new Throttle(60_000, 1_500);
    assertEquals(500, th.ruimte(1_000, 0, 1_000));
    assertEquals(0, th.ruimte(1_000, 0, 1_500));
    assertEquals(Instant.parse("2026-11-29T23:00:00Z"), th.volgendeRuimte(t, 1_000, 0, 1_500));
  }

  @Test
  void theDayIsTheAmsterdamCalendarDayAcrossDaylightSavingChanges() {
    // winter: UTC+1
    assertEquals(
        Instant.parse("2026-11-28T23:00:00Z"),
        Throttle.dayStart(Instant.parse("2026-11-29T10:00:00Z")));
    assertEquals(
        Instant.parse("2026-11-29T23:00:00Z"),
        Throttle.dayStart(Instant.parse("2026-11-29T23:30:00Z")));
    // 29 March 2026, 23 hours: starts at UTC+1, ends at UTC+2
    assertEquals(
        Instant.parse("2026-03-28T23:00:00Z"),
        Throttle.dayStart(Instant.parse("2026-03-29T21:59:00Z")));
    assertEquals(
        Instant.parse("2026-03-29T22:00:00Z"),
        Throttle.dayStart(Instant.parse("2026-03-29T22:00:00Z")));
    // 25 October 2026, 25 hours
    assertEquals(
        Instant.parse("2026-10-24T22:00:00Z"),
        Throttle.dayStart(Instant.parse("2026-10-25T22:59:00Z")));
    assertEquals(
        Instant.parse("2026-10-25T23:00:00Z"),
        Throttle.dayStart(Instant.parse("2026-10-25T23:00:00Z")));
  }

  @Test
  void nextRoomIsTheNextTokenTheNextHourOrTheNextDay() {
    Throttle th = new Throttle(3_600, 10_000); // one a second
    assertEquals(t.plusMillis(500), th.volgendeRuimte(t, 0.5, 0, 0));
    assertEquals(Instant.parse("2026-11-29T11:00:00Z"), th.volgendeRuimte(t, 60, 3_600, 3_600));
  }
}
