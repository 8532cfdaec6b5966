package nl.berichtenbox.api;

import static nl.berichtenbox.api.Api.bericht;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The citizen face (contract §3): lists, pages, filters, reading, attachments, changes, deletion. */
class BerichtenboxIT {
  private final Api api = TestEngine.api();
  private final Api.Afnemer a = api.newAfnemer();
  private final String bsn = api.newBurger(a);
  private final String tok = api.burgerToken(bsn);

  /** Sends and waits until delivered; returns the message's public id in the box. */
  private String deliver(JsonObject m) {
    api.post("/api/v1/berichten", a.key(), m).expect(202);
    api.awaitStatus(a, m.getString("berichtId"), "AFGELEVERD");
    JsonArray page = api.get("/api/v1/berichtenbox/berichten?limit=100", tok)
        .expect(200)
        .json()
        .getJsonArray("berichten");
    return page.stream()
        .map(JsonObject.class::cast)
        .filter(o -> o.getString("onderwerp").equals(m.getString("onderwerp")))
        .findFirst()
        .map(o -> o.getString("id"))
        .orElse(null);
  }

  private List<JsonObject> list(String query) {
    List<JsonObject> out = new ArrayList<>();
    api.get("/api/v1/berichtenbox/berichten" + query, tok)
        .expect(200)
        .json()
        .getJsonArray("berichten")
        .forEach(o -> out.add((JsonObject) o));
    return out;
  }

  @Test
  void theInboxListsVisibleMessagesNewestFirst() {
    deliver(bericht(bsn).put("onderwerp", "Eerste"));
    String tweede = deliver(bericht(bsn)
        .put("onderwerp", "Tweede")
        .put("referentie", "R-2")
        .put(
            "bijlagen", new JsonArray().add(Api.pdfBijlage(1, 1000)).add(Api.pdfBijlage(2, 1000))));
    JsonObject later = bericht(bsn)
        .put("onderwerp", "Later")
        .put("publicatieDatum", Instant.now().plus(2, ChronoUnit.DAYS).toString());
    api.post("/api/v1/berichten", a.key(), later).expect(202);
    api.awaitStatus(a, later.getString("berichtId"), "AFGELEVERD");

    List<JsonObject> inbox = list("");
    assertEquals(
        List.of("Tweede", "Eerste"),
        inbox.stream().map(o -> o.getString("onderwerp")).toList());
    JsonObject t = inbox.get(0);
    assertEquals(tweede, t.getString("id"));
    assertEquals(a.oin(), t.getJsonObject("afzender").getString("oin"));
    assertTrue(t.getJsonObject("afzender").getString("naam").startsWith("Afnemer"));
    assertEquals("R-2", t.getString("referentie"));
    assertEquals(2, t.getInteger("aantalBijlagen"));
    assertEquals("inbox", t.getString("map"));
    assertFalse(t.getBoolean("gelezen"));
    assertTrue(t.getString("publicatieDatum").endsWith("Z"));
    assertEquals(2, api.get("/api/v1/berichtenbox", tok).json().getInteger("ongelezen"));
    assertEquals(List.of(), list("?map=archief"));
  }

  @Test
  void pagesHaveNoGapsOrDuplicatesWhileNewMessagesArrive() {
    JsonArray batch = new JsonArray();
    for (int i = 0; i < 25; i++) {
      batch.add(bericht(bsn).put("onderwerp", "Bericht " + i));
    }
    api.post("/api/v1/batches", a.key(), Api.batch(batch)).expect(202);
    Api.await("25 delivered", () -> list("?limit=100").size() == 25);
    List<String> all = list("?limit=100").stream().map(o -> o.getString("id")).toList();

    List<String> seen = new ArrayList<>();
    JsonObject page =
        api.get("/api/v1/berichtenbox/berichten?limit=10", tok).expect(200).json();
    page.getJsonArray("berichten").forEach(o -> seen.add(((JsonObject) o).getString("id")));
    for (int i = 0; i < 3; i++) {
      deliver(bericht(bsn).put("onderwerp", "Nieuw " + i));
    }
    int pages = 1;
    while (page.containsKey("volgende")) {
      page = api.get(
              "/api/v1/berichtenbox/berichten?limit=10&cursor=" + page.getString("volgende"), tok)
          .expect(200)
          .json();
      page.getJsonArray("berichten").forEach(o -> seen.add(((JsonObject) o).getString("id")));
      pages++;
    }
    assertEquals(3, pages);
    assertEquals(all, seen, "every message once, in order");
  }

  @Test
  void cursorsAreBoundToTheirQueryAndCannotBeForged() {
    for (int i = 0; i < 3; i++) {
      deliver(bericht(bsn).put("onderwerp", "C" + i));
    }
    String cursor =
        api.get("/api/v1/berichtenbox/berichten?limit=1", tok).json().getString("volgende");
    api.get("/api/v1/berichtenbox/berichten?limit=1&cursor=" + cursor, tok).expect(200);
    assertEquals(
        List.of("cursor"),
        api.get("/api/v1/berichtenbox/berichten?map=archief&cursor=" + cursor, tok)
            .expect(400)
            .invalidNames());
    String other = api.burgerToken(api.newBurger(a));
    api.get("/api/v1/berichtenbox/berichten?limit=1&cursor=" + cursor, other).expect(400);
    byte[] raw = Base64.getUrlDecoder().decode(cursor);
    raw[3] ^= 1;
    api.get(
            "/api/v1/berichtenbox/berichten?limit=1&cursor="
                + Base64.getUrlEncoder().withoutPadding().encodeToString(raw),
            tok)
        .expect(400);
    api.get("/api/v1/berichtenbox/berichten?cursor=nonsense", tok).expect(400);
  }

