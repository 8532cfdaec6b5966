package nl.berichtenbox.api.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The answers' streaming encoder writes the same bytes as Vert.x's databind encoder. */
class HttpEncodeTest {
  @Test
  void sameBytesAsDatabind() {
    JsonObject o = new JsonObject()
        .put("tekst", "Aanslag \"2026\" é € \u0001 \n")
        .put("int", 7)
        .put("long", Long.MAX_VALUE)
        .put("double", 0.1)
        .put("big", new BigDecimal("12.50"))
        .put("ja", true)
        .putNull("niets")
        .put(
            "lijst",
            new JsonArray()
                .add(1)
                .add("twee")
                .add(new JsonObject().put("a", List.of(1, 2)))
                .addNull())
        .put("map", Map.of("k", "v"))
        .put("leeg", new JsonObject())
        .put("tijd", Instant.parse("2026-11-29T18:45:07.123Z"))
        .put("bytes", new byte[] {1, 2, 3, (byte) 255});
    assertEquals(o.toBuffer().toString(), Http.encode(o).toString());
  }

  @Test
  void aValueOnlyDatabindKnowsFallsBackToIt() {
    record Punt(int x, int y) {}
    JsonObject o = new JsonObject().put("punt", new Punt(1, 2));
    assertEquals(o.toBuffer().toString(), Http.encode(o).toString());
  }
}
