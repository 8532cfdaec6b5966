package nl.berichtenbox.engine.verwerking;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import nl.berichtenbox.engine.berichtenbox.Gebeurtenissen;
import nl.berichtenbox.engine.domain.Bericht;
import nl.berichtenbox.engine.domain.Testmodus;
import nl.berichtenbox.engine.domain.Tijd;
import nl.berichtenbox.engine.intake.IntakeSaturation;
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

  /**
   * A round's claim: up to {@code $1} parked messages, and test messages whose receipt has waited
   * long enough, locked as they are taken; rows another round holds are passed over. Rounds run
   * side by side (issue 21: one round at a time kept one core busy while a backlog drained), but
   * claim one after another, so each takes the messages after the last one's; yields their ids.
   */
  static final String NEEM = """
      WITH geparkeerd AS MATERIALIZED (
        SELECT id FROM bericht WHERE status = 0 ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
      ), wachtend AS MATERIALIZED (
        -- test messages whose receipt has waited long enough (status 4; an empty index as a rule)
        SELECT id FROM bericht WHERE status = 4 AND ontvangen_op <= now() - interval '%d seconds'
        ORDER BY ontvangen_op LIMIT $1 FOR UPDATE SKIP LOCKED
      )
      SELECT coalesce(array_agg(id), '{}') AS ids
      FROM (SELECT id FROM geparkeerd UNION ALL SELECT id FROM wachtend) c""".formatted(Testmodus.WACHTTIJD.toSeconds());

  /**
   * A round's decision, beside other rounds, for the messages it claimed ({@code $1}): each against
   * the citizen's box, the citizen's acceptance of the afnemer, the berichtType and the dates,
   * written into its row; yields the ids decided. The rest of the round ({@link #BEVESTIG}) is what
   * has to go in turn.
   */
  static final String KIES = """
      WITH upd AS (
        UPDATE bericht b
        SET (status, verwerkings_code, verwerkt_op, publiek_id, zichtbaar_op) = (
              SELECT CASE WHEN x.code IS NULL THEN 4 WHEN x.code <> 'Verwerkt' THEN 2 WHEN x.test THEN 3 ELSE 1 END,
                     x.code,
                     CASE WHEN x.code IS NOT NULL THEN clock_timestamp() END,
                     CASE WHEN x.code = 'Verwerkt' AND NOT x.test THEN gen_random_uuid() END,
                     CASE WHEN x.code = 'Verwerkt' AND NOT x.test THEN coalesce(b.publicatie_datum, clock_timestamp()) END
              FROM (
                SELECT ta.oin IS NOT NULL AS test,
                       CASE
                         WHEN b.publicatie_datum > now() + interval '%1$d days' THEN 'PublicatieDatumLigtTeVerInDeToekomst'
                         WHEN bt.actief IS NOT TRUE THEN 'BerichtTypeNietOndersteund'
                         WHEN ta.oin IS NULL THEN
                           CASE WHEN bb.actief IS NOT TRUE OR v.berichten_ontvangen IS NOT TRUE THEN 'NietActiefOfGeabonneerd'
                                ELSE 'Verwerkt' END
                         -- test afnemers (contract §7.1): the outcome is chosen by BSN, and their
                         -- messages reach no box and no e-mail (status 3, or 4 while a receipt waits)
                         WHEN b.bsn = '%2$s' THEN 'NietActiefOfGeabonneerd'
                         WHEN b.bsn = '%3$s' THEN 'TechnischProbleem'
                         -- no code yet: the receipt waits (status 4) until %5$d s after acceptance
                         WHEN b.bsn = '%4$s' AND b.ontvangen_op > now() - interval '%5$d seconds' THEN NULL
                         ELSE 'Verwerkt'
                       END AS code
                FROM (SELECT) een
                LEFT JOIN afnemer ta ON ta.oin = b.oin AND ta.testmodus
                LEFT JOIN bericht_type bt ON bt.oin = b.oin AND bt.code = b.bericht_type
                LEFT JOIN berichtenbox bb ON bb.bsn = b.bsn
                LEFT JOIN voorkeur v ON v.bsn = b.bsn AND v.oin = b.oin
              ) x)
        -- the rows by their key, the decision a subquery of each row: bericht is joined to nothing,
        -- so no plan can walk it. Joined to the claimed ids, a plan made while the table was young
        -- (its statistics: next to empty) read all of it for every claimed row (auto_explain: 1.8 s
        -- for a round of 500 in a store of 20 000, 9 999 500 rows removed by a join filter).
        -- VerwerkerDatabaseIT holds the plan to this.
        WHERE b.id = ANY($1::bigint[]) AND b.status IN (0, 4)
        RETURNING b.id
      )
      SELECT coalesce(array_agg(id ORDER BY id), '{}') AS ids FROM upd""".formatted(
          Bericht.TERMIJN.toDays(),
          Testmodus.NIET_ACTIEF,
          Testmodus.TECHNISCH_PROBLEEM,
          Testmodus.LATE_ONTVANGST,
          Testmodus.WACHTTIJD.toSeconds());

  /**
   * A round's second step, under the processing lock, for the messages {@link #KIES} decided
   * ({@code $1}, their ids) and up to {@code $3} refusals on arrival: what every processed message
   * leaves (receipt, counters), the e-mail, the scheduled publication, the live update. {@code $2}:
   * the bundling window in milliseconds.
   */
  static final String BEVESTIG = """
      WITH upd AS MATERIALIZED (
        SELECT b.id, b.oin, b.bericht_id::text AS bericht_id, b.batch_id, b.status, b.verwerkings_code,
               b.ontvangen_op, b.verwerkt_op, b.bsn, b.publicatie_datum, b.zichtbaar_op, b.traceparent,
               EXISTS (SELECT 1 FROM afnemer a WHERE a.oin = b.oin AND a.testmodus) AS test,
               %s AS notificeren, bb.laatste_notificatie_op
        FROM bericht b
        LEFT JOIN LATERAL (
          SELECT actief, notificaties_aan, email, laatste_notificatie_op FROM berichtenbox WHERE bsn = b.bsn
        ) bb ON true
        -- by their key, whatever the statistics (see KIES)
        WHERE b.id = ANY($1::bigint[])
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
        WHERE id IN (SELECT id FROM afwijzing ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED)
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
              WHERE NOT test AND verwerkt_op IS NOT NULL) AS duur""".formatted(
          NotificatieWachtrij.WIL_EMAIL,
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
  static final String BEVESTIG_MET_SPOREN = BEVESTIG.replace(
      " AS duur",
      " AS duur,\n       (SELECT array_agg(traceparent) FROM alles WHERE traceparent IS NOT NULL) AS sporen");

  /**
   * The message that keeps failing every round, refused with TechnischProbleem so that the rest
   * goes on: status, receipt and counters as in a round.
   */
  private static final String TECHNISCH = """
      WITH upd AS (
        UPDATE bericht SET status = 2, verwerkings_code = 'TechnischProbleem', verwerkt_op = clock_timestamp()
        -- past rows another round holds (it takes the processing lock after them: waiting for
        -- one here, under the lock, would be a deadlock)
        WHERE id = (SELECT id FROM bericht WHERE status = 0 ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
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
  private final Vertx vertx;
  /**
   * The rounds that run side by side, each a loop of its own on one shared context: the first on
   * every wake-up and poll, each next one only while the one before it finds a full batch.
   */
  private final List<BackgroundLoop> banen = new ArrayList<>();
  /** While intake is at its limit, the lanes after the first stop: the cores go to intake. */
  private final IntakeSaturation intake;

  private final int[] mislukt; // per lane, rounds failed in a row; confined to the context
  private int bezigNaast; // rounds of lanes 2..n under way; confined to the context
  private final AtomicLong rondes = new AtomicLong();
  /** The round before's end (commit or rollback): the next takes the lock after it; confined. */
  private Future<Void> vorige = Future.succeededFuture();

  /** The round before's claim done (or failed): the next claims after it; confined. */
  private Future<Void> vorigeNeem = Future.succeededFuture();

  private final List<Runnable> naRonde = new CopyOnWriteArrayList<>();
  private final List<Runnable> naNotificaties = new CopyOnWriteArrayList<>();

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
      int parallel,
      IntakeSaturation intake,
      Duration poll,
      Duration minInterval,
      Duration bewaartermijn,
      Duration bundleWindow,
      EngineMetrics metrics,
      Tracing tracing) {
    this.vertx = vertx;
    this.tracing = tracing;
    this.pool = pool;
    this.batchSize = batchSize;
    this.bundleWindowMs = bundleWindow.toMillis();
    this.bewaartermijn = bewaartermijn;
    this.metrics = metrics;
    this.mislukt = new int[parallel];
    this.intake = intake;
    for (int i = 0; i < parallel; i++) {
      int baan = i;
      banen.add(new BackgroundLoop(
          vertx,
          "processing" + (i == 0 ? "" : " " + (i + 1)),
          // the lanes after the first have no work of their own to poll for: the first wakes them
          i == 0 ? Math.max(1, poll.toMillis()) : 0,
          () -> round(baan),
          e -> metrics.verwerkingFouten.increment()));
    }
    banen
        .get(0)
        // at a steady rate a round after every intake commit takes a handful of messages and pays
        // three statements and a commit for them; spaced, it takes what the interval brought
        .spaced(minInterval.toMillis())
        .every(Duration.ofMinutes(10).toMillis(), this::purge)
        .every(1_000, this::becameVisible);
  }

  /** Starts the lanes on one event-loop context of their own. */
  @Override
  public void start() {
    var context = vertx.getOrCreateContext();
    banen.forEach(b -> b.start(context));
  }

  /**
   * Rounds of the first lane finished since start, counted only when no other lane's round was under
   * way at that moment: two more than read at some moment means every message parked then was
   * either taken by a round of the first lane that began after it, or by another lane's round that
   * has ended ({@link BackgroundLoop#rounds()}'s promise, for all lanes).
   */
  public long rounds() {
    return rondes.get();
  }

  /** Signals new work; callable from any thread. Coalesces: at most one round a lane at a time. */
  public void wakeUp() {
    banen.get(0).wakeUp();
  }

  /**
   * A round of lane {@code baan}; when rounds keep failing, the next ones take one message at a
   * time, and when the oldest message alone still fails, it is refused with TechnischProbleem: a
   * message that breaks processing must not stop everyone else's.
   */
  private Future<Boolean> round(int baan) {
    if (baan > 0) {
      bezigNaast++;
      metrics.verwerkingRondesNaast.increment();
    }
    int size = mislukt[baan] >= POGINGEN_PER_STAP ? 1 : batchSize;
    return roundOf(size)
        .map(more -> {
          mislukt[baan] = 0;
          if (intake.verzadigd()) {
            // taking messages comes first: a 503 costs a sender a retry, a receipt later no one
            if (more && banen.size() > 1) {
              metrics.verwerkingVoorrang.increment();
            }
            return more && baan == 0;
          }
          if (more && baan + 1 < banen.size()) {
            // a backlog: the next lane claims the batch after this one's
            banen.get(baan + 1).wakeUp();
          }
          return more;
        })
        .recover(e -> {
          // the database away or saturated is no message's fault: counting it would refuse an
          // innocent message with TechnischProbleem once it is back (DatabaseUitvalIT found this)
          if (Database.unreachable(e)) {
            return Future.failedFuture(e);
          }
          if (++mislukt[baan] < 2 * POGINGEN_PER_STAP) {
            return Future.failedFuture(e);
          }
          mislukt[baan] = 0;
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
        })
        .andThen(ar -> {
          if (baan > 0) {
            bezigNaast--;
          } else if (bezigNaast == 0) {
            rondes.incrementAndGet();
          }
        });
  }

  /**
   * One transaction: {@link #NEEM} claims, after the round begun before this one has claimed;
   * {@link #KIES} decides, beside other rounds; then, under the processing lock, taken after the
   * round begun before this one has ended, {@link #BEVESTIG} writes the rest. So receipts are
   * numbered in the order their messages were claimed, as when one round ran at a time.
   */
  private Future<Boolean> roundOf(int size) {
    Instant begin = tracing.enabled() ? Instant.now() : null;
    Future<Void> naNeem = vorigeNeem;
    Promise<Void> genomen = Promise.promise();
    vorigeNeem = genomen.future();
    Future<Void> naVorige = vorige;
    Promise<Void> klaar = Promise.promise();
    vorige = klaar.future();
    return pool.withTransaction(conn -> conn.preparedQuery(PLAN)
            .execute()
            .compose(v -> naNeem.transform(x -> conn.preparedQuery(NEEM).execute(Tuple.of(size))))
            .andThen(ar -> genomen.tryComplete())
            .compose(genomenRijen -> conn.preparedQuery(KIES).execute(Tuple.of(ids(genomenRijen))))
            .compose(gekozen -> naVorige
                .transform(x -> VerwerkingsberichtOrderLock.take(conn))
                .compose(v -> conn.preparedQuery(tracing.enabled() ? BEVESTIG_MET_SPOREN : BEVESTIG)
                    .execute(Tuple.of(ids(gekozen), bundleWindowMs, size)))))
        .andThen(ar -> {
          genomen.tryComplete();
          klaar.complete();
        })
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

  /** The ids a statement yields as its one array column. */
  private static Long[] ids(RowSet<Row> rows) {
    return rows.iterator().next().getArrayOfLongs(0);
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

  /** Stops taking new rounds and completes when the rounds under way have committed. */
  @Override
  public Future<Void> stop() {
    return Future.all(banen.stream().map(BackgroundLoop::stop).toList()).mapEmpty();
  }
}
