package nl.berichtenbox.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/** The Abonnementservice (§2.5): ALLES, BSN_LIJST, MUTATIES, streaming, gzip, quotas, restarts. */
class AbonnementserviceIT {
  private final Api api = TestEngine.api();
  private final Api.Afnemer a = api.newAfnemer();

  private String vraag(JsonObject body) {
    Api.Resp r = api.post("/api/v1/abonnementen/verzoeken", a.key(), body).expect(202);
    String id = r.json().getString("id");
    assertEquals("/api/v1/abonnementen/verzoeken/" + id, r.header("Location"));
    assertEquals("IN_BEHANDELING", r.json().getString("status"));
    Api.await(
        "GEREED",
        () -> "GEREED"
            .equals(api.get("/api/v1/abonnementen/verzoeken/" + id, a.key())
                .json()
                .getString("status")));
    return id;
  }

  private List<JsonObject> resultaat(String id) {
    Api.Resp r =
        api.get("/api/v1/abonnementen/verzoeken/" + id + "/resultaat", a.key()).expect(200);
    assertEquals("application/x-ndjson", r.header("Content-Type"));
    List<JsonObject> out = new ArrayList<>();
    for (String line : r.raw().body().split("\n")) {
      if (!line.isEmpty()) {
        out.add(new JsonObject(line));
      }
    }
    return out;
  }

  @Test
  void allesBsnLijstAndMutatiesGiveWhoAcceptsThisAfnemer() throws Exception {
    Instant begin = Instant.now();
    Thread.sleep(5);
    String c1 = api.newBurger(a);
    String c2 = api.newBurger(a);
    String c3 = api.newBurger(api.newAfnemer());
    String c4 = api.newBurger(a);
    api.put(
            "/api/v1/berichtenbox/voorkeuren/" + a.oin(),
            api.burgerToken(c4),
            new JsonObject().put("berichtenOntvangen", false))
        .expect(200);

    String alles = vraag(new JsonObject().put("soort", "ALLES"));
    JsonObject st = api.get("/api/v1/abonnementen/verzoeken/" + alles, a.key()).json();
    assertEquals(2, st.getLong("aantal"));
    assertTrue(st.containsKey("gereedOp"));
    List<JsonObject> r = resultaat(alles);
    List<String> sorted = new ArrayList<>(List.of(c1, c2));
    sorted.sort(null);
    assertEquals(sorted, r.stream().map(o -> o.getString("bsn")).toList());
    assertTrue(r.stream()
        .allMatch(o ->
            "ACTIEF".equals(o.getString("status")) && o.getString("gewijzigdOp").endsWith("Z")));

    String lijst = vraag(new JsonObject()
        .put("soort", "BSN_LIJST")
        .put("bsns", new JsonArray().add(c1).add(c3).add(c4).add(Api.newBsn()).add(c1)));
    assertEquals(
        List.of(c1), resultaat(lijst).stream().map(o -> o.getString("bsn")).toList());

    String mut =
        vraag(new JsonObject().put("soort", "MUTATIES").put("mutatieDatum", begin.toString()));
    List<JsonObject> m = resultaat(mut);
    List<String> alle = new ArrayList<>(List.of(c1, c2, c4));
    alle.sort(null);
    assertEquals(alle, m.stream().map(o -> o.getString("bsn")).toList());
    assertEquals(
        "INACTIEF",
        m.stream()
            .filter(o -> o.getString("bsn").equals(c4))
            .findFirst()
            .orElseThrow()
            .getString("status"));
    assertEquals(
        0,
        resultaat(vraag(new JsonObject()
                .put("soort", "MUTATIES")
                .put("mutatieDatum", Instant.now().toString())))
            .size());

    // gzip when asked
    HttpResponse<byte[]> gz = HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(
                    URI.create(api.base + "/api/v1/abonnementen/verzoeken/" + alles + "/resultaat"))
                .header("Authorization", "Bearer " + a.key())
                .header("Accept-Encoding", "gzip")
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertEquals("gzip", gz.headers().firstValue("Content-Encoding").orElse(null));
    String unzipped = new String(
        new GZIPInputStream(new ByteArrayInputStream(gz.body())).readAllBytes(),
        StandardCharsets.UTF_8);
    assertEquals(2, unzipped.lines().count());

    // another afnemer cannot see it
    Api.Afnemer b = api.newAfnemer();
    api.get("/api/v1/abonnementen/verzoeken/" + alles, b.key()).expect(404);
    api.get("/api/v1/abonnementen/verzoeken/" + alles + "/resultaat", b.key()).expect(404);
    api.get("/api/v1/abonnementen/verzoeken/" + UUID.randomUUID(), a.key()).expect(404);
  }

  @Test
  void requestsAndResultsAreKeptSevenDays() {
    String jong = vraag(new JsonObject().put("soort", "ALLES"));
    var pool = TestEngine.server().engine().pool();
    UUID oud = UUID.randomUUID();
    pool.preparedQuery(
            "INSERT INTO abonnement_verzoek (id, oin, soort, nacht, status, aangevraagd_op) "
                + "VALUES ($1, $2, 'ALLES', current_date - 8, 'GEREED', now() - interval '8 days')")
        .execute(Tuple.of(oud, a.oin()))
        .toCompletionStage()
        .toCompletableFuture()
        .join();
    pool.preparedQuery("INSERT INTO abonnement_resultaat (verzoek, nr, bsn, actief, gewijzigd_op) "
            + "VALUES ($1, 1, '999993653', true, now())")
        .execute(Tuple.of(oud))
        .toCompletionStage()
        .toCompletableFuture()
        .join();
    assertTrue(TestEngine.server()
            .engine()
            .abonnementservice()
            .opruimen()
            .toCompletionStage()
            .toCompletableFuture()
            .join()
        >= 1);
    api.get("/api/v1/abonnementen/verzoeken/" + oud, a.key()).expect(404);
    assertEquals(
        0L,
        pool.preparedQuery("SELECT count(*) FROM abonnement_resultaat WHERE verzoek = $1")
            .execute(Tuple.of(oud))
            .toCompletionStage()
            .toCompletableFuture()
            .join()
            .iterator()
            .next()
            .getLong(0));
    api.get("/api/v1/abonnementen/verzoeken/" + jong + "/resultaat", a.key()).expect(200);
  }

