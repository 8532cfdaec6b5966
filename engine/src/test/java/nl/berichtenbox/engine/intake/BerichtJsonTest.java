package nl.berichtenbox.engine.intake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import nl.berichtenbox.engine.domain.VerwerkingsCode;
import nl.berichtenbox.engine.support.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The intake's decoder gives what Vert.x's gives, with long attachment contents as views. */
class BerichtJsonTest {
  private static final String OIN = "00000001234567890000";
  private static final Instant NOW = Instant.parse("2026-11-29T10:00:00Z");

  @BeforeAll
  static void strikt() {
    Json.decodeStrictly(); // as the engine runs: Vert.x's own decoder refuses duplicate keys too
  }

  private static String pdf(int kb, long seed) {
    byte[] b = new byte[kb * 1024];
    new Random(seed).nextBytes(b);
    System.arraycopy("%PDF-1.7\n".getBytes(StandardCharsets.US_ASCII), 0, b, 0, 9);
    return Base64.getEncoder().encodeToString(b);
  }

  private static JsonObject bericht(String... inhoud) {
    JsonArray bijlagen = new JsonArray();
    for (int i = 0; i < inhoud.length; i++) {
      bijlagen.add(new JsonObject()
          .put("omschrijving", "Bijlage " + (i + 1))
          .put("volgorde", i + 1)
          .put("mediaType", "application/pdf")
          .put("inhoud", inhoud[i]));
    }
    return new JsonObject()
        .put("berichtId", "6f1c2d4e-1111-4a6b-9c1d-000000000001")
        .put("berichtType", "ALG")
        .put("bsn", "999993653")
        .put("onderwerp", "Onderwerp é ✓")
        .put("berichtTekst", "Tekst\nmet \"regels\"")
        .put("bijlagen", bijlagen);
  }

  /** Both decoders, then the validator over each: the same message, digest and bytes, or the same refusal. */
  private static BerichtValidator.Result zelfde(Buffer body) {
    Object vertx = body.toJsonValue();
    Object eigen = BerichtJson.decode(body);
    BerichtValidator.Result a = BerichtValidator.validate(vertx, "", OIN, NOW);
    BerichtValidator.Result b = BerichtValidator.validate(eigen, "", OIN, NOW);
    assertEquals(a.valid(), b.valid());
    assertEquals(a.code(), b.code());
    assertEquals(a.invalidParams(), b.invalidParams());
    if (a.valid()) {
      assertArrayEquals(a.bericht().digest(), b.bericht().digest(), "the idempotency digest");
      assertEquals(a.bericht().bijlagen().size(), b.bericht().bijlagen().size());
      for (int i = 0; i < a.bericht().bijlagen().size(); i++) {
        assertArrayEquals(
            a.bericht().bijlagen().get(i).inhoud(),
            b.bericht().bijlagen().get(i).inhoud());
      }
    }
    return b;
  }

  @Test
  void aLargeAttachmentIsAViewAndValidatesAsWithVertx() {
    JsonObject m = bericht(pdf(100, 1), pdf(2, 2));
    Buffer body = m.toBuffer();
    JsonObject o = (JsonObject) BerichtJson.decode(body);
    Object inhoud = o.getJsonArray("bijlagen").getJsonObject(0).getValue("inhoud");
    assertInstanceOf(Base64Text.class, inhoud);
    assertEquals(
        m.getJsonArray("bijlagen").getJsonObject(0).getString("inhoud"), inhoud.toString());
    assertEquals(m.getString("onderwerp"), o.getString("onderwerp"));
    assertTrue(zelfde(body).valid());
  }

