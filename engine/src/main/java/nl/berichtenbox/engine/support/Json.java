package nl.berichtenbox.engine.support;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import io.vertx.core.json.jackson.DatabindCodec;
import io.vertx.core.json.jackson.JacksonCodec;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** Output conventions of the contract: RFC 3339 times in UTC. */
public final class Json {
  private static final DateTimeFormatter UTC =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'");

  private Json() {}

  /**
   * Every JSON body the engine decodes (HTTP, Kafka) refuses a key that appears twice in one
   * object: which of two values counts would otherwise be the parser's choice, and a message could
   * say one thing to a validator and another to whoever reads it later (issue 9). Idempotent.
   */
  public static void decodeStrictly() {
    var strikt = JsonParser.Feature.STRICT_DUPLICATE_DETECTION;
    DatabindCodec.mapper().getFactory().enable(strikt);
    // Buffer.toJsonValue() and JsonObject(String) parse with Vert.x's own factory, which it does
    // not expose: set the same feature on it
    try {
      java.lang.reflect.Field f = JacksonCodec.class.getDeclaredField("factory");
      f.setAccessible(true);
      ((JsonFactory) f.get(null)).enable(strikt);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException("cannot make the JSON decoder refuse duplicate keys", e);
    }
  }

  /**
   * {@code yyyy-MM-ddTHH:mm:ss.SSSZ}, to the millisecond (truncated), in UTC. Written by hand: every
   * message in a page has one, and the formatter made a dozen objects for each (a BigDecimal for the
   * fraction among them), a sixth of what a portal request allocated.
   */
  public static String time(OffsetDateTime t) {
    if (t == null) {
      return null;
    }
    long seconds = t.toEpochSecond();
    int secondOfDay = (int) Math.floorMod(seconds, 86_400L);
    LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(seconds, 86_400L));
    if (date.getYear() < 0 || date.getYear() > 9999) {
      return t.withOffsetSameInstant(ZoneOffset.UTC)
          .truncatedTo(ChronoUnit.MILLIS)
          .format(UTC);
    }
    byte[] b = new byte[24];
    digits(b, 0, date.getYear(), 4);
    b[4] = '-';
    digits(b, 5, date.getMonthValue(), 2);
    b[7] = '-';
    digits(b, 8, date.getDayOfMonth(), 2);
    b[10] = 'T';
    digits(b, 11, secondOfDay / 3600, 2);
    b[13] = ':';
    digits(b, 14, secondOfDay / 60 % 60, 2);
    b[16] = ':';
    digits(b, 17, secondOfDay % 60, 2);
    b[19] = '.';
    digits(b, 20, t.getNano() / 1_000_000, 3);
    b[23] = 'Z';
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  private static void digits(byte[] b, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      b[i] = (byte) ('0' + value % 10);
      value /= 10;
    }
  }
}
