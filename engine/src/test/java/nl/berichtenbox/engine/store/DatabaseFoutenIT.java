package nl.berichtenbox.engine.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import nl.berichtenbox.engine.testing.TcpProxy;
import nl.berichtenbox.engine.testing.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link Database#unreachable} on the failures Vert.x's PostgreSQL client really gives (not built by
 * hand, as {@link OnbereikbaarTest} does): a Vert.x upgrade that changes one fails here.
 */
class DatabaseFoutenIT {
  private static Vertx vertx;
  private static Database db;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    db = TestDatabase.nieuw();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static Pool pool(PgConnectOptions naar, int size, long wachtMs) {
    return PgBuilder.pool()
        .with(new PoolOptions()
            .setMaxSize(size)
            .setConnectionTimeout((int) wachtMs)
            .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS))
        .connectingTo(naar)
        .using(vertx)
        .build();
  }

  private static Throwable fout(Future<?> f) throws Exception {
    try {
      f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected a failure, got " + f.result());
  }

  private static <T> T wacht(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void aWaitForAConnectionThatTimesOutIsTheDatabaseSaturated() throws Exception {
    Pool pool = pool(db.connectOptions(), 1, 200);
    try {
      var bezet = wacht(pool.getConnection());
      Throwable lener = fout(pool.getConnection());
      assertTrue(Database.unreachable(lener), "a borrower's wait: " + lener);
      Throwable query = fout(pool.query("SELECT 1").execute());
      assertTrue(Database.unreachable(query), "a query's wait: " + query);
      Throwable transactie = fout(pool.withTransaction(c -> c.query("SELECT 1").execute()));
      assertTrue(Database.unreachable(transactie), "a transaction's wait: " + transactie);
      bezet.close();
      assertEquals(
          1, wacht(pool.query("SELECT 1").execute()).iterator().next().getInteger(0), "free again");
    } finally {
      pool.close();
    }
  }

  @Test
  void aConnectionCutUnderAQueryIsTheDatabaseAway() throws Exception {
    try (TcpProxy proxy = new TcpProxy(vertx, "127.0.0.1", db.connectOptions().getPort())) {
      Pool pool = pool(new PgConnectOptions(db.connectOptions()).setPort(proxy.port()), 2, 5_000);
      try {
        assertEquals(
            1, wacht(pool.query("SELECT 1").execute()).iterator().next().getInteger(0));
        Future<?> lang = pool.query("SELECT pg_sleep(10)").execute();
        Pool direct = db.pool(vertx, 1);
        try {
          // cut once the server runs it, not before
          long tot = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
          while (wacht(direct
                      .query(
                          "SELECT count(*)::int FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(10)'"
                              + " AND state = 'active'")
                      .execute())
                  .iterator()
                  .next()
                  .getInteger(0)
              == 0) {
            assertTrue(System.nanoTime() < tot, "the query never ran");
          }
        } finally {
          direct.close();
        }
        proxy.verbreek();
        Throwable t = fout(lang);
        assertTrue(Database.unreachable(t), t.toString());
      } finally {
        pool.close();
      }
    }
  }

  @Test
  void aServerThatRefusesConnectionsIsAway() throws Exception {
    try (TcpProxy proxy = new TcpProxy(vertx, "127.0.0.1", db.connectOptions().getPort())) {
      proxy.weiger(true);
      Pool pool = pool(new PgConnectOptions(db.connectOptions()).setPort(proxy.port()), 1, 5_000);
      try {
        Throwable t = fout(pool.query("SELECT 1").execute());
        assertTrue(Database.unreachable(t), t.toString());
        proxy.weiger(false);
        assertEquals(
            1,
            wacht(pool.query("SELECT 1").execute()).iterator().next().getInteger(0),
            "back once it accepts");
      } finally {
        pool.close();
      }
    }
  }

  @Test
  void anErrorOfTheStatementIsNot() throws Exception {
    Pool pool = db.pool(vertx, 1);
    try {
      wacht(pool.query("CREATE TEMP TABLE t (id int PRIMARY KEY)").execute());
      Throwable dubbel =
          fout(pool.withConnection(c -> c.query("CREATE TEMP TABLE u (id int PRIMARY KEY)")
              .execute()
              .compose(x -> c.query("INSERT INTO u VALUES (1), (1)").execute())));
      assertFalse(Database.unreachable(dubbel), dubbel.toString());
      Throwable syntax = fout(pool.query("SELEKT 1").execute());
      assertFalse(Database.unreachable(syntax), syntax.toString());
    } finally {
      pool.close();
    }
  }
}
