package nl.berichtenbox.engine.notificaties;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.ext.mail.MailMessage;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import nl.berichtenbox.engine.config.NotificatieConfig;
import nl.berichtenbox.engine.metrics.EngineMetrics;
import nl.berichtenbox.engine.store.VerwerkingsberichtOrderLock;
import nl.berichtenbox.engine.support.BackgroundLoop;
import nl.berichtenbox.engine.support.Component;
import nl.berichtenbox.engine.support.Logs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the queued notifications (contract §3): in order of arrival (queue id), under the exact
 * hourly and daily limits, over SMTP or into {@code .eml} files. A round claims a batch under the
 * throttle's row lock (so processes together keep the limits, and a row is claimed by one of them),
 * sends it with at most {@code smtpConnections} e-mails in flight, started in id order, and
 * records each outcome as it comes (group commits: while one is written, the next ones gather):
 * sent; retried with back-off on a temporary failure; failed for good on an SMTP 5xx or when it
 * has failed for {@code notificatieGiveUpAfter}. Only sent e-mails count against the limits. A
 * claim is a lease ({@code notificatieLease}): rows of a process that dies are taken again when
 * it ends, which is the one way an e-mail can go twice: killed between the SMTP server's 250 and
 * the commit of that outcome, so at most the e-mails in flight and those in the commit under way;
 * the {@code X-Berichtenbox-Notificatie} header names the copy. An e-mail is not started once its
 * claim is too close to running out for a send to finish in it: it is given back untried.
 *
 * <p>The same loop queues reminders (a message unread for {@code herinneringNa}, once per message)
 * and keeps the queue gauges. Time comes from {@code clock}, so tests can move it.
 */
