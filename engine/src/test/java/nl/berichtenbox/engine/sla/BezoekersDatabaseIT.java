package nl.berichtenbox.engine.sla;

import static nl.berichtenbox.engine.testing.EngineFixture.bsn;
import static nl.berichtenbox.engine.testing.EngineFixture.wacht;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.util.HashSet;
import java.util.Set;
import nl.berichtenbox.engine.support.Pseudonym;
import nl.berichtenbox.engine.testing.EngineFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The visitors' writes: in small statements, and none left unwritten when the process stops. */
class BezoekersDatabaseIT {
  private EngineFixture f;

  @BeforeEach
  void start() throws Exception {
    f = new EngineFixture(false);
  }

  @AfterEach
  void stop() throws Exception {
    f.close();
  }

  @Test
  void moreVisitorsThanOneStatementTakesAreAllWrittenAndAStopWritesTheRest() throws Exception {
    Bezoekers b =
        new Bezoekers(f.vertx, f.pool, new Pseudonym("geheim-0123456789"), Clock.systemUTC());
    Set<String> burgers = new HashSet<>();
    int eerst = 2 * Bezoekers.PER_KEER + 7;
    while (burgers.size() < eerst) {
      String bsn = bsn();
      if (burgers.add(bsn)) {
        b.bezoek(bsn);
      }
    }
    wacht(b.bewaarNu());
    assertEquals(eerst, f.getal("SELECT count(*)::int FROM bezoek"));

    // more than one statement's worth left when the process stops (the loop not running: nothing
    // writes them before the stop)
    int dan = 2 * Bezoekers.PER_KEER + 3;
    while (burgers.size() < eerst + dan) {
      String bsn = bsn();
      if (burgers.add(bsn)) {
        b.bezoek(bsn);
      }
    }
    wacht(b.stop());
    assertEquals(
        eerst + dan, f.getal("SELECT count(*)::int FROM bezoek"), "a stop writes them all");
  }
}
