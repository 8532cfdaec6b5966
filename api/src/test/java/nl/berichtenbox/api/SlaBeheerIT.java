package nl.berichtenbox.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.TemporalAdjusters;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import nl.berichtenbox.api.http.CitizenJwt;
import nl.berichtenbox.engine.config.EngineConfig;
import org.junit.jupiter.api.Test;

/**
 * Incidents and the maintenance calendar over the operator face (contract §5): priority and
 * deadline from the agreement, resolution within or outside the norm, a month's list, and every
 * bad input a 400 naming the field.
 */
class SlaBeheerIT {
  private final Api api = TestEngine.api();

  private Api.Resp patch(String path, String json) {
    return api.send("PATCH", path, TestEngine.ADMIN, "application/merge-patch+json", json);
  }

  @Test
  void anIncidentGetsItsPriorityAndDeadlineAndIsJudgedWhenResolved() {
    // Friday 27 November 2026 16:30 in Amsterdam: a P2 runs 20 office hours, to Wednesday 09:30
    JsonObject p2 = api.post(
            "/api/v1/beheer/incidenten",
            TestEngine.ADMIN,
            new JsonObject()
                .put("omschrijving", "Portaal traag")
                .put("impact", "HOOG")
                .put("urgentie", "MIDDEN")
                .put("gemeldOp", "2026-11-27T16:30:00+01:00"))
        .expect(201)
        .json();
    assertEquals(2, p2.getInteger("prioriteit"));
    assertEquals("2026-11-27T15:30:00.000Z", p2.getString("gemeldOp"));
    assertEquals("2026-12-02T08:30:00.000Z", p2.getString("deadline"));
    // reported now (no gemeldOp): open and its deadline ahead, so not judged yet (a fixed date in
    // the past could not say this for long: the P2 above is past its deadline since 2 December
    // 2026)
    JsonObject nu = api.post(
            "/api/v1/beheer/incidenten",
            TestEngine.ADMIN,
            new JsonObject()
                .put("omschrijving", "Meldingen vertraagd")
                .put("impact", "LAAG")
                .put("urgentie", "LAAG"))
        .expect(201)
        .json();
    assertEquals(3, nu.getInteger("prioriteit"));
    assertNull(nu.getValue("binnenNorm"), "open and not yet late: not judged");

    JsonObject opgelost = patch(
            "/api/v1/beheer/incidenten/" + p2.getString("id"),
            "{\"opgelostOp\":\"2026-12-01T10:00:00+01:00\"}")
        .expect(200)
        .json();
    assertEquals(true, opgelost.getBoolean("binnenNorm"));

    // a P1 reported long ago and resolved late
    JsonObject p1 = api.post(
            "/api/v1/beheer/incidenten",
            TestEngine.ADMIN,
            new JsonObject()
                .put("omschrijving", "Berichtenbox onbereikbaar")
                .put("impact", "HOOG")
                .put("urgentie", "HOOG")
                .put("gemeldOp", "2026-11-03T08:00:00Z"))
        .expect(201)
        .json();
    assertEquals("2026-11-03T14:00:00.000Z", p1.getString("deadline"));
    assertEquals(false, p1.getBoolean("binnenNorm"), "open past its deadline");
    assertEquals(
        false,
        patch(
                "/api/v1/beheer/incidenten/" + p1.getString("id"),
                "{\"opgelostOp\":\"2026-11-03T15:00:00Z\"}")
            .expect(200)
            .json()
            .getBoolean("binnenNorm"));

    JsonArray november = api.get("/api/v1/beheer/incidenten?maand=2026-11", TestEngine.ADMIN)
        .expect(200)
        .json()
        .getJsonArray("incidenten");
    List<String> ids =
        november.stream().map(o -> ((JsonObject) o).getString("id")).toList();
    assertTrue(
        ids.indexOf(p1.getString("id")) >= 0
            && ids.indexOf(p1.getString("id")) < ids.indexOf(p2.getString("id")),
        "both, oldest first");
    assertFalse(api
        .get("/api/v1/beheer/incidenten?maand=2026-10", TestEngine.ADMIN)
        .expect(200)
        .json()
        .getJsonArray("incidenten")
        .stream()
        .anyMatch(o -> ids.contains(((JsonObject) o).getString("id"))));
  }