  @Test
  void requestsAreValidated() {
    assertEquals(
        List.of("soort"),
        api.post("/api/v1/abonnementen/verzoeken", a.key(), new JsonObject())
            .expect(400)
            .invalidNames());
    assertEquals(
        List.of("bsns"),
        api.post(
                "/api/v1/abonnementen/verzoeken",
                a.key(),
                new JsonObject().put("soort", "BSN_LIJST"))
            .expect(400)
            .invalidNames());
    assertEquals(
        List.of("bsns/1"),
        api.post(
                "/api/v1/abonnementen/verzoeken",
                a.key(),
                new JsonObject()
                    .put("soort", "BSN_LIJST")
                    .put("bsns", new JsonArray().add(Api.newBsn()).add("123")))
            .expect(400)
            .invalidNames());
    assertEquals(
        List.of("mutatieDatum"),
        api.post(
                "/api/v1/abonnementen/verzoeken",
                a.key(),
                new JsonObject().put("soort", "MUTATIES").put("mutatieDatum", "gisteren"))
            .expect(400)
            .invalidNames());
    assertEquals(
        List.of("bsns"),
        api.post(
                "/api/v1/abonnementen/verzoeken",
                a.key(),
                new JsonObject().put("soort", "ALLES").put("bsns", new JsonArray()))
            .expect(400)
            .invalidNames());
  }

  @Test
  void theDailyQuotaIsSharedByAllAfnemers() throws Exception {
    // on an engine and database of its own: the day's ALLES quota used up would refuse other tests
    var config = TestEngine.engineOnNewDatabase(
        "abonnement_quotum",
        Map.of(
            "BERICHTENBOX_ABONNEMENTEN_VENSTER",
            "altijd",
            "BERICHTENBOX_ABONNEMENTEN_QUOTA",
            "ALLES=" + TestEngine.ALLES_QUOTUM + ",BSN_LIJST=100,MUTATIES=100"));
    try (ApiServer eigen = ApiServer.start(config)) {
      Api hier = TestEngine.api(eigen);
      Api.Afnemer a1 = hier.newAfnemer();
      Api.Resp last = null;
      for (int i = 0; i <= TestEngine.ALLES_QUOTUM; i++) {
        last = hier.post(
            "/api/v1/abonnementen/verzoeken",
            (i % 2 == 0 ? a1 : hier.newAfnemer()).key(),
            new JsonObject().put("soort", "ALLES"));
        if (last.status() == 429) {
          break;
        }
        last.expect(202);
      }
      assertEquals(429, last.status());
      long retry = Long.parseLong(last.header("Retry-After"));
      assertTrue(retry >= 1 && retry <= 25 * 3600, "until tomorrow: " + retry);
      // other kinds have their own quota
      hier.post(
              "/api/v1/abonnementen/verzoeken",
              a1.key(),
              new JsonObject()
                  .put("soort", "MUTATIES")
                  .put("mutatieDatum", Instant.now().toString()))
          .expect(202);
    }
  }

  @Test
  void aRequestInterruptedByARestartIsDoneAgainOrMarkedMislukt() {
    var pool = TestEngine.server().engine().pool();
    UUID onderbroken = UUID.randomUUID();
    UUID opgegeven = UUID.randomUUID();
    UUID bezig = UUID.randomUUID();
    api.newBurger(a);
    // as a crashed process leaves them: taken (attempt counted), lease run out; one with attempts
    // used up;
    // one still leased by a live process
    pool.preparedQuery(
            "INSERT INTO abonnement_verzoek (id, oin, soort, nacht, pogingen, bezig_tot) VALUES "
                + "($1, $4, 'ALLES', current_date, 1, now() - interval '1 minute'), "
                + "($2, $4, 'ALLES', current_date, 3, now() - interval '1 minute'), "
                + "($3, $4, 'ALLES', current_date, 1, now() + interval '1 hour')")
        .execute(Tuple.of(onderbroken, opgegeven, bezig, a.oin()))
        .toCompletionStage()
        .toCompletableFuture()
        .join();
    TestEngine.server().engine().abonnementservice().wakeUp();
    Api.await(
        "resumed",
        () -> "GEREED"
            .equals(api.get("/api/v1/abonnementen/verzoeken/" + onderbroken, a.key())
                .json()
                .getString("status")));
    assertEquals(
        1,
        api.get("/api/v1/abonnementen/verzoeken/" + onderbroken, a.key()).json().getLong("aantal"));
    Api.await(
        "mislukt",
        () -> "MISLUKT"
            .equals(api.get("/api/v1/abonnementen/verzoeken/" + opgegeven, a.key())
                .json()
                .getString("status")));
    Api.Resp notYet = api.get("/api/v1/abonnementen/verzoeken/" + bezig + "/resultaat", a.key())
        .expect(409);
    assertEquals("application/problem+json", notYet.header("Content-Type"));
    api.get("/api/v1/abonnementen/verzoeken/" + opgegeven + "/resultaat", a.key())
        .expect(409);
  }
}