  @Test
  void parametersAreChecked() {
    assertEquals(
        List.of("map", "ongelezen", "zoek", "afzender", "limit"),
        api.get(
                "/api/v1/berichtenbox/berichten?map=spam&ongelezen=ja&zoek=ab&afzender=123&limit=101",
                tok)
            .expect(400)
            .invalidNames());
    api.get("/api/v1/berichtenbox/berichten?limit=0", tok).expect(400);
    api.get("/api/v1/berichtenbox/berichten", null).expect(401);
  }

  @Test
  void filtersOnUnreadSenderAndSearchText() {
    Api.Afnemer b = api.newAfnemer();
    api.put(
            "/api/v1/berichtenbox/voorkeuren/" + b.oin(),
            tok,
            new JsonObject().put("berichtenOntvangen", true))
        .expect(200);
    String belasting = deliver(bericht(bsn).put("onderwerp", "Voorlopige AANSLAG 2027"));
    String gelezen = deliver(bericht(bsn).put("onderwerp", "Herinnering"));
    JsonObject vanB = bericht(bsn).put("onderwerp", "Parkeervergunning");
    api.post("/api/v1/berichten", b.key(), vanB).expect(202);
    api.awaitStatus(b, vanB.getString("berichtId"), "AFGELEVERD");
    api.send(
            "PATCH",
            "/api/v1/berichtenbox/berichten/" + gelezen,
            tok,
            "application/merge-patch+json",
            "{\"gelezen\":true}")
        .expect(200);

    assertEquals(
        List.of(belasting),
        list("?zoek=aanslag").stream().map(o -> o.getString("id")).toList());
    assertEquals(
        List.of(belasting),
        list("?zoek=%20Aanslag%202027").stream().map(o -> o.getString("id")).toList());
    assertEquals(
        List.of("Parkeervergunning"),
        list("?afzender=" + b.oin()).stream().map(o -> o.getString("onderwerp")).toList());
    // afzender naam is searched too ("Afnemer <digits>")
    String naamDeel = "afnemer " + b.oin().substring(12, 16);
    assertEquals(
        List.of("Parkeervergunning"),
        list("?zoek=" + URLEncoder.encode(naamDeel, StandardCharsets.UTF_8)).stream()
            .map(o -> o.getString("onderwerp"))
            .toList());
    assertEquals(
        List.of("Herinnering"),
        list("?ongelezen=false").stream().map(o -> o.getString("onderwerp")).toList());
    assertEquals(2, list("?ongelezen=true").size());
    assertEquals(List.of(), list("?zoek=" + URLEncoder.encode("100%", StandardCharsets.UTF_8)));
  }

