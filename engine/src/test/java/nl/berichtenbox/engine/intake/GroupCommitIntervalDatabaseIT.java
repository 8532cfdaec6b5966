package nl.berichtenbox.engine.intake;

import static nl.berichtenbox.engine.testing.EngineFixture.OIN;
import static nl.berichtenbox.engine.testing.EngineFixture.bsn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import nl.berichtenbox.engine.testing.EngineFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The group commits' spacing ({@code groupCommitMinInterval}) against the real database. A first
 * transaction is kept under way by a row with its message's key that another transaction has
 * inserted and not yet committed: PostgreSQL makes the first wait for it.
 */
class GroupCommitIntervalDatabaseIT {
  private EngineFixture f;
  private SqlConnection houder;
  private Transaction tx;

  @AfterEach
  void stop() throws Exception {
    if (houder != null) {
      houder.close();
    }
    if (f != null) {
      f.close();
    }
  }

  private void start(Map<String, String> settings) throws Exception {
    f = new EngineFixture(false, settings);
  }

  /** Holds the key {@code berichtId} in a transaction left open, so its intake waits. */
  private void houdVast(UUID berichtId) throws Exception {
    houder = f.verbinding();
    tx = EngineFixture.wacht(houder.begin());
    EngineFixture.wacht(houder
        .preparedQuery("INSERT INTO bericht (oin, bericht_id, bsn, bericht_type, onderwerp,"
            + " bericht_tekst, aantal_bijlagen, digest) VALUES ($1, $2, '999993653', 'AANSL',"
            + " 'vast', 'vast', 0, '\\x00')")
        .execute(Tuple.of(OIN, berichtId)));
  }

  private static JsonObject bericht(UUID id) {
    return new JsonObject()
        .put("berichtId", id.toString())
        .put("berichtType", "AANSL")
        .put("bsn", bsn())
        .put("onderwerp", "Uw aanslag");
  }

  /** Offers the held message, then {@code n} others at once; their futures, the held one first. */
  private List<CompletableFuture<?>> bied(UUID vast, int n) throws Exception {
    return f.opLus(() -> {
      List<CompletableFuture<?>> out = new ArrayList<>();
      out.add(
          f.intake().bericht(OIN, bericht(vast), null).toCompletionStage().toCompletableFuture());
      for (int i = 0; i < n; i++) {
        out.add(f.intake()
            .bericht(OIN, bericht(UUID.randomUUID()), null)
            .toCompletionStage()
            .toCompletableFuture());
      }
      return Future.succeededFuture(out);
    });
  }

  @Test
  void whileATransactionIsUnderWayTheNextWaitsForTheIntervalAndTakesAllThatArrived()
      throws Exception {
    start(Map.of("BERICHTENBOX_GROUP_COMMIT_MIN_INTERVAL", "PT0.3S"));
    UUID vast = UUID.randomUUID();
    houdVast(vast);
    long begin = System.nanoTime();
    List<CompletableFuture<?>> futures = bied(vast, 10);
    // the ten others: not at once beside the first (a slot was free), but after the interval, in
    // one transaction, while the first still waits
    CompletableFuture.allOf(futures.subList(1, 11).toArray(CompletableFuture[]::new))
        .get(10, TimeUnit.SECONDS);
    long ms = Duration.ofNanos(System.nanoTime() - begin).toMillis();
    assertTrue(ms >= 250, "the second transaction began after " + ms + " ms, not the interval");
    assertFalse(futures.get(0).isDone(), "the first is still held by the open transaction");
    assertEquals(1, f.metrics.groupCommits.sum(), "one transaction for the ten");
    assertEquals(10, f.metrics.groupCommitMessages.sum());
    EngineFixture.wacht(tx.rollback());
    futures.get(0).get(10, TimeUnit.SECONDS);
    assertEquals(2, f.metrics.groupCommits.sum());
    assertEquals(11, f.getal("SELECT count(*)::int FROM bericht"));
  }

  @Test
  void requestsThatCameInCompanyWaitForTheIntervalEvenWhenNoneIsUnderWay() throws Exception {
    start(Map.of("BERICHTENBOX_GROUP_COMMIT_MIN_INTERVAL", "PT0.3S"));
    long begin = System.nanoTime();
    // three at once: the first is written at once; the other two came in company, so they wait
    // for the interval after the first began, also once its commit is done, and share one
    f.stuurTegelijk(bsn(), 3);
    long ms = Duration.ofNanos(System.nanoTime() - begin).toMillis();
    assertTrue(ms >= 250, "the second transaction began after " + ms + " ms, not the interval");
    assertEquals(2, f.metrics.groupCommits.sum());
    assertEquals(3, f.getal("SELECT count(*)::int FROM bericht"));
  }

  @Test
  void enoughMessagesWaitingBeginAtOnce() throws Exception {
    start(Map.of("BERICHTENBOX_GROUP_COMMIT_MIN_INTERVAL", "PT60S"));
    enoughBeginAtOnce(GroupCommitter.GATHERED);
  }

  @Test
  void aFullTransactionWaitingBeginsAtOnce() throws Exception {
    start(Map.of(
        "BERICHTENBOX_GROUP_COMMIT_MIN_INTERVAL", "PT60S",
        "BERICHTENBOX_GROUP_COMMIT_MAX_MESSAGES", "5"));
    enoughBeginAtOnce(5);
  }

  /** With the first transaction held open, {@code n} more at once do not wait the minute. */
  private void enoughBeginAtOnce(int n) throws Exception {
    UUID vast = UUID.randomUUID();
    houdVast(vast);
    List<CompletableFuture<?>> futures = bied(vast, n);
    CompletableFuture.allOf(futures.subList(1, n + 1).toArray(CompletableFuture[]::new))
        .get(20, TimeUnit.SECONDS);
    assertFalse(futures.get(0).isDone());
    assertEquals(1, f.metrics.groupCommits.sum());
    assertEquals(n, f.metrics.groupCommitMessages.sum());
    EngineFixture.wacht(tx.rollback());
    futures.get(0).get(10, TimeUnit.SECONDS);
  }

  @Test
  void aSenderThatWaitsForEachAnswerIsNeverHeldAlsoAfterABurst() throws Exception {
    start(Map.of(
        "BERICHTENBOX_GROUP_COMMIT_MIN_INTERVAL", "PT60S",
        "BERICHTENBOX_GROUP_COMMIT_MAX_MESSAGES", "2"));
    // a burst first: three at once, the first alone, the other two a full transaction
    f.stuurTegelijk(bsn(), 3);
    assertEquals(2, f.metrics.groupCommits.sum());
    long begin = System.nanoTime();
    for (int i = 0; i < 5; i++) {
      // each one with nothing under way: written at once, not a minute after the last began
      f.stuur(bsn());
    }
    long ms = Duration.ofNanos(System.nanoTime() - begin).toMillis();
    assertTrue(ms < 30_000, "five answers took " + ms + " ms");
    assertEquals(7, f.metrics.groupCommits.sum());
  }
}
