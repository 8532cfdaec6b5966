package nl.berichtenbox.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Meelezen (contract §7.3) against the real database over HTTP: the owner grants, lists and
 * revokes readers and sees every access; a reader finds shared boxes by opaque id, reads them
 * through the read routes with {@code Berichtenbox-Id}, changes nothing, and loses access at once
 * when revoked or expired, also on another engine process.
 */
class MeelezenIT {
  private static final String HEADER = "Berichtenbox-Id";
  private final Api api = TestEngine.api();

  /** An owner with one delivered message carrying an attachment, and its box id for a reader. */
  private record Eigenaar(String bsn, String token, String berichtId) {}

  private Eigenaar eigenaarMetBericht() {
    Api.Afnemer a = api.newAfnemer();
    String bsn = api.newBurger(a);
    JsonObject m = Api.bericht(bsn).put("bijlagen", new JsonArray().add(Api.pdfBijlage(1, 3000)));
    api.post("/api/v1/berichten", a.key(), m).expect(202);
    api.awaitStatus(a, m.getString("berichtId"), "AFGELEVERD");
    String tok = api.burgerToken(bsn);
    String id = api.get("/api/v1/berichtenbox/berichten", tok)
        .expect(200)
        .json()
        .getJsonArray("berichten")
        .getJsonObject(0)
        .getString("id");
    return new Eigenaar(bsn, tok, id);
  }

  private JsonObject grant(String ownerToken, String readerBsn) {
    return api.post(
            "/api/v1/berichtenbox/meelezers", ownerToken, new JsonObject().put("bsn", readerBsn))
        .expect(201)
        .json();
  }

  private String boxId(String readerToken) {
    JsonArray boxen = api.get("/api/v1/berichtenboxen/gedeeld", readerToken)
        .expect(200)
        .json()
        .getJsonArray("boxen");
    assertEquals(1, boxen.size(), boxen.encode());
    return boxen.getJsonObject(0).getString("boxId");
  }

  private Api.Resp als(Api via, String method, String path, String token, String boxId) {
    return via.sendWith(method, path, token, null, null, HEADER, boxId);
  }

