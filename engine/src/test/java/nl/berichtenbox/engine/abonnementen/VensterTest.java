package nl.berichtenbox.engine.abonnementen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

class VensterTest {
  private static ZonedDateTime nl(String s) {
    return ZonedDateTime.parse(s + "[Europe/Amsterdam]");
  }

  private final Venster nacht = new Venster("23:00-07:00");

  @Test
  void theNightWindowRunsPastMidnight() {
    assertTrue(nacht.open(nl("2026-11-29T23:00+01:00")));
    assertTrue(nacht.open(nl("2026-11-30T06:59+01:00")));
    assertFalse(nacht.open(nl("2026-11-30T07:00+01:00")));
    assertFalse(nacht.open(nl("2026-11-29T22:59+01:00")));
    assertTrue(nacht.open(ZonedDateTime.parse("2026-11-29T22:30Z")), "23:30 in Amsterdam");
  }

  @Test
  void quotaCountPerNightFromTheDateItOpened() {
    assertEquals(LocalDate.parse("2026-11-29"), nacht.night(nl("2026-11-29T23:30+01:00")));
    assertEquals(LocalDate.parse("2026-11-29"), nacht.night(nl("2026-11-30T03:00+01:00")));
    assertEquals(LocalDate.parse("2026-11-30"), nacht.night(nl("2026-11-30T23:00+01:00")));
    assertEquals(
        LocalDate.parse("2026-11-30"), new Venster("altijd").night(nl("2026-11-30T03:00+01:00")));
  }

  @Test
  void retryAfterPointsAtTheNextOpening() {
    assertEquals(11 * 3600, nacht.secondsToNext(nl("2026-11-29T12:00+01:00"), false));
    // quota used up at 02:00: the next night opens tonight at 23:00
    assertEquals(21 * 3600, nacht.secondsToNext(nl("2026-11-30T02:00+01:00"), true));
    // quota used up at 23:30: tomorrow 23:00
    assertEquals(23 * 3600 + 1800, nacht.secondsToNext(nl("2026-11-29T23:30+01:00"), true));
    // quota used up at 00:00 on the day summer time starts (29 March 2026, 02:00 -> 03:00): the
    // next night opens at 23:00 the same day, 23 wall-clock hours but 22 real ones away
    assertEquals(22 * 3600, nacht.secondsToNext(nl("2026-03-29T00:00+01:00"), true));
    assertEquals(3600, new Venster("altijd").secondsToNext(nl("2026-11-29T23:00+01:00"), true));
  }
}