  @Test
  void readingAMessageAndItsAttachments() throws Exception {
    byte[] big = new byte[300_000];
    new Random(7).nextBytes(big);
    System.arraycopy("%PDF-1.7\n".getBytes(), 0, big, 0, 9);
    JsonObject m = bericht(bsn)
        .put("onderwerp", "Met bijlagen")
        .put("eindDatumHandelingsTermijn", "2027-01-31")
        .put(
            "bijlagen",
            new JsonArray()
                .add(new JsonObject()
                    .put("omschrijving", "Aanslag 2026/Ü \"def\".pdf")
                    .put("volgorde", 1)
                    .put("mediaType", "application/pdf")
                    .put("inhoud", Base64.getEncoder().encodeToString(big)))
                .add(Api.pdfBijlage(2, 500)));
    String id = deliver(m);
    JsonObject full =
        api.get("/api/v1/berichtenbox/berichten/" + id, tok).expect(200).json();
    assertEquals("Zie de bijlage.", full.getString("berichtTekst"));
    assertEquals("2027-01-31", full.getString("eindDatumHandelingsTermijn"));
    JsonArray bij = full.getJsonArray("bijlagen");
    assertEquals(2, bij.size());
    assertEquals(300_000, bij.getJsonObject(0).getInteger("grootte"));
    assertEquals("application/pdf", bij.getJsonObject(0).getString("mediaType"));

    HttpResponse<byte[]> file = HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(
                    URI.create(api.base + "/api/v1/berichtenbox/berichten/" + id + "/bijlagen/1"))
                .header("Authorization", "Bearer " + tok)
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, file.statusCode());
    assertArrayEquals(big, file.body());
    assertEquals("application/pdf", file.headers().firstValue("Content-Type").orElse(null));
    String cd = file.headers().firstValue("Content-Disposition").orElse("");
    assertTrue(cd.startsWith("attachment; filename=\"Aanslag 2026_"), cd);
    assertTrue(cd.contains(".pdf\"; filename*=UTF-8''Aanslag%202026%2F%C3%9C%20%22def%22.pdf"), cd);
    api.get("/api/v1/berichtenbox/berichten/" + id + "/bijlagen/3", tok).expect(404);
    api.get("/api/v1/berichtenbox/berichten/" + id + "/bijlagen/x", tok).expect(404);
  }

  @Test
  void anotherCitizensMessageIsIndistinguishableFromAMissingOne() {
    String id = deliver(bericht(bsn).put("onderwerp", "Privé"));
    String other = api.burgerToken(api.newBurger(a));
    String missing = UUID.randomUUID().toString();
    for (String target : List.of(id, missing)) {
      Api.Resp r = api.get("/api/v1/berichtenbox/berichten/" + target, other).expect(404);
      assertEquals("bericht niet gevonden", r.json().getString("detail"));
      api.send(
              "PATCH",
              "/api/v1/berichtenbox/berichten/" + target,
              other,
              "application/merge-patch+json",
              "{\"gelezen\":true}")
          .expect(404);
      api.send("DELETE", "/api/v1/berichtenbox/berichten/" + target, other, null, null)
          .expect(404);
      api.get("/api/v1/berichtenbox/berichten/" + target + "/bijlagen/1", other).expect(404);
    }
    api.get("/api/v1/berichtenbox/berichten/" + id, tok).expect(200);
    assertEquals(
        List.of(),
        api.get("/api/v1/berichtenbox/berichten", other)
            .json()
            .getJsonArray("berichten")
            .getList());
  }

  @Test
  void notYetPublishedMessagesCannotBeRead() {
    JsonObject later = bericht(bsn)
        .put("onderwerp", "Straks")
        .put("publicatieDatum", Instant.now().plus(1, ChronoUnit.DAYS).toString());
    api.post("/api/v1/berichten", a.key(), later).expect(202);
    api.awaitStatus(a, later.getString("berichtId"), "AFGELEVERD");
    assertEquals(0, list("?limit=100").size());
    assertEquals(0, api.get("/api/v1/berichtenbox", tok).json().getInteger("ongelezen"));
  }

  @Test
  void markingMovingRestoringAndDeletingForGood() throws Exception {
    String id = deliver(bericht(bsn)
        .put("onderwerp", "Te verwijderen")
        .put("bijlagen", new JsonArray().add(Api.pdfBijlage(1, 2000))));
    String path = "/api/v1/berichtenbox/berichten/" + id;
    assertEquals(1, api.get("/api/v1/berichtenbox", tok).json().getInteger("ongelezen"));
    JsonObject read = api.send(
            "PATCH", path, tok, "application/merge-patch+json", "{\"gelezen\":true}")
        .expect(200)
        .json();
    assertTrue(read.getBoolean("gelezen"));
    assertEquals(0, api.get("/api/v1/berichtenbox", tok).json().getInteger("ongelezen"));
    api.send("PATCH", path, tok, "application/merge-patch+json", "{\"map\":\"archief\"}")
        .expect(200);
    assertEquals(1, list("?map=archief").size());
    assertEquals(
        List.of("onderwerp"),
        api.send("PATCH", path, tok, "application/merge-patch+json", "{\"onderwerp\":\"x\"}")
            .expect(400)
            .invalidNames());
    api.send("PATCH", path, tok, "application/merge-patch+json", "{\"map\":\"spam\"}")
        .expect(400);
    api.send("PATCH", path, tok, "text/plain", "{}").expect(415);

    api.send("DELETE", path, tok, null, null).expect(204);
    assertEquals(
        List.of(id),
        list("?map=prullenbak").stream().map(o -> o.getString("id")).toList());
    api.send("PATCH", path, tok, "application/merge-patch+json", "{\"map\":\"inbox\"}")
        .expect(200);
    assertEquals(1, list("").size());
    api.send("DELETE", path, tok, null, null).expect(204);
    api.send("DELETE", path, tok, null, null).expect(204);

    api.get(path, tok).expect(410);
    api.send("DELETE", path, tok, null, null).expect(410);
    api.send("PATCH", path, tok, "application/merge-patch+json", "{\"gelezen\":false}")
        .expect(410);
    api.get(path + "/bijlagen/1", tok).expect(410);
    assertEquals(0, list("?map=prullenbak").size());

    // content and attachments are really gone from the database
    Row r = TestEngine.server()
        .engine()
        .pool()
        .preparedQuery("""
            SELECT b.onderwerp, b.bericht_tekst, b.referentie, (SELECT count(*) FROM bijlage j WHERE j.bericht = b.id)
            FROM bericht b WHERE b.publiek_id = $1""")
        .execute(Tuple.of(UUID.fromString(id)))
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS)
        .iterator()
        .next();
    assertEquals("", r.getString(0));
    assertEquals("", r.getString(1));
    assertNull(r.getString(2));
    assertEquals(0L, r.getLong(3));
    assertFalse(
        new HashSet<>(list("?limit=100").stream().map(o -> o.getString("id")).toList())
            .contains(id));
  }
}