  @Test
  void aReaderReadsTheSharedBoxChangesNothingAndTheOwnerSeesEveryAccess() {
    Eigenaar e = eigenaarMetBericht();
    String lezerBsn = Api.newBsn();
    String lezer = api.burgerToken(lezerBsn);

    JsonObject g = grant(e.token(), lezerBsn);
    assertFalse(g.encode().contains(lezerBsn), "the reader's BSN is never echoed: " + g);
    assertEquals(Set.of("id", "aangemaaktOp"), g.fieldNames());
    JsonArray lijst = api.get("/api/v1/berichtenbox/meelezers", e.token())
        .expect(200)
        .json()
        .getJsonArray("meelezers");
    assertEquals(1, lijst.size());
    assertEquals(g.getString("id"), lijst.getJsonObject(0).getString("id"));

    String boxId = boxId(lezer);
    assertNotEquals(g.getString("id"), boxId, "the reader's handle is not the owner's");
    assertFalse(boxId.contains(e.bsn()));

    // the read routes, on the owner's box
    JsonArray berichten = als(api, "GET", "/api/v1/berichtenbox/berichten", lezer, boxId)
        .expect(200)
        .json()
        .getJsonArray("berichten");
    assertEquals(1, berichten.size());
    assertEquals(e.berichtId(), berichten.getJsonObject(0).getString("id"));
    JsonObject bericht = als(
            api, "GET", "/api/v1/berichtenbox/berichten/" + e.berichtId(), lezer, boxId)
        .expect(200)
        .json();
    assertEquals(1, bericht.getJsonArray("bijlagen").size());
    Api.Resp pdf = als(
        api,
        "GET",
        "/api/v1/berichtenbox/berichten/" + e.berichtId() + "/bijlagen/1",
        lezer,
        boxId);
    assertEquals(200, pdf.status());
    assertTrue(pdf.raw().body().startsWith("%PDF"));
    // without the header the reader reads their own (empty) box
    assertEquals(
        0,
        api.get("/api/v1/berichtenbox/berichten", lezer)
            .expect(200)
            .json()
            .getJsonArray("berichten")
            .size());

    // reading marks nothing read for the owner
    JsonObject eigen = api.get("/api/v1/berichtenbox/berichten/" + e.berichtId(), e.token())
        .expect(200)
        .json();
    assertFalse(eigen.getBoolean("gelezen"));
    assertEquals(
        1L, api.get("/api/v1/berichtenbox", e.token()).expect(200).json().getLong("ongelezen"));

    // every write, and the owner's settings and readers: 403 for a reader
    for (String[] w : new String[][] {
      {
        "PATCH",
        "/api/v1/berichtenbox/berichten/" + e.berichtId(),
        "application/merge-patch+json",
        "{\"gelezen\":true}"
      },
      {"DELETE", "/api/v1/berichtenbox/berichten/" + e.berichtId(), null, null},
      {"GET", "/api/v1/berichtenbox", null, null},
      {"PUT", "/api/v1/berichtenbox", "application/json", "{}"},
      {"GET", "/api/v1/berichtenbox/voorkeuren", null, null},
      {
        "PUT",
        "/api/v1/berichtenbox/voorkeuren/00000000000000000001",
        "application/json",
        "{\"berichtenOntvangen\":true}"
      },
      {"GET", "/api/v1/berichtenbox/meelezers", null, null},
      {
        "POST",
        "/api/v1/berichtenbox/meelezers",
        "application/json",
        "{\"bsn\":\"" + Api.newBsn() + "\"}"
      },
      {"DELETE", "/api/v1/berichtenbox/meelezers/" + g.getString("id"), null, null},
      {"GET", "/api/v1/berichtenbox/meelezers/" + g.getString("id") + "/inzage", null, null}
    }) {
      Api.Resp r = api.sendWith(w[0], w[1], lezer, w[2], w[3], HEADER, boxId);
      assertEquals(403, r.status(), w[0] + " " + w[1] + ": " + r.raw().body());
      assertEquals("application/problem+json", r.header("Content-Type"));
    }
    eigen = api.get("/api/v1/berichtenbox/berichten/" + e.berichtId(), e.token())
        .expect(200)
        .json();
    assertEquals("inbox", eigen.getString("map"));
    assertFalse(eigen.getBoolean("gelezen"));
    assertEquals(
        1,
        api.get("/api/v1/berichtenbox/meelezers", e.token())
            .expect(200)
            .json()
            .getJsonArray("meelezers")
            .size());

    // the owner sees the three reads, newest first
    JsonArray inzage = api.get(
            "/api/v1/berichtenbox/meelezers/" + g.getString("id") + "/inzage", e.token())
        .expect(200)
        .json()
        .getJsonArray("inzage");
    assertEquals(3, inzage.size(), inzage.encode());
    assertEquals("bijlage", inzage.getJsonObject(0).getString("actie"));
    assertEquals(e.berichtId(), inzage.getJsonObject(0).getString("berichtId"));
    assertEquals("bericht", inzage.getJsonObject(1).getString("actie"));
    assertEquals(e.berichtId(), inzage.getJsonObject(1).getString("berichtId"));
    assertEquals("lijst", inzage.getJsonObject(2).getString("actie"));
    assertFalse(inzage.getJsonObject(2).containsKey("berichtId"));
    assertFalse(Instant.parse(inzage.getJsonObject(0).getString("tijdstip"))
        .isBefore(Instant.parse(inzage.getJsonObject(2).getString("tijdstip"))));
    // another citizen cannot see the owner's readers' inzage
    Api.Resp vreemd = api.get(
        "/api/v1/berichtenbox/meelezers/" + g.getString("id") + "/inzage",
        api.burgerToken(Api.newBsn()));
    assertEquals(404, vreemd.status());
  }

