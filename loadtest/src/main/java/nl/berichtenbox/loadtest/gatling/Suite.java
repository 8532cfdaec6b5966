package nl.berichtenbox.loadtest.gatling;

import static io.gatling.javaapi.http.HttpDsl.http;

import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import nl.berichtenbox.engine.store.Seeder;
import nl.berichtenbox.loadtest.LoadClient;
import org.HdrHistogram.Histogram;

/**
 * What every simulation of the norm suite shares: where the engine is (system properties
 * {@code bbx.url}, {@code bbx.jwt}, {@code bbx.burgers}, {@code bbx.results}), the smoke switch
 * ({@code bbx.smoke=true}: a few seconds at low rates, so CI keeps the suite from rotting), the
 * seeded store's afnemers and citizens ({@code bin/berichtenbox seed}), and the processing lag
 * read back from the receipts.
 */
final class Suite {
  static final String URL = System.getProperty("bbx.url", "http://localhost:18090");
  static final String JWT =
      System.getProperty("bbx.jwt", "load-jwt-secret-0123456789abcdef0123456789");
  static final boolean SMOKE = Boolean.getBoolean("bbx.smoke");
  static final int BURGERS = Integer.getInteger("bbx.burgers", 100_000);
  static final Path RESULTS = Path.of(System.getProperty("bbx.results", "loadtest/results/suite"));
  /** The seeded afnemer every seeded citizen accepts, and its key (the seeder derives keys from OINs). */
  static final String OIN = "00000000900000000001";

  static final String KEY = "bbx_seed_" + OIN;
  static final String[] BSNS = Seeder.bsns(BURGERS);
  static final String TEKST = LoadClient.TEKST;

  private Suite() {}

  static HttpProtocolBuilder protocol() {
    // one shared pool of keep-alive connections, as a fleet of senders behind a proxy would use.
    // The
    // 128 is not a bound in the open model (a user that finds none free opens one: the engine saw
    // 900 during Presentatie); the shell's 1 024 descriptors are, and run-suite.sh keeps them so
    // for
    // every scenario but the overload one
    return http.baseUrl(URL)
        .disableWarmUp()
        .shareConnections()
        .maxConnectionsPerHost(128)
        .acceptHeader("application/json")
        .contentTypeHeader("application/json");
  }

  /** Full length, or a few seconds in smoke mode. */
  static Duration duur(int seconds) {
    return Duration.ofSeconds(SMOKE ? Math.min(5, seconds) : seconds);
  }

  /** The full rate, or a low one in smoke mode. */
  static double rate(double perSecond) {
    return SMOKE ? Math.min(perSecond, 20) : perSecond;
  }

  static String bsn() {
    return BSNS[ThreadLocalRandom.current().nextInt(BSNS.length)];
  }

  /** A 2 KB message (with a 100 kB PDF when {@code bijlage}) for a seeded citizen, as a string. */
  static String bericht(String berichtId, boolean bijlage) {
    return new String(berichtBytes(berichtId, bijlage), StandardCharsets.UTF_8);
  }

  /**
   * The same message as bytes, put together from parts encoded once: string concatenations and
   * their encoding made several copies of 133 kB per attachment message in the generator, which
   * shares the engine's two cores.
   */
  static byte[] berichtBytes(String berichtId, boolean bijlage) {
    byte[] id = berichtId.getBytes(StandardCharsets.US_ASCII);
    byte[] bsn = bsn().getBytes(StandardCharsets.US_ASCII);
    byte[] staart = bijlage ? MET_BIJLAGE : ZONDER_BIJLAGE;
    byte[] out = new byte
        [BEGIN.length + id.length + NA_ID.length + bsn.length + NA_BSN.length + staart.length];
    int i = 0;
    for (byte[] deel : new byte[][] {BEGIN, id, NA_ID, bsn, NA_BSN, staart}) {
      System.arraycopy(deel, 0, out, i, deel.length);
      i += deel.length;
    }
    return out;
  }

  private static final byte[] BEGIN = utf8("{\"berichtId\":\"");
  private static final byte[] NA_ID = utf8("\",\"berichtType\":\"ALG\",\"bsn\":\"");
  private static final byte[] NA_BSN =
      utf8("\",\"onderwerp\":\"Uw aanslag inkomstenbelasting\",\"berichtTekst\":\"" + TEKST + "\"");
  static final String PDF_100K;
  private static final byte[] ZONDER_BIJLAGE;
  private static final byte[] MET_BIJLAGE;

