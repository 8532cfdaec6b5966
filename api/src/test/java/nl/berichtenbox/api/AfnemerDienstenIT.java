package nl.berichtenbox.api;

import static nl.berichtenbox.api.Api.bericht;
import static nl.berichtenbox.api.Api.newBsn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Validatieservice (§2.5), rate limit on intake, daily report and forecasts (§2.6). */
class AfnemerDienstenIT {
  private static final ZoneId NL = ZoneId.of("Europe/Amsterdam");
  private final Api api = TestEngine.api();
  private final Api.Afnemer a = api.newAfnemer();

  @Test
  void validatieserviceAnswersPerBsnInOrder() {
    String ja = api.newBurger(a);
    String ander = api.newBurger(api.newAfnemer());
    String geenBox = newBsn();
    JsonObject vraag = new JsonObject()
        .put("berichtType", "ALG")
        .put("bsns", new JsonArray().add(geenBox).add(ja).add(ander).add(ja));
    JsonArray r = api.post("/api/v1/abonnementen/_valideren", a.key(), vraag)
        .expect(200)
        .json()
        .getJsonArray("resultaten");
    assertEquals(4, r.size());
    assertEquals(
        List.of(geenBox, ja, ander, ja),
        r.stream().map(o -> ((JsonObject) o).getString("bsn")).toList());
    assertEquals(
        List.of(false, true, false, true),
        r.stream().map(o -> ((JsonObject) o).getBoolean("berichtSturen")).toList());

    // an inactive or unknown berichtType: nobody
    api.put(
        "/api/v1/bericht-typen/UIT",
        a.key(),
        new JsonObject().put("omschrijving", "uit").put("actief", false));
    for (String type : List.of("UIT", "ONBEKEND")) {
      JsonArray none = api.post(
              "/api/v1/abonnementen/_valideren", a.key(), vraag.copy().put("berichtType", type))
          .expect(200)
          .json()
          .getJsonArray("resultaten");
      assertTrue(none.stream().noneMatch(o -> ((JsonObject) o).getBoolean("berichtSturen")));
    }

    assertEquals(
        List.of("bsns/1", "bsns/2"),
        api.post(
                "/api/v1/abonnementen/_valideren",
                a.key(),
                new JsonObject()
                    .put("berichtType", "ALG")
                    .put("bsns", new JsonArray().add(ja).add("123456789").add(12)))
            .expect(400)
            .invalidNames());
    JsonArray many = new JsonArray();
    for (int i = 0; i < 251; i++) {
      many.add(ja);
    }
    assertEquals(
        List.of("bsns"),
        api.post(
                "/api/v1/abonnementen/_valideren",
                a.key(),
                new JsonObject().put("berichtType", "ALG").put("bsns", many))
            .expect(400)
            .invalidNames());
    assertEquals(
        List.of("berichtType", "bsns"),
        api.post("/api/v1/abonnementen/_valideren", a.key(), new JsonObject())
            .expect(400)
            .invalidNames());
    api.post("/api/v1/abonnementen/_valideren", null, vraag).expect(401);
  }

  @Test
  void validatieserviceEnforcesTheGlobalQuota() throws Exception {
    // on an engine and database of its own: the hour's quota used up would refuse other tests
    var config = TestEngine.engineOnNewDatabase(
        "validatie_quotum",
        Map.of(
            "BERICHTENBOX_VALIDATIE_QUOTUM_PER_UUR",
            Integer.toString(TestEngine.VALIDATIE_QUOTUM)));
    try (ApiServer eigen = ApiServer.start(config)) {
      Api hier = TestEngine.api(eigen);
      Api.Afnemer a1 = hier.newAfnemer();
      Api.Afnemer b1 = hier.newAfnemer();
      JsonObject vraag = new JsonObject()
          .put("berichtType", "ALG")
          .put("bsns", new JsonArray().add(hier.newBurger(a1)).add(newBsn()));
      // the quota is global (all afnemers, counted in the database): exhaust it
      Api.Resp last = null;
      for (int i = 0; i <= TestEngine.VALIDATIE_QUOTUM; i++) {
        last =
            hier.post("/api/v1/abonnementen/_valideren", i % 2 == 0 ? a1.key() : b1.key(), vraag);
        if (last.status() == 429) {
          break;
        }
        last.expect(200);
      }
      assertEquals(429, last.status(), "quota of " + TestEngine.VALIDATIE_QUOTUM + " per hour");
      long retry = Long.parseLong(last.header("Retry-After"));
      assertTrue(retry >= 1 && retry <= 3600, "Retry-After " + retry);
      assertEquals("application/problem+json", last.header("Content-Type"));
    }
  }

