package nl.berichtenbox.engine.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The hand-written RFC 3339 writer gives what the JDK's formatter gives, for any instant and offset. */
class JsonTimeTest {
  private static final DateTimeFormatter JDK =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'");

  private static String jdk(OffsetDateTime t) {
    return t.withOffsetSameInstant(ZoneOffset.UTC)
        .truncatedTo(ChronoUnit.MILLIS)
        .format(JDK);
  }

  @Test
  void knownInstants() {
    assertEquals(
        "1970-01-01T00:00:00.000Z",
        Json.time(OffsetDateTime.ofInstant(Instant.EPOCH, ZoneOffset.UTC)));
    assertEquals(
        "2026-11-29T18:45:07.123Z",
        Json.time(OffsetDateTime.of(2026, 11, 29, 19, 45, 7, 123_999_999, ZoneOffset.ofHours(1))));
    assertEquals(
        "2024-02-29T23:59:59.999Z",
        Json.time(OffsetDateTime.of(2024, 2, 29, 23, 59, 59, 999_000_000, ZoneOffset.UTC)));
    assertEquals(
        "9999-01-01T00:00:00.000Z",
        Json.time(OffsetDateTime.of(9999, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC)));
    assertEquals(
        "1969-12-31T23:59:59.999Z",
        Json.time(OffsetDateTime.ofInstant(Instant.ofEpochMilli(-1), ZoneOffset.UTC)));
    assertNull(Json.time(null));
  }

  @Test
  void sameAsTheFormatterOverTheWholeRange() {
    SplittableRandom r = new SplittableRandom(29);
    long min = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
    long max = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
    for (int i = 0; i < 200_000; i++) {
      Instant at = Instant.ofEpochSecond(r.nextLong(min, max + 1), r.nextInt(1_000_000_000));
      OffsetDateTime t = OffsetDateTime.ofInstant(
          at, ZoneOffset.ofTotalSeconds(r.nextInt(-18 * 3600, 18 * 3600 + 1)));
      assertEquals(jdk(t), Json.time(t), at.toString());
    }
    // outside four-digit years the formatter's own answer
    OffsetDateTime far = OffsetDateTime.of(12345, 6, 7, 8, 9, 10, 0, ZoneOffset.UTC);
    assertEquals(jdk(far), Json.time(far));
  }
}
