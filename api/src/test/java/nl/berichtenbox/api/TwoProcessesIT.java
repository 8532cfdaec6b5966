package nl.berichtenbox.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Several engine processes on one PostgreSQL (issue 5): two engine processes (and the test's own
 * engine) share intake and processing with no leader; one is killed with SIGKILL under load; every
 * message answered 2xx by either is processed and receipted exactly once.
 */
class TwoProcessesIT {

  @Test
  void twoProcessesShareTheWorkAndOneMayDie() throws Exception {
    Api shared = TestEngine.api();
    Api.Afnemer a = shared.newAfnemer();
    String bsn = shared.newBurger(a);
    List<Api> apis = new ArrayList<>();
    List<Process> processes = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Map<String, String> env = EngineProcess.onTestDatabase(Map.of());
      processes.add(EngineProcess.start(env, "two-" + i));
      apis.add(EngineProcess.api(env));
    }
    try {
      for (Api api : apis) {
        EngineProcess.awaitReady(api);
      }
      Set<String> acknowledged = ConcurrentHashMap.newKeySet();
      AtomicBoolean stop = new AtomicBoolean();
      ExecutorService clients = Executors.newFixedThreadPool(8);
      for (int c = 0; c < 8; c++) {
        Api target = apis.get(c % 2);
        Api other = apis.get(1 - c % 2);
        clients.submit(() -> {
          while (!stop.get()) {
            JsonObject m = Api.bericht(bsn);
            try {
              if (target.post("/api/v1/berichten", a.key(), m).status() == 202) {
                acknowledged.add(m.getString("berichtId"));
              }
            } catch (RuntimeException e) {
              // this engine is gone: its clients go to the other one, as a load balancer would
              try {
                if (other.post("/api/v1/berichten", a.key(), m).status() == 202) {
                  acknowledged.add(m.getString("berichtId"));
                }
              } catch (RuntimeException ignored) {
                // both gone would fail the test below
              }
            }
          }
        });
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (acknowledged.size() < 600 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      processes.get(0).destroyForcibly();
      processes.get(0).waitFor(30, TimeUnit.SECONDS);
      int atKill = acknowledged.size();
      while (acknowledged.size() < atKill + 300
          && System.nanoTime() < deadline + TimeUnit.SECONDS.toNanos(20)) {
        Thread.sleep(20);
      }
      stop.set(true);
      clients.shutdown();
      assertTrue(clients.awaitTermination(60, TimeUnit.SECONDS));
      assertTrue(
          acknowledged.size() >= atKill + 300,
          "the surviving engine went on: " + acknowledged.size());

      Map<String, Integer> receipts = new ConcurrentHashMap<>();
      Api.await("every acknowledged message receipted", () -> {
        receipts.clear();
        receipts.putAll(apis.get(1).receiptCounts(a));
        return receipts.keySet().containsAll(acknowledged);
      });
      receipts.forEach((id, n) -> assertEquals(1, n, "receipts for " + id));
      for (String id : acknowledged) {
        assertEquals(
            "AFGELEVERD",
            shared.get("/api/v1/berichten/" + id, a.key()).json().getString("status"));
      }
    } finally {
      for (Process p : processes) {
        p.destroy();
        p.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }
}