  @Test
  void intakeIsLimitedPerAfnemer() {
    // the limit is shared among the processes ready on the database: a process another test started
    // on it counts for 45 s after it stopped (its last heartbeat), and would halve this one's share
    Api.await(
        "this process alone on the test database",
        Duration.ofSeconds(90),
        () -> Metrieken.van(api).som("berichtenbox_processen_gereed") == 1,
        () -> "processes ready: " + Metrieken.van(api).som("berichtenbox_processen_gereed"));
    api.send(
            "PATCH",
            "/api/v1/beheer/afnemers/" + a.oin(),
            TestEngine.ADMIN,
            "application/merge-patch+json",
            "{\"limietPerSeconde\":5}")
        .expect(200);
    int accepted = 0;
    Api.Resp refused = null;
    for (int i = 0; i < 12; i++) {
      Api.Resp r = api.post("/api/v1/berichten", a.key(), bericht(newBsn()));
      if (r.status() == 202) {
        accepted++;
      } else {
        refused = r.expect(429);
      }
    }
    assertTrue(accepted >= 5 && accepted <= 8, "accepted " + accepted);
    assertNotNull(refused);
    assertTrue(Long.parseLong(refused.header("Retry-After")) >= 1);

    // a batch is never refused for its size, but its messages are paid for: the next request waits
    Api.Afnemer c = api.newAfnemer();
    api.send(
            "PATCH",
            "/api/v1/beheer/afnemers/" + c.oin(),
            TestEngine.ADMIN,
            "application/merge-patch+json",
            "{\"limietPerSeconde\":5}")
        .expect(200);
    JsonArray twintig = new JsonArray();
    for (int i = 0; i < 20; i++) {
      twintig.add(bericht(newBsn()));
    }
    api.post("/api/v1/batches", c.key(), Api.batch(twintig)).expect(202);
    Api.Resp wacht = api.post("/api/v1/berichten", c.key(), bericht(newBsn())).expect(429);
    assertTrue(Long.parseLong(wacht.header("Retry-After")) >= 2, wacht.header("Retry-After"));
    // an afnemer without a limit is not limited
    for (int i = 0; i < 20; i++) {
      api.post("/api/v1/berichten", api.newAfnemer().key(), bericht(newBsn())).expect(202);
    }
  }

  @Test
  void dailyReportCountsOfferedProcessedAndRefused() {
    String bsn = api.newBurger(a);
    for (int i = 0; i < 3; i++) {
      api.post("/api/v1/berichten", a.key(), bericht(bsn)).expect(202);
    }
    JsonObject noBox = bericht(newBsn());
    api.post("/api/v1/berichten", a.key(), noBox).expect(202);
    api.post("/api/v1/berichten", a.key(), bericht(bsn).put("onderwerp", "")).expect(400);
    api.awaitStatus(a, noBox.getString("berichtId"), "AFGEWEZEN");
    LocalDate today = LocalDate.now(NL);
    Api.await("report", () -> {
      JsonArray d = api.get("/api/v1/rapportages/verwerking", a.key())
          .expect(200)
          .json()
          .getJsonArray("dagen");
      return d.getJsonObject(d.size() - 1).getLong("aangeboden") == 5;
    });
    JsonArray dagen =
        api.get("/api/v1/rapportages/verwerking", a.key()).json().getJsonArray("dagen");
    assertEquals(30, dagen.size());
    JsonObject vandaag = dagen.getJsonObject(29);
    assertEquals(today.toString(), vandaag.getString("datum"));
    assertEquals(3, vandaag.getLong("verwerkt"));
    assertEquals(2, vandaag.getLong("afgewezen"));
    assertEquals(1, vandaag.getJsonObject("perVerwerkingsCode").getLong("ValidatieFout"));
    assertEquals(1, vandaag.getJsonObject("perVerwerkingsCode").getLong("NietActiefOfGeabonneerd"));
    assertEquals(0, dagen.getJsonObject(0).getLong("aangeboden"));
    assertEquals(
        2,
        api.get(
                "/api/v1/rapportages/verwerking?vanDatum=" + today.minusDays(1) + "&totDatum="
                    + today,
                a.key())
            .json()
            .getJsonArray("dagen")
            .size());
    api.get(
            "/api/v1/rapportages/verwerking?vanDatum=" + today.minusDays(400) + "&totDatum="
                + today,
            a.key())
        .expect(400);
    api.get("/api/v1/rapportages/verwerking?vanDatum=gisteren", a.key()).expect(400);
    assertEquals(
        0,
        api
            .get("/api/v1/rapportages/verwerking", api.newAfnemer().key())
            .json()
            .getJsonArray("dagen")
            .stream()
            .mapToLong(o -> ((JsonObject) o).getLong("aangeboden"))
            .sum());
  }

