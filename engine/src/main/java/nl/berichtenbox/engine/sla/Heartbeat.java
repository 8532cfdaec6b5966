package nl.berichtenbox.engine.sla;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.UUID;
import nl.berichtenbox.engine.Readiness;
import nl.berichtenbox.engine.metrics.EngineMetrics;
import nl.berichtenbox.engine.support.BackgroundLoop;
import nl.berichtenbox.engine.support.Component;
import org.HdrHistogram.Histogram;

/**
 * This process's part of the service-level record: every 20 s a heartbeat for the current minute
 * (ready when the database takes it, Kafka, where configured, answers and the process is not
 * shutting down), and every minute the hour's latency histograms (presentation, processing)
 * merged into {@code meting_uur}. A crash loses at most a minute of samples; an outage is a run
 * of minutes no process marked ready.
 *
 * <p>Readiness failures are recorded apart from the heartbeats ({@code gereedheid_storing}, with
 * their reason, {@link Readiness.Reason#code}): a minute in which this process was up but not
 * ready, whether the database was away (kept in memory and written when it is back), the data
 * directory was short of space, Kafka did not answer, or it was draining. The same check answers
 * {@code /health/ready}.
 */
public final class Heartbeat implements Component {
  private static final String SLAG = """
      INSERT INTO hartslag (minuut, proces, gereed, laatst_gereed)
      VALUES (date_trunc('minute', now()), $1, $2, CASE WHEN $2 THEN now() END)
      ON CONFLICT (minuut, proces) DO UPDATE SET gereed = hartslag.gereed OR EXCLUDED.gereed,
        laatst_gereed = coalesce(EXCLUDED.laatst_gereed, hartslag.laatst_gereed)""";
  /**
   * The processes that said they were ready in the last 45 s (two heartbeats may be missed); and,
   * for the alerts, the age of the oldest message not yet processed and of the oldest open
   * Abonnementservice request (each through its partial index: a row or two).
   */
  private static final String GEREED = """
      SELECT (SELECT count(DISTINCT proces)::int FROM hartslag
              WHERE minuut >= date_trunc('minute', now()) - interval '1 minute' AND laatst_gereed > now() - interval '45 seconds'),
             coalesce(extract(epoch FROM now() - (SELECT ontvangen_op FROM bericht WHERE status = 0 ORDER BY id LIMIT 1)), 0)::float8,
             coalesce(extract(epoch FROM now() - (SELECT min(aangevraagd_op) FROM abonnement_verzoek
                                                  WHERE status = 'IN_BEHANDELING')), 0)::float8""";

  private static final String STORING = """
      INSERT INTO gereedheid_storing (minuut, proces, reden)
      SELECT unnest($1::timestamptz[]), $2, unnest($3::text[]) ON CONFLICT DO NOTHING""";
  /** Minutes of database absence kept for writing later: a week at most. */
  private static final int MAX_ONGESCHREVEN = 7 * 24 * 60;

  private static final String METING = """
      INSERT INTO meting_uur (uur, proces, soort, histogram) VALUES ($1, $2, $3, $4)
      ON CONFLICT (uur, soort, proces) DO UPDATE SET histogram = EXCLUDED.histogram""";
  private static final String OPRUIMEN = """
      WITH h AS (DELETE FROM hartslag WHERE minuut < now() - interval '400 days')
      , s AS (DELETE FROM gereedheid_storing WHERE minuut < now() - interval '400 days')
      DELETE FROM meting_uur WHERE uur < now() - interval '400 days'""";

  private final Pool pool;
  private final Clock clock;
  private final EngineMetrics metrics;
  private final Readiness readiness;
  private final UUID proces = UUID.randomUUID();
  private final BackgroundLoop loop;
  private final LinkedHashMap<Instant, String> ongeschreven = new LinkedHashMap<>();
  private Instant uur;
  private Histogram presentatie;
  private Histogram verwerking;

  public Heartbeat(
      Vertx vertx, Pool pool, EngineMetrics metrics, Readiness readiness, Clock clock) {
    this.pool = pool;
    this.clock = clock;
    this.metrics = metrics;
    this.readiness = readiness;
    this.loop = new BackgroundLoop(vertx, "heartbeat", 20_000, this::slag, e -> {})
        .every(60_000, this::metingen)
        .every(5_000, this::telGereed)
        .every(24 * 3_600_000L, () -> pool.query(OPRUIMEN).execute());
  }