  @Test
  void badIncidentInputIsA400NamingTheField() {
    assertEquals(
        List.of("impact", "omschrijving"),
        api
            .post(
                "/api/v1/beheer/incidenten",
                TestEngine.ADMIN,
                new JsonObject().put("impact", "ERG").put("urgentie", "LAAG"))
            .expect(400)
            .invalidNames()
            .stream()
            .sorted()
            .toList());
    assertEquals(
        List.of("gemeldOp"),
        api.post(
                "/api/v1/beheer/incidenten",
                TestEngine.ADMIN,
                new JsonObject()
                    .put("omschrijving", "x")
                    .put("impact", "LAAG")
                    .put("urgentie", "LAAG")
                    .put("gemeldOp", "2099-01-01T00:00:00Z"))
            .expect(400)
            .invalidNames());
    String id = api.post(
            "/api/v1/beheer/incidenten",
            TestEngine.ADMIN,
            new JsonObject()
                .put("omschrijving", "x")
                .put("impact", "LAAG")
                .put("urgentie", "LAAG")
                .put("gemeldOp", "2026-11-10T10:00:00Z"))
        .expect(201)
        .json()
        .getString("id");
    assertEquals(
        List.of("opgelostOp"),
        patch("/api/v1/beheer/incidenten/" + id, "{\"opgelostOp\":\"2026-11-09T10:00:00Z\"}")
            .expect(400)
            .invalidNames());
    assertEquals(
        List.of("opgelostOp"),
        patch("/api/v1/beheer/incidenten/" + id, "{\"opgelostOp\":\"gisteren\"}")
            .expect(400)
            .invalidNames());
    patch(
            "/api/v1/beheer/incidenten/00000000-0000-0000-0000-000000000000",
            "{\"opgelostOp\":\"2026-11-10T11:00:00Z\"}")
        .expect(404);
    patch("/api/v1/beheer/incidenten/geen-id", "{\"opgelostOp\":\"2026-11-10T11:00:00Z\"}")
        .expect(404);
    assertEquals(
        List.of("maand"),
        api.get("/api/v1/beheer/incidenten?maand=2026-13", TestEngine.ADMIN)
            .expect(400)
            .invalidNames());
    api.get("/api/v1/beheer/incidenten", null).expect(401);
  }

  @Test
  void theMaintenanceWindowsOfAMonth() {
    JsonObject april = api.get("/api/v1/beheer/onderhoudsvensters?maand=2026-04", TestEngine.ADMIN)
        .expect(200)
        .json();
    assertEquals("2026-04", april.getString("maand"));
    JsonArray v = april.getJsonArray("vensters");
    assertEquals(3, v.size());
    assertEquals(
        new JsonObject()
            .put("soort", "PORTAAL_TECHNISCH")
            .put("van", "2026-04-07T22:00:00.000Z")
            .put("tot", "2026-04-08T04:00:00.000Z")
            .put("metDowntime", true)
            .put("gepland", true),
        v.getJsonObject(0));
    assertEquals(
        new JsonObject()
            .put("soort", "BERICHTENBOX")
            .put("van", "2026-04-14T07:00:00.000Z")
            .put("tot", "2026-04-14T13:00:00.000Z")
            .put("metDowntime", false)
            .put("gepland", true),
        v.getJsonObject(1));
    assertEquals("PORTAAL_FUNCTIONEEL", v.getJsonObject(2).getString("soort"));
    assertEquals(
        List.of("maand"),
        api.get("/api/v1/beheer/onderhoudsvensters?maand=april", TestEngine.ADMIN)
            .expect(400)
            .invalidNames());
    api.get("/api/v1/beheer/onderhoudsvensters", null).expect(401);
  }

