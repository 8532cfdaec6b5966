package nl.berichtenbox.engine.store;

import io.vertx.core.Future;
import java.util.concurrent.TimeUnit;
import nl.berichtenbox.engine.support.Component;

/**
 * The connection pools every part shares ({@link SplitPool}), as a component: started first and
 * stopped last (after every part that queries through it has finished), ready while PostgreSQL
 * answers the request pool, whichever thread asks (the heartbeat asks from a background loop,
 * /health/ready from a request loop: one answer for both).
 */
public final class SqlPool implements Component {
  /** How long the readiness probe waits for PostgreSQL's answer. */
  private static final long READY_TIMEOUT_MS = 2_000;

  private final SplitPool pool;

  public SqlPool(SplitPool pool) {
    this.pool = pool;
  }

  public SplitPool pool() {
    return pool;
  }

  @Override
  public void start() {
    // the pool connects on first use
  }

  @Override
  public Future<Void> stop() {
    return pool.close();
  }

  /** Whether PostgreSQL answers a query within two seconds (a full pool waits its turn too). */
  @Override
  public Future<Boolean> ready() {
    return pool.requests()
        .query("SELECT 1")
        .execute()
        .timeout(READY_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .map(true)
        .otherwise(false);
  }
}
