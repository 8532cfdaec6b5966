package nl.berichtenbox.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import org.apache.logging.log4j.LogManager;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Issue 20, logs: one JSON object per line; no line of any logger, libraries included, carries a
 * BSN or an e-mail address in clear, because the masking is in the logging backend; the embedded
 * PostgreSQL's and Flyway's start-up is one or two lines.
 */
class LoggingIT {
  private static final String BSN = "999993653";
  private static final String ADRES = "jan.jansen@voorbeeld.nl";

  @Test
  void noLoggerWritesABsnOrAnEmailAddress() throws Exception {
    PrintStream echt = System.out;
    ByteArrayOutputStream vang = new ByteArrayOutputStream();
    System.setOut(new PrintStream(vang, true, StandardCharsets.UTF_8));
    String uit;
    try {
      // PostgreSQL's error quoting the value, as the database client hands it back, left unhandled:
      // Vert.x logs it itself
      var pool = TestEngine.server().engine().pool();
      TestEngine.server()
          .engine()
          .vertx()
          .runOnContext(v -> pool.query("SELECT '" + BSN + "'::int2").execute().onComplete(ar -> {
            throw new IllegalStateException("database: " + ar.cause().getMessage());
          }));
      TestEngine.server()
          .engine()
          .vertx()
          .runOnContext(v -> pool.query("SELECT '" + ADRES + "'::int").execute().onComplete(ar -> {
            throw new IllegalStateException("database: " + ar.cause().getMessage());
          }));
      // Vert.x's own report of an exception nobody handled
      TestEngine.server().engine().vertx().runOnContext(v -> {
        throw new IllegalStateException(
            "burger " + BSN + " onbekend", new RuntimeException("mail naar " + ADRES));
      });
      // java.util.logging (the PostgreSQL JDBC driver's API) and log4j-api (Kafka's broker)
      Logger.getLogger("org.postgresql.jul").severe("parameter $1 = '" + BSN + "' voor " + ADRES);
      LogManager.getLogger("kafka.log4j").error("record voor {} aan {}", BSN, ADRES);
      // the engine's own SLF4J, with key-value pairs
      LoggerFactory.getLogger("nl.berichtenbox.test")
          .atWarn()
          .addKeyValue("bsn", BSN)
          .log("bericht voor {}", ADRES);
      Api.await("every provoked line written", () -> {
        String s = vang.toString(StandardCharsets.UTF_8);
        return s.contains("smallint")
            && s.contains("type integer")
            && s.contains("burger *********")
            && s.contains("org.postgresql.jul")
            && s.contains("kafka.log4j")
            && s.contains("nl.berichtenbox.test");
      });
    } finally {
      System.setOut(echt);
      uit = vang.toString(StandardCharsets.UTF_8);
      System.out.print(uit);
    }
    assertFalse(uit.contains(BSN), uit);
    assertFalse(uit.contains(ADRES), uit);
    assertFalse(uit.contains("@voorbeeld.nl"), uit);
    int gemaskeerd = 0;
    for (String regel : uit.split("\n")) {
      if (regel.isBlank()) {
        continue;
      }
      JsonObject o = new JsonObject(regel); // every line one JSON object
      for (String veld : List.of("timestamp", "level", "logger", "thread", "process", "message")) {
        assertNotNull(o.getString(veld), veld + " in " + regel);
      }
      if (regel.contains("*********")) {
        gemaskeerd++;
      }
    }
    assertTrue(gemaskeerd >= 5, "the provoked lines are there, masked: " + uit);
    // PostgreSQL's own log (embedded): errors are not written there, so no value they quote is
    Path pgLog = TestEngine.server().engine().config().dataDir().resolve("pg").resolve("log");
    assertTrue(Files.isDirectory(pgLog), "the embedded PostgreSQL writes its own log in pg/log");
    try (var files = Files.list(pgLog)) {
      List<Path> logs = files.toList();
      assertFalse(logs.isEmpty());
      for (Path f : logs) {
        String inhoud = Files.readString(f, StandardCharsets.ISO_8859_1);
        assertFalse(inhoud.contains(BSN) || inhoud.contains(ADRES), f + ": " + inhoud);
      }
    }
    assertTrue(uit.contains("\"bsn\":\"*********\""), "key-value pairs masked too: " + uit);
  }

  @Test
  void startUpIsAFewLinesBeforeTheBanner() throws Exception {
    Map<String, String> env = new HashMap<>();
    Path data = Files.createTempDirectory("bbx-log");
    int port = Ports.free();
    env.put("BERICHTENBOX_DATA_DIR", data.toString());
    env.put("BERICHTENBOX_HTTP_PORT", Integer.toString(port));
    env.put("BERICHTENBOX_HTTP_INSTANCES", "1");
    Process p = EngineProcess.start(env, "logboek");
    try {
      EngineProcess.awaitReady(EngineProcess.api(env));
      String log = Files.readString(Path.of("target", "engine-logboek.log"));
      String voor = log.substring(0, log.indexOf("Berichtenbox Engine is ready"));
      List<String> regels = voor.lines().filter(l -> !l.isBlank()).toList();
      assertTrue(regels.size() <= 4, "start-up in a few lines: " + voor);
      for (String r : regels) {
        JsonObject o = new JsonObject(r);
        assertFalse(
            o.getString("logger").startsWith("io.zonky")
                || o.getString("logger").startsWith("org.flywaydb"),
            r);
      }
      assertTrue(voor.contains("embedded PostgreSQL 18"), voor);
      assertTrue(voor.contains("schema at version"), voor);
    } finally {
      p.destroy();
      assertEquals(0, p.waitFor(), "a clean stop");
      TestEngine.verwijder(data);
    }
  }
}
