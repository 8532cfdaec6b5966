package nl.berichtenbox.api.ops;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import nl.berichtenbox.api.http.Http;
import nl.berichtenbox.engine.Readiness;
import nl.berichtenbox.engine.metrics.EngineMetrics;

/** Operations face (contract §4) and the OpenAPI document (§0). */
public final class OperationsRoutes {
  private final Readiness gereedheid;
  private final EngineMetrics metrics;
  private final Buffer openApi;

  public OperationsRoutes(Readiness gereedheid, EngineMetrics metrics, Buffer openApi) {
    this.gereedheid = gereedheid;
    this.metrics = metrics;
    this.openApi = openApi;
  }

  public void mount(Router router, nl.berichtenbox.api.http.RouteTable table) {
    table.addBuitenDocument(
        router,
        io.vertx.core.http.HttpMethod.GET,
        "/health/live",
        ctx -> Http.json(ctx, 200, new JsonObject().put("status", "UP")));
    // the heartbeats of the service-level record ask the same check, so both say the same
    table.addBuitenDocument(
        router,
        io.vertx.core.http.HttpMethod.GET,
        "/health/ready",
        ctx -> gereedheid.toets().onSuccess(t -> {
          JsonObject body = new JsonObject().put("status", t.gereed() ? "UP" : "DOWN");
          if (t.reden() != Readiness.Reden.AFSLUITEN) {
            body.put("postgresql", t.postgresql() ? "UP" : "DOWN")
                .put("kafka", t.kafka() ? "UP" : "DOWN");
          }
          if (!t.gereed()) {
            body.put("reden", t.reden().code).put("toelichting", t.reden().tekst);
          }
          Http.json(ctx, t.gereed() ? 200 : 503, body);
        }));
    // on a worker: the scrape reads /proc (open files, CPU) and writes every series, not event-loop
    // work
    table.addBuitenDocument(
        router,
        io.vertx.core.http.HttpMethod.GET,
        "/metrics",
        ctx -> ctx.vertx()
            .executeBlocking(metrics::prometheus, false)
            .onSuccess(tekst -> ctx.response()
                .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                .end(tekst))
            .onFailure(ctx::fail));
    table.add(
        router,
        io.vertx.core.http.HttpMethod.GET,
        "/api/v1/openapi.json",
        ctx -> ctx.response()
            .putHeader("Content-Type", "application/json")
            .putHeader("Access-Control-Allow-Origin", "*")
            .end(openApi));
  }
}
