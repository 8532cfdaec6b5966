package nl.berichtenbox.api;

import static nl.berichtenbox.api.Api.batch;
import static nl.berichtenbox.api.Api.bericht;
import static nl.berichtenbox.api.Api.newBsn;
import static nl.berichtenbox.api.Api.pdfBijlage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Intake (contract §2.1, §2.2): every field rule, idempotency, batches JSON and NDJSON. */
class IntakeIT {
  private final Api api = TestEngine.api();
  private final Api.Afnemer a = api.newAfnemer();

  @Test
  void aValidMessageIsParkedAndAnswered202() {
    JsonObject b = bericht(newBsn());
    JsonObject r = api.post("/api/v1/berichten", a.key(), b).expect(202).json();
    assertEquals(b.getString("berichtId"), r.getString("berichtId"));
    assertEquals("ONTVANGEN", r.getString("status"));
  }

  @Test
  void identicalRedeliveryIs200WithReplayHeaderWhateverTheFormatting() {
    JsonObject b = bericht(newBsn()).put("referentie", "REF-1");
    api.post("/api/v1/berichten", a.key(), b).expect(202);
    // same JSON values, other key order and whitespace
    String reordered =
        "{ \"referentie\": \"REF-1\", \"onderwerp\": \"" + b.getString("onderwerp") + "\",\n"
            + "\"bsn\":\"" + b.getString("bsn")
            + "\", \"berichtType\":\"ALG\", \"berichtTekst\":\"Zie de bijlage.\","
            + "\"berichtId\":\"" + b.getString("berichtId") + "\" }";
    Api.Resp r = api.send("POST", "/api/v1/berichten", a.key(), "application/json", reordered)
        .expect(200);
    assertEquals("true", r.header("Idempotent-Replay"));
    assertEquals(b.getString("berichtId"), r.json().getString("berichtId"));
  }

  @Test
  void sameBerichtIdWithOtherContentIs409BerichtBestaatAl() {
    JsonObject b = bericht(newBsn());
    api.post("/api/v1/berichten", a.key(), b).expect(202);
    JsonObject p = api.post("/api/v1/berichten", a.key(), b.copy().put("onderwerp", "Iets anders"))
        .expect(409)
        .json();
    assertEquals("BerichtBestaatAl", p.getString("verwerkingsCode"));
    assertEquals(409, p.getInteger("status"));
  }

  @Test
  void theSameBerichtIdOfAnotherAfnemerIsNoConflict() {
    Api.Afnemer b = api.newAfnemer();
    JsonObject m = bericht(newBsn());
    api.post("/api/v1/berichten", a.key(), m).expect(202);
    api.post("/api/v1/berichten", b.key(), m).expect(202);
  }

  @Test
  void everyBadFieldIsNamed() {
    JsonObject bad = new JsonObject()
        .put("berichtId", "not-a-uuid")
        .put("berichtType", "TOOLONGTYPE")
        .put("bsn", "123456789")
        .put("onderwerp", "x".repeat(51))
        .put("berichtTekst", 42)
        .put("referentie", "r".repeat(26))
        .put("publicatieDatum", "morgen")
        .put("eindDatumHandelingsTermijn", "2026-13-01");
    Api.Resp r = api.post("/api/v1/berichten", a.key(), bad).expect(400);
    JsonObject p = r.json();
    assertEquals("application/problem+json", r.header("Content-Type"));
    assertEquals("ValidatieFout", p.getString("verwerkingsCode"));
    assertEquals(
        List.of(
            "berichtId",
            "berichtType",
            "bsn",
            "onderwerp",
            "berichtTekst",
            "referentie",
            "publicatieDatum",
            "eindDatumHandelingsTermijn"),
        r.invalidNames());
    for (String f : List.of("type", "title", "status", "detail")) {
      assertTrue(p.containsKey(f), f);
    }
  }

  @Test
  void missingRequiredFieldsAreNamed() {
    Api.Resp r = api.post("/api/v1/berichten", a.key(), new JsonObject()).expect(400);
    assertEquals(List.of("berichtId", "berichtType", "bsn", "onderwerp"), r.invalidNames());
  }