  @Test
  void inABatchToo() {
    JsonObject batch = new JsonObject()
        .put("berichten", new JsonArray().add(bericht(pdf(50, 3))).add(bericht()));
    JsonObject o = (JsonObject) BerichtJson.decode(batch.toBuffer());
    assertInstanceOf(
        Base64Text.class,
        o.getJsonArray("berichten")
            .getJsonObject(0)
            .getJsonArray("bijlagen")
            .getJsonObject(0)
            .getValue("inhoud"));
    for (int i = 0; i < 2; i++) {
      BerichtValidator.Result a =
          BerichtValidator.validate(batch.getJsonArray("berichten").getValue(i), "", OIN, NOW);
      BerichtValidator.Result b =
          BerichtValidator.validate(o.getJsonArray("berichten").getValue(i), "", OIN, NOW);
      assertTrue(b.valid());
      assertArrayEquals(a.bericht().digest(), b.bericht().digest());
    }
  }

  @Test
  void onlyAttachmentContentsBecomeViews() {
    String lang = pdf(4, 4);
    JsonObject m = bericht(lang)
        .put("berichtTekst", lang)
        .put("extra", new JsonObject().put("inhoud", lang))
        .put("bijlagenLijst", new JsonArray().add(new JsonObject().put("inhoud", lang)));
    JsonObject o = (JsonObject) BerichtJson.decode(m.toBuffer());
    assertInstanceOf(String.class, o.getValue("berichtTekst"));
    assertInstanceOf(String.class, o.getJsonObject("extra").getValue("inhoud"));
    assertInstanceOf(
        String.class, o.getJsonArray("bijlagenLijst").getJsonObject(0).getValue("inhoud"));
    assertInstanceOf(
        Base64Text.class, o.getJsonArray("bijlagen").getJsonObject(0).getValue("inhoud"));
  }

  @Test
  void contentThatIsNotPlainBase64IsReadAsAString() {
    String lang = pdf(8, 5);
    // line-broken base64 (MIME): JSON escapes, so a string, and accepted as before
    String mime = Base64.getMimeEncoder().encodeToString(Base64.getDecoder().decode(lang));
    Buffer body = bericht(mime).toBuffer();
    assertInstanceOf(
        String.class,
        ((JsonObject) BerichtJson.decode(body))
            .getJsonArray("bijlagen")
            .getJsonObject(0)
            .getValue("inhoud"));
    assertTrue(zelfde(body).valid());
    // a character outside base64: refused the same way
    BerichtValidator.Result r =
        zelfde(bericht(lang.substring(0, 4000) + "*" + lang.substring(4001)).toBuffer());
    assertFalse(r.valid());
    assertEquals("bijlagen/0/inhoud", r.invalidParams().get(0).name());
    // base64 characters in a wrong place (padding in the middle): a view, refused the same way
    r = zelfde(bericht(lang.substring(0, 4000) + "=" + lang.substring(4001)).toBuffer());
    assertFalse(r.valid());
    assertEquals(
        List.of("bijlagen/0/inhoud"),
        r.invalidParams().stream().map(p -> p.name()).toList());
    // not a PDF, and short contents (strings)
    assertFalse(
        zelfde(bericht(Base64.getEncoder().encodeToString(new byte[4000])).toBuffer())
            .valid());
    assertTrue(zelfde(bericht(Base64.getEncoder().encodeToString("%PDF-1.4 klein".getBytes()))
            .toBuffer())
        .valid());
  }

  @Test
  void anAttachmentTooLargeIsRefusedBeforeDecoding() {
    BerichtValidator.Result r = zelfde(bericht(pdf(300, 6), pdf(300, 7)).toBuffer());
    assertFalse(r.valid());
    assertEquals(VerwerkingsCode.BijlageTeGroot, r.code());
  }

  @Test
  void aBodyInsideALargerArrayIsFoundAtItsOffset() {
    byte[] json = bericht(pdf(20, 8)).toBuffer().getBytes();
    byte[] ruim = new byte[json.length + 37];
    Arrays.fill(ruim, (byte) '"');
    System.arraycopy(json, 0, ruim, 17, json.length);
    Buffer slice = Buffer.buffer(ruim).slice(17, 17 + json.length);
    JsonObject o = (JsonObject) BerichtJson.decode(slice);
    assertInstanceOf(
        Base64Text.class, o.getJsonArray("bijlagen").getJsonObject(0).getValue("inhoud"));
    assertTrue(zelfde(slice).valid());
  }

