package nl.berichtenbox.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code seed}'s arguments: numbers read, settings passed on, a bad number named rather than a stack trace. */
class SeedArgsTest {
  @Test
  void numbersAreReadAndTheRestArePassedOnAsSettings() {
    Main.Seed s = Main.seedArgs(
        List.of("--berichten=200_000", "--burgers=20000", "--data-dir=/tmp/x", "--afnemers=3"));
    assertEquals(new Main.Seed(3, 20_000, 200_000, List.of("--data-dir=/tmp/x")), s);
    assertEquals(new Main.Seed(400, 100_000, 1_000_000, List.of()), Main.seedArgs(List.of()));
  }

  @Test
  void aBadNumberIsNamedWithWhatItMustBe() {
    var e = assertThrows(
        IllegalArgumentException.class, () -> Main.seedArgs(List.of("--berichten=abc")));
    assertEquals("--berichten must be a whole number of at least 0, not 'abc'", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Main.seedArgs(List.of("--burgers=0")));
    assertEquals("--burgers must be a whole number of at least 1, not '0'", e.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> Main.seedArgs(List.of("--afnemers=99999999999")));
  }
}
