package nl.berichtenbox.engine.intake;

import static nl.berichtenbox.engine.testing.EngineFixture.bsn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import nl.berichtenbox.engine.testing.EngineFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The group committer tells processing when intake is at its limit, against the real database. */
class IntakeSaturationDatabaseIT {
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
  void intakeIsAtItsLimitWhenMessagesWaitForATransactionNotBefore() throws Exception {
    // one at a time: each goes into a transaction at once
    for (int i = 0; i < 5; i++) {
      f.stuur(bsn());
    }
    assertFalse(f.intakeSaturation.verzadigd(), "one message at a time waits for no slot");
    assertEquals(0, f.metrics.intakeVerzadigd.sum());
    // one more at once than transactions may be under way: the last waits for a slot
    f.stuurTegelijk(bsn(), f.config.groupCommitMaxInFlight() + 1);
    assertTrue(f.intakeSaturation.verzadigd());
    // and counts it, for the operator: /metrics' berichtenbox_intake_verzadigd_total
    assertTrue(f.metrics.intakeVerzadigd.sum() > 0);
  }
}
