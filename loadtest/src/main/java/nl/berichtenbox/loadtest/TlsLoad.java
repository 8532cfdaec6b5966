package nl.berichtenbox.loadtest;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * TLS cost on the server: a closed loop of `concurrency` clients for `seconds`, either each
 * request on a new connection (a full handshake every time) or on kept-alive connections.
 * GET /health/live, so the figure is TLS and HTTP, not the engine's work.
 *
 * <pre>
 * java -cp loadtest/target/loadtest.jar nl.berichtenbox.loadtest.TlsLoad --url=https://localhost:8443 \
 *      --ca=ca.crt --mode=handshake|keepalive --seconds=20 --concurrency=16
 * </pre>
 */
public final class TlsLoad {
  public static void main(String[] argv) throws Exception {
    Map<String, String> args = LoadClient.args(argv);
    URI u = URI.create(args.get("url"));
    boolean handshake = "handshake".equals(args.getOrDefault("mode", "handshake"));
    int seconds = Integer.parseInt(args.getOrDefault("seconds", "20"));
    int concurrency = Integer.parseInt(args.getOrDefault("concurrency", "16"));
    Vertx vertx = Vertx.vertx();
    HttpClient client = vertx.createHttpClient(
        new HttpClientOptions()
            .setSsl(true)
            .setKeepAlive(!handshake)
            .setTrustOptions(new PemTrustOptions().addCertPath(args.get("ca")))
            .setDefaultHost(u.getHost())
            .setDefaultPort(u.getPort()),
        new PoolOptions().setHttp1MaxSize(concurrency));
    Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    CompletableFuture<Void> done = new CompletableFuture<>();
    AtomicLong running = new AtomicLong(concurrency);
    for (int c = 0; c < concurrency; c++) {
      vertx.runOnContext(v -> loop(client, end, h, ok, failed, running, done));
    }
    done.get(seconds + 60, TimeUnit.SECONDS);
    JsonObject result = new JsonObject()
        .put("mode", handshake ? "new connection per request" : "keep-alive")
        .put("concurrency", concurrency)
        .put("seconds", seconds)
        .put("ok", ok.get())
        .put("failed", failed.get())
        .put("perSecond", LoadClient.round(ok.get() / (double) seconds))
        .put("latencyMs", LoadClient.percentiles(h, 1e6));
    System.out.println(result.encodePrettily());
    if (args.containsKey("out")) {
      Files.writeString(Path.of(args.get("out")), result.encodePrettily());
    }
    vertx.close();
  }

  private static void loop(
      HttpClient client,
      long end,
      Histogram h,
      AtomicLong ok,
      AtomicLong failed,
      AtomicLong running,
      CompletableFuture<Void> done) {
    if (System.nanoTime() >= end) {
      if (running.decrementAndGet() == 0) {
        done.complete(null);
      }
      return;
    }
    long start = System.nanoTime();
    Future<Integer> f = client
        .request(new RequestOptions().setMethod(HttpMethod.GET).setURI("/health/live"))
        .compose(req -> req.send())
        .compose(res -> res.body().map(b -> res.statusCode()));
    f.onComplete(ar -> {
      if (ar.succeeded() && ar.result() == 200) {
        ok.incrementAndGet();
        synchronized (h) {
          h.recordValue(Math.min(System.nanoTime() - start, h.getHighestTrackableValue()));
        }
      } else {
        failed.incrementAndGet();
      }
      loop(client, end, h, ok, failed, running, done);
    });
  }
}
