package nl.berichtenbox.engine.sla;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.function.Supplier;
import nl.berichtenbox.engine.metrics.EngineMetrics;
import nl.berichtenbox.engine.support.BackgroundLoop;
import org.HdrHistogram.Histogram;

/**
 * This process's part of the service-level record: every 20 s a heartbeat for the current minute
 * (ready when the database takes it and Kafka, where configured, answers), and every minute the
 * hour's latency histograms (presentation, processing) merged into {@code meting_uur}. A crash
 * loses at most a minute of samples; an outage is a run of minutes no process marked.
 */
public final class Hartslag {
  private static final String SLAG = """
      INSERT INTO hartslag (minuut, proces, gereed) VALUES (date_trunc('minute', now()), $1, $2)
      ON CONFLICT (minuut, proces) DO UPDATE SET gereed = hartslag.gereed OR EXCLUDED.gereed""";
  private static final String METING = """
      INSERT INTO meting_uur (uur, proces, soort, histogram) VALUES ($1, $2, $3, $4)
      ON CONFLICT (uur, soort, proces) DO UPDATE SET histogram = EXCLUDED.histogram""";
  private static final String OPRUIMEN = """
      WITH h AS (DELETE FROM hartslag WHERE minuut < now() - interval '400 days')
      DELETE FROM meting_uur WHERE uur < now() - interval '400 days'""";

  private final Pool pool;
  private final EngineMetrics metrics;
  private final Supplier<Future<Boolean>> gereed;
  private final UUID proces = UUID.randomUUID();
  private final BackgroundLoop loop;
  private Instant uur;
  private Histogram presentatie;
  private Histogram verwerking;

  public Hartslag(Vertx vertx, Pool pool, EngineMetrics metrics, Supplier<Future<Boolean>> gereed) {
    this.pool = pool;
    this.metrics = metrics;
    this.gereed = gereed;
    this.loop = new BackgroundLoop(vertx, "heartbeat", 20_000, this::slag, e -> { })
        .every(60_000, this::metingen)
        .every(24 * 3_600_000L, () -> pool.query(OPRUIMEN).execute());
  }

  public void start() {
    loop.start();
  }

  public Future<Void> stop() {
    return loop.stop().compose(v -> bewaar());
  }

  private Future<Boolean> slag() {
    return gereed.get().recover(e -> Future.succeededFuture(false))
        .compose(ok -> pool.preparedQuery(SLAG).execute(Tuple.of(proces, ok))).map(r -> false);
  }

  private void metingen() {
    bewaar();
  }

  /** Adds what was recorded since the last call to this hour's histograms and stores them. */
  private Future<Void> bewaar() {
    Instant nu = Instant.now().truncatedTo(ChronoUnit.HOURS);
    if (!nu.equals(uur)) {
      uur = nu;
      presentatie = new Histogram(3_600_000_000L, 2);
      verwerking = new Histogram(3_600_000_000L, 2);
    }
    presentatie.add(metrics.presentatie.afgifte());
    verwerking.add(metrics.verwerkingsduur.afgifte());
    return Future.all(opslaan("presentatie", presentatie), opslaan("verwerking", verwerking)).mapEmpty();
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
    return pool.preparedQuery(METING).execute(Tuple.of(uur.atOffset(ZoneOffset.UTC), proces, soort,
        io.vertx.core.buffer.Buffer.buffer(bytes))).mapEmpty();
  }
}