  @Test
  void bsnMustPassTheElfproef() {
    assertEquals(
        List.of("bsn"),
        api.post("/api/v1/berichten", a.key(), bericht("999993654")).expect(400).invalidNames());
    assertEquals(
        List.of("bsn"),
        api.post("/api/v1/berichten", a.key(), bericht("99999365")).expect(400).invalidNames());
    api.post("/api/v1/berichten", a.key(), bericht("999993653")).expect(202);
  }

  @Test
  void publicatieDatumOver13DaysAheadIsRefusedWithItsCode() {
    JsonObject b = bericht(newBsn())
        .put("publicatieDatum", Instant.now().plus(14, ChronoUnit.DAYS).toString());
    JsonObject p = api.post("/api/v1/berichten", a.key(), b).expect(400).json();
    assertEquals("PublicatieDatumLigtTeVerInDeToekomst", p.getString("verwerkingsCode"));
    JsonObject ok = bericht(newBsn()).put("publicatieDatum", "2026-01-01T10:00:00+01:00");
    api.post("/api/v1/berichten", a.key(), ok).expect(202);
  }

  @Test
  void attachmentRules() {
    JsonObject three = bericht(newBsn())
        .put(
            "bijlagen",
            new JsonArray()
                .add(pdfBijlage(1, 100))
                .add(pdfBijlage(2, 100))
                .add(pdfBijlage(2, 100)));
    assertEquals(
        "BijlageTeGroot",
        api.post("/api/v1/berichten", a.key(), three)
            .expect(400)
            .json()
            .getString("verwerkingsCode"));
    JsonObject tooBig = bericht(newBsn())
        .put("bijlagen", new JsonArray().add(pdfBijlage(1, 300_000)).add(pdfBijlage(2, 212_001)));
    assertEquals(
        "BijlageTeGroot",
        api.post("/api/v1/berichten", a.key(), tooBig)
            .expect(400)
            .json()
            .getString("verwerkingsCode"));
    JsonObject exactly = bericht(newBsn())
        .put("bijlagen", new JsonArray().add(pdfBijlage(1, 300_000)).add(pdfBijlage(2, 212_000)));
    api.post("/api/v1/berichten", a.key(), exactly).expect(202);
    JsonObject notPdf = bericht(newBsn())
        .put("bijlagen", new JsonArray().add(pdfBijlage(1, 10).put("inhoud", "aGVsbG8=")));
    Api.Resp r = api.post("/api/v1/berichten", a.key(), notPdf).expect(400);
    assertEquals(List.of("bijlagen/0/inhoud"), r.invalidNames());
    JsonObject badB64 = bericht(newBsn())
        .put(
            "bijlagen",
            new JsonArray()
                .add(pdfBijlage(1, 10)
                    .put("inhoud", "@@@")
                    .put("mediaType", "image/png")
                    .put("volgorde", 3)));
    assertEquals(
        List.of("bijlagen/0/volgorde", "bijlagen/0/mediaType", "bijlagen/0/inhoud"),
        api.post("/api/v1/berichten", a.key(), badB64).expect(400).invalidNames());
  }

  @Test
  void anOinInTheBodyThatIsNotTheCallersIsRefused() {
    JsonObject b = bericht(newBsn()).put("oin", "99999999999999999999");
    assertEquals(
        "OinKomtNietOvereen",
        api.post("/api/v1/berichten", a.key(), b).expect(400).json().getString("verwerkingsCode"));
    api.post("/api/v1/berichten", a.key(), bericht(newBsn()).put("oin", a.oin()))
        .expect(202);
  }

  @Test
  void bodyAndMediaTypeRules() {
    api.send("POST", "/api/v1/berichten", a.key(), "text/plain", "{}").expect(415);
    api.send("POST", "/api/v1/berichten", a.key(), "application/json", "{not json")
        .expect(400);
    api.send("POST", "/api/v1/berichten", a.key(), "application/json", "[1,2]").expect(400);
    String huge = bericht(newBsn()).put("berichtTekst", "x".repeat(1_100_000)).encode();
    api.send("POST", "/api/v1/berichten", a.key(), "application/json", huge).expect(413);
  }

