package nl.berichtenbox.loadtest;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.subethamail.smtp.server.SMTPServer;

/**
 * Notifications into SMTP (issue 6). Runs an SMTP server (SubEthaSMTP) in this JVM on
 * {@code --smtp-port}; start the engine with {@code BERICHTENBOX_SMTP_URL=smtp://127.0.0.1:<port>}.
 * Then it makes {@code --citizens} citizens with e-mail on, sends each one message (batches of
 * 1 000) and counts the e-mails that arrive.
 * <ul>
 *   <li>{@code --scenario=doorvoer}: e-mails per second into SMTP, first to last arrival (run the
 *       engine with its limits raised).
 *   <li>{@code --scenario=throttle --per-uur=N --seconds=S}: e-mails per second counted for S
 *       seconds against the pace N / 3600 the engine was started with (from the fifth second on;
 *       the first seconds hold the bucket's minute).
 * </ul>
 */
public final class NotificatieLoad {
  public static void main(String[] argv) throws Exception {
    Map<String, String> args = LoadClient.args(argv);
    int port = Integer.parseInt(args.getOrDefault("smtp-port", "2525"));
    AtomicLong count = new AtomicLong();
    AtomicLong first = new AtomicLong();
    AtomicLong last = new AtomicLong();
    SMTPServer smtp = SMTPServer.port(port)
        .bindAddress(InetAddress.getLoopbackAddress())
        .maxConnections(256)
        .messageHandler((ctx, from, to, data) -> {
          if (!to.endsWith("@load.test")) {
            return; // another scenario's citizens (the suite's seeded store): not this run's
            // e-mails
          }
          long now = System.nanoTime();
          first.compareAndSet(0, now);
          last.set(now);
          count.incrementAndGet();
        })
        .build();
    smtp.start();
    System.err.println("SMTP server on 127.0.0.1:" + port);
    try (LoadClient http = new LoadClient(args.getOrDefault("url", "http://localhost:8080"), 16)) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
      while (true) {
        try {
          if (http.blocking(HttpMethod.GET, "/health/ready", null, null).status() == 200) {
            break;
          }
        } catch (Exception notYet) {
          // the engine is still starting
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("engine not ready");
        }
        Thread.sleep(500);
      }
      int citizens = Integer.parseInt(args.getOrDefault("citizens", "30000"));
      long t = System.nanoTime();
      LoadClient.Afnemer a = http.setup(args.get("admin"), args.get("jwt"), citizens, true);
      System.err.printf("%d citizens in %.1f s%n", citizens, (System.nanoTime() - t) / 1e9);
      long start = System.nanoTime();
      for (int i = 0; i < citizens; i += 1000) {
        StringBuilder b = new StringBuilder("{\"batchId\":\"" + UUID.randomUUID()
            + "\",\"aanmaakDatum\":\"" + Instant.now() + "\",\"berichten\":[");
        for (int j = i; j < Math.min(citizens, i + 1000); j++) {
          b.append(j > i ? "," : "")
              .append(LoadClient.bericht(UUID.randomUUID().toString(), a.bsns().get(j)));
        }
        LoadClient.Resp r = http.blocking(
            HttpMethod.POST, "/api/v1/batches", a.key(), b.append("]}").toString());
        if (r.status() != 202) {
          throw new IllegalStateException("batch refused: " + r.status() + " " + r.body());
        }
      }
      double sendSeconds = (System.nanoTime() - start) / 1e9;
      JsonObject result = new JsonObject()
          .put("citizens", citizens)
          .put("batchesSentSeconds", LoadClient.round(sendSeconds));
      if ("throttle".equals(args.getOrDefault("scenario", "doorvoer"))) {
        throttle(args, count, first, citizens, result);
      } else {
        long wait = System.nanoTime() + TimeUnit.SECONDS.toNanos(900);
        while (count.get() < citizens && System.nanoTime() < wait) {
          Thread.sleep(100);
        }
        double seconds = (last.get() - first.get()) / 1e9;
        result
            .put("scenario", "notificaties-doorvoer")
            .put("emails", count.get())
            .put("firstToLastSeconds", LoadClient.round(seconds))
            .put("emailsPerSecond", LoadClient.round((count.get() - 1) / Math.max(0.001, seconds)))
            .put("firstBatchToLastEmailSeconds", LoadClient.round((last.get() - start) / 1e9));
      }
      System.out.println(result.encodePrettily());
      if (args.containsKey("out")) {
        Files.writeString(Path.of(args.get("out")), result.encodePrettily());
      }
    } finally {
      smtp.stop();
    }
  }

  /** Counts per second from the first arrival, for {@code --seconds} (at least 10). */
  private static void throttle(
      Map<String, String> args, AtomicLong count, AtomicLong first, int citizens, JsonObject result)
      throws InterruptedException {
    int perUur = Integer.parseInt(args.getOrDefault("per-uur", "125000"));
    int seconds = Math.max(10, Integer.parseInt(args.getOrDefault("seconds", "300")));
    while (first.get() == 0) {
      Thread.sleep(5);
    }
    long t0 = first.get();
    JsonArray perSecond = new JsonArray();
    long before = 0;
    long atFive = 0;
    for (int s = 1; s <= seconds; s++) {
      long due = t0 + TimeUnit.SECONDS.toNanos(s);
      while (System.nanoTime() < due) {
        Thread.sleep(1);
      }
      long c = count.get();
      perSecond.add(c - before);
      before = c;
      if (s == 5) {
        atFive = c;
      }
    }
    double expected = perUur / 3600.0;
    // the bucket's minute goes out over the first seconds, as processing delivers: the pace is
    // measured from the fifth second on
    double measured = (before - atFive) / (double) (seconds - 5);
    result
        .put("scenario", "notificaties-throttle")
        .put("perUur", perUur)
        .put("seconds", seconds)
        .put("firstFiveSeconds", atFive)
        .put("bucketMinute", Math.max(1, perUur / 60))
        .put("expectedPerSecond", LoadClient.round(expected))
        .put("measuredPerSecond", LoadClient.round(measured))
        .put("errorPercent", LoadClient.round((measured - expected) / expected * 100))
        .put("total", before)
        .put("bucketPlusPaceTotal", Math.max(1, perUur / 60) + Math.round(expected * seconds))
        .put("queued", citizens)
        .put("perSecond", perSecond);
  }
}