  @Test
  void forecastsShowDeviationAndWarnWhenTogetherOverCapacity() {
    String maand = YearMonth.now(NL).toString();
    for (int i = 0; i < 4; i++) {
      api.post("/api/v1/berichten", a.key(), bericht(newBsn())).expect(202);
    }
    Api.await(
        "offered",
        () ->
            api.get("/api/v1/rapportages/verwerking", a.key()).json().getJsonArray("dagen").stream()
                    .mapToLong(o -> ((JsonObject) o).getLong("aangeboden"))
                    .sum()
                == 4);
    JsonObject p = api.put(
            "/api/v1/prognoses/" + maand,
            a.key(),
            new JsonObject().put("aantalBerichten", 5).put("gemiddeldeGrootteKb", 40))
        .expect(201)
        .json();
    assertEquals(maand, p.getString("maand"));
    assertEquals(4, p.getLong("werkelijk"));
    assertEquals(-20.0, p.getDouble("afwijkingProcent"));
    assertFalse(p.getBoolean("binnenNorm"));
    assertFalse(p.getBoolean("maandAfgesloten"));
    api.put(
            "/api/v1/prognoses/" + maand,
            a.key(),
            new JsonObject().put("aantalBerichten", 4).put("gemiddeldeGrootteKb", 40))
        .expect(200);
    JsonObject listed = api.get("/api/v1/prognoses", a.key())
        .expect(200)
        .json()
        .getJsonArray("prognoses")
        .getJsonObject(0);
    assertEquals(0.0, listed.getDouble("afwijkingProcent"));
    assertTrue(listed.getBoolean("binnenNorm"));

    // another afnemer forecasts more than the agreement's capacity for the month: both are warned
    YearMonth volgende = YearMonth.now(NL).plusMonths(1);
    api.put(
        "/api/v1/prognoses/" + volgende,
        a.key(),
        new JsonObject().put("aantalBerichten", 1000).put("gemiddeldeGrootteKb", 10));
    assertFalse(api.get("/api/v1/prognoses?vanMaand=" + volgende + "&totMaand=" + volgende, a.key())
        .json()
        .getJsonArray("prognoses")
        .getJsonObject(0)
        .getBoolean("capaciteitsWaarschuwing"));
    Api.Afnemer groot = api.newAfnemer();
    api.put(
            "/api/v1/prognoses/" + volgende,
            groot.key(),
            new JsonObject()
                .put("aantalBerichten", 2_500_000L * volgende.lengthOfMonth())
                .put("gemiddeldeGrootteKb", 10))
        .expect(201);
    assertTrue(api.get("/api/v1/prognoses?vanMaand=" + volgende + "&totMaand=" + volgende, a.key())
        .json()
        .getJsonArray("prognoses")
        .getJsonObject(0)
        .getBoolean("capaciteitsWaarschuwing"));

    assertEquals(
        List.of("maand"),
        api.put(
                "/api/v1/prognoses/2026-13",
                a.key(),
                new JsonObject().put("aantalBerichten", 1).put("gemiddeldeGrootteKb", 1))
            .expect(400)
            .invalidNames());
    assertEquals(
        List.of("maand"),
        api.put(
                "/api/v1/prognoses/" + YearMonth.now(NL).plusMonths(19),
                a.key(),
                new JsonObject().put("aantalBerichten", 1).put("gemiddeldeGrootteKb", 1))
            .expect(400)
            .invalidNames());
    assertEquals(
        List.of("aantalBerichten", "gemiddeldeGrootteKb"),
        api.put(
                "/api/v1/prognoses/" + maand,
                a.key(),
                new JsonObject().put("aantalBerichten", -1).put("gemiddeldeGrootteKb", "veel"))
            .expect(400)
            .invalidNames());
    api.get("/api/v1/prognoses?vanMaand=nu", a.key()).expect(400);
  }
}
