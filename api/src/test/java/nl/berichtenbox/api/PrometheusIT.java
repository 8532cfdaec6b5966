package nl.berichtenbox.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Issue 20, a real scrape: Debian's Prometheus server scrapes two engine processes under portal
 * load, with the project's rules loaded. The service-wide p99.9 it computes from the two
 * processes' buckets agrees with the load generator's HdrHistogram within the bucket resolution;
 * the count it sums is every request made; every rule loads and evaluates; every metric the rules
 * and the dashboard name exists; promtool finds no fault in the page.
 */
class PrometheusIT {
  /** The presentation histogram's bounds (Buckets.HTTP), in seconds. */
  private static final double[] GRENZEN = {
    0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2.5, 5, 10
  };

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  static Path prometheus() {
    Path p = Path.of("/usr/bin/prometheus");
    if (!Files.isExecutable(p) || !Files.isExecutable(Path.of("/usr/bin/promtool"))) {
      String waarom = "no Prometheus server on this machine (Debian: apt-get install prometheus)";
      if ("verplicht".equals(System.getenv("BERICHTENBOX_EXTERN_TEST"))) {
        throw new AssertionError(waarom + ", and BERICHTENBOX_EXTERN_TEST=verplicht");
      }
      System.err.println("SKIPPED: " + waarom);
      Assumptions.abort(waarom);
    }
    return p;
  }

