package nl.berichtenbox.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Incidents and the maintenance calendar over the operator face (contract §5): priority and
 * deadline from the agreement, resolution within or outside the norm, a month's list, and every
 * bad input a 400 naming the field.
 */
class SlaBeheerTest {
  private final Api api = TestEngine.api();

  private Api.Resp patch(String path, String json) {
    return api.send("PATCH", path, TestEngine.ADMIN, "application/merge-patch+json", json);
  }

  @Test
  void anIncidentGetsItsPriorityAndDeadlineAndIsJudgedWhenResolved() {
    // Friday 27 November 2026 16:30 in Amsterdam: a P2 runs 20 office hours, to Wednesday 09:30
    JsonObject p2 = api.post("/api/v1/beheer/incidenten", TestEngine.ADMIN, new JsonObject()
        .put("omschrijving", "Portaal traag").put("impact", "HOOG").put("urgentie", "MIDDEN")
        .put("gemeldOp", "2026-11-27T16:30:00+01:00")).expect(201).json();
    assertEquals(2, p2.getInteger("prioriteit"));
    assertEquals("2026-11-27T15:30:00.000Z", p2.getString("gemeldOp"));
    assertEquals("2026-12-02T08:30:00.000Z", p2.getString("deadline"));
    assertNull(p2.getValue("binnenNorm"), "open and not yet late: not judged");

    JsonObject opgelost = patch("/api/v1/beheer/incidenten/" + p2.getString("id"),
        "{\"opgelostOp\":\"2026-12-01T10:00:00+01:00\"}").expect(200).json();
    assertEquals(true, opgelost.getBoolean("binnenNorm"));

    // a P1 reported long ago and resolved late
    JsonObject p1 = api.post("/api/v1/beheer/incidenten", TestEngine.ADMIN, new JsonObject()
        .put("omschrijving", "Berichtenbox onbereikbaar").put("impact", "HOOG").put("urgentie", "HOOG")
        .put("gemeldOp", "2026-11-03T08:00:00Z")).expect(201).json();
    assertEquals("2026-11-03T14:00:00.000Z", p1.getString("deadline"));
    assertEquals(false, p1.getBoolean("binnenNorm"), "open past its deadline");
    assertEquals(false, patch("/api/v1/beheer/incidenten/" + p1.getString("id"),
        "{\"opgelostOp\":\"2026-11-03T15:00:00Z\"}").expect(200).json().getBoolean("binnenNorm"));

    JsonArray november = api.get("/api/v1/beheer/incidenten?maand=2026-11", TestEngine.ADMIN).expect(200).json()
        .getJsonArray("incidenten");
    List<String> ids = november.stream().map(o -> ((JsonObject) o).getString("id")).toList();
    assertTrue(ids.indexOf(p1.getString("id")) >= 0 && ids.indexOf(p1.getString("id")) < ids.indexOf(p2.getString("id")),
        "both, oldest first");
    assertFalse(api.get("/api/v1/beheer/incidenten?maand=2026-10", TestEngine.ADMIN).expect(200).json()
        .getJsonArray("incidenten").stream().anyMatch(o -> ids.contains(((JsonObject) o).getString("id"))));
  }

  @Test
  void badIncidentInputIsA400NamingTheField() {
    assertEquals(List.of("impact", "omschrijving"), api.post("/api/v1/beheer/incidenten", TestEngine.ADMIN,
        new JsonObject().put("impact", "ERG").put("urgentie", "LAAG")).expect(400).invalidNames().stream().sorted().toList());
    assertEquals(List.of("gemeldOp"), api.post("/api/v1/beheer/incidenten", TestEngine.ADMIN, new JsonObject()
        .put("omschrijving", "x").put("impact", "LAAG").put("urgentie", "LAAG").put("gemeldOp", "2099-01-01T00:00:00Z"))
        .expect(400).invalidNames());
    String id = api.post("/api/v1/beheer/incidenten", TestEngine.ADMIN, new JsonObject().put("omschrijving", "x")
        .put("impact", "LAAG").put("urgentie", "LAAG").put("gemeldOp", "2026-11-10T10:00:00Z")).expect(201).json()
        .getString("id");
    assertEquals(List.of("opgelostOp"), patch("/api/v1/beheer/incidenten/" + id, "{\"opgelostOp\":\"2026-11-09T10:00:00Z\"}")
        .expect(400).invalidNames());
    assertEquals(List.of("opgelostOp"), patch("/api/v1/beheer/incidenten/" + id, "{\"opgelostOp\":\"gisteren\"}")
        .expect(400).invalidNames());
    patch("/api/v1/beheer/incidenten/00000000-0000-0000-0000-000000000000", "{\"opgelostOp\":\"2026-11-10T11:00:00Z\"}")
        .expect(404);
    patch("/api/v1/beheer/incidenten/geen-id", "{\"opgelostOp\":\"2026-11-10T11:00:00Z\"}").expect(404);
    assertEquals(List.of("maand"), api.get("/api/v1/beheer/incidenten?maand=2026-13", TestEngine.ADMIN).expect(400)
        .invalidNames());
    api.get("/api/v1/beheer/incidenten", null).expect(401);
  }

