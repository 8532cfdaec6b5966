package nl.berichtenbox.api.ops;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import nl.berichtenbox.api.http.Http;
import nl.berichtenbox.api.http.RouteTable;
import nl.berichtenbox.engine.Readiness;
import nl.berichtenbox.engine.metrics.EngineMetrics;

/** Operations face (contract §4) and the OpenAPI document (§0). */
public final class OperationsRoutes {
  private final Readiness readiness;
  private final EngineMetrics metrics;
  private final Buffer openApi;

  public OperationsRoutes(Readiness readiness, EngineMetrics metrics, Buffer openApi) {
    this.readiness = readiness;
    this.metrics = metrics;
    this.openApi = openApi;
  }

  public void mount(Router router, RouteTable table) {
    table.addUndocumented(
        router,
        HttpMethod.GET,
        "/health/live",
        ctx -> Http.json(ctx, 200, new JsonObject().put("status", "UP")));
    // the heartbeats of the service-level record ask the same check, so both say the same
    table.addUndocumented(
        router,
        HttpMethod.GET,
        "/health/ready",
        ctx -> readiness.check().onSuccess(t -> {
          JsonObject body = new JsonObject().put("status", t.ready() ? "UP" : "DOWN");
          if (t.reason() != Readiness.Reason.DRAINING) {
            // each part the process depends on, by the name operators know it by
            body.put("postgresql", upOrDown(t, Readiness.Reason.DATABASE))
                .put("kafka", upOrDown(t, Readiness.Reason.KAFKA))
                .put("schijf", upOrDown(t, Readiness.Reason.DISK));
          }
          if (!t.ready()) {
            body.put("reden", t.reason().code).put("toelichting", t.reason().text);
          }
          Http.json(ctx, t.ready() ? 200 : 503, body);
        }));
    // on a worker: the scrape reads /proc (open files, CPU) and writes every series, not event-loop
    // work
    table.addUndocumented(
        router,
        HttpMethod.GET,
        "/metrics",
        ctx -> ctx.vertx()
            .executeBlocking(metrics::prometheus, false)
            .onSuccess(tekst -> ctx.response()
                .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                .end(tekst))
            .onFailure(ctx::fail));
    table.add(
        router,
        HttpMethod.GET,
        "/api/v1/openapi.json",
        ctx -> ctx.response()
            .putHeader("Content-Type", "application/json")
            .putHeader("Access-Control-Allow-Origin", "*")
            .end(openApi));
  }

  private static String upOrDown(Readiness.State state, Readiness.Reason part) {
    return state.up(part) ? "UP" : "DOWN";
  }
}
