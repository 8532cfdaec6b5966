package nl.berichtenbox.engine.verwerking;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import nl.berichtenbox.engine.berichtenbox.Gebeurtenissen;
import nl.berichtenbox.engine.domain.Beslissing;
import nl.berichtenbox.engine.domain.Testmodus;
import nl.berichtenbox.engine.domain.Tijd;
import nl.berichtenbox.engine.metrics.EngineMetrics;
import nl.berichtenbox.engine.notificaties.NotificatieWachtrij;
import nl.berichtenbox.engine.store.Database;
import nl.berichtenbox.engine.store.VerwerkingsberichtOrderLock;
import nl.berichtenbox.engine.support.BackgroundLoop;
import nl.berichtenbox.engine.support.Component;
import nl.berichtenbox.engine.support.Logs;
import nl.berichtenbox.engine.tracing.Tracing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Processing (contract §2.3): takes the messages intake wrote decided ({@link Beslissing}) from
 * their queue, and refusals, in batches and, in one transaction per round, writes their receipts,
 * counters, e-mails and live updates; it decides only what intake could not (a test message whose
 * receipt waits, a message parked before V17). Receipt numbers are handed out under one advisory
 * lock, so they are committed in number order and a feed reader never skips a receipt that
 * commits late; several engine processes take turns.
 */
public final class Verwerker implements Component {
  private static final Logger LOG = LoggerFactory.getLogger(Verwerker.class);
  /**
   * What every processed message leaves, for the rows of CTE {@code bron} (id, oin, bericht_id,
   * batch_id, status, verwerkings_code, ontvangen_op, traceparent): its receipt, numbered in the
   * order {@code volgorde}; its batch's count by code; the afnemer's day counts (by code, and
   * Aangeboden). CTEs {@code ontvangstbewijzen}, {@code batchtellers}, {@code dagtellers}; counter
   * rows upserted in key order, so concurrent rounds never deadlock.
   */
  private static String outcomes(String bron, String volgorde) {
    return """
        ontvangstbewijzen AS (
          INSERT INTO verwerkingsbericht (oin, bericht_id, batch_id, status, verwerkings_code, tijdstip, traceparent)
          SELECT oin, bericht_id, batch_id, status, verwerkings_code, now(), traceparent FROM %1$s ORDER BY %2$s
          RETURNING 1
        ), batchtellers AS (
          INSERT INTO batch_teller AS t (oin, batch_id, code, aantal)
          SELECT oin, batch_id, verwerkings_code, count(*) FROM %1$s WHERE batch_id IS NOT NULL
          GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
          ON CONFLICT (oin, batch_id, code) DO UPDATE SET aantal = t.aantal + EXCLUDED.aantal, laatst_op = now()
          RETURNING 1
        ), dagtellers AS (
          INSERT INTO dag_teller AS t (oin, datum, code, aantal)
          SELECT a.oin, (a.ontvangen_op AT TIME ZONE %3$s)::date, x.code, count(*)
          FROM %1$s a CROSS JOIN LATERAL (VALUES (a.verwerkings_code), ('Aangeboden')) AS x(code)
          GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
          ON CONFLICT (oin, datum, code) DO UPDATE SET aantal = t.aantal + EXCLUDED.aantal
          RETURNING 1
        )""".formatted(bron, volgorde, Tijd.NL_SQL);
  }

  /**
   * What a message becomes when processing decides it (one parked before V17, or a test message
   * whose receipt has waited): status, code, and for a delivered one its public id and visibility.
   */
  private static final String BESLIST = """
      status = %s, verwerkings_code = d.code, verwerkt_op = %s, publiek_id = %s, zichtbaar_op = %s""".formatted(
          Beslissing.status("d.code", "d.test"),
          Beslissing.verwerktOp("d.code"),
          Beslissing.publiekId("d.code", "d.test"),
          Beslissing.zichtbaarOp("d.code", "d.test", "b.publicatie_datum"));