  @Test
  void theMonthlyReportJudgesAvailabilityFromHeartbeatsAndIncidentsAgainstTheirNorms()
      throws Exception {
    // an engine that ran all of October 2026 but for two hours on Tuesday the 20th, and an hour
    // in the 2nd Wednesday's window (planned)
    TestEngine.server()
        .engine()
        .pool()
        .query("""
        INSERT INTO hartslag (minuut, proces, gereed)
        SELECT m, '00000000-0000-0000-0000-00000000a001', true
        FROM generate_series(timestamptz '2026-10-01 00:00 Europe/Amsterdam', timestamptz '2026-11-01 00:00 Europe/Amsterdam'
                             - interval '1 minute', interval '1 minute') m
        WHERE NOT (m >= timestamptz '2026-10-20 12:00 Europe/Amsterdam' AND m < timestamptz '2026-10-20 14:00 Europe/Amsterdam')
          AND NOT (m >= timestamptz '2026-10-14 01:00 Europe/Amsterdam' AND m < timestamptz '2026-10-14 02:00 Europe/Amsterdam')
        ON CONFLICT DO NOTHING""")
        .execute()
        .toCompletionStage()
        .toCompletableFuture()
        .get(60, TimeUnit.SECONDS);
    String p1 = api.post(
            "/api/v1/beheer/incidenten",
            TestEngine.ADMIN,
            new JsonObject()
                .put("omschrijving", "storing")
                .put("impact", "HOOG")
                .put("urgentie", "HOOG")
                .put("gemeldOp", "2026-10-20T10:00:00Z"))
        .expect(201)
        .json()
        .getString("id");
    patch("/api/v1/beheer/incidenten/" + p1, "{\"opgelostOp\":\"2026-10-20T12:05:00Z\"}")
        .expect(200);
    String p3 = api.post(
            "/api/v1/beheer/incidenten",
            TestEngine.ADMIN,
            new JsonObject()
                .put("omschrijving", "typfout")
                .put("impact", "LAAG")
                .put("urgentie", "LAAG")
                .put("gemeldOp", "2026-10-01T09:00:00Z"))
        .expect(201)
        .json()
        .getString("id");
    patch("/api/v1/beheer/incidenten/" + p3, "{\"opgelostOp\":\"2026-10-30T09:00:00Z\"}")
        .expect(200);

    api.newAfnemer();
    JsonObject r = api.get("/api/v1/beheer/sla-rapportages/2026-10", TestEngine.ADMIN)
        .expect(200)
        .json();
    assertEquals("2026-10", r.getString("maand"));
    JsonObject b = r.getJsonObject("beschikbaarheid");
    assertEquals(745.0, b.getDouble("maandUren"));
    assertEquals(720, b.getInteger("geplandOnderhoudMinuten"));
    assertEquals(120, b.getInteger("ongeplandeUitvalMinuten"));
    assertEquals(60, b.getInteger("uitvalInOnderhoudMinuten"));
    assertEquals(Math.round((43980 - 120) * 10000.0 / 43980) / 100.0, b.getDouble("procent"));
    assertEquals(true, b.getBoolean("binnenNorm"));
    JsonObject i = r.getJsonObject("incidenten");
    assertEquals(2, i.getInteger("aantal"));
    assertEquals(50.0, i.getDouble("procentBinnenNorm"));
    assertEquals(false, i.getBoolean("binnenNorm"), "one of two within the norm is under 85 %");
    assertTrue(r.getJsonObject("productie").getLong("actieveAfnemers") > 0);

    Api.Resp html =
        api.send("GET", "/api/v1/beheer/sla-rapportages/2026-10", TestEngine.ADMIN, null, null);
    var page = HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(api.base + "/api/v1/beheer/sla-rapportages/2026-10"))
                .header("Authorization", "Bearer " + TestEngine.ADMIN)
                .header("Accept", "text/html")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, page.statusCode());
    assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
    assertTrue(
        page.body().contains("<h1>Servicerapportage 2026-10</h1>")
            && page.body().contains("120 minuten"),
        page.body());
    assertEquals(200, html.status());
    assertEquals(
        List.of("maand"),
        api.get("/api/v1/beheer/sla-rapportages/oktober", TestEngine.ADMIN)
            .expect(400)
            .invalidNames());
  }

  private static ZonedDateTime ams(LocalDate d, int uur) {
    return d.atTime(uur, 0).atZone(ZoneId.of("Europe/Amsterdam"));
  }

  private static String rfc(ZonedDateTime t) {
    return t.toOffsetDateTime().toString();
  }

  @Test
  void aMovedWindowIsPlannedWithTenWorkingDaysNoticeAndNotWithLess() {
    LocalDate vandaag = LocalDate.now(ZoneId.of("Europe/Amsterdam"));
    // in time: the 2nd Wednesday of the month after next, moved to the Saturday after it,
    // 22:00-03:00
    YearMonth verre = YearMonth.from(vandaag).plusMonths(2);
    LocalDate woensdag =
        verre.atDay(1).with(TemporalAdjusters.dayOfWeekInMonth(2, DayOfWeek.WEDNESDAY));
    JsonObject tijdig = api.post(
            "/api/v1/beheer/onderhoudsvensters/verplaatsingen",
            TestEngine.ADMIN,
            new JsonObject()
                .put("soort", "PORTAAL_TECHNISCH")
                .put("datum", woensdag.toString())
                .put("van", rfc(ams(woensdag.plusDays(3), 22)))
                .put("tot", rfc(ams(woensdag.plusDays(4), 3)))
                .put("reden", "release"))
        .expect(201)
        .json();
    assertEquals(true, tijdig.getBoolean("gepland"));
    assertEquals(true, tijdig.getBoolean("metDowntime"));
    assertEquals(
        ams(woensdag, 0).toInstant(),
        Instant.parse(tijdig.getJsonObject("verplaatst").getString("oorspronkelijkVan")));
    JsonArray maand = api.get("/api/v1/beheer/onderhoudsvensters?maand=" + verre, TestEngine.ADMIN)
        .expect(200)
        .json()
        .getJsonArray("vensters");
    assertEquals(
        1,
        maand.stream()
            .filter(o -> ((JsonObject) o).getString("soort").equals("PORTAAL_TECHNISCH"))
            .count(),
        "the window is listed once, at its new time");
    JsonObject verplaatst = maand.stream()
        .map(o -> (JsonObject) o)
        .filter(o -> o.getString("soort").equals("PORTAAL_TECHNISCH"))
        .findFirst()
        .orElseThrow();
    assertEquals(
        Instant.parse(verplaatst.getString("van")),
        ams(woensdag.plusDays(3), 22).toInstant());

    // too late: next month's 4th Wednesday moved to the day after tomorrow, announced now
    YearMonth volgende = YearMonth.from(vandaag).plusMonths(1);
    LocalDate vierde =
        volgende.atDay(1).with(TemporalAdjusters.dayOfWeekInMonth(4, DayOfWeek.WEDNESDAY));
    LocalDate straks = vandaag.plusDays(2);
    JsonObject laat = api.post(
            "/api/v1/beheer/onderhoudsvensters/verplaatsingen",
            TestEngine.ADMIN,
            new JsonObject()
                .put("soort", "PORTAAL_FUNCTIONEEL")
                .put("datum", vierde.toString())
                .put("van", rfc(ams(straks, 1)))
                .put("tot", rfc(ams(straks, 5))))
        .expect(201)
        .json();
    assertEquals(false, laat.getBoolean("gepland"), "announced less than 10 working days ahead");
    assertTrue(LocalDate.parse(laat.getJsonObject("verplaatst").getString("vroegsteGeplandeDatum"))
        .isAfter(straks));
    JsonObject inLijst = api
        .get("/api/v1/beheer/onderhoudsvensters?maand=" + YearMonth.from(straks), TestEngine.ADMIN)
        .expect(200)
        .json()
        .getJsonArray("vensters")
        .stream()
        .map(o -> (JsonObject) o)
        .filter(
            o -> o.getString("soort").equals("PORTAAL_FUNCTIONEEL") && o.containsKey("verplaatst"))
        .findFirst()
        .orElseThrow();
    assertEquals(false, inLijst.getBoolean("gepland"));
  }

  @Test
  void aBadMoveIsA400NamingTheFieldAndMovingAPastWindowA409() {
    String pad = "/api/v1/beheer/onderhoudsvensters/verplaatsingen";
    assertEquals(
        List.of("datum", "soort", "tot", "van"),
        api
            .post(
                pad,
                TestEngine.ADMIN,
                new JsonObject()
                    .put("soort", "ZOMAAR")
                    .put("datum", "2027-02-31")
                    .put("tot", "morgen"))
            .expect(400)
            .invalidNames()
            .stream()
            .sorted()
            .toList());
    // 2027-03-09 is a Tuesday, not the 2nd Wednesday
    assertEquals(
        List.of("datum"),
        api.post(
                pad,
                TestEngine.ADMIN,
                new JsonObject()
                    .put("soort", "PORTAAL_TECHNISCH")
                    .put("datum", "2027-03-09")
                    .put("van", "2027-03-13T22:00:00+01:00")
                    .put("tot", "2027-03-14T03:00:00+01:00"))
            .expect(400)
            .invalidNames());
    assertEquals(
        List.of("tot"),
        api.post(
                pad,
                TestEngine.ADMIN,
                new JsonObject()
                    .put("soort", "PORTAAL_TECHNISCH")
                    .put("datum", "2027-03-10")
                    .put("van", "2027-03-13T22:00:00+01:00")
                    .put("tot", "2027-03-13T21:00:00+01:00"))
            .expect(400)
            .invalidNames());
    assertEquals(
        List.of("aangekondigdOp"),
        api.post(
                pad,
                TestEngine.ADMIN,
                new JsonObject()
                    .put("soort", "PORTAAL_TECHNISCH")
                    .put("datum", "2027-03-10")
                    .put("van", "2027-03-13T22:00:00+01:00")
                    .put("tot", "2027-03-14T02:00:00+01:00")
                    .put("aangekondigdOp", "2099-01-01T00:00:00Z"))
            .expect(400)
            .invalidNames());
    // October 2026's 2nd Wednesday is past
    api.post(
            pad,
            TestEngine.ADMIN,
            new JsonObject()
                .put("soort", "PORTAAL_TECHNISCH")
                .put("datum", "2026-10-14")
                .put("van", "2027-03-13T22:00:00+01:00")
                .put("tot", "2027-03-14T02:00:00+01:00"))
        .expect(409);
    api.post(pad, null, new JsonObject()).expect(401);
  }

  @Test
  void aDrainingProcessIsRecordedNotReadyAndVisitorsAreCounted() throws Exception {
    String maand = YearMonth.now(ZoneId.of("Europe/Amsterdam")).toString();
    TestEngine.server()
        .engine()
        .bezoekers()
        .bewaarNu()
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    JsonObject voor = api.get("/api/v1/beheer/sla-rapportages/" + maand, TestEngine.ADMIN)
        .expect(200)
        .json();
    long bezoekersVoor = voor.getJsonObject("productie").getLong("bezoekers");
    long afsluitenVoor = voor.getJsonObject("beschikbaarheid")
        .getJsonObject("gereedheidsstoringenMinuten")
        .getLong("afsluiten", 0L);

    for (int i = 0; i < 2; i++) {
      String token = api.burgerToken(api.newBurger());
      for (int j = 0; j < 3; j++) {
        api.get("/api/v1/berichtenbox/berichten", token).expect(200);
      }
    }
    api.get("/api/v1/berichtenbox", api.burgerToken(Api.newBsn()))
        .expect(200); // a visit without an active box counts too
    TestEngine.server()
        .engine()
        .bezoekers()
        .bewaarNu()
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);

    // a second process starts and drains: while it drains /health/ready says so, then every request
    // (one check for both), and the minute it stopped in is recorded as not ready, "afsluiten"
    EngineConfig tweede = TestEngine.secondEngine(Map.of());
    try (ApiServer server = ApiServer.start(tweede)) {
      Api daar =
          new Api("http://127.0.0.1:" + server.port(), new CitizenJwt(TestEngine.JWT_SECRET));
      JsonObject gereed = daar.get("/health/ready", null).expect(200).json();
      assertEquals("UP", gereed.getString("postgresql"));
      assertEquals("UP", gereed.getString("schijf"));
      assertEquals("UP", gereed.getString("kafka"), "no Kafka face: not held back by it");
      assertNull(gereed.getString("reden"));
      server.engine().drain();
      JsonObject bezig = daar.get("/health/ready", null).expect(503).json();
      assertEquals("DOWN", bezig.getString("status"));
      assertEquals("afsluiten", bezig.getString("reden"));
      // unready, it serves on (BERICHTENBOX_DRAIN_DELAY: a balancer moves clients away first) ...
      daar.get("/api/v1/openapi.json", null)
          .expect(200); // (not a citizen's visit: those are counted below)
      // ... until it refuses new requests, the drain's last part
      server.engine().refuseNewRequests();
      Api.Resp r = daar.get("/api/v1/berichtenbox", daar.burgerToken(Api.newBsn()));
      assertEquals(503, r.status());
      assertEquals("1", r.header("Retry-After"));
    }
    JsonObject na = api.get("/api/v1/beheer/sla-rapportages/" + maand, TestEngine.ADMIN)
        .expect(200)
        .json();
    assertEquals(
        bezoekersVoor + 3,
        na.getJsonObject("productie").getLong("bezoekers"),
        "three citizens, each counted once");
    long afsluitenNa = na.getJsonObject("beschikbaarheid")
        .getJsonObject("gereedheidsstoringenMinuten")
        .getLong("afsluiten", 0L);
    Integer rijen = TestEngine.server()
        .engine()
        .pool()
        .query(
            "SELECT count(*)::int FROM gereedheid_storing WHERE reden = 'afsluiten' AND minuut >= date_trunc('minute', now()) - interval '1 minute'")
        .execute()
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS)
        .iterator()
        .next()
        .getInteger(0);
    assertTrue(rijen >= 1, "the drain is recorded");
    assertTrue(
        afsluitenNa >= Math.max(1, afsluitenVoor),
        "and reported: " + na.getJsonObject("beschikbaarheid"));
  }
}