  @Test
  void theMaintenanceWindowsOfAMonth() {
    JsonObject april = api.get("/api/v1/beheer/onderhoudsvensters?maand=2026-04", TestEngine.ADMIN).expect(200).json();
    assertEquals("2026-04", april.getString("maand"));
    JsonArray v = april.getJsonArray("vensters");
    assertEquals(3, v.size());
    assertEquals(new JsonObject().put("soort", "PORTAAL_TECHNISCH").put("van", "2026-04-07T22:00:00.000Z")
        .put("tot", "2026-04-08T04:00:00.000Z").put("metDowntime", true), v.getJsonObject(0));
    assertEquals(new JsonObject().put("soort", "BERICHTENBOX").put("van", "2026-04-14T07:00:00.000Z")
        .put("tot", "2026-04-14T13:00:00.000Z").put("metDowntime", false), v.getJsonObject(1));
    assertEquals("PORTAAL_FUNCTIONEEL", v.getJsonObject(2).getString("soort"));
    assertEquals(List.of("maand"), api.get("/api/v1/beheer/onderhoudsvensters?maand=april", TestEngine.ADMIN)
        .expect(400).invalidNames());
    api.get("/api/v1/beheer/onderhoudsvensters", null).expect(401);
  }

  @Test
  void theMonthlyReportJudgesAvailabilityFromHeartbeatsAndIncidentsAgainstTheirNorms() throws Exception {
    // an engine that ran all of October 2026 but for two hours on Tuesday the 20th, and an hour
    // in the 2nd Wednesday's window (planned)
    TestEngine.server().engine().pool().query("""
        INSERT INTO hartslag (minuut, proces, gereed)
        SELECT m, '00000000-0000-0000-0000-00000000a001', true
        FROM generate_series(timestamptz '2026-10-01 00:00 Europe/Amsterdam', timestamptz '2026-11-01 00:00 Europe/Amsterdam'
                             - interval '1 minute', interval '1 minute') m
        WHERE NOT (m >= timestamptz '2026-10-20 12:00 Europe/Amsterdam' AND m < timestamptz '2026-10-20 14:00 Europe/Amsterdam')
          AND NOT (m >= timestamptz '2026-10-14 01:00 Europe/Amsterdam' AND m < timestamptz '2026-10-14 02:00 Europe/Amsterdam')
        ON CONFLICT DO NOTHING""").execute().toCompletionStage().toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
    String p1 = api.post("/api/v1/beheer/incidenten", TestEngine.ADMIN, new JsonObject().put("omschrijving", "storing")
        .put("impact", "HOOG").put("urgentie", "HOOG").put("gemeldOp", "2026-10-20T10:00:00Z")).expect(201).json().getString("id");
    patch("/api/v1/beheer/incidenten/" + p1, "{\"opgelostOp\":\"2026-10-20T12:05:00Z\"}").expect(200);
    String p3 = api.post("/api/v1/beheer/incidenten", TestEngine.ADMIN, new JsonObject().put("omschrijving", "typfout")
        .put("impact", "LAAG").put("urgentie", "LAAG").put("gemeldOp", "2026-10-01T09:00:00Z")).expect(201).json().getString("id");
    patch("/api/v1/beheer/incidenten/" + p3, "{\"opgelostOp\":\"2026-10-30T09:00:00Z\"}").expect(200);

    api.newAfnemer();
    JsonObject r = api.get("/api/v1/beheer/sla-rapportages/2026-10", TestEngine.ADMIN).expect(200).json();
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

    Api.Resp html = api.send("GET", "/api/v1/beheer/sla-rapportages/2026-10", TestEngine.ADMIN, null, null);
    var page = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create(api.base + "/api/v1/beheer/sla-rapportages/2026-10"))
        .header("Authorization", "Bearer " + TestEngine.ADMIN).header("Accept", "text/html").build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(200, page.statusCode());
    assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
    assertTrue(page.body().contains("<h1>Servicerapportage 2026-10</h1>") && page.body().contains("120 minuten"), page.body());
    assertEquals(200, html.status());
    assertEquals(List.of("maand"), api.get("/api/v1/beheer/sla-rapportages/oktober", TestEngine.ADMIN).expect(400)
        .invalidNames());
  }
}