  @Test
  void everythingElseAsVertxDecodesIt() {
    String[] bodies = {
      "{\"a\":1,\"b\":12345678901,\"c\":1.5,\"d\":1e400,\"e\":123456789012345678901234567890,\"f\":[true,false,null]}",
      "/* commentaar */ {\"a\": [ {\"b\": \"\\u00e9\\n\"} , [] , {} ] // regel\n}",
      "[1,\"twee\",{\"bijlagen\":[{\"inhoud\":\"" + pdf(2, 9) + "\"}]}]",
      "\"alleen een string\"",
      "42",
      "null",
      "true"
    };
    for (String s : bodies) {
      Buffer b = Buffer.buffer(s);
      Object v = b.toJsonValue();
      Object e = BerichtJson.decode(b);
      if (v instanceof JsonArray arr && s.contains("bijlagen")) {
        assertEquals(
            arr.getJsonObject(2).getJsonArray("bijlagen").getJsonObject(0).getString("inhoud"),
            ((JsonArray) e)
                .getJsonObject(2)
                .getJsonArray("bijlagen")
                .getJsonObject(0)
                .getValue("inhoud")
                .toString());
      } else {
        assertEquals(v, e, s);
      }
    }
  }

  @Test
  void theEightByteScanFindsWhatAByteScanFinds() {
    Random r = new Random(13);
    byte[] alfabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\"\\\u00e9"
        .getBytes(StandardCharsets.UTF_8);
    for (int n = 0; n < 2_000; n++) {
      byte[] a = new byte[r.nextInt(40)];
      for (int i = 0; i < a.length; i++) {
        // mostly base64, now and then a quote, a backslash or a byte above 0x7f
        a[i] = r.nextInt(12) == 0
            ? alfabet[64 + r.nextInt(alfabet.length - 64)]
            : alfabet[r.nextInt(64)];
      }
      int van = a.length == 0 ? 0 : r.nextInt(a.length);
      int tot = van + (a.length == van ? 0 : r.nextInt(a.length - van + 1));
      int verwacht = van;
      while (verwacht < tot && a[verwacht] != '"' && a[verwacht] != '\\') {
        verwacht++;
      }
      assertEquals(
          verwacht,
          BerichtJson.eindeOfEscape(a, van, tot),
          Arrays.toString(a) + " " + van + ".." + tot);
    }
  }

  @Test
  void malformedBodiesAreDecodeExceptions() {
    for (String s : new String[] {
      "",
      "{",
      "{\"a\":1,\"a\":2}",
      "{\"bijlagen\":[{\"inhoud\":\"QUJD\",\"inhoud\":\"QUJD\"}]}",
      "{} {}",
      "{\"a\":}",
      "[1,]",
      "{\"bijlagen\":[{\"inhoud\":\"" + pdf(2, 10) + "}]}",
      "\"\\x\"",
      "{'a':1}"
    }) {
      assertThrows(DecodeException.class, () -> Buffer.buffer(s).toJsonValue(), s);
      assertThrows(DecodeException.class, () -> BerichtJson.decode(Buffer.buffer(s)), s);
    }
    // a duplicate key after a long attachment view: still found
    String dubbel = "{\"bijlagen\":[{\"inhoud\":\"" + pdf(2, 11) + "\",\"inhoud\":\"QUJD\"}]}";
    assertThrows(DecodeException.class, () -> BerichtJson.decode(Buffer.buffer(dubbel)));
    // invalid UTF-8 in a view's neighbourhood
    byte[] ongeldig = ("{\"bijlagen\":[{\"inhoud\":\"" + pdf(2, 12) + "\"}],\"x\":\"\u00e9\"}")
        .getBytes(StandardCharsets.UTF_8);
    ongeldig[ongeldig.length - 3] = (byte) 0xff;
    assertThrows(DecodeException.class, () -> BerichtJson.decode(Buffer.buffer(ongeldig)));
  }
}
