package nl.berichtenbox.api.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The line format and the settings' reading, without a process. */
class LogLineTest {
  private static LoggingEvent event(String bericht, Throwable t) {
    LoggerContext lc = (LoggerContext) LoggerFactory.getILoggerFactory();
    LoggingEvent e =
        new LoggingEvent("x", lc.getLogger("org.voorbeeld.Klasse"), Level.WARN, bericht, t, null);
    e.setThreadName("vert.x-eventloop-thread-1");
    return e;
  }

  @Test
  void jsonLineIsOneObjectEscapedAndMasked() {
    String regel = new LogLine(true, "host/1")
        .json(event(
            "\"aanhalingstekens\"\nen 123456782 en a@b.nl",
            new IllegalStateException("oorzaak 123456782", new RuntimeException("c@d.nl"))));
    assertTrue(regel.endsWith("}\n"));
    assertEquals(1, regel.strip().lines().count(), "one line");
    JsonObject o = new JsonObject(regel);
    assertEquals("WARN", o.getString("level"));
    assertEquals("org.voorbeeld.Klasse", o.getString("logger"));
    assertEquals("host/1", o.getString("process"));
    assertEquals("\"aanhalingstekens\"\nen ********* en <adres>", o.getString("message"));
    assertTrue(o.getString("exception").contains("IllegalStateException: oorzaak *********"));
    assertTrue(
        o.getString("exception").contains("RuntimeException: <adres>"), o.getString("exception"));
    assertFalse(regel.contains("123456782") || regel.contains("@"), regel);
  }

  @Test
  void textLineForAPerson() {
    String regel = new LogLine(false, "host/1").tekst(event("klaar voor 123456782", null));
    assertTrue(
        regel.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} WARN  Klasse: klaar voor \\*{9}\n"), regel);
  }

  @Test
  void formatAndLevelSettings() {
    assertTrue(LogSetup.json(null, false), "not a terminal: JSON");
    assertFalse(LogSetup.json(null, true), "a terminal: text");
    assertTrue(LogSetup.json("json", true));
    assertFalse(LogSetup.json("tekst", false));
    assertTrue(LogSetup.json("onzin", false), "an unknown format falls back to the default");
    assertEquals(Level.WARN, LogSetup.level("warn"));
    assertEquals(Level.INFO, LogSetup.level(null));
    assertEquals(Level.INFO, LogSetup.level("luid"));
  }
}
