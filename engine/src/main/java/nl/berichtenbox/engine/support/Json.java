package nl.berichtenbox.engine.support;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** Output conventions of the contract: RFC 3339 times in UTC. */
public final class Json {
  private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'");

  private Json() {}

  /**
   * Every JSON body the engine decodes (HTTP, Kafka) refuses a key that appears twice in one
   * object: which of two values counts would otherwise be the parser's choice, and a message could
   * say one thing to a validator and another to whoever reads it later (issue 9). Idempotent.
   */
  public static void striktDecoderen() {
    var strikt = com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION;
    io.vertx.core.json.jackson.DatabindCodec.mapper().getFactory().enable(strikt);
    // Buffer.toJsonValue() and JsonObject(String) parse with Vert.x's own factory, which it does
    // not expose: set the same feature on it
    try {
      java.lang.reflect.Field f = io.vertx.core.json.jackson.JacksonCodec.class.getDeclaredField("factory");
      f.setAccessible(true);
      ((com.fasterxml.jackson.core.JsonFactory) f.get(null)).enable(strikt);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException("cannot make the JSON decoder refuse duplicate keys", e);
    }
  }

  public static String time(OffsetDateTime t) {
    return t == null ? null : t.withOffsetSameInstant(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS).format(UTC);
  }
}
