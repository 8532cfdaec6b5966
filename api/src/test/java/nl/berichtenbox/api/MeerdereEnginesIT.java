package nl.berichtenbox.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Three engine processes on one database behind a balancer (the test's own, with health checks
 * as a real one has). An afnemer's rate limit holds for the service, not three times over. A
 * rolling restart under intake load, each process stopped with SIGTERM in turn and started
 * again: every drain exits 0; with BERICHTENBOX_DRAIN_DELAY longer than the balancer's check
 * interval no client is refused; nothing acknowledged is lost or stored twice, and everything a
 * client that retries sends gets through. Counted in target/rollende-herstart-meting.json.
 */
class MeerdereEnginesIT {

  @Test
  void threeEnginesShareTheRateLimitAndARollingRestartLosesNothing() throws Exception {
    String db = TestEngine.newDatabase("meerdere");
    List<Map<String, String>> envs = new ArrayList<>();
    List<Process> processen = new ArrayList<>();
    List<Api> apis = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Map<String, String> env = EngineProcess.onTestDatabase(Map.of());
      env.put("BERICHTENBOX_DB_URL", db);
      env.put("BERICHTENBOX_SHUTDOWN_TIMEOUT", "PT10S");
      // the balancer checks every 200 ms: a second of serving while unready moves every client away
      // first
      env.put("BERICHTENBOX_DRAIN_DELAY", "PT1S");
      envs.add(env);
      processen.add(EngineProcess.start(env, "meerdere-" + i));
      apis.add(EngineProcess.api(env));
    }
    try {
      for (Api api : apis) {
        EngineProcess.awaitReady(api);
      }
      for (Api api : apis) {
        Api.await(
            "each process counts three",
            Duration.ofSeconds(30),
            () -> metriek(api, "berichtenbox_processen_gereed") == 3,
            () -> "");
      }
      JsonObject limiet = gedeeldeLimiet(apis);
      rollendeHerstart(envs, processen, apis, db, limiet);
    } finally {
      for (Process p : processen) {
        p.destroyForcibly();
        p.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  /** A limit of 30/s, offered far more through all three: about 30/s taken in all, not 90/s. */
  private static JsonObject gedeeldeLimiet(List<Api> apis) throws Exception {
    Api.Afnemer a = apis.get(0).newAfnemer();
    apis.get(0)
        .send(
            "PATCH",
            "/api/v1/beheer/afnemers/" + a.oin(),
            TestEngine.ADMIN,
            "application/merge-patch+json",
            "{\"limietPerSeconde\":30}")
        .expect(200);
    String bsn = apis.get(0).newBurger(a);
    AtomicInteger genomen = new AtomicInteger();
    AtomicInteger teVeel = new AtomicInteger();
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> zenders = new ArrayList<>();
    for (int t = 0; t < 6; t++) {
      Api api = apis.get(t % 3);
      Thread z = new Thread(() -> {
        while (!stop.get()) {
          int s = api.post("/api/v1/berichten", a.key(), Api.bericht(bsn)).status();
          if (s == 202) {
            genomen.incrementAndGet();
          } else if (s == 429) {
            teVeel.incrementAndGet();
          }
        }
      });
      zenders.add(z);
      z.start();
    }
    long begin = System.nanoTime();
    Thread.sleep(5_000);
    stop.set(true);
    for (Thread z : zenders) {
      z.join();
    }
    double seconden = (System.nanoTime() - begin) / 1e9;
    // three buckets of a second's share (10 each) to start with, then 30/s in all
    double verwacht = 30 + 30 * seconden;
    assertTrue(
        teVeel.get() > genomen.get(),
        "far more was offered than the limit: " + genomen + " taken, " + teVeel + " 429");
    assertTrue(
        genomen.get() <= verwacht * 1.3,
        "taken " + genomen + " in " + seconden + " s; the limit allows about "
            + Math.round(verwacht) + " (three times that without sharing)");
    assertTrue(
        genomen.get() >= verwacht * 0.5,
        "taken " + genomen + ", expected about " + Math.round(verwacht));
    return new JsonObject()
        .put("limietPerSeconde", 30)
        .put("seconden", Math.round(seconden * 10) / 10.0)
        .put("genomen", genomen.get())
        .put("genomenPerSeconde", Math.round(genomen.get() / seconden * 10) / 10.0)
        .put("geweigerd429", teVeel.get());
  }

  private static void rollendeHerstart(
      List<Map<String, String>> envs,
      List<Process> processen,
      List<Api> apis,
      String db,
      JsonObject limiet)
      throws Exception {
    Api.Afnemer a = apis.get(0).newAfnemer();
    List<String> bsns = apis.get(0).newBurgers(a, 10);
    JsonObject meting = new JsonObject().put("gedeeldeLimiet", limiet);
    try (Balancer balancer = new Balancer(apis);
        Intakebelasting zenders = new Intakebelasting(balancer, a, bsns, 8).start()) {
      Thread.sleep(3_000);
      for (int i = 0; i < 3; i++) {
        long stop = zenders.nu();
        processen.get(i).destroy(); // SIGTERM
        assertTrue(
            processen.get(i).waitFor(60, TimeUnit.SECONDS), "engine " + i + " drained and stopped");
        assertEquals(0, processen.get(i).exitValue(), "engine " + i + " exit status after SIGTERM");
        // the drain ran to its end (exit 0 alone was also the JVM ending half-way, its drain on a
        // daemon thread)
        assertTrue(
            Files.readString(Path.of("target", "engine-meerdere-" + i + ".log"))
                .contains("berichtenbox: stopped"),
            "engine " + i + " finished its drain");
        long weg = zenders.nu();
        processen.set(i, EngineProcess.start(envs.get(i), "meerdere-" + i + "-opnieuw"));
        EngineProcess.awaitReady(apis.get(i));
        meting.put(
            "engine" + i,
            new JsonObject().put("afsluitenMs", weg - stop).put("wegMs", zenders.nu() - weg));
        Thread.sleep(2_000);
      }
      Thread.sleep(2_000);
      zenders.close();

      Map<Integer, Long> perStatus = zenders.perStatus();
      Map<String, Long> fouten = new TreeMap<>();
      for (Intakebelasting.Uitkomst u : zenders.uitkomsten()) {
        assertTrue(
            u.geaccepteerd() || u.status() == 503 || u.status() == -1, "unexpected answer " + u);
        assertTrue(u.status() != 503 || u.retryAfter(), "503 without Retry-After: " + u);
        if (u.status() == -1) {
          fouten.merge(u.fout().replaceAll(":.*", ""), 1L, Long::sum);
        }
      }
      // serving on for a second while unready, each engine was out of the balancer's rotation
      // before it
      // refused anything: no client got a 503 or found it not listening (a keep-alive connection
      // the
      // engine closed just as the client reused it is a client's connection error, retried like a
      // 503)
      assertEquals(
          0, perStatus.getOrDefault(503, 0L), "refused during the rolling restart: " + perStatus);
      assertEquals(
          0,
          fouten.getOrDefault("java.net.ConnectException", 0L),
          "sent to a stopped engine: " + fouten);
      int alOpgeslagen = zenders.probeerOpnieuw(apis.get(0), Duration.ofSeconds(60));
      Set<String> geaccepteerd = new HashSet<>(zenders.geaccepteerd());
      Set<String> opgeslagen = TestEngine.opgeslagen(
          db.replace("postgresql://postgres@", "jdbc:postgresql://"), a.oin());
      assertEquals(
          geaccepteerd, opgeslagen, "stored against acknowledged (after the client's retries)");
      Api.await(
          "a receipt for each of the " + geaccepteerd.size() + " messages",
          Duration.ofSeconds(60),
          () -> apis.get(1).receiptCounts(a).size() == geaccepteerd.size(),
          () -> "");
      assertTrue(
          apis.get(1).receiptCounts(a).values().stream().allMatch(n -> n == 1),
          "a message receipted twice");

      meting
          .put(
              "antwoorden",
              new JsonObject(new HashMap<>(perStatus.entrySet().stream()
                  .collect(
                      Collectors.toMap(e -> Integer.toString(e.getKey()), Map.Entry::getValue)))))
          .put("zonderAntwoordPerOorzaak", new JsonObject(new HashMap<>(fouten)))
          .put("geaccepteerd", geaccepteerd.size())
          .put("naHerstartAlOpgeslagen", alOpgeslagen);
      Files.writeString(
          Path.of("target", "rollende-herstart-meting.json"), meting.encodePrettily());
      System.out.println("rolling restart: " + meting.encode());
    }
  }

  private static long metriek(Api api, String naam) {
    try {
      String body = api.get("/metrics", null).raw().body();
      return body.lines()
          .filter(l -> l.startsWith(naam + " "))
          .mapToLong(
              l -> (long) Double.parseDouble(l.substring(naam.length() + 1).trim()))
          .findFirst()
          .orElse(-1);
    } catch (RuntimeException e) {
      return -1;
    }
  }
}
