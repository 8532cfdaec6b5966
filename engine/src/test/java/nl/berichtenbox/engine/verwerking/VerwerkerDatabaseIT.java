package nl.berichtenbox.engine.verwerking;

import static nl.berichtenbox.engine.testing.EngineFixture.OIN;
import static nl.berichtenbox.engine.testing.EngineFixture.await;
import static nl.berichtenbox.engine.testing.EngineFixture.bsn;
import static nl.berichtenbox.engine.testing.EngineFixture.wacht;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import nl.berichtenbox.engine.domain.BerichtStatus;
import nl.berichtenbox.engine.testing.EngineFixture;
import nl.berichtenbox.engine.testing.TcpProxy;
import nl.berichtenbox.engine.tracing.Tracing;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Processing's SQL against the real database, without HTTP: intake parks, the {@link Verwerker}
 * decides, and what it writes (status, receipt, notification) is read back; with the connections
 * cut under it by a {@link TcpProxy}, every message still gets exactly one receipt.
 */
class VerwerkerDatabaseIT {
  private EngineFixture f;
  private Verwerker verwerker;

  @BeforeEach
  void start() throws Exception {
    f = new EngineFixture(true);
  }

  @AfterEach
  void stop() throws Exception {
    if (verwerker != null) {
      wacht(verwerker.stop());
    }
    f.close();
  }

  /** Starts processing, {@code batch} messages a round at most (its poll finds what was parked). */
  private void verwerk(int batch) {
    verwerker = new Verwerker(
        f.vertx,
        f.pool,
        batch,
        f.config.verwerkingPollInterval(),
        f.config.verwerkingsberichtenBewaartermijn(),
        f.config.notificaties().bundleWindow(),
        f.metrics,
        Tracing.off());
    verwerker.start();
  }

  @Test
  void aMessageToABoxThatAcceptsIsDeliveredAndNotifiedOneToNoBoxIsRefused() throws Exception {
    String welkom = f.burger("a@burger.test");
    String zonderBox = bsn();

    UUID bezorgd = f.stuur(welkom);
    UUID geweigerd = f.stuur(zonderBox);
    verwerk(f.config.verwerkingBatchSize());
    await(
        "both processed",
        () -> status(bezorgd) != BerichtStatus.ONTVANGEN
            && status(geweigerd) != BerichtStatus.ONTVANGEN);

    assertEquals(BerichtStatus.AFGELEVERD, status(bezorgd));
    assertEquals(List.of("Verwerkt"), ontvangstbewijzen(bezorgd));
    assertEquals(BerichtStatus.AFGEWEZEN, status(geweigerd));
    assertEquals(List.of("NietActiefOfGeabonneerd"), ontvangstbewijzen(geweigerd));
    assertEquals(
        1,
        f.getal("SELECT count(*)::int FROM notificatie WHERE bsn = $1", welkom),
        "one e-mail queued");
    assertEquals(0, f.getal("SELECT count(*)::int FROM notificatie WHERE bsn = $1", zonderBox));
  }

  @Test
  void connectionsCutUnderProcessingLoseNoMessageAndGiveNoneTwoReceipts() throws Exception {
    for (int i = 0; i < 400; i++) {
      f.stuur(bsn());
    }
    // small rounds, and their connections cut while they run, until every message is decided
    verwerk(5);
    int sneden = 0;
    long tot = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (f.getal(
            "SELECT count(*)::int FROM bericht WHERE status = $1", BerichtStatus.ONTVANGEN.code)
        > 0) {
      assertTrue(System.nanoTime() < tot, "processing did not recover from the cuts");
      if (f.metrics.verwerkingFouten.sum() == 0 && f.proxy.verbindingen() > 0) {
        f.proxy.verbreek();
        sneden++;
      }
      Thread.sleep(10);
    }
    assertTrue(
        f.metrics.verwerkingFouten.sum() > 0, "no round was cut short (" + sneden + " cuts)");
    assertEquals(
        400,
        f.getal("SELECT count(*)::int FROM verwerkingsbericht WHERE oin = $1", OIN),
        "one receipt each");
    assertEquals(
        400,
        f.getal(
            "SELECT count(DISTINCT bericht_id)::int FROM verwerkingsbericht WHERE oin = $1", OIN));
    assertEquals(
        400,
        f.getal(
            "SELECT count(*)::int FROM bericht WHERE oin = $1 AND verwerkings_code = 'NietActiefOfGeabonneerd'",
            OIN),
        "no message was given up as a technical problem for the database's absence");
  }

