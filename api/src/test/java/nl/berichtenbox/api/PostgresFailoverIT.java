package nl.berichtenbox.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import nl.berichtenbox.engine.config.EngineConfig;
import org.junit.jupiter.api.Test;

/**
 * The failover drill (contract: RPO 0 across machines): a primary and a streaming standby, real
 * PostgreSQL processes, the standby seeded with pg_basebackup and named in
 * {@code synchronous_standby_names}; the engine's URL names both, the standby first, with
 * {@code target_session_attrs=read-write}. Under intake load (and its processing, and an afnemer
 * following its receipt feed) the primary is killed with SIGKILL, every process of it, as a lost
 * machine; a few seconds later the standby is promoted. The engine carries on against it by
 * itself.
 *
 * <p>Proven: every answer meanwhile is 202/200 or 503 with Retry-After, none later than the answer
 * deadline; readiness is false meanwhile; every message that got a 2xx is on the promoted standby
 * and has exactly one receipt; the feed as the afnemer read it through the failover has no gap and
 * no duplicate. Measured (target/failover-meting.json): the seconds without service, and the intake
 * rate without and with the synchronous standby in the same run.
 */
class PostgresFailoverIT {
  /** The long version (loadtest/run-uitval.sh) sets these; the defaults keep the test short. */
  private static final long RONDE_MS = Long.getLong("berichtenbox.drill.rondeMs", 5_500);

  private static final long UITVAL_MS = Long.getLong("berichtenbox.drill.uitvalMs", 3_000);
  private static final long NA_MS = Long.getLong("berichtenbox.drill.naMs", 5_000);
  private static final int ZENDERS = Integer.getInteger("berichtenbox.drill.zenders", 16);
  private static final Duration LIVE = Duration.ofSeconds(30);

  @Test
  void theEngineFollowsThePromotedStandbyAndLosesNothingAcknowledged() throws Exception {
    PostgresServer[] paar = PostgresServer.primairMetStandby("primair");
    try (PostgresServer primair = paar[0];
        PostgresServer standby = paar[1]) {
      // the standby first: the engine must pick the host that writes, not the first one named
      EngineConfig config =
          config("postgresql://postgres@127.0.0.1:" + standby.port() + ",127.0.0.1:"
              + primair.port() + "/berichtenbox?target_session_attrs=read-write&connect_timeout=2");
      drill(config, primair, standby);
    }
  }

