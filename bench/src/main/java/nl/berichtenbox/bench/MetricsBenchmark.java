package nl.berichtenbox.bench;

import io.vertx.core.spi.metrics.PoolMetrics;
import java.util.concurrent.TimeUnit;
import nl.berichtenbox.engine.metrics.BucketHistogram;
import nl.berichtenbox.engine.metrics.EngineMetrics;
import nl.berichtenbox.engine.metrics.VertxMeters;
import nl.berichtenbox.engine.tracing.Tracing;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What issue 20's instruments cost a request (from two threads at once, as two event loops): an
 * answer time into the request path's histogram, the same into a Micrometer timer for comparison,
 * the presentation time (the HdrHistogram the monthly report reads), one
 * database-pool borrow measured (wait and use), a counter, a new traceparent (tracing off, an
 * intake request without one), and a scrape of the whole page.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class MetricsBenchmark {
  private final EngineMetrics metrics = new EngineMetrics();

  @SuppressWarnings("unchecked")
  private final PoolMetrics<Long, Long> pool =
      (PoolMetrics<Long, Long>) new VertxMeters(metrics).createPoolMetrics("sql", "postgresql", 8);

  private long n;
  private final BucketHistogram.Series http =
      metrics.httpServer.series("burger", "GET", "/api/v1/berichtenbox/berichten", "2xx");

  /** A request's answer time as the API records it (the request path's histogram). */
  @Benchmark
  @Threads(2)
  public void httpAntwoordtijd() {
    http.recordNanos(1_234_567 + (n++ & 0xffff));
  }

  @Benchmark
  @Threads(2)
  public void teller() {
    metrics.httpRequests.increment();
  }

  /** For comparison: a Micrometer timer with the same kind of buckets (what the push and relay lags use). */
  @Benchmark
  @Threads(2)
  public void micrometerTimer() {
    metrics.pushVertraging.record(1_234_567 + (n++ & 0xffff), TimeUnit.NANOSECONDS);
  }

  @Benchmark
  @Threads(2)
  public void presentatietijd() {
    metrics.presentatie.recordNanos(1_234_567 + (n++ & 0xffff));
  }

  @Benchmark
  @Threads(2)
  public void poolLening() {
    Long w = pool.enqueue();
    pool.dequeue(w);
    Long g = pool.begin();
    pool.end(g);
  }

  @Benchmark
  @Threads(2)
  public String traceparent() {
    return Tracing.newTraceparent();
  }

  @Benchmark
  public String scrape() {
    return metrics.prometheus();
  }
}
