package nl.berichtenbox.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nl.berichtenbox.engine.config.EngineConfig;
import org.junit.jupiter.api.Test;

/**
 * The synchronous standby away while the primary runs: with {@code synchronous_commit = on} and
 * the standby named in {@code synchronous_standby_names}, every commit waits for it. The engine
 * must not hold its clients for ever meanwhile: each request is answered within the answer
 * deadline, 503 with Retry-After (never a 500); when the standby returns, the waiting commits
 * complete and the engine takes messages again by itself. What was answered 503 may have been
 * stored after all: the client's retry gets 200 (a replay) for those, 202 for the rest; in the
 * end every message is stored once and receipted once.
 */
class SynchroneStandbyIT {

  @Test
  void whileTheSynchronousStandbyIsAwayRequestsGet503InBoundedTimeAndNothingIsLostWhenItReturns()
      throws Exception {
    PostgresServer[] paar = PostgresServer.primairMetStandby("sync-primair");
    try (PostgresServer primair = paar[0];
        PostgresServer standby = paar[1]) {
      primair.zetSynchroon(true);
      Duration deadline = Duration.ofSeconds(3);
      EngineConfig config = config(primair.url("berichtenbox"), deadline);
      try (ApiServer engine = ApiServer.start(config)) {
        Api api = TestEngine.api(engine);
        Api.Afnemer a = api.newAfnemer();
        List<String> bsns = api.newBurgers(a, 10);
        try (Intakebelasting zenders = new Intakebelasting(() -> api, a, bsns, 8).start();
            Feedvolger feed = new Feedvolger(() -> api, a)) {
          Thread.sleep(3_000);
          long weg = zenders.nu();
          standby.stop();
          Thread.sleep(Long.getLong("berichtenbox.drill.standbyWegMs", 10_000));
          long terug = zenders.nu();
          standby.start();
          Api.await(
              "an accepted message after the standby returned",
              Duration.ofSeconds(60),
              () -> zenders.uitkomsten().stream()
                  .anyMatch(u -> u.beginMs() > terug && u.geaccepteerd()),
              () -> zenders.perStatus().toString());
          Thread.sleep(2_000);
          zenders.close();

          List<Intakebelasting.Uitkomst> uit = zenders.uitkomsten();
          for (Intakebelasting.Uitkomst u : uit) {
            assertTrue(u.geaccepteerd() || u.status() == 503, "unexpected answer " + u);
            assertTrue(u.status() != 503 || u.retryAfter(), "503 without Retry-After: " + u);
            assertTrue(
                u.duurMs() < deadline.toMillis() + 1_500,
                "an answer took " + u.duurMs() + " ms: " + u);
          }
          // while the standby was away nothing sent was acknowledged (its commit could not be on
          // two machines)
          assertTrue(
              uit.stream()
                  .noneMatch(
                      u -> u.beginMs() > weg + 1_000 && u.tijdMs() < terug && u.geaccepteerd()),
              "acknowledged while the synchronous standby was away");
          long geweigerd = uit.stream()
              .filter(u -> u.beginMs() > weg && u.tijdMs() < terug + 1_000 && u.status() == 503)
              .count();
          assertTrue(geweigerd > 0, "requests during the stall were answered 503");
          long eersteNa = uit.stream()
              .filter(u -> u.beginMs() > terug && u.geaccepteerd())
              .mapToLong(Intakebelasting.Uitkomst::tijdMs)
              .min()
              .orElseThrow();

          int alOpgeslagen = zenders.probeerOpnieuw(api, Duration.ofSeconds(60));
          Set<String> geaccepteerd = new HashSet<>(zenders.geaccepteerd());
          Set<String> opgeslagen = TestEngine.opgeslagen(
              "jdbc:postgresql://127.0.0.1:" + primair.port() + "/berichtenbox", a.oin());
          assertEquals(
              geaccepteerd,
              opgeslagen,
              "stored messages against acknowledged ones (after the retries)");
          Api.await(
              "a receipt for each of the " + geaccepteerd.size() + " messages",
              Duration.ofSeconds(60),
              () -> feed.perBericht().keySet().containsAll(geaccepteerd),
              () -> feed.perBericht().size() + " read");
          feed.close();
          feed.leesTotHetEinde();
          assertEquals(geaccepteerd, feed.perBericht().keySet());
          assertTrue(
              feed.perBericht().values().stream().allMatch(n -> n == 1),
              "a message receipted twice");
          assertTrue(feed.stijgend());

          JsonObject meting = new JsonObject()
              .put("antwoordDeadlineMs", deadline.toMillis())
              .put("standbyWegMs", terug - weg)
              .put(
                  "langsteAntwoordMs",
                  uit.stream().mapToLong(Intakebelasting.Uitkomst::duurMs).max().orElse(0))
              .put("geweigerdTijdensUitval", geweigerd)
              .put("secondenTerugTotEersteAanname", (eersteNa - terug) / 1000.0)
              .put("naUitvalAlOpgeslagen", alOpgeslagen)
              .put("geaccepteerd", geaccepteerd.size());
          Files.writeString(Path.of("target", "standby-weg-meting.json"), meting.encodePrettily());
          System.out.println("standby away: " + meting.encode());
        }
      }
    }
  }

  private static EngineConfig config(String dbUrl, Duration deadline) throws Exception {
    return TestEngine.eigenConfig(Map.of(
        "BERICHTENBOX_DB_URL",
        dbUrl,
        "BERICHTENBOX_HTTP_INSTANCES",
        "2",
        "BERICHTENBOX_HTTP_RESPONSE_TIMEOUT",
        deadline.toString()));
  }
}
