package nl.berichtenbox.engine.store;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.SqlConnectOptions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the pool opens its next connection when the URL names several hosts or asks for
 * {@code target_session_attrs=read-write}: at the host that takes writes now, as libpq does. The
 * pool asks for every new connection; the answer is looked up again once it is older than
 * {@link #GELDIG_MS}, by asking every host at once ({@code SHOW transaction_read_only}) and taking
 * the first that says it writes. After a failover the old primary's connections break, the pool
 * opens new ones, and those go to the promoted host; until it is promoted, none is writable and
 * the connection fails with {@link GeenPrimaireException} (503, readiness false).
 */
final class PrimaryFollower implements Supplier<Future<SqlConnectOptions>> {
  private static final Logger LOG = LoggerFactory.getLogger(PrimaryFollower.class);
  /** How long a found primary is taken on trust for new connections; broken ones are replaced at once. */
  static final long GELDIG_MS = 500;

  private final Vertx vertx;
  private final DatabaseUrl url;
  private final List<PgConnectOptions> hosts = new ArrayList<>();
  private Future<PgConnectOptions> search;
  private long foundAt;
  /** The host last found writable: a change is logged as a failover. */
  private volatile PgConnectOptions last;

  PrimaryFollower(Vertx vertx, DatabaseUrl url) {
    this.vertx = vertx;
    this.url = url;
    for (DatabaseUrl.Host h : url.hosts()) {
      hosts.add(url.connectOptions(h));
    }
  }

  @Override
  public synchronized Future<SqlConnectOptions> get() {
    long now = System.nanoTime();
    if (search == null
        || (search.isComplete()
            && (search.failed() || now - foundAt > TimeUnit.MILLISECONDS.toNanos(GELDIG_MS)))) {
      search = find();
      foundAt = now;
    }
    return search.map(o -> (SqlConnectOptions) o);
  }

  /** Asks every host at once; the first to say it takes writes wins. */
  private Future<PgConnectOptions> find() {
    Promise<PgConnectOptions> found = Promise.promise();
    AtomicInteger open = new AtomicInteger(hosts.size());
    List<String> waarom = Collections.synchronizedList(new ArrayList<>());
    for (PgConnectOptions h : hosts) {
      writable(h).onComplete(ar -> {
        if (ar.succeeded() && ar.result()) {
          if (found.tryComplete(h)) {
            PgConnectOptions vorige = last;
            last = h;
            if (vorige != null && !vorige.equals(h)) {
              LOG.warn(
                  "the writable PostgreSQL is now {}:{} (was {}:{}): a failover",
                  h.getHost(),
                  h.getPort(),
                  vorige.getHost(),
                  vorige.getPort());
            }
          } else if (!found.future().result().equals(h)) {
            LOG.error(
                "two PostgreSQL hosts take writes: {}:{} and {}:{}; using the first that answered. The old "
                    + "primary must be fenced (docs/deployment.md)",
                found.future().result().getHost(),
                found.future().result().getPort(),
                h.getHost(),
                h.getPort());
          }
        } else {
          waarom.add(h.getHost() + ":" + h.getPort()
              + (ar.succeeded()
                  ? " is read-only (a standby)"
                  : " does not answer (" + ar.cause().getClass().getSimpleName() + ")"));
        }
        if (open.decrementAndGet() == 0) {
          found.tryFail(new GeenPrimaireException(
              url.hosts().size() == 1
                  ? "PostgreSQL does not take writes: " + String.join("; ", waarom)
                  : "none of the PostgreSQL hosts takes writes: " + String.join("; ", waarom)));
        }
      });
    }
    return found.future();
  }

  /** Whether a host answers and takes writes (what libpq's read-write asks). */
  private Future<Boolean> writable(PgConnectOptions h) {
    return PgConnection.connect(vertx, h)
        .compose(conn -> conn.query("SHOW transaction_read_only")
            .execute()
            .map(rows -> "off".equals(rows.iterator().next().getString(0)))
            .eventually(conn::close))
        .timeout(url.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  /** No host takes writes (the primary is lost and no standby promoted yet): retry in a moment. */
  static final class GeenPrimaireException extends RuntimeException {
    GeenPrimaireException(String message) {
      super(message, null, false, false);
    }
  }
}
