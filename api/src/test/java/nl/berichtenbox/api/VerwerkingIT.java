package nl.berichtenbox.api;

import static nl.berichtenbox.api.Api.bericht;
import static nl.berichtenbox.api.Api.newBsn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import nl.berichtenbox.engine.domain.BerichtStatus;
import nl.berichtenbox.engine.domain.Tijd;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/** Processing (§2.3), status and receipts (§2.4), and isolation between afnemers. */
class VerwerkingIT {
  private final Api api = TestEngine.api();
  private final Api.Afnemer a = api.newAfnemer();

  @Test
  void aMessageForAnAcceptingCitizenIsDelivered() {
    String bsn = api.newBurger(a);
    JsonObject b = bericht(bsn);
    api.post("/api/v1/berichten", a.key(), b).expect(202);
    JsonObject s = api.awaitStatus(a, b.getString("berichtId"), "AFGELEVERD");
    assertEquals("Verwerkt", s.getString("verwerkingsCode"));
    assertTrue(s.getString("ontvangenOp").endsWith("Z"));
    assertTrue(s.containsKey("verwerktOp"));
    // a replay now reports the stored outcome
    JsonObject replay = api.post("/api/v1/berichten", a.key(), b).expect(200).json();
    assertEquals("AFGELEVERD", replay.getString("status"));
    assertEquals(
        1,
        api.get("/api/v1/berichtenbox", api.burgerToken(bsn))
            .expect(200)
            .json()
            .getInteger("ongelezen"));
  }

  @Test
  void refusedWhenTheCitizenHasNoBoxOrDoesNotAccept() {
    JsonObject noBox = bericht(newBsn());
    api.post("/api/v1/berichten", a.key(), noBox).expect(202);
    assertEquals(
        "NietActiefOfGeabonneerd",
        api.awaitStatus(a, noBox.getString("berichtId"), "AFGEWEZEN").getString("verwerkingsCode"));

    Api.Afnemer other = api.newAfnemer();
    String bsn = api.newBurger(other);
    JsonObject notAccepted = bericht(bsn);
    api.post("/api/v1/berichten", a.key(), notAccepted).expect(202);
    assertEquals(
        "NietActiefOfGeabonneerd",
        api.awaitStatus(a, notAccepted.getString("berichtId"), "AFGEWEZEN")
            .getString("verwerkingsCode"));

    // opting out again is respected
    String tok = api.burgerToken(bsn);
    api.put(
            "/api/v1/berichtenbox/voorkeuren/" + a.oin(),
            tok,
            new JsonObject().put("berichtenOntvangen", true))
        .expect(200);
    api.put(
            "/api/v1/berichtenbox/voorkeuren/" + a.oin(),
            tok,
            new JsonObject().put("berichtenOntvangen", false))
        .expect(200);
    JsonObject optedOut = bericht(bsn);
    api.post("/api/v1/berichten", a.key(), optedOut).expect(202);
    api.awaitStatus(a, optedOut.getString("berichtId"), "AFGEWEZEN");
  }

  @Test
  void refusedWhenTheBerichtTypeIsUnknownOrInactive() {
    String bsn = api.newBurger(a);
    JsonObject unknown = bericht(bsn).put("berichtType", "ONBEKEND");
    api.post("/api/v1/berichten", a.key(), unknown).expect(202);
    assertEquals(
        "BerichtTypeNietOndersteund",
        api.awaitStatus(a, unknown.getString("berichtId"), "AFGEWEZEN")
            .getString("verwerkingsCode"));
    api.put(
            "/api/v1/bericht-typen/UIT",
            a.key(),
            new JsonObject().put("omschrijving", "Uit").put("actief", false))
        .expect(201);
    JsonObject inactive = bericht(bsn).put("berichtType", "UIT");
    api.post("/api/v1/berichten", a.key(), inactive).expect(202);
    assertEquals(
        "BerichtTypeNietOndersteund",
        api.awaitStatus(a, inactive.getString("berichtId"), "AFGEWEZEN")
            .getString("verwerkingsCode"));
  }

