package nl.berichtenbox.loadtest;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.HdrHistogram.Histogram;

/**
 * Intake load with an open arrival model: requests are due at fixed intervals whatever the
 * server does, and each latency is measured from the moment the request was due, so a stalled
 * server shows as slow (no coordinated omission). Processing lag (parked to delivered) is read
 * back from the receipts of a sample of the accepted messages.
 *
 * <pre>
 * java -jar loadtest/target/loadtest.jar --url=http://localhost:8080 --admin=TOKEN --jwt=SECRET \
 *      --rate=2000 --seconds=30 [--attachment-kb=100] [--connections=64] [--out=result.json]
 * </pre>
 */
public final class IntakeLoad {
  private final Map<String, String> args;
  private final Vertx vertx = Vertx.vertx();
  private final HttpClient client;
  private final String host;
  private final int port;
  private final io.vertx.core.Context context;

  private IntakeLoad(Map<String, String> args) {
    this.args = args;
    java.net.URI u = java.net.URI.create(args.getOrDefault("url", "http://localhost:8080"));
    this.host = u.getHost();
    this.port = u.getPort();
    this.context = vertx.getOrCreateContext();
    int connections = Integer.parseInt(args.getOrDefault("connections", "64"));
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true)
        .setDefaultHost(host).setDefaultPort(port), new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
  }

  public static void main(String[] argv) throws Exception {
    Map<String, String> args = new LinkedHashMap<>();
    for (String a : argv) {
      int eq = a.indexOf('=');
      args.put(a.substring(2, eq), a.substring(eq + 1));
    }
    IntakeLoad load = new IntakeLoad(args);
    try {
      load.run();
    } finally {
      load.vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private record Resp(int status, Buffer body) {}

  private Future<Resp> call(HttpMethod m, String path, String token, String body) {
    RequestOptions o = new RequestOptions().setMethod(m).setURI(path);
    if (token != null) {
      o.putHeader("Authorization", "Bearer " + token);
    }
    if (body != null) {
      o.putHeader("Content-Type", "application/json");
    }
    return client.request(o).compose(req -> body == null ? req.send() : req.send(body))
        .compose(res -> res.body().map(b -> new Resp(res.statusCode(), b)));
  }

  private <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /** A request from the main thread, issued on an event loop: a response must never race its body handler. */
  private Resp blocking(HttpMethod m, String path, String token, String body) throws Exception {
    io.vertx.core.Promise<Resp> p = io.vertx.core.Promise.promise();
    context.runOnContext(v -> call(m, path, token, body).onComplete(p));
    return await(p.future());
  }

  private void run() throws Exception {
    String admin = args.get("admin");
    String jwtSecret = args.get("jwt");
    int rate = Integer.parseInt(args.getOrDefault("rate", "2000"));
    int seconds = Integer.parseInt(args.getOrDefault("seconds", "30"));
    int warmup = Integer.parseInt(args.getOrDefault("warmup", "5"));
    int attachmentKb = Integer.parseInt(args.getOrDefault("attachment-kb", "0"));
    int citizens = Integer.parseInt(args.getOrDefault("citizens", "200"));

    // --- setup: an afnemer, its berichtType, citizens who accept it ---
    String oin = String.format("%020d", ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE));
    Resp created = blocking(HttpMethod.POST, "/api/v1/beheer/afnemers", admin,
        new JsonObject().put("oin", oin).put("naam", "Load " + oin.substring(14)).encode());
    if (created.status() != 201) {
      throw new IllegalStateException("creating the afnemer: " + created.status() + " " + created.body());
    }
    String key = new JsonObject(created.body()).getString("apiSleutel");
    blocking(HttpMethod.PUT, "/api/v1/bericht-typen/LOAD", key, "{\"omschrijving\":\"load\",\"actief\":true}");
    List<String> bsns = new ArrayList<>();
    for (int i = 0; i < citizens; i++) {
      String bsn = bsn();
      String tok = jwt(jwtSecret, bsn);
      blocking(HttpMethod.PUT, "/api/v1/berichtenbox", tok, "{}");
      blocking(HttpMethod.PUT, "/api/v1/berichtenbox/voorkeuren/" + oin, tok, "{\"berichtenOntvangen\":true}");
      bsns.add(bsn);
    }

    String tekst = "Geachte heer/mevrouw, ".repeat(90).substring(0, 1880);
    String bijlagen = "";
    if (attachmentKb > 0) {
      byte[] pdf = new byte[attachmentKb * 1024];
      ThreadLocalRandom.current().nextBytes(pdf);
      System.arraycopy("%PDF-1.7\n".getBytes(StandardCharsets.US_ASCII), 0, pdf, 0, 9);
      bijlagen = ",\"bijlagen\":[{\"omschrijving\":\"Aanslag\",\"volgorde\":1,\"mediaType\":\"application/pdf\",\"inhoud\":\""
          + Base64.getEncoder().encodeToString(pdf) + "\"}]";
    }
    String prefix = "{\"berichtType\":\"LOAD\",\"onderwerp\":\"Uw aanslag inkomstenbelasting\",\"berichtTekst\":\""
        + tekst + "\"" + bijlagen + ",\"berichtId\":\"";

    // --- the run: warm-up, then the measured part ---
    Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    Map<Integer, AtomicLong> statuses = new java.util.concurrent.ConcurrentHashMap<>();
    List<String> accepted = java.util.Collections.synchronizedList(new ArrayList<>());
    long total = (long) rate * (warmup + seconds);
    long measuredFrom = (long) rate * warmup;
    long intervalNanos = 1_000_000_000L / rate;
    CompletableFuture<Void> done = new CompletableFuture<>();
    AtomicLong completed = new AtomicLong();
    long[] sent = {0};
    long start = System.nanoTime();
    long bodyBytes = (prefix.length() + 60L);
    context.runOnContext(v -> vertx.setPeriodic(1, id -> {
      long now = System.nanoTime();
      while (sent[0] < total && start + sent[0] * intervalNanos <= now) {
        long i = sent[0]++;
        long due = start + i * intervalNanos;
        String berichtId = UUID.randomUUID().toString();
        String body = prefix + berichtId + "\",\"bsn\":\"" + bsns.get((int) (i % bsns.size())) + "\"}";
        call(HttpMethod.POST, "/api/v1/berichten", key, body).onComplete(ar -> {
          long took = System.nanoTime() - due;
          int s = ar.succeeded() ? ar.result().status() : -1;
          if (i >= measuredFrom) {
            synchronized (latency) {
              latency.recordValue(Math.min(took, latency.getHighestTrackableValue()));
            }
            statuses.computeIfAbsent(s, k -> new AtomicLong()).incrementAndGet();
            if (s == 202) {
              accepted.add(berichtId);
            }
          }
          if (completed.incrementAndGet() == total) {
            done.complete(null);
          }
        });
      }
      if (sent[0] >= total) {
        vertx.cancelTimer(id);
      }
    }));
    done.get(warmup + seconds + 120, TimeUnit.SECONDS);
    double elapsed = (System.nanoTime() - start) / 1e9;

    // --- processing lag from the receipts of a sample ---
    Histogram lag = new Histogram(TimeUnit.HOURS.toMillis(1), 3);
    List<String> sample = new ArrayList<>(accepted);
    java.util.Collections.shuffle(sample);
    sample = sample.subList(0, Math.min(2000, sample.size()));
    long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    int pending = 0;
    for (String id : sample) {
      while (true) {
        JsonObject s = new JsonObject(blocking(HttpMethod.GET, "/api/v1/berichten/" + id, key, null).body());
        if (s.containsKey("verwerktOp")) {
          long ms = Instant.parse(s.getString("verwerktOp")).toEpochMilli()
              - Instant.parse(s.getString("ontvangenOp")).toEpochMilli();
          lag.recordValue(Math.max(0, ms));
          break;
        }
        if (System.nanoTime() > waitUntil) {
          pending++;
          break;
        }
        Thread.sleep(50);
      }
    }

    long ok = statuses.getOrDefault(202, new AtomicLong()).get();
    JsonObject result = new JsonObject()
        .put("scenario", attachmentKb > 0 ? "intake-" + attachmentKb + "kb-attachment" : "intake-2kb")
        .put("offeredRate", rate).put("seconds", seconds).put("bodyBytes", bodyBytes)
        .put("accepted202", ok).put("acceptedPerSecond", round(ok / (double) seconds))
        .put("statuses", new JsonObject(new LinkedHashMap<>(statuses.entrySet().stream()
            .collect(java.util.stream.Collectors.toMap(e -> String.valueOf(e.getKey()), e -> (Object) e.getValue().get())))))
        .put("latencyMs", percentiles(latency, 1e6))
        .put("processingLagMs", percentiles(lag, 1).put("sample", lag.getTotalCount()).put("notProcessedIn120s", pending))
        .put("wallSeconds", round(elapsed));
    System.out.println(result.encodePrettily());
    if (args.containsKey("out")) {
      Files.writeString(Path.of(args.get("out")), result.encodePrettily());
    }
  }

  private static JsonObject percentiles(Histogram h, double unit) {
    JsonObject o = new JsonObject();
    for (double p : new double[] {50, 90, 99, 99.9}) {
      o.put("p" + (p == 99.9 ? "99.9" : String.valueOf((int) p)), round(h.getValueAtPercentile(p) / unit));
    }
    return o.put("max", round(h.getMaxValue() / unit));
  }

  private static double round(double d) {
    return Math.round(d * 100) / 100.0;
  }

  private static String bsn() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    while (true) {
      int[] d = new int[9];
      int sum = 0;
      for (int i = 0; i < 8; i++) {
        d[i] = i == 0 ? 1 + r.nextInt(9) : r.nextInt(10);
        sum += d[i] * (9 - i);
      }
      if (sum % 11 == 10) {
        continue;
      }
      d[8] = sum % 11;
      StringBuilder sb = new StringBuilder();
      for (int x : d) {
        sb.append(x);
      }
      return sb.toString();
    }
  }

  private static String jwt(String secret, String bsn) throws Exception {
    Base64.Encoder e = Base64.getUrlEncoder().withoutPadding();
    String h = e.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    String p = e.encodeToString(("{\"sub\":\"" + bsn + "\",\"exp\":" + (Instant.now().getEpochSecond() + 7200) + "}")
        .getBytes(StandardCharsets.UTF_8));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return h + "." + p + "." + e.encodeToString(mac.doFinal((h + "." + p).getBytes(StandardCharsets.US_ASCII)));
  }
}
