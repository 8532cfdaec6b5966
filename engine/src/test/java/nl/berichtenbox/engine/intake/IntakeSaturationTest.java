package nl.berichtenbox.engine.intake;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class IntakeSaturationTest {
  @Test
  void atItsLimitOnlyOnceAMessageHasWaited() {
    IntakeSaturation s = new IntakeSaturation();
    assertFalse(s.verzadigd(), "a fresh engine");
    s.wacht();
    assertTrue(s.verzadigd());
  }
}
