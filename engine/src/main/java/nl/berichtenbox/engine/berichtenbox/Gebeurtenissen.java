package nl.berichtenbox.engine.berichtenbox;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.PgNotification;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import nl.berichtenbox.engine.domain.ClientErrorException;
import nl.berichtenbox.engine.metrics.EngineMetrics;
import nl.berichtenbox.engine.support.Component;
import nl.berichtenbox.engine.support.Logs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live updates of citizens' boxes (contract §7.2, docs/adr/0008): Server-Sent Events from the
 * events the processing round, the portal's changes and the publication job write for citizens
 * who follow their box, carried to every process by PostgreSQL's {@code NOTIFY}. A stream resumes
 * from {@code Last-Event-ID} while its citizen was followed all along (24 hours after the last
 * stream closed), else it is told to reload. At most {@link #MAX_STROMEN} streams per citizen for
 * the service. All state is confined to this component's context.
 */
public final class Gebeurtenissen implements Component {
  private static final Logger LOG = LoggerFactory.getLogger(Gebeurtenissen.class);
  /** The channel a change of a followed citizen's box is notified on; the payload is the BSN. */
  public static final String KANAAL = "berichtenbox_box";

  /**
   * The SQL that announces, at commit, each citizen of CTE {@code cte} (a column {@code bsn}) on
   * {@link #KANAAL}, once per citizen; its value is how many.
   */
  public static String meld(String cte) {
    return "(SELECT count(pg_notify('" + KANAAL + "', bsn)) FROM (SELECT DISTINCT bsn FROM " + cte
        + ") m)";
  }

  public static final int MAX_STROMEN = 5;
  /**
   * Reads of streams' events at once, per process: a burst (streams opening, a reconnect of the
   * listening connection that has every stream look again) waits here instead of taking the pool's
   * connections from the portal's requests.
   */
  static final int LEZINGEN = 2;

  /**
   * The longest a stream is quiet (contract §7.2: a comment at least every 15 s); a proxy in front
   * must allow more than this between two writes.
   */
  public static final long COMMENTAAR_MS = 15_000;

  private static final int PER_KEER = 500;
  /** How far below its last id a stream looks again (ids are taken before commit). */
  private static final long VENSTER = 1_000;

  /** The HTTP response of a stream, as the engine sees it. Callable from any thread. */
  public interface Stroom {
    void schrijf(String tekst);

    void sluit();

    /** Whether the client went away (its close may come before the stream is registered). */
    boolean weg();
  }

  private static final String OPENEN = """
      WITH oud AS (SELECT tot > now() AS gevolgd FROM box_volger WHERE bsn = $1),
      tel AS (
        SELECT count(*) AS n FROM box_stroom s JOIN box_proces p ON p.proces = s.proces AND p.tot > now()
        WHERE s.bsn = $1
      ), ins AS (
        INSERT INTO box_stroom (id, bsn, proces) SELECT $2, $1, $3 FROM tel WHERE n < $4
        RETURNING 1
      ), vol AS (
        INSERT INTO box_volger AS v (bsn, tot) SELECT $1, now() + interval '25 hours' FROM ins
        ON CONFLICT (bsn) DO UPDATE SET tot = greatest(v.tot, EXCLUDED.tot)
        RETURNING 1
      )
      SELECT (SELECT count(*) FROM ins) AS toegelaten,
             coalesce((SELECT gevolgd FROM oud), false) AS gevolgd,
             (SELECT min(id) FROM box_gebeurtenis) AS oudste,
             (SELECT coalesce(max(id), 0) FROM box_gebeurtenis) AS hoogste,
             (SELECT coalesce(max(id), 0) FROM box_gebeurtenis WHERE bsn = $1) AS laatste""";

  private static final String SLOT = "SELECT pg_advisory_xact_lock(hashtext('box_stroom:' || $1))";

  private static final String LEZEN = """
      SELECT g.id, g.soort, b.publiek_id, b.oin, a.naam, b.onderwerp, b.map, b.gelezen, g.gelezen, g.map
      FROM box_gebeurtenis g
      JOIN bericht b ON b.id = g.bericht
      LEFT JOIN afnemer a ON a.oin = b.oin
      WHERE g.bsn = $1 AND g.id > $2
      ORDER BY g.id LIMIT $3""";

  private static final String ONGELEZEN = "SELECT " + Berichtenboxen.ongelezen("$1");

  /** This process alive (one row, every 15 s): its streams count against their citizens' cap. */
  private static final String LEVEND = """
      INSERT INTO box_proces AS p (proces, tot) VALUES ($1, now() + interval '45 seconds')
      ON CONFLICT (proces) DO UPDATE SET tot = EXCLUDED.tot""";

  /**
   * The citizens with a stream here stay followed (hourly, 25 h ahead: at least 24 h after a
   * stream that ends with the process).
   */
  private static final String VOLGEN = """
      UPDATE box_volger SET tot = now() + interval '25 hours'
      WHERE bsn IN (SELECT bsn FROM box_stroom WHERE proces = $1)""";

  /** A stream closed: its place free, its citizen followed for 24 h from now. */
  private static final String DICHT = """
      WITH s AS (DELETE FROM box_stroom WHERE id = $1 RETURNING bsn)
      UPDATE box_volger SET tot = greatest(tot, now() + interval '24 hours') WHERE bsn IN (SELECT bsn FROM s)""";

  private static final String OPRUIMEN = """
      WITH a AS (DELETE FROM box_gebeurtenis WHERE tijdstip < now() - interval '25 hours' RETURNING 1),
      b AS (DELETE FROM box_volger WHERE tot < now() - interval '1 hour' RETURNING 1),
      c AS (DELETE FROM box_stroom s WHERE NOT EXISTS (
              SELECT 1 FROM box_proces p WHERE p.proces = s.proces AND p.tot > now()) RETURNING 1),
      d AS (DELETE FROM box_proces WHERE tot < now() - interval '1 hour' RETURNING 1)
      SELECT (SELECT count(*) FROM a) + (SELECT count(*) FROM b) + (SELECT count(*) FROM c)
             + (SELECT count(*) FROM d)""";

  private final Vertx vertx;
  private final Pool pool;
  /**
   * A pool of one for LISTEN: it opens its connection where the portal's pool does, at the host
   * that takes writes now (a standby refuses LISTEN), so after a failover it follows the primary.
   */
  private final Pool luisterPool;

  private final EngineMetrics metrics;
  private final UUID proces = UUID.randomUUID();
  private final Map<String, List<Lezer>> perBurger = new HashMap<>();
  private final Map<Stroom, Lezer> perStroom = new IdentityHashMap<>();
  /** Streams waiting for a read: at most {@link #LEZINGEN} run at once, the pool is the portal's too. */
  private final ArrayDeque<Lezer> wachtrij = new ArrayDeque<>();

  private int lezingen;
  private final List<Long> timers = new ArrayList<>();
  private Context context;
  /** The connection listening now (null: none, being made). */
  private PgConnection luisteraar;

  private int luisterPogingen;
  private long luisterTimer = -1;
  private boolean gestopt;
  private boolean beeindigd; // the streams were ended (the process drains): a new one ends at once
  /** This process marked alive: before it is, its own streams would not count against the cap. */
  private volatile Future<Void> levend = Future.succeededFuture();

  public Gebeurtenissen(Vertx vertx, Pool pool, Pool luisterPool, EngineMetrics metrics) {
    this.vertx = vertx;
    this.pool = pool;
    this.luisterPool = luisterPool;
    this.metrics = metrics;
    // the registered streams themselves are the count (a size read from the scrape's thread)
    metrics.gebeurtenisstromenOpen(perStroom::size);
  }

  /** One open stream. */
  private static final class Lezer {
    final UUID id;
    final String bsn;
    final Stroom stroom;
    /** Events up to here were seen before the stream (re)started: never sent. */
    final long vloer;
    /** The highest id sent. */
    long laatste;
    /** The ids sent above {@code laatste - VENSTER}: a late commit below the last id still goes. */
    final LinkedHashSet<Long> gestuurd = new LinkedHashSet<>();

    long ongelezen = -1;
    boolean bezig;
    boolean nogmaals;
    boolean inRij;
    /** When something was last written (System.nanoTime()): a comment goes only after 15 s of quiet. */
    long geschreven = System.nanoTime();

    boolean dicht;
    long einde = -1;

    Lezer(UUID id, String bsn, Stroom stroom, long vloer) {
      this.id = id;
      this.bsn = bsn;
      this.stroom = stroom;
      this.vloer = vloer;
      this.laatste = vloer;
    }
  }

  @Override
  public void start() {
    context = vertx.getOrCreateContext();
    context.runOnContext(v -> {
      levend = levend();
      luister();
      timers.add(vertx.setPeriodic(1_000, id -> houdVast()));
      timers.add(vertx.setPeriodic(COMMENTAAR_MS, id -> houdLevend()));
      timers.add(vertx.setPeriodic(600_000, id -> opruimen()));
      timers.add(vertx.setPeriodic(
          3_600_000,
          id -> pool.preparedQuery(VOLGEN)
              .execute(Tuple.of(proces))
              .onFailure(e ->
                  LOG.warn("live updates: keeping citizens followed failed: {}", Logs.safe(e)))));
    });
  }

  /**
   * Listens for changes on a connection of {@link #luisterPool}; tried again (0.1 s, 0.2 s, ... up
   * to 5 s apart) until it works, and again whenever that connection is lost. Runs on the context.
   */
  private void luister() {
    if (gestopt) {
      return;
    }
    luisterPool
        .getConnection()
        .compose(c -> {
          PgConnection pg = PgConnection.cast(c);
          pg.notificationHandler(n -> context.runOnContext(v -> gemeld(n)));
          pg.closeHandler(v -> context.runOnContext(x -> verloren(pg)));
          return pg.query("LISTEN " + KANAAL).execute().map(pg).onFailure(e -> pg.close());
        })
        .onComplete(ar -> context.runOnContext(v -> {
          if (ar.failed()) {
            luisterPogingen++;
            long ms = Math.min(5_000L, 100L * luisterPogingen);
            LOG.warn(
                "live updates: listening for changes failed, again in {} ms: {}",
                ms,
                Logs.safe(ar.cause()));
            if (!gestopt) {
              luisterTimer = vertx.setTimer(ms, id -> luister());
            }
            return;
          }
          if (gestopt) {
            ar.result().close();
            return;
          }
          luisteraar = ar.result();
          luisterPogingen = 0;
          metrics.gebeurtenissenLuisterVerbindingen.increment();
          // a notification may have been missed while nothing listened: every stream looks again
          perBurger.values().forEach(l -> l.forEach(this::lees));
        }));
  }

  private void gemeld(PgNotification n) {
    if (!KANAAL.equals(n.getChannel())) {
      return;
    }
    List<Lezer> l = perBurger.get(n.getPayload());
    if (l != null) {
      l.forEach(this::lees);
    }
  }

  /** The listening connection closed (the database restarted, failed over, or is out of reach). */
  private void verloren(PgConnection pg) {
    if (luisteraar != pg) {
      return;
    }
    luisteraar = null;
    if (!gestopt) {
      LOG.warn("live updates: the listening connection was lost; listening again");
      luister();
    }
  }

  /**
   * Every 15 s the listening connection is asked something: a host that vanished without closing
   * the connection (a machine lost) fails the question within the TCP user timeout, and the
   * connection is then made again, at whichever host takes writes.
   */
  private void peilLuisteraar() {
    PgConnection pg = luisteraar;
    if (pg == null) {
      return;
    }
    pg.query("SELECT 1")
        .execute()
        .onFailure(e -> context.runOnContext(v -> {
          LOG.warn("live updates: the listening connection does not answer: {}", Logs.safe(e));
          // back to its pool first: a live connection is taken again, a broken one is gone
          pg.close();
          verloren(pg);
        }));
  }

  /**
   * Opens a stream for {@code bsn} that ends at {@code eindEpochSeconds}, resuming after {@code
   * lastEventId} (null: from now); fails with a 429 past the citizen's cap.
   */
  public Future<Void> open(String bsn, String lastEventId, long eindEpochSeconds, Stroom stroom) {
    UUID stroomId = UUID.randomUUID();
    Future<Void> eerst = levend.recover(e -> levend = levend());
    return eerst
        .compose(x -> pool.withTransaction(conn -> conn.preparedQuery(SLOT)
            .execute(Tuple.of(bsn))
            .compose(v ->
                conn.preparedQuery(OPENEN).execute(Tuple.of(bsn, stroomId, proces, MAX_STROMEN)))))
        .compose(rows -> {
          Row r = rows.iterator().next();
          if (r.getLong("toegelaten") == 0) {
            return Future.failedFuture(new ClientErrorException(
                429,
                "Te veel verbindingen",
                "er staan al " + MAX_STROMEN + " gebeurtenisstromen open voor deze Berichtenbox",
                null,
                List.of(),
                15L));
          }
          long laatste = r.getLong("laatste");
          Long vanaf = herstelPunt(
              lastEventId, r.getBoolean("gevolgd"), r.getLong("oudste"), r.getLong("hoogste"));
          return Future.<Void>future(p -> context.runOnContext(v -> {
            Lezer l = new Lezer(stroomId, bsn, stroom, vanaf != null ? vanaf : laatste);
            perBurger.computeIfAbsent(bsn, k -> new ArrayList<>()).add(l);
            perStroom.put(stroom, l);
            if (stroom.weg() || beeindigd) {
              // the client left while the stream was being opened (its close found nothing here),
              // or the process ended its streams meanwhile (it drains)
              sluit(l);
              p.complete();
              return;
            }
            long ms = eindEpochSeconds * 1000 - System.currentTimeMillis();
            l.einde = vertx.setTimer(Math.max(1, ms), id -> sluit(l));
            schrijf(l, "retry: 2000\n\n");
            if (vanaf == null && lastEventId != null) {
              schrijf(l, regel(laatste, "opnieuw-laden", new JsonObject()));
            }
            lees(l);
            p.complete();
          }));
        });
  }

  /**
   * Where a stream that comes back resumes: after its Last-Event-ID when every event since then
   * is still here (the citizen was followed all along, the id neither purged nor from the future),
   * else null (the portal reloads).
   */
  static Long herstelPunt(String lastEventId, boolean gevolgd, Long oudste, long hoogste) {
    if (lastEventId == null || !gevolgd) {
      return null;
    }
    long id;
    try {
      id = Long.parseLong(lastEventId.trim());
    } catch (NumberFormatException e) {
      return null;
    }
    if (id < 0 || id > hoogste || (oudste != null && id < oudste - 1)) {
      return null;
    }
    return id;
  }

  /** Ends a stream from this side (the citizen's token expired) or after the client went away. */
  public void gesloten(Stroom stroom) {
    context.runOnContext(v -> {
      Lezer l = perStroom.get(stroom);
      if (l != null) {
        sluit(l);
      }
    });
  }

  /**
   * Ends every stream this process holds, and each one still opening, now: a draining process
   * (SIGTERM), once it refuses new requests. A stream never ends by itself, so the HTTP server's
   * shutdown would otherwise wait its whole timeout for them; the portal reconnects, through the
   * balancer to another process, and resumes after its Last-Event-ID.
   */
  public Future<Void> eindig() {
    if (context == null) {
      return Future.succeededFuture(); // never started: nothing open
    }
    return Future.future(p -> context.runOnContext(v -> {
      beeindigd = true;
      for (List<Lezer> l : List.copyOf(perBurger.values())) {
        for (Lezer x : List.copyOf(l)) {
          sluit(x);
        }
      }
      p.complete();
    }));
  }

  private void sluit(Lezer l) {
    if (l.dicht) {
      return;
    }
    l.dicht = true;
    perStroom.remove(l.stroom);
    vertx.cancelTimer(l.einde);
    List<Lezer> lijst = perBurger.get(l.bsn);
    if (lijst != null) {
      lijst.remove(l);
      if (lijst.isEmpty()) {
        perBurger.remove(l.bsn);
      }
    }
    l.stroom.sluit();
    pool.preparedQuery(DICHT)
        .execute(Tuple.of(l.id))
        .onFailure(e -> LOG.debug("closing a stream's row failed: {}", Logs.safe(e)));
  }

  /** Reads and writes a stream's new events, then the unread count when it changed. */
  private void lees(Lezer l) {
    if (l.dicht) {
      return;
    }
    if (l.bezig) {
      l.nogmaals = true;
      return;
    }
    if (lezingen >= LEZINGEN) {
      if (!l.inRij) {
        l.inRij = true;
        wachtrij.add(l);
      }
      return;
    }
    lezingen++;
    l.bezig = true;
    long vanaf = Math.max(l.vloer, l.laatste - VENSTER);
    pool.preparedQuery(LEZEN)
        .execute(Tuple.of(l.bsn, vanaf, PER_KEER))
        .compose(rows -> {
          boolean iets = schrijf(l, rows);
          if (!iets && l.ongelezen >= 0) {
            return Future.succeededFuture(rows.size() == PER_KEER);
          }
          return pool.preparedQuery(ONGELEZEN).execute(Tuple.of(l.bsn)).map(c -> {
            long n = c.iterator().next().getLong(0);
            if (n != l.ongelezen && !l.dicht) {
              l.ongelezen = n;
              schrijf(l, regel(l.laatste, "ongelezen", new JsonObject().put("ongelezen", n)));
            }
            return rows.size() == PER_KEER;
          });
        })
        .onComplete(ar -> context.runOnContext(v -> {
          l.bezig = false;
          lezingen--;
          volgende();
          if (ar.failed()) {
            LOG.warn("live updates: reading a stream's events failed: {}", Logs.safe(ar.cause()));
          }
          if (l.nogmaals || (ar.succeeded() && ar.result())) {
            l.nogmaals = false;
            lees(l);
          }
        }));
  }

  /** Starts the read of the first waiting stream that is still open. */
  private void volgende() {
    Lezer n;
    while ((n = wachtrij.poll()) != null) {
      n.inRij = false;
      if (!n.dicht) {
        lees(n);
        return;
      }
    }
  }

  /** Writes the events not sent yet; whether there were any. */
  private boolean schrijf(Lezer l, RowSet<Row> rows) {
    boolean iets = false;
    for (Row r : rows) {
      long id = r.getLong(0);
      if (id <= l.vloer || !l.gestuurd.add(id)) {
        continue;
      }
      l.laatste = Math.max(l.laatste, id);
      l.gestuurd.removeIf(x -> x <= l.laatste - VENSTER);
      iets = true;
      String publiek = String.valueOf(r.getUUID(2));
      if ("bericht".equals(r.getString(1))) {
        if ("verwijderd".equals(r.getString(6))) {
          continue; // gone for good meanwhile: its gewijzigd event follows
        }
        schrijf(
            l,
            regel(
                id,
                "bericht",
                new JsonObject()
                    .put("id", publiek)
                    .put(
                        "afzender",
                        new JsonObject().put("oin", r.getString(3)).put("naam", r.getString(4)))
                    .put("onderwerp", r.getString(5))
                    .put("map", r.getString(6))
                    .put("gelezen", r.getBoolean(7))));
      } else {
        schrijf(
            l,
            regel(
                id,
                "gewijzigd",
                new JsonObject()
                    .put("id", publiek)
                    .put("gelezen", r.getBoolean(8))
                    .put("map", r.getString(9))));
      }
    }
    return iets;
  }

  static String regel(long id, String soort, JsonObject data) {
    return "id: " + id + "\nevent: " + soort + "\ndata: " + data.encode() + "\n\n";
  }

  private void schrijf(Lezer l, String tekst) {
    l.geschreven = System.nanoTime();
    if (tekst.startsWith("id: ")) {
      metrics.gebeurtenissenVerstuurd.increment();
    }
    l.stroom.schrijf(tekst);
  }

  /**
   * Every second: a comment on each stream quiet for 14 s. Each stream's quarter-minute runs from
   * its own last write, so 10 000 streams cost some 700 writes a second, not 10 000 at once (a
   * burst that put the portal's p99 at 70 ms in the first 20 000-stream run).
   */
  private void houdVast() {
    long nu = System.nanoTime();
    for (List<Lezer> l : perBurger.values()) {
      for (Lezer x : l) {
        // quiet for 14 s: with this 1 s tick, never more than 15 s between two writes
        if (nu - x.geschreven >= TimeUnit.MILLISECONDS.toNanos(COMMENTAAR_MS - 1_000)) {
          schrijf(x, ": \n\n");
        }
      }
    }
  }

  /**
   * Every 15 s: this process alive, so its streams count against their citizens' cap; the
   * listening connection still there.
   */
  private void houdLevend() {
    peilLuisteraar();
    levend()
        .onFailure(
            e -> LOG.warn("live updates: marking this process alive failed: {}", Logs.safe(e)));
  }

  private Future<Void> levend() {
    return pool.preparedQuery(LEVEND).execute(Tuple.of(proces)).mapEmpty();
  }

  private void opruimen() {
    pool.query(OPRUIMEN)
        .execute()
        .onFailure(e -> LOG.warn("live updates: purging old events failed: {}", Logs.safe(e)));
  }

  @Override
  public Future<Void> stop() {
    return Future.<Void>future(p -> context.runOnContext(v -> {
          gestopt = true;
          timers.forEach(vertx::cancelTimer);
          vertx.cancelTimer(luisterTimer);
          p.complete();
        }))
        .compose(v -> eindig())
        .compose(v -> luisterPool.close());
  }
}