  @Test
  void aBodyWithoutDeclaredLengthIsReadAndBoundedToo() {
    // chunked: the body buffer cannot be sized from Content-Length, it grows; the limit still holds
    JsonObject m = bericht(newBsn()).put("bijlagen", new JsonArray().add(pdfBijlage(1, 200_000)));
    api.sendChunked(
            "POST",
            "/api/v1/berichten",
            a.key(),
            "application/json",
            m.encode().getBytes(StandardCharsets.UTF_8))
        .expect(202);
    api.get("/api/v1/berichten/" + m.getString("berichtId"), a.key()).expect(200);
    String huge = bericht(newBsn()).put("berichtTekst", "x".repeat(1_100_000)).encode();
    api.sendChunked(
            "POST",
            "/api/v1/berichten",
            a.key(),
            "application/json",
            huge.getBytes(StandardCharsets.UTF_8))
        .expect(413);
    // the same message again, declared: the idempotent replay (same digest by either path)
    api.post("/api/v1/berichten", a.key(), m).expect(200);
  }

  @Test
  void withoutAValidKeyIs401() {
    api.post("/api/v1/berichten", null, bericht(newBsn())).expect(401);
    Api.Resp r = api.post("/api/v1/berichten", "bbx_wrong", bericht(newBsn())).expect(401);
    assertEquals("Bearer", r.header("WWW-Authenticate"));
  }

  @Test
  void aBatchParksTheValidAndRefusesTheInvalidOnTheirOwn() {
    String bsn = newBsn();
    JsonObject good = bericht(bsn);
    JsonObject dup = good.copy().put("onderwerp", "Anders");
    JsonObject invalid = bericht(bsn).put("onderwerp", "");
    JsonObject body = batch(new JsonArray().add(good).add(invalid).add(dup).add(good.copy()));
    JsonObject r = api.post("/api/v1/batches", a.key(), body).expect(202).json();
    assertEquals(body.getString("batchId"), r.getString("batchId"));
    assertEquals(2, r.getInteger("ontvangen"));
    assertEquals(2, r.getInteger("afgewezen"));
    JsonArray out = r.getJsonArray("berichten");
    assertEquals("ONTVANGEN", out.getJsonObject(0).getString("status"));
    assertEquals("AFGEWEZEN", out.getJsonObject(1).getString("status"));
    assertEquals("ValidatieFout", out.getJsonObject(1).getString("verwerkingsCode"));
    assertEquals(
        "berichten/1/onderwerp",
        out.getJsonObject(1).getJsonArray("invalidParams").getJsonObject(0).getString("name"));
    assertEquals("BerichtBestaatAl", out.getJsonObject(2).getString("verwerkingsCode"));
    assertEquals("ONTVANGEN", out.getJsonObject(3).getString("status"));

    // counts include the refusals on arrival; the message itself is refused later (no box)
    Api.await("batch counts", () -> {
      JsonObject s = api.get("/api/v1/batches/" + body.getString("batchId"), a.key())
          .expect(200)
          .json();
      return s.getInteger("totaalOntvangen") == 4 && s.containsKey("datumVerwerkt");
    });
    JsonObject s =
        api.get("/api/v1/batches/" + body.getString("batchId"), a.key()).json();
    assertEquals(0, s.getInteger("verwerkt"));
    assertEquals(3, s.getInteger("afgewezen"));
    assertEquals(1, s.getJsonObject("perVerwerkingsCode").getInteger("ValidatieFout"));
    assertEquals(1, s.getJsonObject("perVerwerkingsCode").getInteger("BerichtBestaatAl"));
    assertEquals(1, s.getJsonObject("perVerwerkingsCode").getInteger("NietActiefOfGeabonneerd"));

    JsonArray list = api.get("/api/v1/batches", a.key()).expect(200).json().getJsonArray("batches");
    assertTrue(list.stream()
        .anyMatch(o -> body.getString("batchId").equals(((JsonObject) o).getString("batchId"))));
  }

