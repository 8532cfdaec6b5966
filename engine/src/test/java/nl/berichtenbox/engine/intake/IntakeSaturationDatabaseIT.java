package nl.berichtenbox.engine.intake;

import static nl.berichtenbox.engine.testing.EngineFixture.bsn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import nl.berichtenbox.engine.testing.EngineFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The group committer tells processing when intake is at its limit, against the real database. */
class IntakeSaturationDatabaseIT {
  private EngineFixture f;

  @AfterEach
  void stop() throws Exception {
    f.close();
  }

  @Test
  void intakeIsAtItsLimitWhenMessagesWaitForATransactionNotBefore() throws Exception {
    // begun whenever a slot is free: a message that waits, waits for a slot
    f = new EngineFixture(false, Map.of("BERICHTENBOX_GROUP_COMMIT_MIN_INTERVAL", "PT0S"));
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

  @Test
  void messagesHeldToShareATransactionAreNotIntakeAtItsLimit() throws Exception {
    f = new EngineFixture(false, Map.of("BERICHTENBOX_GROUP_COMMIT_MIN_INTERVAL", "PT0.3S"));
    // the same three at once: the second and third wait for the interval with a slot free
    f.stuurTegelijk(bsn(), f.config.groupCommitMaxInFlight() + 1);
    assertFalse(f.intakeSaturation.verzadigd(), "held to gather, not waiting for a slot");
    assertEquals(0, f.metrics.intakeVerzadigd.sum());
  }
}
