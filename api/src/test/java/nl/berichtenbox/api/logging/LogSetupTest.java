package nl.berichtenbox.api.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The logging settings read from the environment, under their names and their earlier ones. */
class LogSetupTest {
  @Test
  void theNewNameIsReadAndWinsOverTheOldOne() {
    List<String> warnings = new ArrayList<>();
    Map<String, String> env =
        Map.of("BERICHTENBOX_LOG_LEVEL", "DEBUG", "BERICHTENBOX_LOG_NIVEAU", "ERROR");
    assertEquals("DEBUG", LogSetup.setting(env, "LOG_LEVEL", "LOG_NIVEAU", warnings::add));
    assertEquals(List.of(), warnings);
  }

  @Test
  void theOldNameStillWorksWithAWarningNamingTheNewOne() {
    List<String> warnings = new ArrayList<>();
    Map<String, String> env = Map.of("BERICHTENBOX_LOG_FORMAAT", "tekst");
    String v = LogSetup.setting(env, "LOG_FORMAT", "LOG_FORMAAT", warnings::add);
    assertEquals("tekst", v);
    assertFalse(LogSetup.json(v, false), "tekst still means text");
    assertEquals(1, warnings.size());
    assertTrue(warnings.get(0).contains("BERICHTENBOX_LOG_FORMAT"), warnings.get(0));
  }

  @Test
  void neitherSetIsTheDefault() {
    List<String> warnings = new ArrayList<>();
    String v = LogSetup.setting(Map.of(), "LOG_LEVEL", "LOG_NIVEAU", warnings::add);
    assertNull(v);
    assertEquals(Level.INFO, LogSetup.level(v));
    assertTrue(LogSetup.json(null, false), "JSON when the output is not a terminal");
    assertEquals(List.of(), warnings);
  }
}