  @Test
  void theRoundsPlanFindsEachRowByAnIndexWhateverTheStatisticsSay() throws Exception {
    // the plan the round runs is generic, made once on a connection (Verwerker.PLAN) with the
    // statistics of that moment, and kept as the table changes: made while a backlog was parked it
    // joined the claimed rows by a hash or merge join over the whole table, for every round after
    // (runs gecached-leeg-r2000, indexen-leeg-r2000)
    f.rijen(Verwerker.PLAN.replace("true)", "false)")); // this session's, for EXPLAIN below
    f.stuur(bsn());
    String kopie = """
        INSERT INTO bericht (oin, bericht_id, bsn, bericht_type, onderwerp, bericht_tekst, referentie,
                             aantal_bijlagen, digest, status)
        SELECT oin, gen_random_uuid(), bsn, bericht_type, onderwerp, bericht_tekst, referentie,
               aantal_bijlagen, digest, $1
        FROM bericht, generate_series(1, $2) WHERE id = (SELECT min(id) FROM bericht)""";
    // analysed with a backlog parked: a small table, then a larger one
    for (int n : new int[] {2_000, 20_000}) {
      f.rijen(kopie, (short) 1, n);
      f.rijen(kopie, (short) 0, n / 4);
      f.rijen("ANALYZE bericht");
      geefAlleenIndexen(plan());
    }
    // analysed while little was parked, then many parked: the state of a seeded store under a burst
    // (run 28), where the round's UPDATE once walked every parked row for each decided one
    f.rijen("UPDATE bericht SET status = 1 WHERE status = 0");
    f.rijen("ANALYZE bericht");
    f.rijen(kopie, (short) 0, 1_500);
    geefAlleenIndexen(plan());
  }

  /** The round's generic plan, as EXPLAIN gives it. */
  private String plan() throws Exception {
    return f.tekst("EXPLAIN (GENERIC_PLAN) " + Verwerker.ROUND).stream()
        .map(r -> r.getString(0))
        .reduce("", (a, b) -> a + "\n" + b);
  }

  private static void geefAlleenIndexen(String plan) {
    // nested loops over indexes: no table read whole, no index walked whole to join it
    assertFalse(plan.contains("Seq Scan on bericht "), plan);
    assertFalse(plan.contains("Merge Join"), plan);
    assertFalse(plan.contains("Hash Join"), plan);
    // the claim walks the parked rows' own index, whatever the limit
    String claim = plan.substring(plan.indexOf("CTE claimed"), plan.indexOf("CTE upd"));
    assertTrue(claim.contains("using bericht_te_verwerken on bericht"), plan);
    String update = plan.substring(plan.indexOf("CTE upd"));
    // up to the next common table expression of the statement (a line "  CTE name" of its own)
    int next = update.indexOf("\n  CTE ", 1);
    update = next > 0 ? update.substring(0, next) : update;
    assertTrue(update.contains("using bericht_pkey on bericht"), plan);
    assertFalse(update.contains("bericht_te_verwerken"), plan);
  }

  private BerichtStatus status(UUID berichtId) throws Exception {
    return BerichtStatus.van(f.getal(
        "SELECT status::int FROM bericht WHERE oin = $1 AND bericht_id = $2::uuid",
        OIN,
        berichtId.toString()));
  }

  private List<String> ontvangstbewijzen(UUID berichtId) throws Exception {
    return f
        .rijen(
            "SELECT verwerkings_code FROM verwerkingsbericht WHERE oin = $1 AND bericht_id = $2::text",
            OIN,
            berichtId.toString())
        .stream()
        .map(r -> r.getString(0))
        .toList();
  }
}