  private static void drill(EngineConfig config, PostgresServer primair, PostgresServer standby)
      throws Exception {
    try (ApiServer engine = ApiServer.start(config)) {
      Api api = TestEngine.api(engine);
      Api.Afnemer a = api.newAfnemer();
      List<String> bsns = api.newBurgers(a, 20);
      List<long[]> gereedheid = Collections.synchronizedList(new ArrayList<>()); // {ms, status}
      // a citizen following their box live: its events are carried by LISTEN, which a standby
      // refuses, so the listening connection must find the primary, and follow it
      Api.Afnemer b = api.newAfnemer();
      String volger = api.newBurger(b);
      try (SseClient stroom = SseClient.open(api.base, api.burgerToken(volger), null);
          Intakebelasting zenders = new Intakebelasting(() -> api, a, bsns, ZENDERS).start();
          Feedvolger feed = new Feedvolger(() -> api, a)) {
        assertEquals(200, stroom.status);
        stroom.next(LIVE, "ongelezen");
        api.post("/api/v1/berichten", b.key(), Api.bericht(volger).put("onderwerp", "Voor"))
            .expect(202);
        assertEquals("Voor", stroom.next(LIVE, "bericht").data().getString("onderwerp"));
        Thread peiler = new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                int s;
                try {
                  s = api.get("/health/ready", null).status();
                } catch (RuntimeException e) {
                  s = -1;
                }
                gereedheid.add(new long[] {zenders.nu(), s});
                try {
                  Thread.sleep(100);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "gereedheid");
        peiler.setDaemon(true);
        peiler.start();

        // the same run, the same load: without and with the synchronous standby, twice each after a
        // warm-up, so neither is favoured by the JIT or the hour
        Thread.sleep(4_000);
        double[] perSeconde = new double[2]; // asynchronous, synchronous
        for (int ronde = 0; ronde < 4; ronde++) {
          boolean synchroon = ronde % 2 == 1;
          primair.zetSynchroon(synchroon);
          long van = zenders.nu() + 500;
          Thread.sleep(RONDE_MS);
          perSeconde[synchroon ? 1 : 0] += zenders.geaccepteerdPerSeconde(van, zenders.nu()) / 2;
        }
        double async = perSeconde[0];
        double sync = perSeconde[1];

        // the primary's machine is lost
        long kill = zenders.nu();
        primair.kill();
        long dood = zenders.nu(); // every process of the primary has exited
        Thread.sleep(UITVAL_MS);
        long promote = zenders.nu();
        standby.promote();
        Api.await(
            "an accepted message after the promotion",
            Duration.ofSeconds(60),
            () -> zenders.uitkomsten().stream()
                .anyMatch(u -> u.beginMs() > promote && u.geaccepteerd()),
            () -> zenders.perStatus().toString());
        // the listening connection made again at the promoted host; then a change reaches the
        // stream by its notification
        Api.await(
            "listening again after the failover",
            Duration.ofSeconds(30),
            () -> Metrieken.van(api).som("berichtenbox_gebeurtenissen_luisterverbindingen_total")
                >= 2,
            () -> "");
        Api.await(
            "a message for the following citizen accepted after the failover",
            Duration.ofSeconds(30),
            () -> api.post("/api/v1/berichten", b.key(), Api.bericht(volger).put("onderwerp", "Na"))
                    .status()
                == 202,
            () -> "");
        assertEquals("Na", stroom.next(LIVE, "bericht").data().getString("onderwerp"));
        Thread.sleep(NA_MS);
        zenders.close();
        // a probe cut short by this interrupt is recorded after this moment, and not judged
        long eindePeiling = zenders.nu();
        peiler.interrupt();
        peiler.join();

        List<Intakebelasting.Uitkomst> uit = zenders.uitkomsten();
        // service: the last acceptance of a request sent before the kill, the first of one sent
        // after the primary was gone
        long laatsteVoor = uit.stream()
            .filter(u -> u.beginMs() < kill && u.geaccepteerd())
            .mapToLong(Intakebelasting.Uitkomst::tijdMs)
            .max()
            .orElse(kill);
        long eersteNa = uit.stream()
            .filter(u -> u.beginMs() > dood && u.geaccepteerd())
            .mapToLong(Intakebelasting.Uitkomst::tijdMs)
            .min()
            .orElseThrow();
        long maxDuur =
            uit.stream().mapToLong(Intakebelasting.Uitkomst::duurMs).max().orElse(0);
        Map<Integer, Long> perStatus = zenders.perStatus();

        // every answer was one a client can act on, in bounded time
        for (Intakebelasting.Uitkomst u : uit) {
          assertTrue(
              u.status() == 202 || u.status() == 200 || u.status() == 503,
              "unexpected answer " + u);
          assertTrue(u.status() != 503 || u.retryAfter(), "503 without Retry-After: " + u);
        }
        assertTrue(
            maxDuur < config.httpResponseTimeout().toMillis() + 2_000,
            "longest answer " + maxDuur + " ms");
        // (a request sent in the milliseconds between the kill's signal and the primary's exit may
        // still commit)
        assertTrue(
            eersteNa > promote,
            "nothing sent after the primary was gone was accepted before the promotion");
        assertTrue(
            perStatus.getOrDefault(503, 0L) > 0,
            "requests during the outage were refused: " + perStatus);
        // readiness was false while no host took writes, and true again after
        List<long[]> ready =
            new ArrayList<>(gereedheid.stream().filter(r -> r[0] < eindePeiling).toList());
        assertTrue(
            ready.stream().anyMatch(r -> r[0] > kill && r[0] < eersteNa + 1_000 && r[1] == 503),
            "readiness went false during the outage");
        assertEquals(200, ready.get(ready.size() - 1)[1], "ready again after the promotion");

        // the client's retries of what was refused: each accepted now, some found stored already
        int alOpgeslagen = zenders.probeerOpnieuw(api, Duration.ofSeconds(60));
        Set<String> geaccepteerd = new HashSet<>(zenders.geaccepteerd());

        // every acknowledged message is on the promoted standby ...
        Set<String> opStandby = TestEngine.opgeslagen(
            "jdbc:postgresql://127.0.0.1:" + standby.port() + "/berichtenbox", a.oin());
        Set<String> kwijt = new HashSet<>(geaccepteerd);
        kwijt.removeAll(opStandby);
        assertEquals(Set.of(), kwijt, "acknowledged messages missing on the promoted standby");
        assertEquals(
            geaccepteerd, opStandby, "stored messages that were never acknowledged (nor retried)");

        // ... and receipted exactly once, the feed read through the failover without gap or
        // duplicate
        Api.await(
            "a receipt for each of the " + geaccepteerd.size() + " messages",
            Duration.ofSeconds(90),
            () -> feed.perBericht().keySet().containsAll(geaccepteerd),
            () -> feed.perBericht().size() + " read");
        feed.close();
        feed.leesTotHetEinde();
        Map<String, Integer> perBericht = feed.perBericht();
        assertEquals(
            geaccepteerd,
            perBericht.keySet(),
            "the feed holds a receipt for exactly the stored messages");
        assertTrue(
            perBericht.values().stream().allMatch(n -> n == 1),
            "a message receipted twice in the feed");
        assertTrue(feed.stijgend(), "the feed's numbers rose throughout");
        Map<String, Integer> vanafNul = api.receiptCounts(a);
        assertEquals(
            perBericht, vanafNul, "the feed read again from 0 is the feed read during the drill");

        JsonObject meting = new JsonObject()
            .put("rondeMs", RONDE_MS)
            .put("zenders", ZENDERS)
            .put("berichtenPerSecondeAsynchroon", Math.round(async))
            .put("berichtenPerSecondeSynchroneStandby", Math.round(sync))
            .put("verhouding", Math.round(sync / async * 100) / 100.0)
            .put("secondenZonderDienst", (eersteNa - laatsteVoor) / 1000.0)
            .put("secondenKillTotPromotie", (promote - kill) / 1000.0)
            .put("secondenPromotieTotEersteAanname", (eersteNa - promote) / 1000.0)
            .put(
                "secondenNietGereed",
                ready.stream().filter(r -> r[1] != 200 && r[0] > kill).count() / 10.0)
            .put("langsteAntwoordMs", maxDuur)
            .put(
                "antwoorden",
                new JsonObject(new HashMap<>(perStatus.entrySet().stream()
                    .collect(
                        Collectors.toMap(e -> Integer.toString(e.getKey()), Map.Entry::getValue)))))
            .put("geaccepteerd", geaccepteerd.size())
            .put("naFoutAlOpgeslagen", alOpgeslagen)
            .put("ontvangstbewijzen", perBericht.size())
            .put("feedFouten", feed.fouten());
        Files.writeString(Path.of("target", "failover-meting.json"), meting.encodePrettily());
        System.out.println("failover drill: " + meting.encode());
        assertTrue(sync > 0 && async > 0, meting.encode());
      }
    }
  }

  private static EngineConfig config(String dbUrl) throws Exception {
    return TestEngine.eigenConfig(
        Map.of("BERICHTENBOX_DB_URL", dbUrl, "BERICHTENBOX_HTTP_INSTANCES", "2"));
  }
}
