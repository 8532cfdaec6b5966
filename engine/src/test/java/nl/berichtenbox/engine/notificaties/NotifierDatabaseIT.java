package nl.berichtenbox.engine.notificaties;

import static nl.berichtenbox.engine.testing.EngineFixture.await;
import static nl.berichtenbox.engine.testing.EngineFixture.wacht;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import nl.berichtenbox.engine.intake.IntakeSaturation;
import nl.berichtenbox.engine.testing.EngineFixture;
import nl.berichtenbox.engine.testing.TestClock;
import nl.berichtenbox.engine.tracing.Tracing;
import nl.berichtenbox.engine.verwerking.Verwerker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The notifier's SQL against the real database, without HTTP: messages delivered by the Verwerker
 * queue one bundled e-mail, the notifier claims, sends (an .eml file: no SMTP server) and records
 * it; three weeks later the unread ones are reminded of, once.
 */
class NotifierDatabaseIT {
  private EngineFixture f;
  private Verwerker verwerker;
  private Notifier notifier;
  /** Moved on: the bundling window and the three weeks pass at once. */
  private final TestClock klok = new TestClock();

  @BeforeEach
  void start() throws Exception {
    f = new EngineFixture(false);
    verwerker = new Verwerker(
        f.vertx,
        f.pool,
        f.config.verwerkingBatchSize(),
        f.config.verwerkingParallel(),
        new IntakeSaturation(),
        f.config.verwerkingPollInterval(),
        f.config.verwerkingMinInterval(),
        f.config.verwerkingsberichtenBewaartermijn(),
        f.config.notificaties().bundleWindow(),
        f.metrics,
        Tracing.off());
  }

  @AfterEach
  void stop() throws Exception {
    if (notifier != null) {
      wacht(notifier.stop());
    }
    wacht(verwerker.stop());
    f.close();
  }

  @Test
  void deliveredMessagesAreNotifiedInOneEmailAndTheUnreadRemindedOfOnce(@TempDir Path mail)
      throws Exception {
    String adres = "lezer@burger.test";
    String bsn = f.burger(adres);
    for (int i = 0; i < 3; i++) {
      f.stuur(bsn);
    }
    verwerker.start();
    await(
        "three delivered",
        () -> f.getal("SELECT count(*)::int FROM bericht WHERE bsn = $1 AND status = 1", bsn) == 3);
    assertEquals(
        List.of(3),
        f.rijen("SELECT aantal FROM notificatie WHERE bsn = $1", bsn).stream()
            .map(r -> (int) r.getInteger(0))
            .toList(),
        "one e-mail for the three, bundled");

    klok.shift(f.config.notificaties().bundleWindow().plusMinutes(1));
    notifier = new Notifier(f.vertx, f.pool, f.config.notificaties(), mail, klok, f.metrics);
    notifier.start();
    await(
        "the e-mail sent",
        () -> f.getal(
                "SELECT count(*)::int FROM notificatie WHERE bsn = $1 AND status = $2", bsn, (short)
                    Notifier.VERZONDEN)
            == 1);
    List<Path> emls = eml(mail);
    assertEquals(1, emls.size(), emls.toString());
    String eml = Files.readString(emls.get(0));
    assertTrue(
        eml.contains(adres)
            && eml.contains("Subject: " + f.config.notificaties().onderwerp()),
        eml);
    assertNotNull(
        f.rijen("SELECT laatste_notificatie_op FROM berichtenbox WHERE bsn = $1", bsn)
            .get(0)
            .getValue(0),
        "the box knows when it was last notified");
    wacht(notifier.stop());
    notifier = null;

    Notifier later = new Notifier(f.vertx, f.pool, f.config.notificaties(), mail, klok, f.metrics);
    assertEquals(0L, wacht(later.herinneringen()), "nothing is three weeks old yet");
    klok.shift(f.config.notificaties().herinneringNa().plusDays(1));
    assertEquals(3L, wacht(later.herinneringen()), "the three unread messages");
    assertEquals(0L, wacht(later.herinneringen()), "each message once");
    assertEquals(
        1,
        f.getal("SELECT count(*)::int FROM notificatie WHERE bsn = $1 AND soort = $2", bsn, (short)
            NotificatieWachtrij.HERINNERING),
        "one reminder e-mail for them");
  }

  private static List<Path> eml(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".eml")).toList();
    }
  }
}