  static {
    byte[] pdf = new byte[100 * 1024];
    System.arraycopy("%PDF-1.7\n".getBytes(), 0, pdf, 0, 9);
    PDF_100K = Base64.getEncoder().encodeToString(pdf);
    ZONDER_BIJLAGE = utf8("}");
    MET_BIJLAGE = utf8(
        ",\"bijlagen\":[{\"omschrijving\":\"Aanslag.pdf\",\"volgorde\":1,\"mediaType\":\"application/pdf\",\"inhoud\":\""
            + PDF_100K + "\"}]}");
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String batch(int n) {
    StringBuilder b = new StringBuilder(n * 2100)
        .append("{\"batchId\":\"")
        .append(UUID.randomUUID())
        .append("\",\"aanmaakDatum\":\"")
        .append(Instant.now())
        .append("\",\"berichten\":[");
    for (int i = 0; i < n; i++) {
      b.append(i > 0 ? "," : "").append(bericht(UUID.randomUUID().toString(), false));
    }
    return b.append("]}").toString();
  }

  static String jwt(String bsn) {
    return LoadClient.jwt(JWT, bsn);
  }

  /**
   * Parked to delivered, from the receipts: reads the status of up to 2 000 of the given messages
   * (after waiting for the last to be processed) and writes p50/p99/max to {@code <naam>.json}.
   */
  static void verwerkingsduur(String naam, List<String> ids) {
    if (ids.isEmpty()) {
      return;
    }
    HttpClient c = STATUS;
    try {
      String laatste = ids.get(ids.size() - 1);
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
      while (!status(c, laatste).containsKey("verwerktOp") && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
      List<String> sample = new ArrayList<>(ids);
      Collections.shuffle(sample);
      Histogram h = new Histogram(TimeUnit.HOURS.toMillis(24), 3);
      for (String id : sample.subList(0, Math.min(2000, sample.size()))) {
        JsonObject s = status(c, id);
        if (s.containsKey("verwerktOp")) {
          h.recordValue(Math.max(
              0,
              Instant.parse(s.getString("verwerktOp")).toEpochMilli()
                  - Instant.parse(s.getString("ontvangenOp")).toEpochMilli()));
        }
      }
      JsonObject out = new JsonObject()
          .put("naam", naam)
          .put("count", h.getTotalCount())
          .put("p50Ms", h.getValueAtPercentile(50))
          .put("p99Ms", h.getValueAtPercentile(99))
          .put("maxMs", h.getMaxValue());
      schrijf(naam, out);
    } catch (Exception e) {
      throw new IllegalStateException("processing lag not read: " + e, e);
    }
  }

  /**
   * The client that reads the receipts after a run, made when the simulation is (its selector
   * takes descriptors): an open model at 10 000/s leaves the generator at its descriptor limit,
   * with its pooled connections open until the engine's idle timeout closes them.
   */
  private static final HttpClient STATUS =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static JsonObject status(HttpClient c, String id) throws Exception {
    HttpRequest q = HttpRequest.newBuilder(URI.create(URL + "/api/v1/berichten/" + id))
        .header("Authorization", "Bearer " + KEY)
        .build();
    HttpResponse<String> r = metDescriptor(() -> c.send(q, HttpResponse.BodyHandlers.ofString()));
    return r.statusCode() == 200 ? new JsonObject(r.body()) : new JsonObject();
  }

  /** Writes {@code <naam>.json} (waiting for a descriptor, see {@link #metDescriptor}). */
  static void schrijf(String naam, JsonObject o) {
    try {
      metDescriptor(() -> {
        Files.createDirectories(RESULTS);
        return Files.writeString(RESULTS.resolve(naam + ".json"), o.encodePrettily());
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private interface IoStap<T> {
    T run() throws IOException, InterruptedException;
  }

  /**
   * Runs {@code stap}, again each second for up to three minutes while it fails for want of a
   * descriptor: a run that left the generator at its limit frees them only as its idle connections
   * close (run 7 of 2026-12-07 read the processing lag and then could not write it). Any other
   * failure is thrown at once.
   */
  private static <T> T metDescriptor(IoStap<T> stap) throws IOException, InterruptedException {
    long tot = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (true) {
      try {
        return stap.run();
      } catch (IOException e) {
        if (!zonderDescriptor(e) || System.nanoTime() > tot) {
          throw e;
        }
        Thread.sleep(1000);
      }
    }
  }

  private static boolean zonderDescriptor(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (String.valueOf(t.getMessage()).contains("Too many open files")) {
        return true;
      }
    }
    return false;
  }
}