  @Test
  void aBatchInvalidAsAWholeParksNothing() {
    JsonObject m = bericht(newBsn());
    JsonObject old = batch(new JsonArray().add(m))
        .put("aanmaakDatum", Instant.now().minus(14, ChronoUnit.DAYS).toString());
    assertEquals(
        "AanmaakDatumLigtTeVerInHetVerleden",
        api.post("/api/v1/batches", a.key(), old).expect(400).json().getString("verwerkingsCode"));
    JsonObject noId = batch(new JsonArray().add(m));
    noId.remove("batchId");
    assertEquals(
        List.of("batchId"),
        api.post("/api/v1/batches", a.key(), noId).expect(400).invalidNames());
    JsonArray many = new JsonArray();
    for (int i = 0; i < 1001; i++) {
      many.add(bericht(newBsn()));
    }
    many.set(0, m);
    assertEquals(
        List.of("berichten"),
        api.post("/api/v1/batches", a.key(), batch(many)).expect(400).invalidNames());
    api.post("/api/v1/batches", a.key(), batch(new JsonArray())).expect(400);
    api.get("/api/v1/berichten/" + m.getString("berichtId"), a.key()).expect(404);
  }

  @Test
  void anNdjsonBatchIsStreamedInChunksAndAnsweredWhole() {
    UUID batchId = UUID.randomUUID();
    StringBuilder sb = new StringBuilder();
    sb.append(new JsonObject()
            .put("batchId", batchId.toString())
            .put("aanmaakDatum", Instant.now().toString())
            .encode())
        .append('\n');
    int n = 600;
    for (int i = 0; i < n; i++) {
      JsonObject m = bericht(newBsn());
      if (i == 300) {
        m.put("bsn", "123");
      }
      sb.append(m.encode()).append(i % 2 == 0 ? "\r\n" : "\n");
    }
    JsonObject r = api.send(
            "POST", "/api/v1/batches", a.key(), "application/x-ndjson", sb.toString())
        .expect(202)
        .json();
    assertEquals(batchId.toString(), r.getString("batchId"));
    assertEquals(n - 1, r.getInteger("ontvangen"));
    assertEquals(1, r.getInteger("afgewezen"));
    assertEquals(
        "berichten/300/bsn",
        r.getJsonArray("berichten")
            .getJsonObject(300)
            .getJsonArray("invalidParams")
            .getJsonObject(0)
            .getString("name"));
    assertEquals(
        n,
        api.get("/api/v1/batches/" + batchId, a.key())
            .expect(200)
            .json()
            .getInteger("totaalOntvangen"));
  }

  @Test
  void anNdjsonBatchWithAnUnparseableLineParksNothing() {
    JsonObject m = bericht(newBsn());
    String body = new JsonObject()
            .put("batchId", UUID.randomUUID().toString())
            .put("aanmaakDatum", Instant.now().toString())
            .encode()
        + "\n" + m.encode() + "\n{broken\n";
    Api.Resp r = api.send("POST", "/api/v1/batches", a.key(), "application/x-ndjson", body)
        .expect(400);
    assertEquals(List.of("berichten/1"), r.invalidNames());
    api.get("/api/v1/berichten/" + m.getString("berichtId"), a.key()).expect(404);
    // a bad header is refused before anything is read further
    api.send(
            "POST",
            "/api/v1/batches",
            a.key(),
            "application/x-ndjson",
            "{\"batchId\":\"x\"}\n" + m.encode())
        .expect(400);
  }

  @Test
  void aResentBatchIsIdempotent() {
    JsonObject body = batch(new JsonArray().add(bericht(newBsn())).add(bericht("123")));
    api.post("/api/v1/batches", a.key(), body).expect(202);
    JsonObject again = api.post("/api/v1/batches", a.key(), body).expect(202).json();
    assertEquals(1, again.getInteger("ontvangen"));
    Api.await(
        "processed",
        () -> api.get("/api/v1/batches/" + body.getString("batchId"), a.key())
            .json()
            .containsKey("datumVerwerkt"));
    JsonObject s =
        api.get("/api/v1/batches/" + body.getString("batchId"), a.key()).json();
    assertEquals(2, s.getInteger("totaalOntvangen"));
    assertEquals(1, s.getJsonObject("perVerwerkingsCode").getInteger("ValidatieFout"));
    assertNull(s.getJsonObject("perVerwerkingsCode").getInteger("Verwerkt"));
  }
}
