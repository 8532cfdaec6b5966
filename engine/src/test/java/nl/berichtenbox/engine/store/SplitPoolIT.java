package nl.berichtenbox.engine.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import nl.berichtenbox.engine.support.VertxInternals;
import nl.berichtenbox.engine.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link SplitPool} on real connections: a request loop's queries never run on a connection that
 * background work on another loop opened, even when the request loop wants more connections than
 * its pool has (one shared pool hands out the other loop's then; the cost in performance-history.md);
 * and {@link SqlPool}'s readiness is the request pool's, whichever thread asks.
 */
class SplitPoolIT {
  private Vertx vertx;
  private Pool requests;
  private Pool background;
  private SplitPool pool;
  private Context requestLoop;
  private Context backgroundLoop;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    Database db = TestDatabase.nieuw();
    requests = db.pool(vertx, 2);
    background = db.pool(vertx, 2, "postgresql-achtergrond");
    pool = new SplitPool(requests, background);
    List<Context> loops = VertxInternals.eventLoopContexts(vertx, 2);
    requestLoop = loops.get(0);
    backgroundLoop = loops.get(1);
    assertNotSame(
        op(requestLoop, () -> Future.succeededFuture(Thread.currentThread())),
        op(backgroundLoop, () -> Future.succeededFuture(Thread.currentThread())),
        "two event loops");
    op(requestLoop, () -> {
      pool.servesRequests();
      return Future.succeededFuture();
    });
  }

  @AfterEach
  void stop() throws Exception {
    pool.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aRequestLoopNeverGetsAConnectionBackgroundWorkOpened() throws Exception {
    // background work first, as at start-up: both its connections held at once
    Set<Integer> achtergrond = backends(backgroundLoop, 2);
    assertEquals(2, achtergrond.size());
    assertEquals(0, requests.size(), "background work opened no request connection");
    // three times the request pool's size at once: the waiters take the request pool's own
    Set<Integer> verzoeken = backends(requestLoop, 6);
    assertEquals(2, verzoeken.size(), verzoeken.toString());
    assertTrue(
        verzoeken.stream().noneMatch(achtergrond::contains),
        "request queries ran on background connections: " + verzoeken + " / " + achtergrond);
    assertEquals(2, requests.size());
    assertEquals(4, pool.size());
  }

  @Test
  void aThreadNotMarkedQueriesTheBackgroundPool() throws Exception {
    backends(requestLoop, 1);
    Set<Integer> vanElders = backends(backgroundLoop, 1);
    Set<Integer> ookAchtergrond = new HashSet<>();
    // a transaction too: the same pool as the thread's queries
    ookAchtergrond.addAll(op(
        backgroundLoop,
        () -> pool.withTransaction(c -> c.query("SELECT pg_backend_pid()")
            .execute()
            .map(r -> Set.of(r.iterator().next().getInteger(0))))));
    assertEquals(1, requests.size());
    assertEquals(1, background.size());
    assertEquals(vanElders, ookAchtergrond);
  }

  @Test
  void readinessAsksTheRequestPoolWhicheverThreadAsks() throws Exception {
    SqlPool sql = new SqlPool(pool);
    List<SqlConnection> bezet = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      bezet.add(op(backgroundLoop, background::getConnection));
    }
    assertTrue(
        op(backgroundLoop, sql::ready),
        "background work holding all its connections is no reason to refuse requests");
    for (int i = 0; i < 2; i++) {
      bezet.add(op(requestLoop, requests::getConnection));
    }
    assertFalse(
        op(backgroundLoop, sql::ready),
        "no request connection free for two seconds: not ready, whoever asks");
    for (SqlConnection c : bezet) {
      op(backgroundLoop, c::close);
    }
  }

  /** The backend process ids of {@code n} queries sent at once from {@code ctx}, each held 50 ms. */
  private Set<Integer> backends(Context ctx, int n) throws Exception {
    return op(ctx, () -> {
      List<Future<Integer>> fs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        fs.add(pool.query("SELECT pg_backend_pid(), pg_sleep(0.05)")
            .execute()
            .map(r -> r.iterator().next().getInteger(0)));
      }
      return Future.all(fs).map(all -> {
        Set<Integer> pids = new HashSet<>();
        for (int i = 0; i < n; i++) {
          pids.add(all.resultAt(i));
        }
        return pids;
      });
    });
  }

  private static <T> T op(Context ctx, Supplier<Future<T>> werk) throws Exception {
    Promise<T> p = Promise.promise();
    ctx.runOnContext(v -> werk.get().onComplete(p));
    return p.future().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
