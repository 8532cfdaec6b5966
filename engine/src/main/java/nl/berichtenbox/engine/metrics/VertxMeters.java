package nl.berichtenbox.engine.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.core.spi.metrics.PoolMetrics;
import io.vertx.core.spi.metrics.VertxMetrics;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import nl.berichtenbox.engine.support.VertxInternals;

/**
 * The part of Vert.x's metrics SPI the engine uses: its pools (the PostgreSQL connection pool, the
 * worker pool), how long a borrower waits and how long a connection is held. Every other hook stays
 * Vert.x's no-op default, so the HTTP path pays nothing here (its latencies are recorded per route
 * by the API itself). Also a tick on each event loop that measures how late it runs.
 */
public final class VertxMeters implements VertxMetricsFactory, VertxMetrics {
  private final MeterRegistry registry;
  private final Timer loopDelay;
  private final BucketHistogram wait;
  private final BucketHistogram hold;

  public VertxMeters(EngineMetrics metrics) {
    this.registry = metrics.registry();
    this.loopDelay = metrics.eventLoopVertraging;
    this.wait = metrics.histogram(
        "berichtenbox_pool_wacht_seconds",
        "time a borrower waited for a resource of the pool (a database connection, a worker thread)",
        Buckets.COMMIT,
        "type",
        "pool");
    this.hold = metrics.histogram(
        "berichtenbox_pool_gebruik_seconds",
        "time a resource of the pool was held",
        Buckets.COMMIT,
        "type",
        "pool");
  }

  @Override
  public VertxMetrics metrics(VertxOptions options) {
    return this;
  }

  @Override
  public PoolMetrics<?, ?> createPoolMetrics(String type, String name, int maxSize) {
    return new Pool(type, name, maxSize);
  }

  @Override
  public void vertxCreated(Vertx vertx) {
    // one 100 ms tick per event loop: a tick is due every 100 ms; what it is late is what every
    // request on that loop waited too
    for (var ctx :
        VertxInternals.eventLoopContexts(vertx, VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE)) {
      ctx.runOnContext(v -> tick(vertx, System.nanoTime() + 100_000_000L));
    }
  }

  private void tick(Vertx vertx, long due) {
    vertx.setTimer(100, id -> {
      long now = System.nanoTime();
      loopDelay.record(Math.max(0, now - due), TimeUnit.NANOSECONDS);
      tick(vertx, now + 100_000_000L);
    });
  }

  private final class Pool implements PoolMetrics<Long, Long> {
    private final BucketHistogram.Series waitSeries;
    private final BucketHistogram.Series holdSeries;
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicInteger inUse = new AtomicInteger();

    Pool(String type, String name, int maxSize) {
      String poolName = name == null ? type : name;
      waitSeries = wait.series(type, poolName);
      holdSeries = hold.series(type, poolName);
      Gauge.builder("berichtenbox.pool.wachtend", waiting, AtomicInteger::get)
          .tags("type", type, "pool", poolName)
          .description("borrowers waiting for a resource of the pool")
          .register(registry);
      Gauge.builder("berichtenbox.pool.in.gebruik", inUse, AtomicInteger::get)
          .tags("type", type, "pool", poolName)
          .description("resources of the pool in use")
          .register(registry);
      Gauge.builder("berichtenbox.pool.grootte", () -> maxSize)
          .tags("type", type, "pool", poolName)
          .description("the pool's size (its maximum)")
          .register(registry);
    }

    @Override
    public Long enqueue() {
      waiting.incrementAndGet();
      return System.nanoTime();
    }

    @Override
    public void dequeue(Long since) {
      waiting.decrementAndGet();
      waitSeries.recordNanos(System.nanoTime() - since);
    }

    @Override
    public Long begin() {
      inUse.incrementAndGet();
      return System.nanoTime();
    }

    @Override
    public void end(Long since) {
      inUse.decrementAndGet();
      holdSeries.recordNanos(System.nanoTime() - since);
    }
  }
}
