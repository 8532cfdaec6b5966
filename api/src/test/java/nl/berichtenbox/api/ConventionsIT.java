package nl.berichtenbox.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import nl.berichtenbox.api.http.RouteTable;
import org.junit.jupiter.api.Test;

/** Contract §0 and §4 on every route: headers, problems, 404/405/415, OpenAPI, health, metrics. */
class ConventionsIT {
  private final Api api = TestEngine.api();

  @Test
  void everyResponseCarriesVersionAndSecurityHeaders() {
    for (Api.Resp r : List.of(
        api.get("/api/v1/bericht-typen", null),
        api.get("/api/v1/nope", null),
        api.get("/api/v1/openapi.json", null),
        api.get("/health/live", null))) {
      assertEquals("1.0.0", r.header("API-Version"));
      assertEquals("no-store", r.header("Cache-Control"));
      assertEquals("frame-ancestors 'none'", r.header("Content-Security-Policy"));
      assertEquals("nosniff", r.header("X-Content-Type-Options"));
      assertEquals("DENY", r.header("X-Frame-Options"));
    }
  }

  @Test
  void unknownRouteAndTrailingSlashAre404Problems() {
    Api.Resp r = api.get("/api/v1/bestaat-niet", null).expect(404);
    assertEquals("application/problem+json", r.header("Content-Type"));
    assertEquals(404, r.json().getInteger("status"));
    Api.Resp slash = api.get("/api/v1/verwerkingsberichten/", null).expect(404);
    assertEquals("application/problem+json", slash.header("Content-Type"));
    api.get("/api/v1/beheer/afnemers/", TestEngine.ADMIN).expect(404);
  }

  @Test
  void wrongMethodIs405WithAllow() {
    Api.Resp r = api.send("DELETE", "/api/v1/berichten", null, null, null).expect(405);
    assertEquals("POST", r.header("Allow"));
    assertEquals("application/problem+json", r.header("Content-Type"));
    Api.Resp r2 = api.send("DELETE", "/api/v1/batches", null, null, null).expect(405);
    assertEquals("POST, GET", r2.header("Allow"));
    assertEquals(
        "GET, PUT",
        api.send("POST", "/api/v1/bericht-typen/X", null, null, null)
            .expect(405)
            .header("Allow"));
    // the citizen face is a sub-router of its own (RouteTable.mount): the same answers through it
    assertEquals(
        "GET, PUT",
        api.send("DELETE", "/api/v1/berichtenbox", null, null, null).expect(405).header("Allow"));
    assertEquals(
        "GET, PATCH, DELETE",
        api.send("POST", "/api/v1/berichtenbox/berichten/" + UUID.randomUUID(), null, null, null)
            .expect(405)
            .header("Allow"));
    assertEquals(
        "application/problem+json",
        api.send("POST", "/api/v1/berichtenbox/berichten", null, null, null)
            .expect(405)
            .header("Content-Type"));
    api.get("/api/v1/berichtenboxen", null).expect(404);
    api.get("/api/v1/berichtenbox/onbekend", null).expect(404);
    api.get("/api/v1/berichtenbox/berichten/" + UUID.randomUUID() + "/bijlagen/1/meer", null)
        .expect(404);
  }

  @Test
  void openApiDocumentIsPublicAndDescribesEveryRoute() throws IOException {
    Api.Resp r = api.get("/api/v1/openapi.json", null).expect(200);
    assertEquals("*", r.header("Access-Control-Allow-Origin"));
    JsonObject doc = r.json();
    assertTrue(doc.getString("openapi").startsWith("3."));
    JsonObject paths = doc.getJsonObject("paths");
    List<String> missing = new ArrayList<>();
    RouteTable table = TestEngine.server().firstVerticle().routes();
    assertTrue(table.entries().size() > 15);
    for (RouteTable.Entry e : table.entries()) {
      String path = e.path().substring("/api/v1".length());
      JsonObject item = paths.getJsonObject(path);
      if (item == null || !item.containsKey(e.method().name().toLowerCase())) {
        missing.add(e.method() + " " + e.path());
      }
    }
    assertEquals(List.of(), missing, "routes missing from openapi.yaml");
    // CI lints exactly what the engine serves with the NL API Design Rules linter (.ci/run).
    Files.writeString(Path.of("target", "openapi.json"), r.raw().body());
  }

  @Test
  void healthAndMetrics() {
    assertEquals("UP", api.get("/health/live", null).expect(200).json().getString("status"));
    assertEquals("UP", api.get("/health/ready", null).expect(200).json().getString("postgresql"));
    Api.Resp m = api.get("/metrics", null).expect(200);
    assertTrue(m.header("Content-Type").startsWith("text/plain"));
    assertTrue(m.raw().body().contains("# TYPE berichtenbox_berichten_geparkeerd_total counter"));
    assertTrue(m.raw().body().contains("# TYPE berichtenbox_verwerkingsduur_seconds histogram"));
  }
}
