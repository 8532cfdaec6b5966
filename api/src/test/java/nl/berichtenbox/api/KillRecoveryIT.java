package nl.berichtenbox.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import nl.berichtenbox.api.http.CitizenJwt;
import org.junit.jupiter.api.Test;

/**
 * RPO 0 (contract §0): the engine runs as its own process; many clients submit; the engine and
 * its PostgreSQL are killed with SIGKILL mid-load; after a restart every message that was
 * answered 2xx is there, and each is processed and receipted exactly once. Then SIGTERM must
 * drain and exit 0.
 */
class KillRecoveryIT {

  @Test
  void nothingAnswered2xxIsLostAndNothingIsDoubledAfterKill9() throws Exception {
    Path data = Files.createTempDirectory("bbx-kill");
    int port = Ports.free();
    Api api = new Api("http://127.0.0.1:" + port, new CitizenJwt(TestEngine.JWT_SECRET));
    Process engine = start(data, port, "run1");
    awaitReady(api);

    String oin = "00000001112223334445";
    String key = api.post(
            "/api/v1/beheer/afnemers",
            TestEngine.ADMIN,
            new JsonObject().put("oin", oin).put("naam", "Kill test"))
        .expect(201)
        .json()
        .getString("apiSleutel");
    api.put(
            "/api/v1/bericht-typen/ALG",
            key,
            new JsonObject().put("omschrijving", "x").put("actief", true))
        .expect(201);
    String bsn = Api.newBsn();
    String tok = api.burgerToken(bsn);
    api.put("/api/v1/berichtenbox", tok, new JsonObject()).expect(200);
    api.put(
            "/api/v1/berichtenbox/voorkeuren/" + oin,
            tok,
            new JsonObject().put("berichtenOntvangen", true))
        .expect(200);

    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService clients = Executors.newFixedThreadPool(12);
    for (int c = 0; c < 12; c++) {
      final boolean batches = c % 4 == 0;
      clients.submit(() -> {
        while (!stop.get()) {
          try {
            if (batches) {
              JsonArray arr = new JsonArray();
              for (int i = 0; i < 20; i++) {
                arr.add(Api.bericht(bsn));
              }
              Api.Resp r = api.post("/api/v1/batches", key, Api.batch(arr));
              if (r.status() == 202) {
                arr.forEach(o -> acknowledged.add(((JsonObject) o).getString("berichtId")));
              }
            } else {
              JsonObject m = Api.bericht(bsn);
              if (api.post("/api/v1/berichten", key, m).status() == 202) {
                acknowledged.add(m.getString("berichtId"));
              }
            }
          } catch (RuntimeException e) {
            // connection refused or reset once the engine is killed: not acknowledged
          }
        }
      });
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (acknowledged.size() < 1500 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    killHard(engine, data);
    stop.set(true);
    clients.shutdown();
    assertTrue(clients.awaitTermination(60, TimeUnit.SECONDS));
    assertTrue(acknowledged.size() >= 1000, "load before the kill: " + acknowledged.size());

    Process again = start(data, port, "run2");
    try {
      awaitReady(api);
      List<String> missing = new ArrayList<>();
      for (String id : acknowledged) {
        if (api.get("/api/v1/berichten/" + id, key).status() != 200) {
          missing.add(id);
        }
      }
      assertEquals(List.of(), missing, "acknowledged but lost");

      Map<String, Integer> receipts = new ConcurrentHashMap<>();
      Api.await("every message receipted", () -> {
        receipts.clear();
        receipts.putAll(api.receiptCounts(new Api.Afnemer(oin, key)));
        return receipts.keySet().containsAll(acknowledged);
      });
      receipts.forEach((id, n) -> assertEquals(1, n, "receipts for " + id));
    } finally {
      again.destroy(); // SIGTERM: drain and exit 0
      assertTrue(again.waitFor(60, TimeUnit.SECONDS), "engine did not stop on SIGTERM");
      assertEquals(0, again.exitValue(), "exit status after SIGTERM");
    }
  }

  private static Process start(Path data, int port, String name) throws Exception {
    return EngineProcess.start(
        Map.of(
            "BERICHTENBOX_DATA_DIR",
            data.toString(),
            "BERICHTENBOX_HTTP_PORT",
            Integer.toString(port)),
        "kill-" + name);
  }

  private static void awaitReady(Api api) {
    EngineProcess.awaitReady(api);
  }

  /** SIGKILL to the engine and to its PostgreSQL with every backend: a crash of the whole machine's software. */
  private static void killHard(Process engine, Path data) throws Exception {
    engine.destroyForcibly();
    engine.waitFor(30, TimeUnit.SECONDS);
    Path pid = data.resolve("pg").resolve("postmaster.pid");
    if (Files.exists(pid)) {
      long pm = Long.parseLong(Files.readAllLines(pid).get(0).trim());
      ProcessHandle.of(pm).ifPresent(ph -> {
        List<ProcessHandle> all = new ArrayList<>(ph.descendants().toList());
        all.add(ph);
        all.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle p : all) {
          p.onExit().orTimeout(30, TimeUnit.SECONDS).join();
        }
      });
    }
  }
}