  @Test
  void revokedExpiredAndUnsharedBoxesAnswerAsABoxThatDoesNotExist() throws Exception {
    Eigenaar e = eigenaarMetBericht();
    Eigenaar ander = eigenaarMetBericht();
    String lezerBsn = Api.newBsn();
    String lezer = api.burgerToken(lezerBsn);
    JsonObject g = grant(e.token(), lezerBsn);
    String boxId = boxId(lezer);
    // another owner's box shared with someone else: its box id, used by this reader
    String derdeBsn = Api.newBsn();
    grant(ander.token(), derdeBsn);
    String andermansBox = boxId(api.burgerToken(derdeBsn));

    String pad = "/api/v1/berichtenbox/berichten/" + e.berichtId();
    Api.Resp onbekend = als(api, "GET", pad, lezer, UUID.randomUUID().toString());
    assertEquals(404, onbekend.status());
    zelfdeAntwoord(onbekend, als(api, "GET", pad, lezer, andermansBox));
    zelfdeAntwoord(onbekend, als(api, "GET", pad, lezer, "geen-uuid"));
    zelfdeLijst(lezer, andermansBox);
    // the owner, naming their own reader's box, is not a reader of it
    zelfdeAntwoord(onbekend, als(api, "GET", pad, e.token(), boxId));

    als(api, "GET", pad, lezer, boxId).expect(200);
    api.send("DELETE", "/api/v1/berichtenbox/meelezers/" + g.getString("id"), e.token(), null, null)
        .expect(204);
    zelfdeAntwoord(onbekend, als(api, "GET", pad, lezer, boxId));
    zelfdeLijst(lezer, boxId);
    assertEquals(0, gedeeld(lezer));
    assertEquals(
        0,
        api.get("/api/v1/berichtenbox/meelezers", e.token())
            .expect(200)
            .json()
            .getJsonArray("meelezers")
            .size());
    // revoked: once; another's grant: as unknown
    assertEquals(
        404,
        api.send(
                "DELETE",
                "/api/v1/berichtenbox/meelezers/" + g.getString("id"),
                e.token(),
                null,
                null)
            .status());
    // what the revoked reader read stays visible to the owner
    assertEquals(
        1,
        api.get("/api/v1/berichtenbox/meelezers/" + g.getString("id") + "/inzage", e.token())
            .expect(200)
            .json()
            .getJsonArray("inzage")
            .size());

    // expired: a grant until three seconds from now
    String laatBsn = Api.newBsn();
    String laat = api.burgerToken(laatBsn);
    String tot = Instant.now().plusSeconds(3).truncatedTo(ChronoUnit.MILLIS).toString();
    JsonObject kort = api.post(
            "/api/v1/berichtenbox/meelezers",
            e.token(),
            new JsonObject().put("bsn", laatBsn).put("tot", tot))
        .expect(201)
        .json();
    assertEquals(Instant.parse(tot), Instant.parse(kort.getString("tot")));
    String kortBox = boxId(laat);
    als(api, "GET", pad, laat, kortBox).expect(200);
    Api.await(
        "the grant to expire", () -> Instant.now().isAfter(Instant.parse(tot).plusMillis(200)));
    zelfdeAntwoord(onbekend, als(api, "GET", pad, laat, kortBox));
    assertEquals(0, gedeeld(laat));
  }

