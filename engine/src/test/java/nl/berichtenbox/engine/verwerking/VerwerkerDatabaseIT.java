package nl.berichtenbox.engine.verwerking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import nl.berichtenbox.engine.afnemers.Afnemers;
import nl.berichtenbox.engine.berichtenbox.Berichtenboxen;
import nl.berichtenbox.engine.config.EngineConfig;
import nl.berichtenbox.engine.domain.BerichtStatus;
import nl.berichtenbox.engine.domain.Identifiers;
import nl.berichtenbox.engine.intake.Intake;
import nl.berichtenbox.engine.metrics.EngineMetrics;
import nl.berichtenbox.engine.store.Database;
import nl.berichtenbox.engine.support.Secrets;
import nl.berichtenbox.engine.testing.TcpProxy;
import nl.berichtenbox.engine.testing.TestDatabase;
import nl.berichtenbox.engine.tracing.Tracing;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Processing's SQL against the real database, without HTTP: intake parks, the {@link Verwerker}
 * decides, and what it writes (status, receipt, notification) is read back; with the connections
 * cut under it by a {@link TcpProxy}, every message still gets exactly one receipt.
 */
class VerwerkerDatabaseIT {
  private static final String OIN = "00000001234567890000";
  private Vertx vertx;
  private Context lus;
  private TcpProxy proxy;
  private Pool pool;
  private Pool direct;
  private EngineMetrics metrics;
  private Verwerker verwerker;
  private Intake intake;
  private EngineConfig config;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    lus = vertx.getOrCreateContext();
    Database db = TestDatabase.nieuw();
    proxy = new TcpProxy(vertx, "127.0.0.1", db.connectOptions().getPort());
    EngineConfig config = TestDatabase.config(Map.of(
        "BERICHTENBOX_DB_URL",
        "postgresql://postgres@127.0.0.1:" + proxy.port() + "/"
            + db.connectOptions().getDatabase()));
    metrics = new EngineMetrics();
    pool = Database.start(config).pool(vertx, 4); // through the proxy
    direct = db.pool(vertx, 1);
    this.config = config;
    intake = opLus(() -> Future.succeededFuture(
        new Intake(pool, config, () -> {}, metrics, Tracing.uit(), Clock.systemUTC())));
    Afnemers afnemers = new Afnemers(pool, new Secrets(config.portalJwtSecret()));
    wacht(afnemers.create(new JsonObject().put("oin", OIN).put("naam", "Belastingdienst")));
    wacht(afnemers.putBerichtType(
        OIN, "AANSL", new JsonObject().put("omschrijving", "Aanslag").put("actief", true)));
  }

  /** Starts processing, {@code batch} messages a round at most (its poll finds what was parked). */
  private void verwerk(int batch) {
    verwerker = new Verwerker(
        vertx,
        pool,
        batch,
        config.verwerkingPollInterval(),
        config.verwerkingsberichtenBewaartermijn(),
        config.notificaties().bundleWindow(),
        metrics,
        Tracing.uit());
    verwerker.start();
  }

  @AfterEach
  void stop() throws Exception {
    if (verwerker != null) {
      wacht(verwerker.stop());
    }
    proxy.close();
    wacht(vertx.close());
  }

  @Test
  void aMessageToABoxThatAcceptsIsDeliveredAndNotifiedOneToNoBoxIsRefused() throws Exception {
    Berichtenboxen boxen = new Berichtenboxen(pool);
    String welkom = bsn();
    String zonderBox = bsn();
    wacht(boxen.put(
        welkom, new JsonObject().put("email", "a@burger.test").put("notificatiesAan", true)));
    wacht(boxen.putVoorkeur(welkom, OIN, new JsonObject().put("berichtenOntvangen", true)));

    UUID bezorgd = stuur(welkom);
    UUID geweigerd = stuur(zonderBox);
    verwerk(config.verwerkingBatchSize());
    await(
        "both processed",
        () -> status(bezorgd) != BerichtStatus.ONTVANGEN
            && status(geweigerd) != BerichtStatus.ONTVANGEN);

    assertEquals(BerichtStatus.AFGELEVERD, status(bezorgd));
    assertEquals(List.of("Verwerkt"), ontvangstbewijzen(bezorgd));
    assertEquals(BerichtStatus.AFGEWEZEN, status(geweigerd));
    assertEquals(List.of("NietActiefOfGeabonneerd"), ontvangstbewijzen(geweigerd));
    assertEquals(
        1,
        getal("SELECT count(*)::int FROM notificatie WHERE bsn = $1", welkom),
        "one e-mail queued");
    assertEquals(0, getal("SELECT count(*)::int FROM notificatie WHERE bsn = $1", zonderBox));
  }

  @Test
  void connectionsCutUnderProcessingLoseNoMessageAndGiveNoneTwoReceipts() throws Exception {
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      ids.add(stuur(bsn()));
    }
    // small rounds, and their connections cut while they run, until every message is decided
    verwerk(5);
    int sneden = 0;
    long tot = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (getal(
            "SELECT count(*)::int FROM bericht WHERE status = $1", BerichtStatus.ONTVANGEN.code)
        > 0) {
      assertTrue(System.nanoTime() < tot, "processing did not recover from the cuts");
      if (metrics.verwerkingFouten.sum() == 0 && proxy.verbindingen() > 0) {
        proxy.verbreek();
        sneden++;
      }
      Thread.sleep(10);
    }
    assertTrue(metrics.verwerkingFouten.sum() > 0, "no round was cut short (" + sneden + " cuts)");
    assertEquals(
        400,
        getal("SELECT count(*)::int FROM verwerkingsbericht WHERE oin = $1", OIN),
        "one receipt each");
    assertEquals(
        400,
        getal(
            "SELECT count(DISTINCT bericht_id)::int FROM verwerkingsbericht WHERE oin = $1", OIN));
    assertEquals(
        400,
        getal(
            "SELECT count(*)::int FROM bericht WHERE oin = $1 AND verwerkings_code = 'NietActiefOfGeabonneerd'",
            OIN),
        "no message was given up as a technical problem for the database's absence");
  }

  private UUID stuur(String bsn) throws Exception {
    UUID id = UUID.randomUUID();
    JsonObject bericht = new JsonObject()
        .put("berichtId", id.toString())
        .put("berichtType", "AANSL")
        .put("bsn", bsn)
        .put("onderwerp", "Uw aanslag");
    opLus(() -> intake.bericht(OIN, bericht, null));
    return id;
  }

  private BerichtStatus status(UUID berichtId) throws Exception {
    return BerichtStatus.van(getal(
        "SELECT status::int FROM bericht WHERE oin = $1 AND bericht_id = $2::uuid",
        OIN,
        berichtId.toString()));
  }

  private List<String> ontvangstbewijzen(UUID berichtId) throws Exception {
    List<String> codes = new ArrayList<>();
    for (Row r : wacht(direct
        .preparedQuery(
            "SELECT verwerkings_code FROM verwerkingsbericht WHERE oin = $1 AND bericht_id = $2::text")
        .execute(Tuple.of(OIN, berichtId.toString())))) {
      codes.add(r.getString(0));
    }
    return codes;
  }

  private int getal(String sql, Object... args) throws Exception {
    return wacht(direct.preparedQuery(sql).execute(Tuple.from(args)))
        .iterator()
        .next()
        .getInteger(0);
  }

  private static String bsn() {
    while (true) {
      String s =
          String.format("%09d", ThreadLocalRandom.current().nextInt(100_000_000, 1_000_000_000));
      if (Identifiers.isBsn(s)) {
        return s;
      }
    }
  }

  /** Runs {@code work} on the test's event loop, as the engine's callers do, and waits for it. */
  private <T> T opLus(Supplier<Future<T>> work) throws Exception {
    Promise<T> p = Promise.promise();
    lus.runOnContext(v -> work.get().onComplete(p));
    return wacht(p.future());
  }

  private static <T> T wacht(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private interface Voorwaarde {
    boolean geldt() throws Exception;
  }

  private static void await(String wat, Voorwaarde v) throws Exception {
    long tot = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!v.geldt()) {
      assertTrue(System.nanoTime() < tot, "timed out waiting for " + wat);
      Thread.sleep(20);
    }
  }
}
