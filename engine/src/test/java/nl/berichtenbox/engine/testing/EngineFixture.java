package nl.berichtenbox.engine.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import nl.berichtenbox.engine.afnemers.Afnemers;
import nl.berichtenbox.engine.berichtenbox.Berichtenboxen;
import nl.berichtenbox.engine.config.EngineConfig;
import nl.berichtenbox.engine.domain.Identifiers;
import nl.berichtenbox.engine.intake.Intake;
import nl.berichtenbox.engine.intake.IntakeSaturation;
import nl.berichtenbox.engine.metrics.EngineMetrics;
import nl.berichtenbox.engine.store.Database;
import nl.berichtenbox.engine.support.Secrets;
import nl.berichtenbox.engine.tracing.Tracing;

/**
 * The engine's parts on a database of their own, without HTTP, for tests of the engine's SQL: an
 * afnemer with a berichttype, an intake on a test event loop, citizens, and a second pool that
 * reads what the parts wrote. With {@code viaProxy} the parts' pool goes through a {@link TcpProxy},
 * so a test can cut its connections; the reading pool never does.
 */
public final class EngineFixture implements AutoCloseable {
  public static final String OIN = "00000001234567890000";

  public final Vertx vertx = Vertx.vertx();
  public final EngineMetrics metrics = new EngineMetrics();
  public final EngineConfig config;
  /** The parts' pool (through the proxy, if any). */
  public final Pool pool;
  /** The proxy the parts' pool goes through, or null. */
  public final TcpProxy proxy;

  /** Whether the fixture's intake has been at its limit. */
  public final IntakeSaturation intakeSaturation = new IntakeSaturation();

  private final Context lus = vertx.getOrCreateContext();
  private final Pool direct;
  private final Intake intake;

  public EngineFixture(boolean viaProxy) throws Exception {
    this(viaProxy, Map.of());
  }

  /** With settings of its own ({@code BERICHTENBOX_...}) beside the database's. */
  public EngineFixture(boolean viaProxy, Map<String, String> settings) throws Exception {
    Database db = TestDatabase.nieuw();
    proxy = viaProxy ? new TcpProxy(vertx, "127.0.0.1", db.connectOptions().getPort()) : null;
    Map<String, String> env = new HashMap<>(settings);
    env.put(
        "BERICHTENBOX_DB_URL",
        "postgresql://postgres@127.0.0.1:"
            + (viaProxy ? proxy.port() : db.connectOptions().getPort())
            + "/"
            + db.connectOptions().getDatabase());
    config = TestDatabase.config(env);
    pool = Database.start(config).pool(vertx, 4);
    // two: a test may hold one (a transaction left open) and still read with the other
    direct = db.pool(vertx, 2);
    intake = opLus(() -> Future.succeededFuture(new Intake(
        pool, config, () -> {}, metrics, intakeSaturation, Tracing.off(), Clock.systemUTC())));
    Afnemers afnemers = new Afnemers(pool, new Secrets(config.portalJwtSecret()));
    wacht(afnemers.create(new JsonObject().put("oin", OIN).put("naam", "Belastingdienst")));
    wacht(afnemers.putBerichtType(
        OIN, "AANSL", new JsonObject().put("omschrijving", "Aanslag").put("actief", true)));
  }

  /** A citizen with an active box that accepts the afnemer; e-mail notifications on when an address is given. */
  public String burger(String email) throws Exception {
    Berichtenboxen boxen = new Berichtenboxen(pool);
    String bsn = bsn();
    wacht(boxen.put(
        bsn,
        email == null
            ? new JsonObject()
            : new JsonObject().put("email", email).put("notificatiesAan", true)));
    wacht(boxen.putVoorkeur(bsn, OIN, new JsonObject().put("berichtenOntvangen", true)));
    return bsn;
  }

  /** Parks a message for {@code bsn} through the engine's intake; its berichtId. */
  public UUID stuur(String bsn) throws Exception {
    UUID id = UUID.randomUUID();
    JsonObject bericht = new JsonObject()
        .put("berichtId", id.toString())
        .put("berichtType", "AANSL")
        .put("bsn", bsn)
        .put("onderwerp", "Uw aanslag");
    opLus(() -> intake.bericht(OIN, bericht, null));
    return id;
  }

  /** Parks {@code n} messages for {@code bsn} through the engine's intake, all offered at once. */
  public void stuurTegelijk(String bsn, int n) throws Exception {
    opLus(() -> {
      List<Future<?>> alle = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        alle.add(intake.bericht(
            OIN,
            new JsonObject()
                .put("berichtId", UUID.randomUUID().toString())
                .put("berichtType", "AANSL")
                .put("bsn", bsn)
                .put("onderwerp", "Uw aanslag"),
            null));
      }
      return Future.all(alle).mapEmpty();
    });
  }

  /** The intake on the fixture's loop: call it from {@link #opLus}. */
  public Intake intake() {
    return intake;
  }

  /** A connection past the proxy, for a transaction the test holds open; the caller closes it. */
  public SqlConnection verbinding() throws Exception {
    return wacht(direct.getConnection());
  }

  /** The rows of a statement, read past the proxy. */
  public List<Row> rijen(String sql, Object... args) throws Exception {
    List<Row> out = new ArrayList<>();
    wacht(direct.preparedQuery(sql).execute(Tuple.from(args))).forEach(out::add);
    return out;
  }

  /**
   * The rows of a statement sent as text, unprepared (the simple protocol): for a statement with
   * parameters it does not bind, as {@code EXPLAIN (GENERIC_PLAN)}.
   */
  public List<Row> tekst(String sql) throws Exception {
    List<Row> out = new ArrayList<>();
    wacht(direct.query(sql).execute()).forEach(out::add);
    return out;
  }

  /** The first column of the first row of a statement, as an int. */
  public int getal(String sql, Object... args) throws Exception {
    return rijen(sql, args).get(0).getInteger(0);
  }

  /** A valid BSN (elfproef), random. */
  public static String bsn() {
    while (true) {
      String s =
          String.format("%09d", ThreadLocalRandom.current().nextInt(100_000_000, 1_000_000_000));
      if (Identifiers.isBsn(s)) {
        return s;
      }
    }
  }

  /** Runs {@code work} on the fixture's event loop, as the engine's callers do, and waits for it. */
  public <T> T opLus(Supplier<Future<T>> work) throws Exception {
    Promise<T> p = Promise.promise();
    lus.runOnContext(v -> work.get().onComplete(p));
    return wacht(p.future());
  }

  public static <T> T wacht(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /** A condition a test waits for. */
  public interface Voorwaarde {
    boolean geldt() throws Exception;
  }

  /** Waits until {@code v} holds, polling every 20 ms, at most 30 s. */
  public static void await(String wat, Voorwaarde v) throws Exception {
    long tot = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!v.geldt()) {
      assertTrue(System.nanoTime() < tot, "timed out waiting for " + wat);
      Thread.sleep(20);
    }
  }

  @Override
  public void close() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
    wacht(vertx.close());
  }
}
