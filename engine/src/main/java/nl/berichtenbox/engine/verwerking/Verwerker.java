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
import nl.berichtenbox.engine.domain.Bericht;
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
 * Processing (contract §2.3): claims parked messages and refusals in batches and, in one
 * transaction per round, decides each message against the citizen's box, the citizen's
 * acceptance of the afnemer, the berichtType and the dates, and writes status, receipt and
 * counters. Receipt numbers are handed out under one advisory lock, so they are committed in
 * number order and a feed reader never skips a receipt that commits late; several engine
 * processes take turns.
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

  static final String ROUND = """
      WITH claimed AS MATERIALIZED (
        -- not FOR UPDATE: rounds take turns under the processing lock, and parked rows are written by
        -- nothing else (a row lock here cost a log record per message); the UPDATE checks the status.
        -- MATERIALIZED: claimed as a step of its own, as before V13
        (SELECT id FROM bericht WHERE status = 0 ORDER BY id LIMIT $1)
        UNION ALL
        -- test messages whose receipt has waited long enough (status 4; an empty index as a rule)
        (SELECT id FROM bericht WHERE status = 4 AND ontvangen_op <= now() - interval '%5$d seconds'
         ORDER BY ontvangen_op LIMIT $1)
      ), test AS (
        -- test afnemers (contract §7.1), read once a round: their messages' outcome is chosen by BSN,
        -- and they reach no box and no e-mail (status 3, or 4 while a receipt waits)
        SELECT oin FROM afnemer WHERE testmodus
      ), decided AS (
        SELECT b.id, t.oin IS NOT NULL AS test,
               %s AS notificeren, bb.laatste_notificatie_op,
               CASE
                 WHEN b.publicatie_datum > now() + interval '%d days' THEN 'PublicatieDatumLigtTeVerInDeToekomst'
                 WHEN bt.actief IS NOT TRUE THEN 'BerichtTypeNietOndersteund'
                 WHEN t.oin IS NULL THEN
                   CASE WHEN bb.actief IS NOT TRUE OR v.berichten_ontvangen IS NOT TRUE THEN 'NietActiefOfGeabonneerd'
                        ELSE 'Verwerkt' END
                 WHEN b.bsn = '%s' THEN 'NietActiefOfGeabonneerd'
                 WHEN b.bsn = '%s' THEN 'TechnischProbleem'
                 -- no code yet: the receipt waits (status 4) until %d s after acceptance
                 WHEN b.bsn = '%s' AND b.ontvangen_op > now() - interval '%5$d seconds' THEN NULL
                 ELSE 'Verwerkt'
               END AS code
        FROM claimed c
        JOIN bericht b ON b.id = c.id
        LEFT JOIN test t ON t.oin = b.oin
        LEFT JOIN bericht_type bt ON bt.oin = b.oin AND bt.code = b.bericht_type
        LEFT JOIN berichtenbox bb ON bb.bsn = b.bsn
        LEFT JOIN voorkeur v ON v.bsn = b.bsn AND v.oin = b.oin
      ), upd AS (
        UPDATE bericht b
        SET status = CASE WHEN d.code IS NULL THEN 4 WHEN d.code <> 'Verwerkt' THEN 2 WHEN d.test THEN 3 ELSE 1 END,
            verwerkings_code = d.code,
            verwerkt_op = CASE WHEN d.code IS NOT NULL THEN clock_timestamp() END,
            publiek_id = CASE WHEN d.code = 'Verwerkt' AND NOT d.test THEN gen_random_uuid() END,
            zichtbaar_op = CASE WHEN d.code = 'Verwerkt' AND NOT d.test THEN coalesce(b.publicatie_datum, clock_timestamp()) END
        FROM decided d
        -- each row found by its primary key. Not "b.status = 0": that matches bericht_te_verwerken's
        -- predicate, and on a large table, whose statistics say nothing is parked until the next
        -- analyze, the planner then walked all parked rows against every decided one (a join filter
        -- of 500 x 26 000 rows, 2.4 s a round: the notification regression of run 28).
        -- VerwerkerDatabaseIT holds the plan to this.
        WHERE b.id = d.id AND b.status IN (0, 4)
        RETURNING b.id, b.oin, b.bericht_id::text AS bericht_id, b.batch_id, b.status, b.verwerkings_code,
                  b.ontvangen_op, b.verwerkt_op, b.bsn, b.publicatie_datum, b.zichtbaar_op, b.traceparent, d.test,
                  d.notificeren, d.laatste_notificatie_op
      ), notificaties AS (
        -- visible now: an e-mail queued, or joined to the citizen's queued one; after an e-mail,
        -- new ones wait out the bundling window
        %s
      ), gepland AS (
        %s
      ), gevolgd AS (
        -- live updates (contract §7.2): an event for a citizen who follows the box; a message
        -- published later is announced when it becomes visible (NotificatieWachtrij.nuZichtbaar)
        INSERT INTO box_gebeurtenis (bsn, soort, bericht)
        SELECT u.bsn, 'bericht', u.id FROM upd u JOIN box_volger f ON f.bsn = u.bsn AND f.tot > now()
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
        FROM upd WHERE status <> 4
        UNION ALL
        SELECT 1 AS k, id, oin, bericht_id, batch_id, status, verwerkings_code, ontvangen_op, traceparent FROM afw
      ), %s
      SELECT (SELECT count(*) FROM upd) AS berichten,
             (SELECT count(*) FROM afw) AS afwijzingen,
             (SELECT count(*) FROM ontvangstbewijzen) AS bewijzen,
             (SELECT count(*) FROM notificaties) AS notificaties,
             (SELECT count(*) FROM gepland) AS gepland,
             %s AS gemeld,
             -- the agreement's processing time: production messages only
             (SELECT array_agg((extract(epoch FROM (verwerkt_op - ontvangen_op)) * 1000000)::bigint) FROM upd
              WHERE NOT test) AS duur""".formatted(
          NotificatieWachtrij.WIL_EMAIL,
          Bericht.TERMIJN.toDays(),
          Testmodus.NIET_ACTIEF,
          Testmodus.TECHNISCH_PROBLEEM,
          Testmodus.WACHTTIJD.toSeconds(),
          Testmodus.LATE_ONTVANGST,
          NotificatieWachtrij.inWachtrij("""
              SELECT u.bsn, %d, count(*), %s, (array_agg(u.traceparent ORDER BY u.id))[1]
              FROM upd u
              WHERE u.status = 1 AND u.notificeren AND (u.publicatie_datum IS NULL OR u.publicatie_datum <= now())
              GROUP BY u.bsn ORDER BY min(u.id)""".formatted(
                  NotificatieWachtrij.NIEUW,
                  NotificatieWachtrij.nietVoor("u.laatste_notificatie_op", "$2"))),
          NotificatieWachtrij.gepland(
              "SELECT id, bsn, zichtbaar_op FROM upd WHERE status = 1 AND publicatie_datum > now()"),
          outcomes("alles", "k, id"),
          Gebeurtenissen.meld("gevolgd"));

  /** The round with, for their spans, the traceparents of what it processed (tracing on only). */
  static final String ROUND_MET_SPOREN = ROUND.replace(
      " AS duur",
      " AS duur,\n       (SELECT array_agg(traceparent) FROM alles WHERE traceparent IS NOT NULL) AS sporen");

  /**
   * The message that keeps failing every round, refused with TechnischProbleem so that the rest
   * goes on: status, receipt and counters as in a round.
   */
  private static final String TECHNISCH = """
      WITH upd AS (
        UPDATE bericht SET status = 2, verwerkings_code = 'TechnischProbleem', verwerkt_op = clock_timestamp()
        WHERE id = (SELECT min(id) FROM bericht WHERE status = 0)
        RETURNING id, oin, bericht_id::text AS bericht_id, batch_id, status, verwerkings_code, ontvangen_op, traceparent
      ), %s
      SELECT bericht_id FROM upd""".formatted(outcomes("upd", "id"));

  /**
   * Prepared once per connection (the client's cache takes statements this long:
   * DatabaseUrl.PREPARED_STATEMENT_SQL_LIMIT), the round is planned once too: PostgreSQL's plan
   * cache otherwise picks a custom plan by its cost estimates, planned afresh at every execution,
   * and planning this statement cost more than running it (run-ontleding: 175 µs of planning
   * against 117 µs of execution per message, when the client did not keep it prepared). Nested
   * loops over indexes only: the one plan is made with the statistics of one moment (a table still
   * small, a backlog parked), and such a plan joined the claimed rows to bericht by scanning it
   * whole, or by walking its whole primary key, for every round after (467 and 525 µs per message,
   * runs gecached-leeg-r2000 and indexen-leeg-r2000); the round reads a few hundred rows, each by an
   * index, whatever the statistics. Set for the round's transaction only; VerwerkerDatabaseIT holds
   * the plan to it.
   */
  static final String PLAN = "SELECT set_config('plan_cache_mode', 'force_generic_plan', true),"
      + " set_config('enable_seqscan', 'off', true), set_config('enable_hashjoin', 'off', true),"
      + " set_config('enable_mergejoin', 'off', true)";

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
    return pool.withTransaction(conn -> conn.preparedQuery(PLAN)
            .execute()
            .compose(v -> VerwerkingsberichtOrderLock.take(conn))
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