public final class Notifier implements Component {
  private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);
  private static final int BATCH = 200;
  private static final Duration VERZEND_TIMEOUT = Duration.ofSeconds(30);

  static final int WACHTEND = 0;
  static final int BEZIG = 1;
  static final int VERZONDEN = 2;
  static final int MISLUKT = 3;
  static final int VERVALLEN = 4;

  private static final String THROTTLE =
      "SELECT uur_begin, uur_aantal, dag_begin, dag_aantal, tegoed, tegoed_op FROM notificatie_throttle FOR UPDATE";

  private static final String THROTTLE_ZETTEN = """
      UPDATE notificatie_throttle SET uur_begin = $1, uur_aantal = $2, dag_begin = $3, dag_aantal = $4,
                                      tegoed = $5, tegoed_op = $6""";

  /** Gives back what was claimed but not sent, to the periods it was counted in and to the bucket. */
  private static final String TERUGBOEKEN = """
      UPDATE notificatie_throttle SET
        uur_aantal = CASE WHEN uur_begin = $2 THEN greatest(0, uur_aantal - $1) ELSE uur_aantal END,
        dag_aantal = CASE WHEN dag_begin = $3 THEN greatest(0, dag_aantal - $1) ELSE dag_aantal END,
        tegoed = tegoed + $1""";

  private static final String CLAIM = """
      WITH kandidaat AS (
        SELECT id FROM notificatie
        WHERE status IN (0, 1) AND ((status = 0 AND niet_voor <= $1) OR (status = 1 AND bezig_tot < $1))
        ORDER BY id LIMIT $2
        FOR UPDATE
      )
      UPDATE notificatie n SET status = 1, bezig_tot = $3, pogingen = n.pogingen + 1
      FROM kandidaat k, berichtenbox bb
      WHERE n.id = k.id AND bb.bsn = n.bsn
      RETURNING n.id, n.soort, n.aantal, n.pogingen, n.aangemaakt_op, bb.email,
                %s AS gewenst""".formatted(NotificatieWachtrij.WIL_EMAIL);

  private static final String AFHANDELEN = """
      WITH u AS (
        SELECT * FROM unnest($1::bigint[], $2::smallint[], $3::text[], $4::bigint[]) AS u(id, status, fout, wacht_ms)
      ), n AS (
        UPDATE notificatie n SET status = u.status,
          verzonden_op = CASE WHEN u.status = 2 THEN $5::timestamptz END,
          fout = u.fout,
          bezig_tot = NULL,
          niet_voor = CASE WHEN u.status = 0 THEN $5::timestamptz + u.wacht_ms * interval '1 millisecond' ELSE n.niet_voor END
        FROM u WHERE n.id = u.id AND n.status = 1
        RETURNING n.bsn, n.status
      )
      UPDATE berichtenbox bb SET laatste_notificatie_op = $5
      FROM (SELECT DISTINCT bsn FROM n WHERE status = 2) s WHERE bb.bsn = s.bsn""";

  private static final String STAND = """
      SELECT count(*) AS wachtend, min(aangemaakt_op) AS oudste FROM notificatie WHERE status IN (0, 1)""";

  private static final String OPRUIMEN = """
      DELETE FROM notificatie WHERE id IN (
        SELECT id FROM notificatie WHERE status >= 2 AND aangemaakt_op < $1::timestamptz - interval '30 days' LIMIT 10000)""";

  private final Vertx vertx;
  private final Pool pool;
  private final NotificatieConfig cfg;
  private final Clock clock;
  private final EngineMetrics metrics;
  private final Throttle throttle;
  private final MailSender verzender;
  private final BackgroundLoop loop;
  private long slaapTimer = -1;
  // confined to the loop's context: while the mail server fails every e-mail of a round, the
  // notifier waits (1 s doubling to 60 s) instead of churning through the queue
  private Instant pauzeTot = Instant.MIN;
  private long pauzeMs;

  public Notifier(
      Vertx vertx,
      Pool pool,
      NotificatieConfig cfg,
      Path mailDir,
      Clock clock,
      EngineMetrics metrics) {
    this.vertx = vertx;
    this.pool = pool;
    this.cfg = cfg;
    this.clock = clock;
    this.metrics = metrics;
    this.throttle = new Throttle(cfg.perHour(), cfg.perDay());
    this.verzender = MailSender.of(vertx, cfg, mailDir);
    this.loop = new BackgroundLoop(vertx, "notifications", 1_000, this::runRound, e -> {})
        .every(60_000, this::queueReminders)
        .every(5_000, this::updateGauges)
        .every(3_600_000, this::cleanUp);
    metrics.loopRounds("notificaties", loop);
  }

  @Override
  public void start() {
    loop.start();
    vertx.setTimer(2_000, id -> queueReminders()); // soon after start, then every minute
  }

  /** Rounds of the notifier's loop finished since start ({@link BackgroundLoop#rounds()}). */
  public long rounds() {
    return loop.rounds();
  }

  /** New notifications may be queued; callable from any thread. */
  public void wakeUp() {
    loop.wakeUp();
  }

  /** Stops claiming; completes when the batch under way has been sent and recorded. */
  @Override
  public Future<Void> stop() {
    return loop.stop().compose(v -> verzender.close());
  }

  private record Claim(List<Row> rows, Instant uurBegin, Instant dagBegin) {}

  private record Outcome(long id, int status, String failure, long wachtMs) {}

  /** Not started because the claim was running out: waiting again at once, not counted as an attempt's failure. */
  private static final String TERUGGEGEVEN = "niet begonnen: de claim liep af";

  private Future<Boolean> runRound() {
    Instant now = clock.instant();
    if (now.isBefore(pauzeTot)) {
      return Future.succeededFuture(false); // the 1 s poll comes back
    }
    return pool.withTransaction(conn -> claim(conn, now)).compose(claim -> {
      if (claim.rows().isEmpty()) {
        return Future.succeededFuture(false);
      }
      return sendAll(claim, now).map(uitkomsten -> {
        long verzonden =
            uitkomsten.stream().filter(u -> u.status() == VERZONDEN).count();
        List<Outcome> temporary = uitkomsten.stream()
            .filter(u -> u.status() == WACHTEND && !TERUGGEGEVEN.equals(u.failure()))
            .toList();
        if (!temporary.isEmpty()) {
          LOG.warn(
              "{} of {} e-mails failed temporarily and wait for their retry (first: {})",
              temporary.size(),
              uitkomsten.size(),
              temporary.get(0).failure());
        }
        if (verzonden == 0 && !temporary.isEmpty()) {
          pauzeMs = Math.min(60_000, Math.max(1_000, pauzeMs * 2));
          pauzeTot = clock.instant().plusMillis(pauzeMs);
          LOG.warn(
              "no e-mail went out in this round: notifications paused for {} s", pauzeMs / 1000);
          return false;
        }
        pauzeMs = 0;
        return claim.rows().size() >= BATCH;
      });
    });
  }

  private Future<Claim> claim(SqlConnection conn, Instant now) {
    Instant uurBegin = Throttle.hourStart(now);
    Instant dagBegin = Throttle.dayStart(now);
    return conn.preparedQuery(THROTTLE).execute().compose(rows -> {
      Row t = rows.iterator().next();
      long uur = t.getOffsetDateTime("uur_begin").toInstant().equals(uurBegin)
          ? t.getInteger("uur_aantal")
          : 0;
      long dag = t.getOffsetDateTime("dag_begin").toInstant().equals(dagBegin)
          ? t.getInteger("dag_aantal")
          : 0;
      Instant tegoedOp = t.getOffsetDateTime("tegoed_op").toInstant();
      double tegoed = throttle.tegoed(t.getDouble("tegoed"), tegoedOp, now);
      int ruimte = Math.min(BATCH, throttle.ruimte(tegoed, uur, dag));
      if (ruimte == 0) {
        sleepUntil(throttle.volgendeRuimte(now, tegoed, uur, dag), now);
        return Future.succeededFuture(new Claim(List.of(), uurBegin, dagBegin));
      }
      Instant nieuweStand = now.isAfter(tegoedOp) ? now : tegoedOp;
      return conn.preparedQuery(CLAIM)
          .execute(Tuple.of(tijd(now), ruimte, tijd(now.plus(cfg.lease()))))
          .compose(claimed -> {
            List<Row> list = new ArrayList<>(claimed.size());
            claimed.forEach(list::add);
            list.sort((x, y) -> Long.compare(x.getLong("id"), y.getLong("id")));
            int k = list.size();
            return conn.preparedQuery(THROTTLE_ZETTEN)
                .execute(Tuple.of(
                    tijd(uurBegin),
                    (int) (uur + k),
                    tijd(dagBegin),
                    (int) (dag + k),
                    tegoed - k,
                    tijd(nieuweStand)))
                .map(v -> new Claim(list, uurBegin, dagBegin));
          });
    });
  }

  /** The throttle has no room: look again when it next has (the 1 s poll also looks). */
  private void sleepUntil(Instant wanneer, Instant now) {
    long ms = Math.max(1, Duration.between(now, wanneer).toMillis());
    if (ms < 1_000 && slaapTimer < 0) {
      slaapTimer = vertx.setTimer(ms, id -> {
        slaapTimer = -1;
        loop.wakeUp();
      });
    }
  }

  /**
   * Sends in id order with at most {@code smtpConnections} in flight; every e-mail gets an
   * outcome, recorded as it comes; completes when all are recorded.
   */
  private Future<List<Outcome>> sendAll(Claim claim, Instant now) {
    List<Row> rows = claim.rows();
    OutcomeRecorder recorder = new OutcomeRecorder(claim, rows.size());
    // a send may take VERZEND_TIMEOUT: none starts later than that (and a margin) before the lease
    // ends
    long laatsteStart =
        System.nanoTime() + cfg.lease().minus(VERZEND_TIMEOUT).minusSeconds(5).toNanos();
    int[] volgende = {0};
    int[] open = {0};
    Runnable[] start = new Runnable[1];
    start[0] = () -> {
      while (open[0] < cfg.smtpConnections() && volgende[0] < rows.size()) {
        int i = volgende[0]++;
        Row r = rows.get(i);
        long id = r.getLong("id");
        if (!r.getBoolean("gewenst")) {
          recorder.add(new Outcome(id, VERVALLEN, "de burger wil geen e-mail meer", 0));
          continue;
        }
        if (System.nanoTime() - laatsteStart > 0) {
          recorder.add(new Outcome(id, WACHTEND, TERUGGEGEVEN, 0));
          continue;
        }
        open[0]++;
        MailMessage mail = Email.opmaak(
            cfg,
            id,
            Email.Soort.of(r.getInteger("soort")),
            r.getInteger("aantal"),
            r.getString("email"));
        verzender
            .send(id, mail)
            .timeout(VERZEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
            .onComplete(ar -> {
              recorder.add(
                  ar.succeeded()
                      ? new Outcome(id, VERZONDEN, null, 0)
                      : failedAttempt(r, ar.cause(), now));
              open[0]--;
              start[0].run();
            });
      }
    };
    start[0].run();
    return recorder.done.future();
  }

  /**
   * Records a round's outcomes as they come, one transaction at a time: what arrives while one
   * is written goes in the next. Confined to the loop's context, like the round.
   */
  private final class OutcomeRecorder {
    private final Claim claim;
    private final int totaal;
    private final List<Outcome> all = new ArrayList<>();
    private final List<Outcome> waiting = new ArrayList<>();
    private final Promise<List<Outcome>> done = Promise.promise();
    private boolean bezig;
    private int afgehandeld;

    OutcomeRecorder(Claim claim, int totaal) {
      this.claim = claim;
      this.totaal = totaal;
    }

    void add(Outcome u) {
      all.add(u);
      waiting.add(u);
      writeOutcomes();
    }

    private void writeOutcomes() {
      if (bezig || waiting.isEmpty()) {
        return;
      }
      List<Outcome> deze = List.copyOf(waiting);
      waiting.clear();
      bezig = true;
      // a failure is logged by settle; the round goes on (those e-mails' lease runs out)
      settle(claim, deze).onComplete(ar -> {
        bezig = false;
        afgehandeld += deze.size();
        if (afgehandeld == totaal) {
          done.tryComplete(all);
        } else {
          writeOutcomes();
        }
      });
    }
  }

  private Outcome failedAttempt(Row r, Throwable e, Instant now) {
    long id = r.getLong("id");
    // masked as for a log line (BSN, e-mail address): the stored error needs neither
    String failure = Logs.mask(e.getClass().getSimpleName() + ": " + e.getMessage());
    if (failure.length() > 500) {
      failure = failure.substring(0, 500);
    }
    if (e instanceof MailSender.Permanent) {
      LOG.warn("notification {} refused for good: {}", id, failure);
      return new Outcome(id, MISLUKT, failure, 0);
    }
    Instant aangemaakt = r.getOffsetDateTime("aangemaakt_op").toInstant();
    if (now.isAfter(aangemaakt.plus(cfg.giveUpAfter()))) {
      LOG.warn(
          "notification {} given up after {} attempts: {}", id, r.getInteger("pogingen"), failure);
      return new Outcome(id, MISLUKT, "opgegeven: " + failure, 0);
    }
    int pogingen = r.getInteger("pogingen");
    long wait = cfg.backoffBase().toMillis() << Math.min(20, Math.max(0, pogingen - 1));
    wait = Math.min(wait, cfg.backoffMax().toMillis());
    LOG.debug(
        "notification {} failed (attempt {}), again in {} ms: {}", id, pogingen, wait, failure);
    return new Outcome(id, WACHTEND, failure, wait);
  }

  private Future<Void> settle(Claim claim, List<Outcome> uitkomsten) {
    int n = uitkomsten.size();
    Long[] ids = new Long[n];
    Short[] statussen = new Short[n];
    String[] fouten = new String[n];
    Long[] wait = new Long[n];
    int terug = 0;
    int verzonden = 0;
    for (int i = 0; i < n; i++) {
      Outcome u = uitkomsten.get(i);
      ids[i] = u.id();
      statussen[i] = (short) u.status();
      fouten[i] = u.failure();
      wait[i] = u.wachtMs();
      if (u.status() == VERZONDEN) {
        verzonden++;
      } else {
        terug++;
      }
      if (TERUGGEGEVEN.equals(u.failure())) {
        continue;
      }
      switch (u.status()) {
        case VERZONDEN -> metrics.notificatiesVerzonden.increment();
        case MISLUKT -> metrics.notificatiesMislukt.increment();
        case VERVALLEN -> metrics.notificatiesVervallen.increment();
        default -> metrics.notificatiesPogingMislukt.increment();
      }
    }
    int releases = terug;
    int gelukt = verzonden;
    Tuple uitkomst =
        Tuple.from(List.<Object>of(ids, statussen, fouten, wait, tijd(clock.instant())));
    Tuple release = Tuple.of(releases, tijd(claim.uurBegin()), tijd(claim.dagBegin()));
    return persistOutcomes(releases > 0 ? release : null, uitkomst, 1)
        .onFailure(e -> LOG.error(
            "outcome of {} notifications not recorded ({} sent); their lease runs out and they "
                + "are taken again, so the {} sent go twice: {}",
            n,
            gelukt,
            gelukt,
            Logs.safe(e)));
  }

  /**
   * Records the outcomes; tried again for a while when the database fails, because e-mails that
   * went out but are not recorded as sent would go again when their lease ends.
   */
  private Future<Void> persistOutcomes(Tuple release, Tuple uitkomst, int poging) {
    // the throttle row first, as the claim locks it first: the same order everywhere, no deadlock
    return pool.withTransaction(conn -> (release == null
                ? Future.<RowSet<Row>>succeededFuture()
                : conn.preparedQuery(TERUGBOEKEN).execute(release))
            .compose(v -> conn.preparedQuery(AFHANDELEN).execute(uitkomst)))
        .<Void>mapEmpty()
        .recover(e -> {
          if (poging >= 20) {
            return Future.failedFuture(e);
          }
          LOG.warn(
              "recording notification outcomes failed (attempt {}), again in 2 s: {}",
              poging,
              Logs.safe(e));
          Promise<Void> p = Promise.promise();
          vertx.setTimer(
              2_000, id -> persistOutcomes(release, uitkomst, poging + 1).onComplete(p));
          return p.future();
        });
  }

  private void queueReminders() {
    herinneringen()
        .onSuccess(berichten -> {
          if (berichten >= NotificatieWachtrij.PER_KEER) {
            vertx.setTimer(1, id -> queueReminders());
          }
        })
        .onFailure(
            e -> LOG.warn("queuing reminders failed, trying again in a minute: {}", Logs.safe(e)));
  }

  /**
   * Queues the reminders that are due now (at most 10 000 messages a call; the loop calls it
   * every minute): one e-mail per citizen for their messages unread for {@code herinneringNa},
   * each message once. Completes with the number of messages it marked.
   */
  public Future<Long> herinneringen() {
    Instant now = clock.instant();
    // under the processing lock, like every writer of notification rows (their ids commit in order)
    return pool.withTransaction(conn -> VerwerkingsberichtOrderLock.take(conn)
            .compose(v ->
                NotificatieWachtrij.herinneringen(conn, now, cfg.herinneringNa().toSeconds())))
        .map(q -> {
          metrics.notificatiesInWachtrij.add(q.notificaties());
          if (q.berichten() > 0) {
            LOG.info(
                "reminders: {} unread messages, {} e-mails queued or joined",
                q.berichten(),
                q.notificaties());
            loop.wakeUp();
          }
          return q.berichten();
        });
  }

  private void updateGauges() {
    pool.preparedQuery(STAND).execute().onSuccess(rows -> {
      Row r = rows.iterator().next();
      metrics.notificatiesWachtend.set(r.getLong("wachtend"));
      OffsetDateTime oudste = r.getOffsetDateTime("oudste");
      metrics.notificatieOudsteWachtendMs.set(
          oudste == null
              ? 0
              : Math.max(
                  0, Duration.between(oudste.toInstant(), clock.instant()).toMillis()));
    });
  }

  private void cleanUp() {
    pool.preparedQuery(OPRUIMEN)
        .execute(Tuple.of(tijd(clock.instant())))
        .onFailure(e -> LOG.warn("purging old notifications failed: {}", Logs.safe(e)));
  }

  private static OffsetDateTime tijd(Instant i) {
    return i.atOffset(ZoneOffset.UTC);
  }
}