  @Override
  public void start() {
    loop.start();
  }

  @Override
  public Future<Void> stop() {
    // a drain records its "not ready" even when the wake-up's round did not run before the stop
    return loop.stop()
        .compose(v -> readiness.draining()
            ? slag().<Void>mapEmpty().recover(e -> Future.succeededFuture())
            : Future.<Void>succeededFuture())
        .compose(v -> bewaar());
  }

  /** The process drains (SIGTERM, {@link Readiness}): its "not ready" is recorded at once. */
  public void drain() {
    loop.wakeUp();
  }

  private Future<Boolean> slag() {
    Instant minuut = clock.instant().truncatedTo(ChronoUnit.MINUTES);
    Future<String> reden = readiness.check().map(t -> t.ready() ? null : t.reason().code);
    return reden
        .compose(r -> pool.preparedQuery(SLAG)
            .execute(Tuple.of(proces, r == null))
            .recover(e -> {
              // the database is away: this minute was not ready; written when it is back
              onthoud(minuut, "database");
              return Future.failedFuture(e);
            })
            .compose(x -> {
              metrics.gereed.set(r == null ? 1 : 0);
              if (r != null) {
                onthoud(minuut, r);
              } else {
                telGereed(); // a process that has just started counts itself (and is counted) at
                // once
              }
              return schrijfStoringen();
            }))
        .map(x -> false);
  }

  /** How many processes serve now ({@code berichtenbox_processen_gereed}): the rate limits are shared among them. */
  private void telGereed() {
    pool.query(GEREED).execute().onSuccess(rows -> {
      var r = rows.iterator().next();
      metrics.processenGereed.set(r.getInteger(0));
      metrics.verwerkingOudsteWachtendMs.set(Math.round(r.getDouble(1) * 1000));
      metrics.abonnementOudsteOpenMs.set(Math.round(r.getDouble(2) * 1000));
    });
  }

  private void onthoud(Instant minuut, String reden) {
    ongeschreven.putIfAbsent(minuut, reden);
    while (ongeschreven.size() > MAX_ONGESCHREVEN) {
      ongeschreven.remove(ongeschreven.keySet().iterator().next());
    }
  }

  private Future<Void> schrijfStoringen() {
    if (ongeschreven.isEmpty()) {
      return Future.succeededFuture();
    }
    var kopie = new LinkedHashMap<>(ongeschreven);
    OffsetDateTime[] minuten =
        kopie.keySet().stream().map(m -> m.atOffset(ZoneOffset.UTC)).toArray(OffsetDateTime[]::new);
    String[] redenen = kopie.values().toArray(String[]::new);
    return pool.preparedQuery(STORING)
        .execute(Tuple.from(List.of(minuten, proces, redenen)))
        .map(x -> {
          kopie.keySet().forEach(ongeschreven::remove);
          return null;
        });
  }

  private void metingen() {
    bewaar();
  }

  /** Adds what was recorded since the last call to this hour's histograms and stores them. */
  private Future<Void> bewaar() {
    Instant nu = clock.instant().truncatedTo(ChronoUnit.HOURS);
    if (!nu.equals(uur)) {
      uur = nu;
      presentatie = new Histogram(3_600_000_000L, 2);
      verwerking = new Histogram(3_600_000_000L, 2);
    }
    presentatie.add(metrics.presentatie.takeInterval());
    verwerking.add(metrics.verwerkingsduur.takeInterval());
    return Future.all(opslaan("presentatie", presentatie), opslaan("verwerking", verwerking))
        .mapEmpty();
  }

  private Future<Void> opslaan(String soort, Histogram h) {
    if (h.getTotalCount() == 0) {
      return Future.succeededFuture();
    }
    ByteBuffer buf = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
    int n = h.encodeIntoCompressedByteBuffer(buf);
    byte[] bytes = new byte[n];
    buf.flip();
    buf.get(bytes);
    return pool.preparedQuery(METING)
        .execute(Tuple.of(uur.atOffset(ZoneOffset.UTC), proces, soort, Buffer.buffer(bytes)))
        .mapEmpty();
  }
}
