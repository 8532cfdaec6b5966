package nl.berichtenbox.engine.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PrepareOptions;
import io.vertx.sqlclient.PreparedQuery;
import io.vertx.sqlclient.Query;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.TransactionPropagation;
import java.util.Arrays;
import java.util.function.Function;

/**
 * One pool to every part, two underneath: one for the threads that answer requests (the HTTP
 * verticles' event loops) and one for everything else (processing, pushes, notifications, Kafka,
 * timers), chosen by the calling thread.
 *
 * <p>Vert.x opens a connection on the event loop of the caller that needed it and prefers an idle
 * connection of the caller's loop, but a pool at its maximum hands out any. With one pool, the
 * background parts' connections (on loops of their own) served portal requests whenever the
 * request loop's were busy, and each such query crossed loops twice, a task and a wake-up each
 * way: 14 to 23 % more event-loop CPU per portal request (docs/performance-history.md, runs ab17 to
 * ab20). Kept apart, the request pool's connections are opened by request loops only. With one
 * HTTP loop a request always gets one of its own loop; with several, a loop whose own are all busy
 * in a full pool still borrows another request loop's.
 */
public final class SplitPool implements Pool {
  private final Pool requests;
  private final Pool background;
  /** The request loops' threads: a handful, read on every query, written at start-up only. */
  private volatile Thread[] requestThreads = new Thread[0];

  public SplitPool(Pool requests, Pool background) {
    this.requests = requests;
    this.background = background;
  }

  /** From now on the calling thread answers requests: its queries go to the request pool. */
  public synchronized void servesRequests() {
    Thread t = Thread.currentThread();
    if (answersRequests(t)) {
      return;
    }
    Thread[] more = Arrays.copyOf(requestThreads, requestThreads.length + 1);
    more[more.length - 1] = t;
    requestThreads = more;
  }

  private boolean answersRequests(Thread t) {
    for (Thread x : requestThreads) {
      if (x == t) {
        return true;
      }
    }
    return false;
  }

  /** The pool the calling thread queries. */
  Pool current() {
    return answersRequests(Thread.currentThread()) ? requests : background;
  }

  /** The request loops' pool (its metrics' {@code pool} label is {@code postgresql}). */
  public Pool requests() {
    return requests;
  }

  /** The other parts' pool. */
  public Pool background() {
    return background;
  }

  @Override
  public Future<SqlConnection> getConnection() {
    return current().getConnection();
  }

  @Override
  public Query<RowSet<Row>> query(String sql) {
    return current().query(sql);
  }

  @Override
  public PreparedQuery<RowSet<Row>> preparedQuery(String sql) {
    return current().preparedQuery(sql);
  }

  @Override
  public PreparedQuery<RowSet<Row>> preparedQuery(String sql, PrepareOptions options) {
    return current().preparedQuery(sql, options);
  }

  @Override
  public <T> Future<T> withTransaction(Function<SqlConnection, Future<T>> function) {
    return current().withTransaction(function);
  }

  @Override
  public <T> Future<T> withTransaction(
      TransactionPropagation txPropagation, Function<SqlConnection, Future<T>> function) {
    return current().withTransaction(txPropagation, function);
  }

  @Override
  public <T> Future<T> withConnection(Function<SqlConnection, Future<T>> function) {
    return current().withConnection(function);
  }

  /** The connections both pools hold. */
  @Override
  public int size() {
    return requests.size() + background.size();
  }

  @Override
  public Future<Void> close() {
    return Future.join(requests.close(), background.close()).mapEmpty();
  }
}
