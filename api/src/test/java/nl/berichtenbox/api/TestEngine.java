package nl.berichtenbox.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import nl.berichtenbox.api.http.CitizenJwt;
import nl.berichtenbox.engine.config.ConfigLoader;
import nl.berichtenbox.engine.config.EngineConfig;

/**
 * One real engine for the whole test run: embedded PostgreSQL in a temporary data directory,
 * HTTP on a free port. Tests isolate themselves by using fresh afnemers and citizens.
 */
public final class TestEngine {
  public static final String ADMIN = "test-admin-token-0123456789";
  public static final String JWT_SECRET = "test-jwt-secret-0123456789abcdef0123456789";
  public static final int VALIDATIE_QUOTUM = 150;
  public static final int ALLES_QUOTUM = 8;
  private static ApiServer server;
  private static Api api;

  private TestEngine() {}

  public static synchronized Api api() {
    if (server == null) {
      try {
        Path data = Files.createTempDirectory("bbx-test");
        EngineConfig config = ConfigLoader.load(
            List.of(),
            Map.ofEntries(
                Map.entry("BERICHTENBOX_HTTP_PORT", "0"), // the server's pick, read back
                Map.entry("BERICHTENBOX_HTTP_HOST", "127.0.0.1"),
                Map.entry("BERICHTENBOX_DATA_DIR", data.toString()),
                Map.entry("BERICHTENBOX_ADMIN_TOKEN", ADMIN),
                Map.entry("BERICHTENBOX_PORTAL_JWT_SECRET", JWT_SECRET),
                Map.entry("BERICHTENBOX_MAX_BATCH_BODY_BYTES", Integer.toString(4 * 1024 * 1024)),
                Map.entry("BERICHTENBOX_HTTP_INSTANCES", "2"),
                Map.entry(
                    "BERICHTENBOX_VALIDATIE_QUOTUM_PER_UUR", Integer.toString(VALIDATIE_QUOTUM)),
                Map.entry("BERICHTENBOX_PUSH_BACKOFF_BASE", "PT0.1S"),
                Map.entry("BERICHTENBOX_PUSH_BACKOFF_MAX", "PT0.4S"),
                Map.entry("BERICHTENBOX_PUSH_GIVE_UP_AFTER", "PT3S"),
                Map.entry("BERICHTENBOX_ABONNEMENTEN_VENSTER", "altijd"),
                Map.entry(
                    "BERICHTENBOX_ABONNEMENTEN_QUOTA",
                    "ALLES=" + ALLES_QUOTUM + ",BSN_LIJST=100,MUTATIES=100")));
        server = ApiServer.start(config);
        api = api(server);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          server.close();
          verwijder(data); // half a gigabyte a run: left behind, they fill the disk
        }));
      } catch (Exception e) {
        throw new IllegalStateException("test engine did not start", e);
      }
    }
    return api;
  }

  /**
   * A second engine's configuration on the shared test database (reached over TCP as an external
   * PostgreSQL), on a free port; {@code extra} adds or overrides settings.
   */
  public static EngineConfig secondEngine(Map<String, String> extra) throws Exception {
    Map<String, String> env = new HashMap<>(Map.of(
        "BERICHTENBOX_DB_URL",
        "postgresql://postgres@127.0.0.1:"
            + server().engine().database().connectOptions().getPort() + "/postgres"));
    env.putAll(extra);
    return eigenConfig(env);
  }

  /**
   * A configuration for an engine on a database of its own, made now in the shared test
   * PostgreSQL: for tests whose background work (notifier, throttle) must not share a queue
   * with every other test.
   */
  public static EngineConfig engineOnNewDatabase(String name, Map<String, String> extra)
      throws Exception {
    Map<String, String> env = new HashMap<>(extra);
    env.put("BERICHTENBOX_DB_URL", newDatabase(name));
    return secondEngine(env);
  }

  /** A database made now in the shared test PostgreSQL; its URL in BERICHTENBOX_DB_URL form. */
  public static String newDatabase(String name) throws Exception {
    server()
        .engine()
        .pool()
        .query("CREATE DATABASE " + name)
        .execute()
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    return "postgresql://postgres@127.0.0.1:"
        + server().engine().database().connectOptions().getPort() + "/" + name;
  }

  /**
   * The configuration of an engine of its own (a data directory and a free port of its own, the
   * test tokens, one HTTP instance) with {@code settings} added or overriding: for tests on servers
   * they start themselves.
   */
  public static EngineConfig eigenConfig(Map<String, String> settings) throws Exception {
    Map<String, String> env = new HashMap<>(Map.of(
        "BERICHTENBOX_DATA_DIR",
        Files.createTempDirectory("bbx-eigen").toString(),
        "BERICHTENBOX_HTTP_PORT",
        "0", // the server's pick: ApiServer.port()
        "BERICHTENBOX_HTTP_HOST",
        "127.0.0.1",
        "BERICHTENBOX_ADMIN_TOKEN",
        ADMIN,
        "BERICHTENBOX_PORTAL_JWT_SECRET",
        JWT_SECRET,
        "BERICHTENBOX_HTTP_INSTANCES",
        "1"));
    env.putAll(settings);
    return ConfigLoader.load(List.of(), env);
  }

  /** A client of this engine, on the port it listens on. */
  public static Api api(ApiServer server) {
    return new Api("http://127.0.0.1:" + server.port(), new CitizenJwt(JWT_SECRET));
  }

  /** The berichtIds stored for {@code oin} in the database at {@code jdbcUrl} (as the superuser, no password). */
  public static Set<String> opgeslagen(String jdbcUrl, String oin) throws Exception {
    Set<String> ids = new HashSet<>();
    try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "");
        PreparedStatement ps =
            c.prepareStatement("SELECT bericht_id::text FROM bericht WHERE oin = ?")) {
      ps.setString(1, oin);
      try (ResultSet r = ps.executeQuery()) {
        while (r.next()) {
          ids.add(r.getString(1));
        }
      }
    }
    return ids;
  }

  /** Deletes a directory tree, as far as it can. */
  static void verwijder(Path dir) {
    try (var s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException | RuntimeException e) {
      // left behind
    }
  }

  public static ApiServer server() {
    api();
    return server;
  }
}