  @Test
  void twoProcessesCombineIntoOneServiceWideP999() throws Exception {
    Path prom = prometheus();
    Path regels = Path.of("..", "deploy", "prometheus", "berichtenbox-regels.yaml")
        .toAbsolutePath()
        .normalize();
    Path dashboard =
        Path.of("..", "deploy", "grafana", "berichtenbox.json").toAbsolutePath().normalize();
    List<Map<String, String>> envs = new ArrayList<>();
    List<Process> engines = new ArrayList<>();
    Process server = null;
    Path werk = Files.createTempDirectory("bbx-prom");
    try {
      for (int i = 0; i < 2; i++) {
        Map<String, String> env = EngineProcess.onTestDatabase(Map.of());
        envs.add(env);
        engines.add(EngineProcess.start(env, "prometheus-" + i));
      }
      List<Api> apis = envs.stream().map(EngineProcess::api).toList();
      for (Api api : apis) {
        EngineProcess.awaitReady(api);
      }
      int promPort = Ports.free();
      StringBuilder doelen = new StringBuilder();
      for (Map<String, String> env : envs) {
        doelen
            .append(doelen.length() == 0 ? "" : ", ")
            .append("'127.0.0.1:")
            .append(env.get("BERICHTENBOX_HTTP_PORT"))
            .append("'");
      }
      Files.writeString(werk.resolve("prometheus.yml"), """
          global:
            scrape_interval: 1s
            evaluation_interval: 1s
          rule_files: ['%s']
          scrape_configs:
            - job_name: berichtenbox
              static_configs:
                - targets: [%s]
          """.formatted(regels, doelen));
      server = new ProcessBuilder(
              prom.toString(),
              "--config.file=" + werk.resolve("prometheus.yml"),
              "--storage.tsdb.path=" + werk.resolve("data"),
              "--web.listen-address=127.0.0.1:" + promPort)
          .redirectErrorStream(true)
          .redirectOutput(Path.of("target", "prometheus.log").toFile())
          .start();
      String promUrl = "http://127.0.0.1:" + promPort;
      Api.await(
          "Prometheus scrapes both processes",
          Duration.ofSeconds(60),
          () -> {
            JsonObject r = query(promUrl, "sum(up{job=\"berichtenbox\"})");
            return r != null && waarde(r) == 2;
          },
          () -> "");

      // portal load through both processes, every request's latency in the client's HdrHistogram
      Api.Afnemer a = apis.get(0).newAfnemer();
      Recorder client = new Recorder(3_600_000_000L, 3);
      AtomicLong verzoeken = new AtomicLong();
      List<String> tokens = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        String bsn = gemeten(client, verzoeken, () -> apis.get(0).newBurger(a), 2);
        tokens.add(apis.get(0).burgerToken(bsn));
        apis.get(0).post("/api/v1/berichten", a.key(), Api.bericht(bsn)).expect(202);
      }
      List<Thread> lezers = new ArrayList<>();
      long eind = System.nanoTime() + Duration.ofSeconds(25).toNanos();
      for (int t = 0; t < 6; t++) {
        Api api = apis.get(t % 2);
        int nr = t;
        Thread lezer = new Thread(() -> {
          int i = nr;
          while (System.nanoTime() < eind) {
            String tok = tokens.get(i++ % tokens.size());
            gemeten(
                client,
                verzoeken,
                () -> api.get("/api/v1/berichtenbox/berichten", tok).expect(200),
                1);
            try {
              Thread.sleep(2); // about 300 requests a second in all: a load, not a flood
            } catch (InterruptedException e) {
              return;
            }
          }
        });
        lezer.start();
        lezers.add(lezer);
      }
      for (Thread l : lezers) {
        l.join();
      }
      Histogram h = client.getIntervalHistogram();
      long n = verzoeken.get();
      assertEquals(n, h.getTotalCount());

      // what Prometheus has: the count of both processes is every request made; then the quantile
      Api.await(
          "Prometheus has every request",
          Duration.ofSeconds(30),
          () -> {
            JsonObject r = query(
                promUrl,
                "sum(berichtenbox_http_server_seconds_count{job=\"berichtenbox\",face=\"burger\"})");
            return r != null && waarde(r) == n;
          },
          () -> "client made " + n + ", Prometheus sums "
              + waarde(
                  query(promUrl, "sum(berichtenbox_http_server_seconds_count{face=\"burger\"})")));
      double promP999 = waarde(
          query(
              promUrl,
              "histogram_quantile(0.999, sum by (le) (increase(berichtenbox_http_server_seconds_bucket{job=\"berichtenbox\",face=\"burger\"}[10m])))"));
      double clientP999 = h.getValueAtPercentile(99.9) / 1e6;
      int emmer = emmer(promP999);
      int clientEmmer = emmer(clientP999);
      String verslag = "Prometheus p99.9 " + promP999 + " s (bucket " + emmer + "), client p99.9 "
          + clientP999 + " s (bucket " + clientEmmer + "), " + n + " requests through 2 processes";
      System.out.println(verslag);
      Files.writeString(Path.of("target", "prometheus-p999.txt"), verslag + "\n");
      // each request's server time is within its client time: the server's p99.9 cannot lie above
      // the
      // client's bucket; the client also measures the loopback and its own scheduling: one bucket
      // more
      assertTrue(clientEmmer >= emmer && clientEmmer <= emmer + 1, verslag);

      // the rules: loaded, evaluated without error, the service-wide recording filled
      Api.await(
          "the recording rule evaluated",
          Duration.ofSeconds(90),
          () -> {
            JsonObject r = query(promUrl, "berichtenbox:presentatie_seconds:p999_rate5m");
            return r != null && !r.getJsonObject("data").getJsonArray("result").isEmpty();
          },
          () -> "");
      JsonObject rules = new JsonObject(get(promUrl + "/api/v1/rules"));
      int aantal = 0;
      for (Object g : rules.getJsonObject("data").getJsonArray("groups")) {
        for (Object r : ((JsonObject) g).getJsonArray("rules")) {
          JsonObject regel = (JsonObject) r;
          assertTrue(!"err".equals(regel.getString("health")), regel.encode());
          aantal++;
        }
      }
      assertEquals(26, aantal, "every rule of the file loaded");

      // every metric the rules and the dashboard name exists on a real page, which promtool accepts
      String pagina =
          get("http://127.0.0.1:" + envs.get(0).get("BERICHTENBOX_HTTP_PORT") + "/metrics");
      Set<String> genoemd = new TreeSet<>();
      Matcher m = Pattern.compile("berichtenbox_[a-z0-9_]+")
          .matcher(Files.readString(regels) + Files.readString(dashboard));
      while (m.find()) {
        genoemd.add(m.group());
      }
      assertTrue(genoemd.size() > 20, genoemd.toString());
      for (String naam : genoemd) {
        // a sample of that name, or of the histogram that family name stands for
        boolean er = false;
        for (String staart : List.of("{", " ", "_bucket{", "_count ", "_count{")) {
          er |= pagina.contains("\n" + naam + staart);
        }
        assertTrue(er, naam + " is not on /metrics");
      }
      Process lint = new ProcessBuilder("/usr/bin/promtool", "check", "metrics")
          .redirectErrorStream(true)
          .start();
      lint.getOutputStream().write(pagina.getBytes(StandardCharsets.UTF_8));
      lint.getOutputStream().close();
      String lintUit = new String(lint.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, lint.waitFor(), "promtool check metrics: " + lintUit);
    } finally {
      if (server != null) {
        server.destroy();
        server.waitFor(20, TimeUnit.SECONDS);
      }
      for (Process p : engines) {
        p.destroy();
        p.waitFor(30, TimeUnit.SECONDS);
      }
      TestEngine.verwijder(werk);
    }
  }

  private static <T> T gemeten(Recorder r, AtomicLong teller, Supplier<T> verzoek, int aantal) {
    long t0 = System.nanoTime();
    T uit = verzoek.get();
    long d = (System.nanoTime() - t0) / 1000;
    // a call of several requests (setting up a citizen) counts as that many, each its share
    for (int i = 0; i < aantal; i++) {
      r.recordValue(Math.max(1, d / aantal));
    }
    teller.addAndGet(aantal);
    return uit;
  }

  private static int emmer(double seconden) {
    for (int i = 0; i < GRENZEN.length; i++) {
      if (seconden <= GRENZEN[i]) {
        return i;
      }
    }
    return GRENZEN.length;
  }

  private static String get(String url) {
    try {
      return HTTP.send(
              HttpRequest.newBuilder(URI.create(url))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (Exception e) {
      return null;
    }
  }

  private static JsonObject query(String promUrl, String q) {
    String body =
        get(promUrl + "/api/v1/query?query=" + URLEncoder.encode(q, StandardCharsets.UTF_8));
    try {
      return body == null ? null : new JsonObject(body);
    } catch (DecodeException e) {
      return null; // not up yet ("Service Unavailable")
    }
  }

  private static double waarde(JsonObject r) {
    if (r == null) {
      return Double.NaN;
    }
    JsonArray res = r.getJsonObject("data").getJsonArray("result");
    return res.isEmpty()
        ? Double.NaN
        : Double.parseDouble(res.getJsonObject(0).getJsonArray("value").getString(1));
  }
}
