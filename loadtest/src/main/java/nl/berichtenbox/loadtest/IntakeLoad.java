package nl.berichtenbox.loadtest;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
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
  private final LoadClient http;

  private IntakeLoad(Map<String, String> args) {
    this.args = args;
    this.http = new LoadClient(
        args.getOrDefault("url", "http://localhost:8080"),
        Integer.parseInt(args.getOrDefault("connections", "64")));
  }

  public static void main(String[] argv) throws Exception {
    IntakeLoad load = new IntakeLoad(LoadClient.args(argv));
    try (load.http) {
      load.run();
    }
  }

  private LoadClient.Resp blocking(HttpMethod m, String path, String token, String body)
      throws Exception {
    return http.blocking(m, path, token, body);
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
    LoadClient.Afnemer afnemer = http.setup(admin, jwtSecret, citizens);
    String key = afnemer.key();
    List<String> bsns = afnemer.bsns();

    String bijlagen = "";
    if (attachmentKb > 0) {
      byte[] pdf = new byte[attachmentKb * 1024];
      ThreadLocalRandom.current().nextBytes(pdf);
      System.arraycopy("%PDF-1.7\n".getBytes(StandardCharsets.US_ASCII), 0, pdf, 0, 9);
      bijlagen =
          ",\"bijlagen\":[{\"omschrijving\":\"Aanslag\",\"volgorde\":1,\"mediaType\":\"application/pdf\",\"inhoud\":\""
              + Base64.getEncoder().encodeToString(pdf) + "\"}]";
    }
    String prefix =
        "{\"berichtType\":\"LOAD\",\"onderwerp\":\"Uw aanslag inkomstenbelasting\",\"berichtTekst\":\""
            + LoadClient.TEKST + "\"" + bijlagen + ",\"berichtId\":\"";

    // --- the run: warm-up, then the measured part ---
    Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
    List<String> accepted = Collections.synchronizedList(new ArrayList<>());
    long total = (long) rate * (warmup + seconds);
    long measuredFrom = (long) rate * warmup;
    long start = System.nanoTime();
    long bodyBytes = (prefix.length() + 60L);
    String[] ids = new String[(int) total];
    CompletableFuture<Void> done = http.offer(
        rate,
        total,
        i -> {
          ids[(int) i] = UUID.randomUUID().toString();
          String body =
              prefix + ids[(int) i] + "\",\"bsn\":\"" + bsns.get((int) (i % bsns.size())) + "\"}";
          return http.call(HttpMethod.POST, "/api/v1/berichten", key, body);
        },
        (i, took, s) -> {
          if (i >= measuredFrom) {
            synchronized (latency) {
              latency.recordValue(Math.min(took, latency.getHighestTrackableValue()));
            }
            statuses.computeIfAbsent(s, k -> new AtomicLong()).incrementAndGet();
            if (s == 202) {
              accepted.add(ids[(int) i]);
            }
          }
        });
    done.get(warmup + seconds + 120, TimeUnit.SECONDS);
    double elapsed = (System.nanoTime() - start) / 1e9;

    // --- processing lag from the receipts of a sample ---
    Histogram lag = new Histogram(TimeUnit.HOURS.toMillis(1), 3);
    List<String> sample = new ArrayList<>(accepted);
    Collections.shuffle(sample);
    sample = sample.subList(0, Math.min(2000, sample.size()));
    long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    int pending = 0;
    for (String id : sample) {
      while (true) {
        JsonObject s = new JsonObject(
            blocking(HttpMethod.GET, "/api/v1/berichten/" + id, key, null).body());
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
        .put(
            "scenario",
            attachmentKb > 0 ? "intake-" + attachmentKb + "kb-attachment" : "intake-2kb")
        .put("offeredRate", rate)
        .put("seconds", seconds)
        .put("bodyBytes", bodyBytes)
        .put("accepted202", ok)
        .put("acceptedPerSecond", LoadClient.round(ok / (double) seconds))
        .put(
            "statuses",
            new JsonObject(new LinkedHashMap<>(statuses.entrySet().stream()
                .collect(Collectors.toMap(
                    e -> String.valueOf(e.getKey()), e -> (Object) e.getValue().get())))))
        .put("latencyMs", LoadClient.percentiles(latency, 1e6))
        .put(
            "processingLagMs",
            LoadClient.percentiles(lag, 1)
                .put("sample", lag.getTotalCount())
                .put("notProcessedIn120s", pending))
        .put("wallSeconds", LoadClient.round(elapsed));
    System.out.println(result.encodePrettily());
    if (args.containsKey("out")) {
      Files.writeString(Path.of(args.get("out")), result.encodePrettily());
    }
  }
}
