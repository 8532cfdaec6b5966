package nl.berichtenbox.loadtest;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import nl.berichtenbox.engine.store.Seeder;
import org.HdrHistogram.Histogram;

/**
 * Portal traffic against a seeded store (`bin/berichtenbox seed`), open arrival model: 50 % first
 * page of the inbox, 10 % a next page (cursor), 5 % search, 25 % read a message, 10 % download
 * an attachment, for random citizens. Latency is measured from the moment a request was due
 * (coordinated-omission safe), per kind, over all, and per second of the run (its count, p99 and
 * maximum, by when the requests were due).
 *
 * <pre>
 * java -cp loadtest/target/loadtest.jar nl.berichtenbox.loadtest.PresentatieLoad --url=http://localhost:8080 \
 *      --jwt=SECRET --rate=2000 --seconds=60 [--burgers=100000] [--out=result.json]
 * </pre>
 */
public final class PresentatieLoad {
  enum Soort {
    LIJST,
    VOLGENDE,
    ZOEK,
    LEES,
    BIJLAGE
  }

  private record Voorbeeld(
      String bsn, String token, List<String> ids, List<String> metBijlage, String cursor) {}

  public static void main(String[] argv) throws Exception {
    Map<String, String> args = LoadClient.args(argv);
    try (LoadClient http = new LoadClient(
        args.getOrDefault("url", "http://localhost:8080"),
        Integer.parseInt(args.getOrDefault("connections", "64")))) {
      run(http, args);
    }
  }

  private static void run(LoadClient http, Map<String, String> args) throws Exception {
    String secret = args.get("jwt");
    int rate = Integer.parseInt(args.getOrDefault("rate", "2000"));
    int seconds = Integer.parseInt(args.getOrDefault("seconds", "60"));
    int warmup = Integer.parseInt(args.getOrDefault("warmup", "10"));
    int burgers = Integer.parseInt(args.getOrDefault("burgers", "100000"));
    String[] bsns = Seeder.bsns(burgers);

    // sample: ids and next-page cursors of 2 000 random citizens
    List<Voorbeeld> sample = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      String bsn = bsns[ThreadLocalRandom.current().nextInt(burgers)];
      String tok = LoadClient.jwt(secret, bsn);
      JsonArray page = new JsonObject(
              http.blocking(HttpMethod.GET, "/api/v1/berichtenbox/berichten?limit=20", tok, null)
                  .body())
          .getJsonArray("berichten");
      List<String> ids = new ArrayList<>();
      List<String> bij = new ArrayList<>();
      page.forEach(o -> {
        JsonObject b = (JsonObject) o;
        ids.add(b.getString("id"));
        if (b.getInteger("aantalBijlagen") > 0) {
          bij.add(b.getString("id"));
        }
      });
      String cursor = new JsonObject(
              http.blocking(HttpMethod.GET, "/api/v1/berichtenbox/berichten?limit=3", tok, null)
                  .body())
          .getString("volgende");
      if (!ids.isEmpty()) {
        sample.add(new Voorbeeld(bsn, tok, ids, bij, cursor));
      }
    }
    if (sample.isEmpty()) {
      throw new IllegalStateException(
          "no messages found: seed the store first (bin/berichtenbox seed)");
    }

    Map<Soort, Histogram> perSoort = new EnumMap<>(Soort.class);
    for (Soort s : Soort.values()) {
      perSoort.put(s, new Histogram(TimeUnit.SECONDS.toNanos(60), 3));
    }
    Histogram all = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    // per second of the measured window, by when each request was due: a stall shows as the
    // seconds it covered, not only as a fatter tail
    Histogram[] perSeconde = new Histogram[seconds];
    for (int s = 0; s < seconds; s++) {
      perSeconde[s] = new Histogram(TimeUnit.SECONDS.toNanos(60), 2);
    }
    Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
    long total = (long) rate * (warmup + seconds);
    long measuredFrom = (long) rate * warmup;
    Soort[] soorten = new Soort[(int) total];
    // when the measured window began, by the wall clock: to lay its seconds beside the machine's
    AtomicLong measuredStart = new AtomicLong();
    CompletableFuture<Void> done = http.offer(
        rate,
        total,
        i -> {
          ThreadLocalRandom r = ThreadLocalRandom.current();
          int p = r.nextInt(100);
          Soort soort;
          String path;
          String token;
          Voorbeeld vb = sample.get(r.nextInt(sample.size()));
          if (p < 50) {
            soort = Soort.LIJST;
            token = LoadClient.jwt(secret, bsns[r.nextInt(burgers)]);
            path = "/api/v1/berichtenbox/berichten";
          } else if (p < 60 && vb.cursor() != null) {
            soort = Soort.VOLGENDE;
            token = vb.token();
            path = "/api/v1/berichtenbox/berichten?limit=3&cursor=" + vb.cursor();
          } else if (p < 65) {
            soort = Soort.ZOEK;
            token = LoadClient.jwt(secret, bsns[r.nextInt(burgers)]);
            path = "/api/v1/berichtenbox/berichten?zoek=aanslag";
          } else if (p < 90 || vb.metBijlage().isEmpty()) {
            soort = Soort.LEES;
            token = vb.token();
            path = "/api/v1/berichtenbox/berichten/"
                + vb.ids().get(r.nextInt(vb.ids().size()));
          } else {
            soort = Soort.BIJLAGE;
            token = vb.token();
            path = "/api/v1/berichtenbox/berichten/"
                + vb.metBijlage().get(r.nextInt(vb.metBijlage().size())) + "/bijlagen/1";
          }
          soorten[(int) i] = soort;
          if (i == measuredFrom) {
            measuredStart.set(System.currentTimeMillis());
          }
          return http.call(HttpMethod.GET, path, token, null);
        },
        (i, took, s) -> {
          if (i >= measuredFrom) {
            long t = Math.min(took, all.getHighestTrackableValue());
            synchronized (all) {
              all.recordValue(t);
              perSoort.get(soorten[(int) i]).recordValue(t);
              perSeconde[(int) Math.min(seconds - 1, (i - measuredFrom) / rate)].recordValue(t);
            }
            statuses.computeIfAbsent(s, k -> new AtomicLong()).incrementAndGet();
          }
        });
    done.get(warmup + seconds + 120, TimeUnit.SECONDS);

    JsonObject kinds = new JsonObject();
    perSoort.forEach((k, h) -> kinds.put(k.name().toLowerCase(), LoadClient.percentiles(h, 1e6)));
    JsonArray seconden = new JsonArray();
    for (Histogram h : perSeconde) {
      seconden.add(new JsonObject()
          .put("n", h.getTotalCount())
          .put("p99Ms", LoadClient.round(h.getValueAtPercentile(99) / 1e6))
          .put("maxMs", LoadClient.round(h.getMaxValue() / 1e6)));
    }
    JsonObject st = new JsonObject();
    statuses.forEach((k, v) -> st.put(String.valueOf(k), v.get()));
    JsonObject result = new JsonObject()
        .put("scenario", "presentatie")
        .put("offeredRate", rate)
        .put("seconds", seconds)
        .put("measuredFromEpochMs", measuredStart.get())
        .put("statuses", st)
        .put("failures", http.failuresJson())
        .put("latencyMs", LoadClient.percentiles(all, 1e6))
        .put("perSoortMs", kinds)
        .put("perSecond", seconden);
    System.out.println(result.encodePrettily());
    if (args.containsKey("out")) {
      Files.writeString(Path.of(args.get("out")), result.encodePrettily());
    }
  }
}