  static final String ROUND = """
      WITH wacht AS MATERIALIZED (
        -- messages intake wrote decided, whose receipt is to be written; not FOR UPDATE: rounds take
        -- turns under the processing lock, and nothing else takes from the queue
        DELETE FROM bericht_wachtrij
        WHERE id IN (SELECT id FROM bericht_wachtrij ORDER BY id LIMIT $1)
        RETURNING id
      ), claimed AS MATERIALIZED (
        SELECT id FROM wacht
        UNION ALL
        -- test messages whose receipt has waited long enough (status 4; an empty index as a rule)
        (SELECT id FROM bericht WHERE status = 4 AND ontvangen_op <= now() - interval '%1$d seconds'
         ORDER BY ontvangen_op LIMIT $1)
      ), decided AS (
        -- decided here only what intake could not: parked before V17 (status 0), or waiting (4)
        SELECT b.id, b.oin, b.bericht_id::text AS bericht_id, b.batch_id, b.status, b.verwerkings_code, b.ontvangen_op,
               b.bsn, b.publicatie_datum, b.traceparent, %2$s AS test, %3$s AS notificeren, bb.laatste_notificatie_op,
               b.status IN (0, 4) AS open, CASE WHEN b.status IN (0, 4) THEN %4$s END AS code
        FROM claimed c
        JOIN bericht b ON b.id = c.id
        %5$s
      ), upd AS (
        UPDATE bericht b SET %6$s
        FROM decided d
        -- each row found by its primary key from the ids as one array (VerwerkerDatabaseIT holds the
        -- plan to this): joined on the CTE, the planner guessed a fixed share of the round open and
        -- scanned the table whole; a status predicate a partial index matches once made it walk all
        -- parked rows for each decided one. Rows of status 0 and 4 are written by the round alone.
        WHERE b.id = ANY (ARRAY(SELECT id FROM decided WHERE open)) AND d.id = b.id
        RETURNING d.id, d.oin, d.bericht_id, d.batch_id, b.status, b.verwerkings_code, d.ontvangen_op, d.bsn,
                  d.publicatie_datum, d.traceparent, d.test, d.notificeren, d.laatste_notificatie_op
      ), klaar AS (
        SELECT * FROM upd
        UNION ALL
        -- the rest, as intake wrote them: read, not rewritten
        SELECT id, oin, bericht_id, batch_id, status, verwerkings_code, ontvangen_op, bsn, publicatie_datum, traceparent,
               test, notificeren, laatste_notificatie_op
        FROM decided WHERE NOT open
      ), notificaties AS (
        -- visible now: an e-mail queued, or joined to the citizen's queued one; after an e-mail,
        -- new ones wait out the bundling window
        %7$s
      ), gepland AS (
        %8$s
      ), gevolgd AS (
        -- live updates (contract §7.2): an event for a citizen who follows the box; a message
        -- published later is announced when it becomes visible (NotificatieWachtrij.nuZichtbaar)
        INSERT INTO box_gebeurtenis (bsn, soort, bericht)
        SELECT u.bsn, 'bericht', u.id FROM klaar u JOIN box_volger f ON f.bsn = u.bsn AND f.tot > now()
        WHERE u.status = 1 AND (u.publicatie_datum IS NULL OR u.publicatie_datum <= now())
        RETURNING bsn
      ), afw AS (
        DELETE FROM afwijzing
        WHERE id IN (SELECT id FROM afwijzing ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING id, oin, bericht_id, batch_id, 2::smallint AS status, verwerkings_code, tijdstip AS ontvangen_op,
                  traceparent
      ), alles AS (
        -- a test message answers as delivered (3 -> 1); one whose receipt waits (4) has none yet
        SELECT 0 AS k, id, oin, bericht_id, batch_id, CASE WHEN status = 3 THEN 1::smallint ELSE status END,
               verwerkings_code, ontvangen_op, traceparent
        FROM klaar WHERE status <> 4
        UNION ALL
        SELECT 1 AS k, id, oin, bericht_id, batch_id, status, verwerkings_code, ontvangen_op, traceparent FROM afw
      ), %9$s
      SELECT (SELECT count(*) FROM klaar) AS berichten,
             (SELECT count(*) FROM afw) AS afwijzingen,
             (SELECT count(*) FROM ontvangstbewijzen) AS bewijzen,
             (SELECT count(*) FROM notificaties) AS notificaties,
             (SELECT count(*) FROM gepland) AS gepland,
             %10$s AS gemeld,
             -- the agreement's processing time, acceptance to receipt: production messages only
             (SELECT array_agg((extract(epoch FROM (clock_timestamp() - ontvangen_op)) * 1000000)::bigint) FROM klaar
              WHERE NOT test AND status <> 4) AS duur""".formatted(
          Testmodus.WACHTTIJD.toSeconds(),
          Beslissing.TEST,
          NotificatieWachtrij.WIL_EMAIL,
          Beslissing.code("b.ontvangen_op"),
          Beslissing.JOINS,
          BESLIST,
          NotificatieWachtrij.inWachtrij("""
              SELECT u.bsn, %d, count(*), %s, (array_agg(u.traceparent ORDER BY u.id))[1]
              FROM klaar u
              WHERE u.status = 1 AND u.notificeren AND (u.publicatie_datum IS NULL OR u.publicatie_datum <= now())
              GROUP BY u.bsn ORDER BY min(u.id)""".formatted(
                  NotificatieWachtrij.NIEUW,
                  NotificatieWachtrij.nietVoor("u.laatste_notificatie_op", "$2"))),
          NotificatieWachtrij.gepland(
              "SELECT id, bsn, publicatie_datum FROM klaar WHERE status = 1 AND publicatie_datum > now()"),
          outcomes("alles", "k, id"),
          Gebeurtenissen.meld("gevolgd"));

