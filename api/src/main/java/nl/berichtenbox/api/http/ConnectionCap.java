package nl.berichtenbox.api.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The cap on open connections ({@code BERICHTENBOX_MAX_CONNECTIONS}). A connection costs a
 * descriptor and about 10 kB of heap whether it carries requests or not; a sender that opens
 * thousands (a load tool in an open model, a client without a pool) would otherwise take the
 * descriptors the process's database connections and files need, and lengthen every collection.
 *
 * <p>A connection past the cap is not closed unanswered, which a client cannot tell from a
 * network fault: its first request is answered 503 with {@code Retry-After} by the caller (see
 * {@link #refuses}) and the connection closed after it; one that sends nothing is closed after
 * the head timeout. One instance per HTTP verticle, whose connections all live on its event loop,
 * so the set of refused ones needs no lock; the count is the process's.
 */
public final class ConnectionCap {
  private final Vertx vertx;
  private final int max;
  private final long headTimeoutMs;
  private final AtomicInteger open;
  private final LongAdder refused;
  private final Set<HttpConnection> past = Collections.newSetFromMap(new IdentityHashMap<>());

  public ConnectionCap(
      Vertx vertx, int max, Duration headTimeout, AtomicInteger open, LongAdder refused) {
    this.vertx = vertx;
    this.max = max;
    this.headTimeoutMs = Math.max(1, headTimeout.toMillis());
    this.open = open;
    this.refused = refused;
  }

  /** Counts a new connection, and marks it refused when it is past the cap. */
  public void install(HttpConnection connection) {
    if (open.incrementAndGet() <= max) {
      connection.closeHandler(v -> open.decrementAndGet());
      return;
    }
    refused.increment();
    past.add(connection);
    long timer = vertx.setTimer(headTimeoutMs, id -> connection.close());
    connection.closeHandler(v -> {
      open.decrementAndGet();
      past.remove(connection);
      vertx.cancelTimer(timer);
    });
  }

  /** Whether {@code connection} was opened past the cap: answer its request 503 and close it. */
  public boolean refuses(HttpConnection connection) {
    return !past.isEmpty() && past.contains(connection);
  }
}
