package nl.berichtenbox.loadtest;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import nl.berichtenbox.engine.store.Seeder;
import org.HdrHistogram.Histogram;

/**
 * Afnemer services against a seeded store (`bin/berichtenbox seed --burgers=1000000`):
 * the Validatieservice with 250 random citizens a call at an open arrival rate, then an ALLES
 * export for the afnemer every citizen accepts, timed from request to the last line read.
 *
 * <pre>
 * java -cp loadtest/target/loadtest.jar nl.berichtenbox.loadtest.AfnemerDienstenLoad --url=http://localhost:8080 \
 *      --burgers=1000000 --rate=20 --seconds=60 [--out=result.json]
 * </pre>
 */
public final class AfnemerDienstenLoad {
  public static void main(String[] argv) throws Exception {
    Map<String, String> args = LoadClient.args(argv);
    try (LoadClient http = new LoadClient(args.getOrDefault("url", "http://localhost:8080"), 16)) {
      run(http, args);
    }
  }

  private static void run(LoadClient http, Map<String, String> args) throws Exception {
    int burgers = Integer.parseInt(args.getOrDefault("burgers", "1000000"));
    int rate = Integer.parseInt(args.getOrDefault("rate", "20"));
    int seconds = Integer.parseInt(args.getOrDefault("seconds", "60"));
    String[] bsns = Seeder.bsns(burgers);
    String alleOin = String.format("%020d", 900000000001L);
    String key = "bbx_seed_" + alleOin;

    // Validatieservice: 250 BSNs a call
    int warmup = 5;
    long total = (long) rate * (warmup + seconds);
    Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
    AtomicLong sturen = new AtomicLong();
    http.offer(
            rate,
            total,
            i -> {
              JsonArray lijst = new JsonArray();
              ThreadLocalRandom r = ThreadLocalRandom.current();
              for (int k = 0; k < 250; k++) {
                lijst.add(bsns[r.nextInt(burgers)]);
              }
              return http.call(
                      HttpMethod.POST,
                      "/api/v1/abonnementen/_valideren",
                      key,
                      new JsonObject()
                          .put("berichtType", "ALG")
                          .put("bsns", lijst)
                          .encode())
                  .map(res -> {
                    if (res.status() == 200 && i >= (long) rate * warmup) {
                      new JsonObject(res.body())
                          .getJsonArray("resultaten")
                          .forEach(o -> sturen.addAndGet(
                              ((JsonObject) o).getBoolean("berichtSturen") ? 1 : 0));
                    }
                    return res;
                  });
            },
            (i, took, s) -> {
              if (i >= (long) rate * warmup) {
                synchronized (h) {
                  h.recordValue(Math.min(took, h.getHighestTrackableValue()));
                }
                statuses.computeIfAbsent(s, x -> new AtomicLong()).incrementAndGet();
              }
            })
        .get(warmup + seconds + 120, TimeUnit.SECONDS);
    JsonObject st = new JsonObject();
    statuses.forEach((k, v) -> st.put(String.valueOf(k), v.get()));
    JsonObject validatie = new JsonObject()
        .put("offeredRate", rate)
        .put("seconds", seconds)
        .put("bsnsPerCall", 250)
        .put("statuses", st)
        .put("berichtSturenTrue", sturen.get())
        .put("latencyMs", LoadClient.percentiles(h, 1e6));

    // ALLES export for the afnemer every seeded citizen accepts
    long t0 = System.nanoTime();
    JsonObject verzoek = new JsonObject(http.blocking(
            HttpMethod.POST,
            "/api/v1/abonnementen/verzoeken",
            key,
            new JsonObject().put("soort", "ALLES").encode())
        .body());
    String id = verzoek.getString("id");
    if (id == null) {
      throw new IllegalStateException("ALLES refused: " + verzoek.encode());
    }
    JsonObject status;
    do {
      Thread.sleep(100);
      status = new JsonObject(
          http.blocking(HttpMethod.GET, "/api/v1/abonnementen/verzoeken/" + id, key, null)
              .body());
    } while ("IN_BEHANDELING".equals(status.getString("status")));
    double gereed = (System.nanoTime() - t0) / 1e9;
    long t1 = System.nanoTime();
    LoadClient.Resp res = http.blocking(
        HttpMethod.GET, "/api/v1/abonnementen/verzoeken/" + id + "/resultaat", key, null);
    long lines = res.body().toString().lines().count();
    double download = (System.nanoTime() - t1) / 1e9;
    JsonObject alles = new JsonObject()
        .put("status", status.getString("status"))
        .put("aantal", status.getLong("aantal"))
        .put("regels", lines)
        .put("bytes", res.body().length())
        .put("secondenTotGereed", LoadClient.round(gereed))
        .put("secondenDownload", LoadClient.round(download))
        .put("secondenTotaal", LoadClient.round(gereed + download));

    JsonObject result = new JsonObject()
        .put("scenario", "afnemerdiensten")
        .put("burgers", burgers)
        .put("validatieservice", validatie)
        .put("alles", alles);
    System.out.println(result.encodePrettily());
    if (args.containsKey("out")) {
      Files.writeString(Path.of(args.get("out")), result.encodePrettily());
    }
  }
}