  /** The round with, for their spans, the traceparents of what it processed (tracing on only). */
  private static final String ROUND_MET_SPOREN = ROUND.replace(
      " AS duur",
      " AS duur,\n       (SELECT array_agg(traceparent) FROM alles WHERE traceparent IS NOT NULL) AS sporen");

  /**
   * The message that keeps failing every round, refused with TechnischProbleem so that the rest
   * goes on: taken from the queue (out of the box, if intake delivered it), status, receipt and
   * counters as in a round.
   */
  private static final String TECHNISCH = """
      WITH wacht AS (
        DELETE FROM bericht_wachtrij WHERE id = (SELECT min(id) FROM bericht_wachtrij) RETURNING id
      ), upd AS (
        UPDATE bericht b SET status = 2, verwerkings_code = 'TechnischProbleem', verwerkt_op = clock_timestamp(),
                             publiek_id = NULL, zichtbaar_op = NULL
        FROM wacht w WHERE b.id = w.id
        RETURNING b.id, b.oin, b.bericht_id::text AS bericht_id, b.batch_id, b.status, b.verwerkings_code,
                  b.ontvangen_op, b.traceparent
      ), %s
      SELECT bericht_id FROM upd""".formatted(outcomes("upd", "id"));

  /** Rounds that fail in a row before one message at a time is tried, and before that one is given up. */
  static final int POGINGEN_PER_STAP = 3;

  private static final String PURGE = """
      DELETE FROM verwerkingsbericht
      WHERE volgnummer IN (SELECT volgnummer FROM verwerkingsbericht WHERE tijdstip < now() - $1 * interval '1 second' LIMIT 10000)""";

  private final Pool pool;
  private final int batchSize;
  private final long bundleWindowMs;
  private final Duration bewaartermijn;
  private final EngineMetrics metrics;
  private final BackgroundLoop loop;
  private final List<Runnable> naRonde = new CopyOnWriteArrayList<>();
  private final List<Runnable> naNotificaties = new CopyOnWriteArrayList<>();
  private int mislukt; // rounds failed in a row; confined to the loop's context

  /** Adds a listener called after every round that wrote receipts (the pusher's, the Kafka relay's wake-up). */
  public void afterRound(Runnable r) {
    naRonde.add(r);
  }

  /** Adds a listener called after a transaction queued notifications (the notifier's, the relay's wake-up). */
  public void afterNotificaties(Runnable r) {
    naNotificaties.add(r);
  }

  private final Tracing tracing;

  public Verwerker(
      Vertx vertx,
      Pool pool,
      int batchSize,
      Duration poll,
      Duration bewaartermijn,
      Duration bundleWindow,
      EngineMetrics metrics,
      Tracing tracing) {
    this.tracing = tracing;
    this.pool = pool;
    this.batchSize = batchSize;
    this.bundleWindowMs = bundleWindow.toMillis();
    this.bewaartermijn = bewaartermijn;
    this.metrics = metrics;
    this.loop = new BackgroundLoop(
            vertx,
            "processing",
            Math.max(1, poll.toMillis()),
            this::round,
            e -> metrics.verwerkingFouten.increment())
        .every(Duration.ofMinutes(10).toMillis(), this::purge)
        .every(1_000, this::becameVisible);
  }

  /** Starts the loop on its own event-loop context. */
  @Override
  public void start() {
    loop.start();
  }

  /** Rounds of the processing loop finished since start ({@link BackgroundLoop#rounds()}). */
  public long rounds() {
    return loop.rounds();
  }

  /** Signals new work; callable from any thread. Coalesces: at most one round runs at a time. */
  public void wakeUp() {
    loop.wakeUp();
  }

