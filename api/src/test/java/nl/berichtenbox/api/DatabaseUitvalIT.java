package nl.berichtenbox.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import nl.berichtenbox.api.http.CitizenJwt;
import nl.berichtenbox.engine.config.EngineConfig;
import org.junit.jupiter.api.Test;

/**
 * The database killed under load (issue 9): an engine on a PostgreSQL of its own, taking
 * messages from a client that keeps sending, while the postmaster is SIGKILLed and, seconds
 * later, started again on the same data. While it is away the engine says not ready and answers
 * 503 with Retry-After at once (no 500, no hang); it reconnects by itself; every message answered
 * 202 is stored and receipted exactly once (PostgreSQL's crash recovery and our synchronous
 * commit), and what was answered 503 the client may send again.
 */
class DatabaseUitvalIT {

  private static EmbeddedPostgres start(Path dir, int port) throws Exception {
    return EmbeddedPostgres.builder()
        .setDataDirectory(dir)
        .setCleanDataDirectory(false)
        .setPort(port)
        .setServerConfig("synchronous_commit", "on")
        .setServerConfig("listen_addresses", "127.0.0.1")
        .setServerConfig("unix_socket_directories", dir.toString())
        .setPGStartupWait(Duration.ofSeconds(60))
        .start();
  }

  @Test
  void whileTheDatabaseIsAwayTheEngineSheds503AndAfterwardsNothingAcknowledgedIsLostOrDoubled()
      throws Exception {
    Path pgDir = Files.createTempDirectory("bbx-pg-uitval");
    int pgPort = Ports.free();
    EmbeddedPostgres pg = start(pgDir, pgPort);
    EngineConfig config = TestEngine.secondEngine(Map.of(
        "BERICHTENBOX_DB_URL",
        "postgresql://postgres@127.0.0.1:" + pgPort + "/postgres",
        "BERICHTENBOX_DB_POOL_SIZE",
        "4"));
    try (ApiServer server = ApiServer.start(config)) {
      Api api = new Api("http://127.0.0.1:" + server.port(), new CitizenJwt(TestEngine.JWT_SECRET));
      Api.Afnemer a = api.newAfnemer();
      String bsn = api.newBurger(a);

      List<String> aanvaard = new CopyOnWriteArrayList<>();
      Map<Integer, Integer> statussen = new ConcurrentHashMap<>();
      List<Long> tijdenBij503 = new CopyOnWriteArrayList<>();
      AtomicBoolean stop = new AtomicBoolean();
      Thread zender = new Thread(
          () -> {
            while (!stop.get()) {
              JsonObject m = Api.bericht(bsn);
              long t0 = System.nanoTime();
              int s;
              try {
                s = api.post("/api/v1/berichten", a.key(), m).status();
              } catch (IllegalStateException e) {
                s = -1; // the connection broke: not an answer
              }
              statussen.merge(s, 1, Integer::sum);
              if (s == 202) {
                aanvaard.add(m.getString("berichtId"));
              } else if (s == 503) {
                tijdenBij503.add((System.nanoTime() - t0) / 1_000_000);
              }
              try {
                Thread.sleep(5);
              } catch (InterruptedException e) {
                return;
              }
            }
          },
          "zender");
      zender.start();
      Api.await("messages flowing", () -> aanvaard.size() >= 50);

      // SIGKILL the postmaster (its backends die with it)
      long pid = Long.parseLong(
          Files.readAllLines(pgDir.resolve("postmaster.pid")).get(0).trim());
      ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow();
      postmaster.destroyForcibly();
      postmaster.onExit().get();
      try {
        pg.close(); // releases zonky's lock on the directory (its stop finds nothing to stop)
      } catch (Exception e) {
        // expected: the server is gone
      }
      int voorUitval = aanvaard.size();
      Api.await(
          "not ready while the database is away",
          () -> api.get("/health/ready", null).status() == 503);
      long t0 = System.nanoTime();
      Api.Resp tijdens = api.post("/api/v1/berichten", a.key(), Api.bericht(bsn));
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertEquals(503, tijdens.status(), tijdens.raw().body());
      assertTrue(tijdens.header("Retry-After") != null, "with Retry-After");
      assertTrue(ms < 5_000, "answered at once, not after a hang: " + ms + " ms");
      Thread.sleep(2_000);

      // the same data directory, started again: crash recovery replays the log
      pg = start(pgDir, pgPort);
      Api.await(
          "ready again within a minute",
          Duration.ofSeconds(60),
          () -> api.get("/health/ready", null).status() == 200,
          () -> "");
      int naHerstel = aanvaard.size();
      Api.await("messages flowing again", () -> aanvaard.size() >= naHerstel + 50);
      stop.set(true);
      zender.join();

      assertTrue(
          statussen.keySet().stream().allMatch(s -> s == 202 || s == 503 || s == -1),
          "only 202, 503 (and broken connections as it died): " + statussen);
      assertTrue(statussen.getOrDefault(503, 0) > 0, "the outage was seen: " + statussen);
      assertTrue(
          tijdenBij503.stream().allMatch(t -> t < 10_000), "every 503 at once: " + tijdenBij503);
      assertTrue(voorUitval >= 50 && aanvaard.size() > voorUitval, "accepted before and after");

      // every 202: stored once and receipted once
      Api.await(
          "every accepted message receipted",
          () -> api.receiptCounts(a).keySet().containsAll(aanvaard));
      Map<String, Integer> bewijzen = api.receiptCounts(a);
      for (String id : aanvaard) {
        assertEquals(1, bewijzen.get(id), "one receipt for " + id);
        assertEquals(
            "Verwerkt",
            api.get("/api/v1/berichten/" + id, a.key())
                .expect(200)
                .json()
                .getString("verwerkingsCode"));
      }
      assertTrue(bewijzen.values().stream().allMatch(n -> n == 1), "no receipt twice");
    } finally {
      pg.close();
      TestEngine.verwijder(pgDir);
    }
  }
}
