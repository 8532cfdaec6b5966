package nl.berichtenbox.api.ops;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.sqlclient.Pool;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import nl.berichtenbox.api.http.Http;
import nl.berichtenbox.engine.metrics.EngineMetrics;

/** Operations face (contract §4) and the OpenAPI document (§0). */
public final class OperationsRoutes {
  private final Pool pool;
  private final java.util.function.Supplier<io.vertx.core.Future<Boolean>> kafka;
  private final EngineMetrics metrics;
  private final Buffer openApi;
  private final BooleanSupplier draining;
  private final BooleanSupplier schijfVol;

  public OperationsRoutes(Pool pool, java.util.function.Supplier<io.vertx.core.Future<Boolean>> kafka,
      EngineMetrics metrics, Buffer openApi, BooleanSupplier draining, BooleanSupplier schijfVol) {
    this.schijfVol = schijfVol;
    this.pool = pool;
    this.kafka = kafka;
    this.metrics = metrics;
    this.openApi = openApi;
    this.draining = draining;
  }

  public void mount(Router router, nl.berichtenbox.api.http.RouteTable table) {
    router.get("/health/live").handler(ctx -> Http.json(ctx, 200, new JsonObject().put("status", "UP")));
    router.get("/health/ready").handler(ctx -> {
      if (draining.getAsBoolean()) {
        Http.json(ctx, 503, new JsonObject().put("status", "DOWN").put("reden", "wordt afgesloten"));
        return;
      }
      if (schijfVol.getAsBoolean()) {
        Http.json(ctx, 503, new JsonObject().put("status", "DOWN").put("reden", "de schijf van de datamap is vol"));
        return;
      }
      io.vertx.core.Future<Boolean> pg = pool.query("SELECT 1").execute().timeout(2, TimeUnit.SECONDS)
          .map(true).otherwise(false);
      io.vertx.core.Future<Boolean> k = kafka.get().timeout(3, TimeUnit.SECONDS).otherwise(false);
      io.vertx.core.Future.join(pg, k).onComplete(ar -> {
        boolean up = pg.result() && k.result();
        Http.json(ctx, up ? 200 : 503, new JsonObject().put("status", up ? "UP" : "DOWN")
            .put("postgresql", pg.result() ? "UP" : "DOWN").put("kafka", k.result() ? "UP" : "DOWN"));
      });
    });
    router.get("/metrics").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
        .end(metrics.prometheus()));
    table.add(router, io.vertx.core.http.HttpMethod.GET, "/api/v1/openapi.json", ctx -> ctx.response()
        .putHeader("Content-Type", "application/json")
        .putHeader("Access-Control-Allow-Origin", "*")
        .end(openApi));
  }
}
