package nl.berichtenbox.engine.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

/**
 * The processing lock: every transaction that hands out receipt or notification numbers (the
 * processing round, the notification queue's writers) holds it, so those numbers commit in order
 * and an outbox relay or a sender reading by number never passes one. A transaction-scoped
 * advisory lock: released at commit or rollback.
 */
public final class VerwerkingsberichtOrderLock {
  private VerwerkingsberichtOrderLock() {}

  /** The advisory lock's key (as {@code pg_locks.objid} shows it, with {@code classid} 0x4242). */
  public static final long KEY = 0x42_42_00_01L;

  private static final String NEMEN = "SELECT pg_advisory_xact_lock($1)";

  /** Takes the lock in {@code conn}'s transaction, waiting while another holds it. */
  public static Future<Void> take(SqlConnection conn) {
    return conn.preparedQuery(NEMEN).execute(Tuple.of(KEY)).mapEmpty();
  }
}
