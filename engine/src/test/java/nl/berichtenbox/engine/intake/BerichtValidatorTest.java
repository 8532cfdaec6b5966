package nl.berichtenbox.engine.intake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import nl.berichtenbox.engine.domain.InvalidParam;
import nl.berichtenbox.engine.domain.VerwerkingsCode;
import org.junit.jupiter.api.Test;

class BerichtValidatorTest {
  private static final String OIN = "00000001234567890000";
  private static final Instant NOW = Instant.parse("2026-11-29T10:00:00Z");

  private static JsonObject valid() {
    return new JsonObject()
        .put("berichtId", "6f1c2d4e-1111-4a6b-9c1d-000000000001")
        .put("berichtType", "ALG")
        .put("bsn", "999993653")
        .put("onderwerp", "Onderwerp")
        .put("berichtTekst", "Tekst\nmet regels");
  }

  private static List<String> names(BerichtValidator.Result r) {
    return r.invalidParams().stream().map(InvalidParam::name).toList();
  }

  @Test
  void aValidMessageBecomesABericht() {
    BerichtValidator.Result r = BerichtValidator.validate(valid(), "", OIN, NOW);
    assertTrue(r.valid());
    assertEquals("999993653", r.bericht().bsn());
  }

  @Test
  void digestIgnoresKeyOrderButNotValues() {
    JsonObject a = valid();
    JsonObject b = new JsonObject();
    List<String> keys = List.copyOf(a.fieldNames());
    for (int i = keys.size() - 1; i >= 0; i--) {
      b.put(keys.get(i), a.getValue(keys.get(i)));
    }
    assertArrayEquals(BerichtValidator.digest(a), BerichtValidator.digest(b));
    assertFalse(Arrays.equals(
        BerichtValidator.digest(a), BerichtValidator.digest(a.copy().put("onderwerp", "X"))));
  }

  @Test
  void canonicalFormIsFixed() {
    // stored digests must not change between releases, or every re-delivery would conflict
    JsonObject o = new JsonObject()
        .put("d", "A".repeat(300))
        .put("c", new JsonArray().add(true).addNull().add(2.5))
        .put("b", 1)
        .put("a", "x\"y\n");
    assertEquals(
        "a9fa244da65bc1c4473ea43ff833d75f748a5e7671ecb3cefa5b1fc7f1592b60",
        HexFormat.of().formatHex(BerichtValidator.digest(o)));
  }

  @Test
  void longStringsGoIntoTheDigestAsTheirCanonicalText() throws Exception {
    // the long-string path (attachments) must hash exactly what the canonical text is
    String base64 = Base64.getEncoder().encodeToString(new byte[30_000]).replace('A', 'Q');
    String lang = "é".repeat(400);
    JsonObject o = new JsonObject().put("e", lang).put("d", base64);
    byte[] verwacht = MessageDigest.getInstance("SHA-256")
        .digest(
            ("{\"d\":\"" + base64 + "\",\"e\":\"" + lang + "\"}").getBytes(StandardCharsets.UTF_8));
    assertArrayEquals(verwacht, BerichtValidator.digest(o));
  }

  @Test
  void halfASurrogatePairIsRefusedAndAWholeOneAccepted() {
    assertEquals(
        List.of("onderwerp"),
        names(BerichtValidator.validate(valid().put("onderwerp", "a\ud800b"), "", OIN, NOW)));
    assertEquals(
        List.of("berichtTekst"),
        names(BerichtValidator.validate(valid().put("berichtTekst", "x\udc00"), "", OIN, NOW)));
    assertTrue(
        BerichtValidator.validate(valid().put("onderwerp", "post \ud83d\udcec"), "", OIN, NOW)
            .valid());
  }

  @Test
  void lengthsCountCharactersNotBytes() {
    assertTrue(BerichtValidator.validate(valid().put("onderwerp", "é".repeat(50)), "", OIN, NOW)
        .valid());
    assertEquals(
        List.of("onderwerp"),
        names(BerichtValidator.validate(valid().put("onderwerp", "é".repeat(51)), "", OIN, NOW)));
  }

  @Test
  void controlCharactersAreRefusedInSingleLineFields() {
    assertEquals(
        List.of("onderwerp"),
        names(BerichtValidator.validate(valid().put("onderwerp", "a\nb"), "", OIN, NOW)));
  }

  @Test
  void publicatieDatumBoundaryIsThirteenDays() {
    assertTrue(BerichtValidator.validate(
            valid().put("publicatieDatum", "2026-12-12T10:00:00Z"), "", OIN, NOW)
        .valid());
    BerichtValidator.Result r = BerichtValidator.validate(
        valid().put("publicatieDatum", "2026-12-12T10:00:01Z"), "", OIN, NOW);
    assertEquals(VerwerkingsCode.PublicatieDatumLigtTeVerInDeToekomst, r.code());
    assertEquals(
        List.of("publicatieDatum"),
        names(BerichtValidator.validate(
            valid().put("publicatieDatum", "2026-12-01T10:00:00"), "", OIN, NOW)));
  }

  @Test
  void mostSpecificCodeWins() {
    JsonObject m = valid().put("oin", "99999999999999999999").put("onderwerp", "");
    BerichtValidator.Result r = BerichtValidator.validate(m, "berichten/2/", OIN, NOW);
    assertEquals(VerwerkingsCode.OinKomtNietOvereen, r.code());
    assertEquals(List.of("berichten/2/oin", "berichten/2/onderwerp"), names(r));
  }

  @Test
  void attachmentsDecodeAndAreBounded() {
    byte[] pdf = "%PDF-1.4 x".getBytes();
    String b64 = Base64.getMimeEncoder().encodeToString(new byte[200]).replace("\r\n", "\n");
    JsonObject bij = new JsonObject()
        .put("omschrijving", "o")
        .put("volgorde", 1)
        .put("mediaType", "application/pdf")
        .put("inhoud", Base64.getEncoder().encodeToString(pdf));
    BerichtValidator.Result ok =
        BerichtValidator.validate(valid().put("bijlagen", new JsonArray().add(bij)), "", OIN, NOW);
    assertTrue(ok.valid());
    assertArrayEquals(pdf, ok.bericht().bijlagen().get(0).inhoud());
    // line-wrapped base64 decodes, but is no PDF
    JsonObject wrapped = bij.copy().put("inhoud", b64);
    assertEquals(
        List.of("bijlagen/0/inhoud"),
        names(BerichtValidator.validate(
            valid().put("bijlagen", new JsonArray().add(wrapped)), "", OIN, NOW)));
    JsonObject dup = bij.copy();
    assertEquals(
        List.of("bijlagen/1/volgorde"),
        names(BerichtValidator.validate(
            valid().put("bijlagen", new JsonArray().add(bij).add(dup)), "", OIN, NOW)));
  }

  @Test
  void aNonObjectIsRefused() {
    BerichtValidator.Result r = BerichtValidator.validate("text", "berichten/0/", OIN, NOW);
    assertEquals(VerwerkingsCode.ValidatieFout, r.code());
    assertEquals(List.of("berichten/0"), names(r));
  }
}