  @Test
  void receiptsAreOrderedPagedAndIncludeRefusalsOnArrival() {
    String bsn = api.newBurger(a);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      JsonObject b = bericht(bsn);
      ids.add(b.getString("berichtId"));
      api.post("/api/v1/berichten", a.key(), b).expect(202);
    }
    api.post("/api/v1/berichten", a.key(), bericht(bsn).put("onderwerp", "")).expect(400);
    Api.await(
        "6 receipts",
        () -> api.get("/api/v1/verwerkingsberichten?limit=1000", a.key())
                .json()
                .getJsonArray("verwerkingsberichten")
                .size()
            == 6);
    JsonObject page1 = api.get("/api/v1/verwerkingsberichten?vanaf=0&limit=4", a.key())
        .expect(200)
        .json();
    JsonArray r1 = page1.getJsonArray("verwerkingsberichten");
    assertEquals(4, r1.size());
    long volgende = page1.getLong("volgende");
    assertEquals(r1.getJsonObject(3).getLong("volgnummer"), volgende);
    JsonObject page2 = api.get(
            "/api/v1/verwerkingsberichten?vanaf=" + volgende + "&limit=4", a.key())
        .json();
    JsonArray r2 = page2.getJsonArray("verwerkingsberichten");
    assertEquals(2, r2.size());
    JsonObject page3 = api.get(
            "/api/v1/verwerkingsberichten?vanaf=" + page2.getLong("volgende"), a.key())
        .json();
    assertEquals(0, page3.getJsonArray("verwerkingsberichten").size());
    assertEquals(page2.getLong("volgende"), page3.getLong("volgende"));

