package nl.berichtenbox.engine.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import nl.berichtenbox.engine.config.ConfigLoader;
import nl.berichtenbox.engine.config.EngineConfig;
import nl.berichtenbox.engine.store.Database;

/**
 * The engine's embedded PostgreSQL for the engine's own database tests: one server a test run, and a
 * database of its own, migrated, for each test that asks ({@link #nieuw}), so no test sees
 * another's rows or background work.
 */
public final class TestDatabase {
  private static Database server;
  private static Path data;

  private TestDatabase() {}

  /** The shared embedded server (started on first use, stopped and removed at the JVM's exit). */
  public static synchronized Database server() {
    if (server == null) {
      try {
        data = Files.createTempDirectory("bbx-engine-test");
        server = Database.start(config(Map.of()));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          try {
            server.close();
          } catch (Exception e) {
            // the process ends anyway
          }
          verwijder(data);
        }));
      } catch (Exception e) {
        throw new IllegalStateException("embedded PostgreSQL did not start", e);
      }
    }
    return server;
  }

  /** A new database on the shared server, migrated to the engine's newest schema. */
  public static Database nieuw() throws Exception {
    String naam = "t_" + UUID.randomUUID().toString().replace("-", "");
    try (var c = DriverManager.getConnection(
            jdbc(server().connectOptions().getPort(), "postgres"), "postgres", "");
        var s = c.createStatement()) {
      s.execute("CREATE DATABASE " + naam);
    }
    return Database.start(config(Map.of(
        "BERICHTENBOX_DB_URL",
        "postgresql://postgres@127.0.0.1:" + server().connectOptions().getPort() + "/" + naam)));
  }

  /** An engine configuration with a data directory of its own and {@code settings} added. */
  public static EngineConfig config(Map<String, String> settings) throws Exception {
    Map<String, String> env = new HashMap<>(Map.of(
        "BERICHTENBOX_DATA_DIR",
            (data != null && settings.containsKey("BERICHTENBOX_DB_URL")
                    ? Files.createTempDirectory(data, "engine")
                    : data == null ? Files.createTempDirectory("bbx-engine-test") : data)
                .toString(),
        "BERICHTENBOX_ADMIN_TOKEN", "test-admin-token-0123456789",
        "BERICHTENBOX_PORTAL_JWT_SECRET", "test-jwt-secret-0123456789abcdef0123456789"));
    env.putAll(settings);
    return ConfigLoader.load(List.of(), env);
  }

  static String jdbc(int port, String db) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + db;
  }

  private static void verwijder(Path dir) {
    try (var s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException | RuntimeException e) {
      // left behind
    }
  }
}