  @Test
  void grantsAreCheckedAndLimitedToFive() {
    Eigenaar e = eigenaarMetBericht();
    String pad = "/api/v1/berichtenbox/meelezers";
    for (JsonObject bad : List.of(
        new JsonObject(),
        new JsonObject().put("bsn", "123456789"),
        new JsonObject().put("bsn", 111222333),
        new JsonObject().put("bsn", e.bsn()),
        new JsonObject().put("bsn", Api.newBsn()).put("tot", "2020-01-01T00:00:00Z"),
        new JsonObject().put("bsn", Api.newBsn()).put("tot", "morgen"),
        new JsonObject().put("bsn", Api.newBsn()).put("rol", "lezer"))) {
      Api.Resp r = api.post(pad, e.token(), bad);
      assertEquals(400, r.status(), bad.encode() + ": " + r.raw().body());
      assertFalse(r.raw().body().contains(e.bsn()), "no BSN in a problem");
    }
    assertEquals(415, api.send("POST", pad, e.token(), "text/plain", "{}").status());

    String eerste = Api.newBsn();
    grant(e.token(), eerste);
    String eersteBox = boxId(api.burgerToken(eerste));
    assertEquals(
        409, api.post(pad, e.token(), new JsonObject().put("bsn", eerste)).status());
    for (int i = 0; i < 4; i++) {
      grant(e.token(), Api.newBsn());
    }
    Api.Resp zesde = api.post(pad, e.token(), new JsonObject().put("bsn", Api.newBsn()));
    assertEquals(409, zesde.status(), zesde.raw().body());
    JsonArray vijf = api.get(pad, e.token()).expect(200).json().getJsonArray("meelezers");
    assertEquals(5, vijf.size());
    // a revoked grant frees its place, and the revoked reader may be granted again: a new box id
    api.send("DELETE", pad + "/" + vijf.getJsonObject(0).getString("id"), e.token(), null, null)
        .expect(204);
    assertEquals(0, gedeeld(api.burgerToken(eerste)));
    grant(e.token(), eerste);
    assertNotEquals(eersteBox, boxId(api.burgerToken(eerste)));
    assertEquals(
        409, api.post(pad, e.token(), new JsonObject().put("bsn", Api.newBsn())).status());
  }

  @Test
  void aRevokedReaderIsRefusedOnTheNextRequestToAnotherProcess() throws Exception {
    Eigenaar e = eigenaarMetBericht();
    String lezerBsn = Api.newBsn();
    String lezer = api.burgerToken(lezerBsn);
    JsonObject g = grant(e.token(), lezerBsn);
    String boxId = boxId(lezer);
    Map<String, String> env = EngineProcess.onTestDatabase(Map.of());
    Process p = EngineProcess.start(env, "meelezen");
    try {
      Api ander = EngineProcess.api(env);
      EngineProcess.awaitReady(ander);
      String pad = "/api/v1/berichtenbox/berichten/" + e.berichtId();
      als(ander, "GET", pad, lezer, boxId).expect(200);
      // revoked through this process, refused at once by the other
      api.send(
              "DELETE",
              "/api/v1/berichtenbox/meelezers/" + g.getString("id"),
              e.token(),
              null,
              null)
          .expect(204);
      zelfdeAntwoord(
          als(ander, "GET", pad, lezer, UUID.randomUUID().toString()),
          als(ander, "GET", pad, lezer, boxId));
      // the access through the other process is in the owner's inzage here
      JsonArray inzage = api.get(
              "/api/v1/berichtenbox/meelezers/" + g.getString("id") + "/inzage", e.token())
          .expect(200)
          .json()
          .getJsonArray("inzage");
      assertEquals(1, inzage.size());
      assertEquals("bericht", inzage.getJsonObject(0).getString("actie"));
    } finally {
      p.destroy();
      p.waitFor();
    }
  }

  /** The list of {@code box} answers this reader as that of a box that does not exist. */
  private void zelfdeLijst(String lezer, String box) {
    String lijst = "/api/v1/berichtenbox/berichten";
    zelfdeAntwoord(
        als(api, "GET", lijst, lezer, UUID.randomUUID().toString()),
        als(api, "GET", lijst, lezer, box));
  }

  /** How many boxes are shared with this reader now. */
  private int gedeeld(String token) {
    return api.get("/api/v1/berichtenboxen/gedeeld", token)
        .expect(200)
        .json()
        .getJsonArray("boxen")
        .size();
  }

  private static void zelfdeAntwoord(Api.Resp verwacht, Api.Resp r) {
    assertEquals(404, r.status(), r.raw().body());
    JsonObject x = verwacht.json();
    JsonObject y = r.json();
    x.remove("instance");
    y.remove("instance");
    assertEquals(x, y, "answers as a box that does not exist");
  }
}