    List<JsonObject> all = new ArrayList<>();
    r1.forEach(o -> all.add((JsonObject) o));
    r2.forEach(o -> all.add((JsonObject) o));
    long prev = 0;
    Set<String> delivered = new HashSet<>();
    int validatieFout = 0;
    for (JsonObject o : all) {
      assertTrue(o.getLong("volgnummer") > prev);
      prev = o.getLong("volgnummer");
      if ("Verwerkt".equals(o.getString("verwerkingsCode"))) {
        delivered.add(o.getString("berichtId"));
      } else if ("ValidatieFout".equals(o.getString("verwerkingsCode"))) {
        validatieFout++;
        assertEquals("AFGEWEZEN", o.getString("status"));
      }
    }
    assertEquals(new HashSet<>(ids), delivered);
    assertEquals(1, validatieFout);
    // re-readable from an older vanaf
    assertEquals(
        6,
        api.get("/api/v1/verwerkingsberichten?vanaf=0", a.key())
            .json()
            .getJsonArray("verwerkingsberichten")
            .size());
  }

  @Test
  void receiptsOlderThanTheRetentionArePurgedAndYoungerOnesKept() throws Exception {
    var pool = TestEngine.server().engine().pool();
    pool.preparedQuery(
            "INSERT INTO verwerkingsbericht (oin, bericht_id, status, verwerkings_code, tijdstip) VALUES "
                + "($1, 'oud', 2, 'ValidatieFout', now() - interval '8 days'), "
                + "($1, 'jong', 2, 'ValidatieFout', now() - interval '6 days')")
        .execute(Tuple.of(a.oin()))
        .toCompletionStage()
        .toCompletableFuture()
        .get();
    assertTrue(TestEngine.server()
            .engine()
            .verwerker()
            .purgeOldVerwerkingsberichten()
            .toCompletionStage()
            .toCompletableFuture()
            .get()
        >= 1);
    List<String> left = new ArrayList<>();
    api.get("/api/v1/verwerkingsberichten", a.key())
        .json()
        .getJsonArray("verwerkingsberichten")
        .forEach(o -> left.add(((JsonObject) o).getString("berichtId")));
    assertEquals(List.of("jong"), left);
  }

  @Test
  void theStoredStatusCodesAreThoseOfBerichtStatus() throws Exception {
    // the SQL writes and reads bericht.status as numbers; the enum maps them by its explicit codes
    var pool = TestEngine.server().engine().pool();
    JsonObject afgeleverd = bericht(api.newBurger(a));
    JsonObject afgewezen = bericht(newBsn());
    api.post("/api/v1/berichten", a.key(), afgeleverd).expect(202);
    api.post("/api/v1/berichten", a.key(), afgewezen).expect(202);
    api.awaitStatus(a, afgeleverd.getString("berichtId"), "AFGELEVERD");
    api.awaitStatus(a, afgewezen.getString("berichtId"), "AFGEWEZEN");
    var rows = pool.preparedQuery(
            "SELECT bericht_id::text, status FROM bericht WHERE oin = $1 AND bericht_id::text = ANY($2::text[])")
        .execute(Tuple.of(a.oin(), (Object)
            new String[] {afgeleverd.getString("berichtId"), afgewezen.getString("berichtId")}))
        .toCompletionStage()
        .toCompletableFuture()
        .get();
    Map<String, Short> status = new HashMap<>();
    rows.forEach(r -> status.put(r.getString(0), r.getShort(1)));
    assertEquals(BerichtStatus.AFGELEVERD.code, status.get(afgeleverd.getString("berichtId")));
    assertEquals(BerichtStatus.AFGEWEZEN.code, status.get(afgewezen.getString("berichtId")));
    // a message is parked by the column's default
    String parkeren = pool.query("SELECT column_default FROM information_schema.columns "
            + "WHERE table_name = 'bericht' AND column_name = 'status'")
        .execute()
        .toCompletionStage()
        .toCompletableFuture()
        .get()
        .iterator()
        .next()
        .getString(0);
    assertEquals(String.valueOf(BerichtStatus.ONTVANGEN.code), parkeren);
    for (BerichtStatus s : BerichtStatus.values()) {
      assertEquals(s, BerichtStatus.van(s.code));
    }
    // the two stored codes of test mode (contract §7.1) answer as a status of the contract's
    assertEquals(BerichtStatus.AFGELEVERD, BerichtStatus.van(BerichtStatus.TEST_VERWERKT));
    assertEquals(BerichtStatus.ONTVANGEN, BerichtStatus.van(BerichtStatus.TEST_WACHTEND));
    Assertions.assertThrows(IllegalStateException.class, () -> BerichtStatus.van(5));
  }

  @Test
  void aMessageThatBreaksEveryRoundIsRefusedWithTechnischProbleemAndTheRestGoesOn()
      throws Exception {
    var pool = TestEngine.server().engine().pool();
    // a fault that only this message triggers, as a defect or corrupt data would
    pool.query("CREATE OR REPLACE FUNCTION test_gif() RETURNS trigger AS $$ BEGIN "
            + "IF NEW.onderwerp = 'GIF' AND NEW.verwerkings_code IS DISTINCT FROM 'TechnischProbleem' "
            + "THEN RAISE EXCEPTION 'gif'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql")
        .execute()
        .toCompletionStage()
        .toCompletableFuture()
        .get();
    pool.query(
            "CREATE TRIGGER test_gif BEFORE UPDATE ON bericht FOR EACH ROW EXECUTE FUNCTION test_gif()")
        .execute()
        .toCompletionStage()
        .toCompletableFuture()
        .get();
    try {
      String bsn = api.newBurger(a);
      JsonObject voor = bericht(bsn);
      JsonObject gif = bericht(bsn).put("onderwerp", "GIF");
      JsonObject na = bericht(bsn);
      JsonArray batch = new JsonArray().add(voor).add(gif).add(na);
      api.post("/api/v1/batches", a.key(), Api.batch(batch)).expect(202);
      assertEquals(
          "TechnischProbleem",
          api.awaitStatus(a, gif.getString("berichtId"), "AFGEWEZEN").getString("verwerkingsCode"));
      api.awaitStatus(a, voor.getString("berichtId"), "AFGELEVERD");
      api.awaitStatus(a, na.getString("berichtId"), "AFGELEVERD");
      Api.await(
          "receipt",
          () -> api
              .get("/api/v1/verwerkingsberichten?limit=1000", a.key())
              .json()
              .getJsonArray("verwerkingsberichten")
              .stream()
              .anyMatch(
                  o -> "TechnischProbleem".equals(((JsonObject) o).getString("verwerkingsCode"))));
    } finally {
      pool.query("DROP TRIGGER test_gif ON bericht")
          .execute()
          .toCompletionStage()
          .toCompletableFuture()
          .get();
    }
  }

  @Test
  void feedParametersAreChecked() {
    assertEquals(
        List.of("limit"),
        api.get("/api/v1/verwerkingsberichten?limit=0", a.key()).expect(400).invalidNames());
    api.get("/api/v1/verwerkingsberichten?limit=1001", a.key()).expect(400);
    assertEquals(
        List.of("vanaf"),
        api.get("/api/v1/verwerkingsberichten?vanaf=-1", a.key()).expect(400).invalidNames());
    api.get("/api/v1/verwerkingsberichten?vanaf=abc", a.key()).expect(400);
    api.get("/api/v1/batches?vanDatum=gisteren", a.key()).expect(400);
    LocalDate vandaag = LocalDate.now(Tijd.NL);
    assertEquals(
        List.of("vanDatum"),
        api.get("/api/v1/batches?vanDatum=" + vandaag.plusDays(1) + "&totDatum=" + vandaag, a.key())
            .expect(400)
            .invalidNames());
  }

  @Test
  void anotherAfnemerSeesNothingOfIt() {
    Api.Afnemer b = api.newAfnemer();
    JsonObject m = bericht(api.newBurger(a));
    api.post("/api/v1/berichten", a.key(), m).expect(202);
    JsonObject bt = Api.batch(new JsonArray().add(bericht(newBsn())));
    api.post("/api/v1/batches", a.key(), bt).expect(202);
    api.awaitStatus(a, m.getString("berichtId"), "AFGELEVERD");
    Api.Resp missing =
        api.get("/api/v1/berichten/" + UUID.randomUUID(), b.key()).expect(404);
    Api.Resp foreign =
        api.get("/api/v1/berichten/" + m.getString("berichtId"), b.key()).expect(404);
    assertEquals(missing.json().getString("detail"), foreign.json().getString("detail"));
    api.get("/api/v1/batches/" + bt.getString("batchId"), b.key()).expect(404);
    assertEquals(
        0,
        api.get("/api/v1/verwerkingsberichten", b.key())
            .json()
            .getJsonArray("verwerkingsberichten")
            .size());
    assertEquals(
        0, api.get("/api/v1/batches", b.key()).json().getJsonArray("batches").size());
    // without a period: the last 30 days and today, so today's batch is listed
    assertTrue(api.get("/api/v1/batches", a.key()).json().getJsonArray("batches").stream()
        .anyMatch(o -> bt.getString("batchId").equals(((JsonObject) o).getString("batchId"))));
    api.get("/api/v1/bericht-typen/ALG", b.key()).expect(200);
    assertEquals(
        1,
        api.get("/api/v1/bericht-typen", b.key())
            .json()
            .getJsonArray("berichtTypen")
            .size());
  }

  @Test
  void concurrentSubmissionsAreEachStoredAndReceiptedOnce() throws Exception {
    String bsn = api.newBurger(a);
    ExecutorService pool = Executors.newFixedThreadPool(32);
    List<Future<String>> futures = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      JsonObject m = bericht(bsn);
      // every tenth is sent twice at once: exactly one is parked (202), the other is a replay (200)
      int copies = i % 10 == 0 ? 2 : 1;
      List<Future<Integer>> sends = new ArrayList<>();
      for (int c = 0; c < copies; c++) {
        sends.add(pool.submit(() -> api.post("/api/v1/berichten", a.key(), m).status()));
      }
      futures.add(pool.submit(() -> {
        List<Integer> statuses = new ArrayList<>();
        for (Future<Integer> f : sends) {
          statuses.add(f.get());
        }
        statuses.sort(null);
        assertEquals(copies == 1 ? List.of(202) : List.of(200, 202), statuses);
        return m.getString("berichtId");
      }));
    }
    Set<String> ids = new HashSet<>();
    for (Future<String> f : futures) {
      ids.add(f.get());
    }
    pool.shutdown();
    assertEquals(400, ids.size());
    Api.await(
        "400 receipts",
        () -> api.get("/api/v1/berichtenbox", api.burgerToken(bsn)).json().getInteger("ongelezen")
            == 400);
    List<String> receipted = new ArrayList<>();
    long vanaf = 0;
    while (true) {
      JsonObject page = api.get("/api/v1/verwerkingsberichten?limit=1000&vanaf=" + vanaf, a.key())
          .json();
      JsonArray arr = page.getJsonArray("verwerkingsberichten");
      if (arr.isEmpty()) {
        break;
      }
      arr.forEach(o -> receipted.add(((JsonObject) o).getString("berichtId")));
      vanaf = page.getLong("volgende");
    }
    assertEquals(400, receipted.size(), "one receipt per message");
    assertEquals(ids, new HashSet<>(receipted));
  }
}