  /**
   * A round; when rounds keep failing, the next ones take one message at a time, and when the
   * oldest message alone still fails, it is refused with TechnischProbleem: a message that breaks
   * processing must not stop everyone else's.
   */
  private Future<Boolean> round() {
    int size = mislukt >= POGINGEN_PER_STAP ? 1 : batchSize;
    return roundOf(size)
        .map(more -> {
          mislukt = 0;
          return more;
        })
        .recover(e -> {
          // the database away or saturated is no message's fault: counting it would refuse an
          // innocent
          // message with TechnischProbleem once it is back (DatabaseUitvalIT found this)
          if (Database.unreachable(e)) {
            return Future.failedFuture(e);
          }
          if (++mislukt < 2 * POGINGEN_PER_STAP) {
            return Future.failedFuture(e);
          }
          mislukt = 0;
          return pool.withTransaction(conn -> VerwerkingsberichtOrderLock.take(conn)
                  .compose(v -> conn.preparedQuery(TECHNISCH).execute()))
              .map(rows -> {
                for (Row r : rows) {
                  metrics.verwerkt.increment();
                  LOG.error(
                      "message {} fails processing every time: refused with TechnischProbleem ({})",
                      r.getString(0),
                      Logs.safe(e));
                }
                naRonde.forEach(Runnable::run);
                return true;
              });
        });
  }

  private Future<Boolean> roundOf(int size) {
    Instant begin = tracing.enabled() ? Instant.now() : null;
    return pool.withTransaction(conn -> VerwerkingsberichtOrderLock.take(conn)
            .compose(v -> conn.preparedQuery(tracing.enabled() ? ROUND_MET_SPOREN : ROUND)
                .execute(Tuple.of(size, bundleWindowMs))))
        .map(rows -> {
          Row r = rows.iterator().next();
          if (tracing.enabled()) {
            String[] tps = r.getArrayOfStrings("sporen");
            if (tps != null) {
              Instant end = Instant.now();
              var attr = Attributes.of(
                  AttributeKey.longKey("berichtenbox.verwerking.ronde.grootte"), (long) tps.length);
              for (String tp : tps) {
                tracing.step("berichtenbox verwerking", SpanKind.INTERNAL, tp, begin, end, attr);
              }
            }
          }
          long berichten = r.getLong("berichten");
          long afwijzingen = r.getLong("afwijzingen");
          metrics.verwerkingRondes.increment();
          metrics.verwerkt.add(berichten + afwijzingen);
          Long[] duur = r.getArrayOfLongs("duur");
          if (duur != null) {
            for (Long d : duur) {
              metrics.verwerkingsduur.recordMicros(d);
            }
          }
          if (berichten + afwijzingen > 0) {
            naRonde.forEach(Runnable::run);
          }
          long notificaties = r.getLong("notificaties");
          if (notificaties > 0) {
            metrics.notificatiesInWachtrij.add(notificaties);
            naNotificaties.forEach(Runnable::run);
          }
          return berichten >= size || afwijzingen >= size;
        });
  }

  private void becameVisible() {
    // every second in every process: look first (an index probe), take the processing lock only
    // when a message has become visible
    NotificatieWachtrij.ietsZichtbaar(pool)
        .compose(iets -> !iets
            ? Future.<NotificatieWachtrij.Gequeued>succeededFuture()
            : pool.withTransaction(conn -> VerwerkingsberichtOrderLock.take(conn)
                .compose(v -> NotificatieWachtrij.nuZichtbaar(conn, bundleWindowMs))))
        .onSuccess(q -> {
          if (q == null) {
            return;
          }
          if (q.notificaties() > 0) {
            metrics.notificatiesInWachtrij.add(q.notificaties());
            naNotificaties.forEach(Runnable::run);
          }
          if (q.berichten() >= NotificatieWachtrij.PER_KEER) {
            becameVisible();
          }
        })
        .onFailure(e ->
            LOG.warn("queuing notifications of messages now visible failed: {}", Logs.safe(e)));
  }

  private void purge() {
    purgeOldVerwerkingsberichten()
        .onFailure(e -> LOG.warn("purging old receipts failed: {}", e.toString()));
  }

  /** Deletes receipts older than the retention (up to 10 000 a call); the number deleted. */
  public Future<Integer> purgeOldVerwerkingsberichten() {
    return pool.preparedQuery(PURGE)
        .execute(Tuple.of(bewaartermijn.toSeconds()))
        .map(r -> r.rowCount());
  }

  /** Stops taking new rounds and completes when the round under way has committed. */
  @Override
  public Future<Void> stop() {
    return loop.stop();
  }
}
