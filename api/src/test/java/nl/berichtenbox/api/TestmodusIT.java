package nl.berichtenbox.api;

import static nl.berichtenbox.api.Api.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Test mode for afnemers (contract §7.1) against the real pipeline: a test afnemer's messages are
 * parked, processed and receipted like real ones (feed, push, batch counts, message status) with the
 * outcome chosen by BSN, and reach no citizen's box, no e-mail and no production figure; the
 * Validatieservice and Abonnementservice answer from the test set, outside every quota and window.
 * An engine on a database of its own, with quotas a real afnemer exhausts at once.
 */
class TestmodusIT {
  private static final String NIET_ACTIEF = "999990019";
  private static final String TECHNISCH = "999990020";
  private static final String LAAT = "999990032";

  private static TestSmtp smtp;
  private static HttpServer receiver;
  private static final List<JsonObject> pushed = new CopyOnWriteArrayList<>();
  private static ApiServer server;
  private static Api api;

  @BeforeAll
  static void start() throws Exception {
    smtp = new TestSmtp();
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/ontvang", ex -> {
      JsonObject body =
          new JsonObject(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      JsonArray receipts = body.getJsonArray("verwerkingsberichten");
      if (receipts != null) {
        receipts.forEach(o -> pushed.add((JsonObject) o));
      } else {
        pushed.add(body);
      }
      ex.sendResponseHeaders(204, -1);
      ex.close();
    });
    receiver.start();
    var config = TestEngine.engineOnNewDatabase(
        "testmodus",
        Map.of(
            "BERICHTENBOX_SMTP_URL", smtp.url(),
            "BERICHTENBOX_NOTIFICATIE_BUNDLE_WINDOW", "PT0.2S",
            // a real afnemer gets one Validatieservice question an hour and no Abonnementservice
            // request at all: a test afnemer's must count against neither
            "BERICHTENBOX_VALIDATIE_QUOTUM_PER_UUR", "1",
            "BERICHTENBOX_ABONNEMENTEN_QUOTA", "ALLES=0,BSN_LIJST=0,MUTATIES=0"));
    server = ApiServer.start(config);
    api = TestEngine.api(server);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (smtp != null) {
      smtp.close();
    }
    if (receiver != null) {
      receiver.stop(0);
    }
  }

  /** A test afnemer pushing its receipts to the receiver here, with berichtType ALG active. */
  private static Api.Afnemer testAfnemer() {
    return api.newAfnemer(new JsonObject()
        .put("testmodus", true)
        .put("callbackUrl", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/ontvang"));
  }

  private static JsonObject bericht(String bsn, String type) {
    return Api.bericht(bsn).put("berichtType", type);
  }

  private static Map<String, JsonObject> feed(Api.Afnemer a) {
    Map<String, JsonObject> out = new HashMap<>();
    api.get("/api/v1/verwerkingsberichten?limit=1000", a.key())
        .expect(200)
        .json()
        .getJsonArray("verwerkingsberichten")
        .forEach(o -> out.put(((JsonObject) o).getString("berichtId"), (JsonObject) o));
    return out;
  }

  private static JsonObject productie() {
    String maand = YearMonth.now(ZoneId.of("Europe/Amsterdam")).toString();
    return api.get("/api/v1/beheer/sla-rapportages/" + maand, TestEngine.ADMIN)
        .expect(200)
        .json()
        .getJsonObject("productie");
  }

  @Test
  void testmodusIsSetAtRegistrationShownAndKeptOutOfTheCitizensChoice() {
    String oin = Api.newOin();
    JsonObject antwoord = api.post(
            "/api/v1/beheer/afnemers",
            TestEngine.ADMIN,
            new JsonObject().put("oin", oin).put("naam", "Proef").put("testmodus", true))
        .expect(201)
        .json();
    assertEquals(true, antwoord.getBoolean("testmodus"));
    Api.Afnemer test = new Api.Afnemer(oin, antwoord.getString("apiSleutel"));
    Api.Afnemer echt = api.newAfnemer();
    Map<String, Boolean> lijst = new HashMap<>();
    api.get("/api/v1/beheer/afnemers", TestEngine.ADMIN)
        .expect(200)
        .json()
        .getJsonArray("afnemers")
        .forEach(o ->
            lijst.put(((JsonObject) o).getString("oin"), ((JsonObject) o).getBoolean("testmodus")));
    assertEquals(true, lijst.get(test.oin()));
    assertEquals(false, lijst.get(echt.oin()), "false by default");

    JsonObject fout = api.post(
            "/api/v1/beheer/afnemers",
            TestEngine.ADMIN,
            new JsonObject().put("oin", Api.newOin()).put("naam", "Fout").put("testmodus", "ja"))
        .expect(400)
        .json();
    assertEquals(
        "testmodus", fout.getJsonArray("invalidParams").getJsonObject(0).getString("name"));
    // set once: a real afnemer does not become a test one, nor the other way round
    api.send(
            "PATCH",
            "/api/v1/beheer/afnemers/" + test.oin(),
            TestEngine.ADMIN,
            "application/merge-patch+json",
            new JsonObject().put("testmodus", false).encode())
        .expect(400);

    // a citizen cannot choose a test afnemer: it is not among the afnemers offered, nor found
    String bsn = Api.newBsn();
    String tok = api.burgerToken(bsn);
    api.put("/api/v1/berichtenbox", tok, new JsonObject()).expect(200);
    JsonArray voorkeuren = api.get("/api/v1/berichtenbox/voorkeuren", tok)
        .expect(200)
        .json()
        .getJsonArray("voorkeuren");
    assertTrue(
        voorkeuren.stream().anyMatch(o -> echt.oin().equals(((JsonObject) o).getString("oin"))));
    assertFalse(
        voorkeuren.stream().anyMatch(o -> test.oin().equals(((JsonObject) o).getString("oin"))));
    api.put(
            "/api/v1/berichtenbox/voorkeuren/" + test.oin(),
            tok,
            new JsonObject().put("berichtenOntvangen", true))
        .expect(404);
  }

  @Test
  void theOutcomeFollowsTheBsnThroughTheWholePipelineAndNothingReachesACitizen() throws Exception {
    Api.Afnemer test = testAfnemer();
    JsonObject productieVoor = productie();
    // a real citizen with an e-mail address, who would be told of a message of an afnemer it
    // accepts
    Api.Afnemer echt = api.newAfnemer();
    String email = "burger-" + UUID.randomUUID() + "@burger.test";
    String burger = api.newBurger(email, true, echt);

    JsonObject laat = bericht(LAAT, "ALG");
    Instant laatVerstuurd = Instant.now();
    api.post("/api/v1/berichten", test.key(), laat).expect(202);

    Map<String, String[]> verwacht = new HashMap<>(); // berichtId -> status, code
    JsonArray berichten = new JsonArray();
    for (Object[] g : new Object[][] {
      {NIET_ACTIEF, "ALG", "AFGEWEZEN", "NietActiefOfGeabonneerd"},
      {TECHNISCH, "ALG", "AFGEWEZEN", "TechnischProbleem"},
      {burger, "ALG", "AFGELEVERD", "Verwerkt"
      }, // a real citizen's BSN: Verwerkt, yet not delivered
      {Api.newBsn(), "ALG", "AFGELEVERD", "Verwerkt"}, // no box: Verwerkt all the same
      {Api.newBsn(), "ONBEKEND", "AFGEWEZEN", "BerichtTypeNietOndersteund"}, // from the input
    }) {
      JsonObject m = bericht((String) g[0], (String) g[1]);
      verwacht.put(m.getString("berichtId"), new String[] {(String) g[2], (String) g[3]});
      berichten.add(m);
    }
    JsonObject batch = Api.batch(berichten);
    api.post("/api/v1/batches", test.key(), batch).expect(202);

    await("the batch's receipts", () -> feed(test).keySet().containsAll(verwacht.keySet()));
    Map<String, JsonObject> receipts = feed(test);
    verwacht.forEach((id, sc) -> {
      assertEquals(sc[0], receipts.get(id).getString("status"), "receipt of " + sc[1]);
      assertEquals(sc[1], receipts.get(id).getString("verwerkingsCode"));
      JsonObject status =
          api.get("/api/v1/berichten/" + id, test.key()).expect(200).json();
      assertEquals(sc[0], status.getString("status"));
      assertEquals(sc[1], status.getString("verwerkingsCode"));
    });
    await(
        "the batch's receipts pushed",
        () -> pushed.stream()
            .map(o -> o.getString("berichtId"))
            .toList()
            .containsAll(verwacht.keySet()));
    JsonObject telling = api.get("/api/v1/batches/" + batch.getString("batchId"), test.key())
        .expect(200)
        .json();
    assertEquals(5, telling.getInteger("totaalOntvangen"));
    assertEquals(2, telling.getInteger("verwerkt"));
    assertEquals(3, telling.getInteger("afgewezen"));
    assertEquals(
        new JsonObject()
            .put("Verwerkt", 2)
            .put("NietActiefOfGeabonneerd", 1)
            .put("TechnischProbleem", 1)
            .put("BerichtTypeNietOndersteund", 1),
        telling.getJsonObject("perVerwerkingsCode"));

    // the message to 999990032 is still parked to its afnemer, with no receipt
    assertFalse(feed(test).containsKey(laat.getString("berichtId")));
    assertEquals(
        "ONTVANGEN",
        api.get("/api/v1/berichten/" + laat.getString("berichtId"), test.key())
            .json()
            .getString("status"));

    // a real message to the same citizen: in the box and an e-mail, the control for what follows
    JsonObject eigen = Api.bericht(burger);
    api.post("/api/v1/berichten", echt.key(), eigen).expect(202);
    api.awaitStatus(echt, eigen.getString("berichtId"), "AFGELEVERD");
    await("the real message's e-mail", () -> smtp.aan(email).size() == 1);
    Api.awaitRounds("the notifier looking again", server.engine().notifier()::rounds);
    assertEquals(1, smtp.aan(email).size(), "one e-mail: the test message caused none");
    assertTrue(
        smtp.aan(email).get(0).tekst().contains("Er staat een nieuw bericht voor u klaar"),
        "the e-mail counts one message, not two: " + smtp.aan(email).get(0).tekst());
    JsonArray box = api.get("/api/v1/berichtenbox/berichten", api.burgerToken(burger))
        .expect(200)
        .json()
        .getJsonArray("berichten");
    assertEquals(1, box.size(), "only the real message is in the citizen's box: " + box);
    assertEquals(
        1L, api.get("/api/v1/berichtenbox", api.burgerToken(burger)).json().getLong("ongelezen"));
    // the agreement's production figures count the real message only
    JsonObject productieNa = productie();
    assertEquals(
        productieVoor.getLong("aangebodenBerichten") + 1,
        productieNa.getLong("aangebodenBerichten"));
    assertEquals(
        productieVoor.getLong("verwerkteBerichten") + 1, productieNa.getLong("verwerkteBerichten"));
    assertEquals(
        productieVoor.getLong("actieveAfnemers") + 1, productieNa.getLong("actieveAfnemers"));

    // 999990032's receipt comes 60 s after it was accepted, not before
    await(
        "the receipt of the message to " + LAAT,
        Duration.ofSeconds(90),
        () -> feed(test).containsKey(laat.getString("berichtId")),
        () -> "");
    JsonObject late = feed(test).get(laat.getString("berichtId"));
    Instant tijdstip = Instant.parse(late.getString("tijdstip"));
    assertTrue(
        Duration.between(laatVerstuurd, tijdstip).compareTo(Duration.ofSeconds(60)) >= 0,
        "receipted " + Duration.between(laatVerstuurd, tijdstip) + " after it was sent");
    assertEquals("AFGELEVERD", late.getString("status"));
    assertEquals("Verwerkt", late.getString("verwerkingsCode"));
  }

  @Test
  void aBatchWithAWaitingMessageStaysOpenUntilItsReceipt() {
    Api.Afnemer test = testAfnemer();
    JsonObject batch =
        Api.batch(new JsonArray().add(bericht(LAAT, "ALG")).add(bericht(Api.newBsn(), "ALG")));
    api.post("/api/v1/batches", test.key(), batch).expect(202);
    String pad = "/api/v1/batches/" + batch.getString("batchId");
    await(
        "one receipt of the batch",
        () -> api.get(pad, test.key()).json().getInteger("verwerkt") == 1);
    Api.awaitRounds("processing looking again", server.engine().verwerker()::rounds);
    JsonObject telling = api.get(pad, test.key()).json();
    assertEquals(1, telling.getInteger("verwerkt"), telling.encode());
    assertNull(telling.getString("datumVerwerkt"), "still open: " + telling.encode());
  }

  @Test
  void theValidatieserviceAnswersFromTheTestSetAndCountsAgainstNoQuota() {
    Api.Afnemer test = testAfnemer();
    String ander = Api.newBsn();
    for (int i = 0; i < 3; i++) { // the hour's quota is one question
      JsonArray r = api.post(
              "/api/v1/abonnementen/_valideren",
              test.key(),
              new JsonObject()
                  .put("berichtType", "ALG")
                  .put("bsns", new JsonArray().add(NIET_ACTIEF).add(ander).add(TECHNISCH)))
          .expect(200)
          .json()
          .getJsonArray("resultaten");
      assertEquals(
          List.of(false, true, true),
          r.stream().map(o -> ((JsonObject) o).getBoolean("berichtSturen")).toList());
      assertEquals(ander, r.getJsonObject(1).getString("bsn"));
    }
    // an inactive berichtType is input: nobody can receive it, as in production
    JsonArray onbekend = api.post(
            "/api/v1/abonnementen/_valideren",
            test.key(),
            new JsonObject().put("berichtType", "ONBEKEND").put("bsns", new JsonArray().add(ander)))
        .expect(200)
        .json()
        .getJsonArray("resultaten");
    assertEquals(false, onbekend.getJsonObject(0).getBoolean("berichtSturen"));
    api.post(
            "/api/v1/abonnementen/_valideren",
            test.key(),
            new JsonObject().put("berichtType", "ALG").put("bsns", new JsonArray().add("123")))
        .expect(400);
    // the real afnemers' quota of one question is untouched: the first real one is answered, the
    // second is past it
    Api.Afnemer echt = api.newAfnemer();
    JsonObject vraag =
        new JsonObject().put("berichtType", "ALG").put("bsns", new JsonArray().add(ander));
    api.post("/api/v1/abonnementen/_valideren", echt.key(), vraag).expect(200);
    api.post("/api/v1/abonnementen/_valideren", echt.key(), vraag).expect(429);
  }

  private static List<JsonObject> resultaat(Api.Afnemer a, JsonObject vraag) {
    String id = api.post("/api/v1/abonnementen/verzoeken", a.key(), vraag)
        .expect(202)
        .json()
        .getString("id");
    await(
        "request " + id,
        () -> "GEREED"
            .equals(api.get("/api/v1/abonnementen/verzoeken/" + id, a.key())
                .json()
                .getString("status")));
    List<JsonObject> out = new ArrayList<>();
    for (String line : api.get("/api/v1/abonnementen/verzoeken/" + id + "/resultaat", a.key())
        .expect(200)
        .raw()
        .body()
        .split("\n")) {
      if (!line.isEmpty()) {
        out.add(new JsonObject(line));
      }
    }
    return out;
  }

  private static List<String> bsns(List<JsonObject> regels) {
    return regels.stream().map(o -> o.getString("bsn")).toList();
  }

  @Test
  void theAbonnementserviceAnswersTheTestSetWithoutWindowOrQuota() {
    // the quotas are 0: a real afnemer is refused (outside the window or past the quota)
    Api.Afnemer echt = api.newAfnemer();
    api.post("/api/v1/abonnementen/verzoeken", echt.key(), new JsonObject().put("soort", "ALLES"))
        .expect(429);

    Api.Afnemer test = testAfnemer();
    List<String> vast = List.of("999990007", "999990044", "999990056");
    List<JsonObject> alles = resultaat(test, new JsonObject().put("soort", "ALLES"));
    assertEquals(vast, bsns(alles));
    alles.forEach(o -> assertEquals("ACTIEF", o.getString("status")));
    assertEquals(
        vast,
        bsns(resultaat(
            test,
            new JsonObject()
                .put("soort", "MUTATIES")
                .put("mutatieDatum", Instant.now().minusSeconds(3600).toString()))));
    String a = "999990044";
    String b = Api.newBsn();
    List<String> lijst = bsns(resultaat(
        test,
        new JsonObject()
            .put("soort", "BSN_LIJST")
            .put("bsns", new JsonArray().add(b).add(NIET_ACTIEF).add(a).add(b))));
    assertEquals(a.compareTo(b) < 0 ? List.of(a, b) : List.of(b, a), lijst);
    // the input is checked as for anyone
    api.post(
            "/api/v1/abonnementen/verzoeken",
            test.key(),
            new JsonObject().put("soort", "BSN_LIJST"))
        .expect(400);
  }
}
