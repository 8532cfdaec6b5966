package nl.berichtenbox.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import nl.berichtenbox.engine.config.EngineConfig;
import nl.berichtenbox.engine.store.DatabaseUrl;
import nl.berichtenbox.engine.store.PostgresVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * BERICHTENBOX_DB_URL against a separately started PostgreSQL of another major than the embedded
 * one (the machine's Debian PostgreSQL), which takes TCP connections over TLS only, with a
 * certificate of a CA made here: the engine verifies it ({@code sslmode=verify-full}); a wrong
 * host name or another CA is refused. Its backup (rows, one snapshot, taken while the engine
 * takes messages) restores into an empty database of the same server and into the embedded
 * PostgreSQL of the current major.
 */
class ExternePostgresIT {
  private static PostgresServer server;
  private static TestCa ca;

  @BeforeAll
  static void start() throws Exception {
    PostgresServer.binaries(); // skipped (or failed where required) when the machine has none
    ca = TestCa.nieuw("/CN=Berichtenbox database test CA");
    ca.cert("pg", "/CN=localhost", "subjectAltName=DNS:localhost");
    server = PostgresServer.nieuw(
        "extern",
        Map.of(
            "ssl",
            "on",
            "ssl_cert_file",
            "'server.crt'",
            "ssl_key_file",
            "'server.key'",
            "max_connections",
            "100"));
    server.kopieerIn(ca.file("pg.crt"), "server.crt");
    server.kopieerIn(ca.file("pg.key"), "server.key");
    // TCP only over TLS: a connection that did not verify would not get in at all
    server.hbaVooraan("hostssl all all 127.0.0.1/32 trust", "host all all 127.0.0.1/32 reject");
    server.start();
    server.sql("postgres", "CREATE DATABASE berichtenbox");
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static String tlsUrl(String host, String db, Path rootCert) {
    return "postgresql://postgres@" + host + ":" + server.port() + "/" + db
        + "?sslmode=verify-full&sslrootcert=" + rootCert;
  }

  private static EngineConfig config(String dbUrl) throws Exception {
    return TestEngine.eigenConfig(Map.of("BERICHTENBOX_DB_URL", dbUrl));
  }

  private static Api api(ApiServer engine) {
    return TestEngine.api(engine);
  }

  @Test
  void theEngineRunsOnAnotherMajorOverVerifiedTls() throws Exception {
    int major = Integer.parseInt(server.sql("postgres", "SHOW server_version_num")) / 10000;
    assertEquals(server.major(), major);
    assertNotEquals(
        PostgresVersion.EMBEDDED_MAJOR,
        major,
        "the external server must be another major than the embedded");

    EngineConfig c = config(tlsUrl("localhost", "berichtenbox", ca.crt()));
    try (ApiServer engine = ApiServer.start(c)) {
      Api api = api(engine);
      Api.Afnemer a = api.newAfnemer();
      String bsn = api.newBurger(a);
      JsonObject m = Api.bericht(bsn);
      api.post("/api/v1/berichten", a.key(), m).expect(202);
      assertEquals(
          "Verwerkt",
          api.awaitStatus(a, m.getString("berichtId"), "AFGELEVERD").getString("verwerkingsCode"));
      assertEquals(200, api.get("/health/ready", null).status());
      // every connection of the engine is encrypted (the server would refuse any other over TCP)
      String tls = server.sql(
          "postgres",
          "SELECT count(*) FILTER (WHERE s.ssl) || '/' || count(*) FROM pg_stat_ssl s "
              + "JOIN pg_stat_activity a USING (pid) WHERE a.application_name = 'berichtenbox'");
      String[] n = tls.split("/");
      assertTrue(Integer.parseInt(n[1]) > 0, "the engine has connections: " + tls);
      assertEquals(n[1], n[0], "encrypted / all connections of the engine: " + tls);
    }
  }

  @Test
  void aCertificateForAnotherHostOrFromAnotherCaIsRefused() throws Exception {
    // the certificate names localhost; 127.0.0.1 is the same server under a name it does not carry
    Exception e = assertThrows(
        Exception.class,
        () -> ApiServer.start(config(tlsUrl("127.0.0.1", "berichtenbox", ca.crt()))));
    assertTrue(causes(e).contains("hostname"), causes(e));
    TestCa ander = TestCa.nieuw("/CN=Another CA");
    e = assertThrows(
        Exception.class,
        () -> ApiServer.start(config(tlsUrl("localhost", "berichtenbox", ander.crt()))));
    assertTrue(causes(e).contains("PKIX") || causes(e).contains("certif"), causes(e));

    // the pool's own connections (Vert.x, not the JDBC driver of the migrations) refuse them too
    Vertx vertx = Vertx.vertx();
    try {
      for (String url : List.of(
          tlsUrl("127.0.0.1", "berichtenbox", ca.crt()),
          tlsUrl("localhost", "berichtenbox", ander.crt()))) {
        DatabaseUrl u = DatabaseUrl.parse(url);
        ExecutionException x = assertThrows(
            ExecutionException.class,
            () -> PgConnection.connect(vertx, u.connectOptions(u.hosts().get(0)))
                .toCompletionStage()
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS),
            url);
        assertTrue(
            causes(x).toLowerCase().contains("ssl")
                || causes(x).contains("certif")
                || causes(x).contains("PKIX"),
            causes(x));
      }
      DatabaseUrl goed = DatabaseUrl.parse(tlsUrl("localhost", "berichtenbox", ca.crt()));
      PgConnection conn = PgConnection.connect(
              vertx, goed.connectOptions(goed.hosts().get(0)))
          .toCompletionStage()
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
      conn.close();
    } finally {
      vertx.close();
    }
  }

  @Test
  void aBackupTakenUnderLoadRestoresIntoAnEmptyDatabaseAndIntoTheEmbeddedMajor() throws Exception {
    server.sql("postgres", "CREATE DATABASE bron");
    String bronUrl = tlsUrl("localhost", "bron", ca.crt());
    EngineConfig c = config(bronUrl);
    List<String> voor = new ArrayList<>();
    Set<String> tijdens;
    Api.Afnemer a;
    Path backups = Files.createTempDirectory("bbx-extern-backups");
    String backup;
    try (ApiServer engine = ApiServer.start(c)) {
      Api api = api(engine);
      a = api.newAfnemer();
      String bsn = api.newBurger(a);
      voor.addAll(api.stuurBatches(a, bsn, 3, 100));

      String out;
      try (Intakebelasting zender = new Intakebelasting(() -> api, a, List.of(bsn), 1).start()) {
        out = EngineProcess.cli(
            Map.of("BERICHTENBOX_DB_URL", bronUrl), "extern-backup", "backup", "--naar=" + backups);
        zender.close();
        tijdens = zender.geaccepteerd();
      }
      assertTrue(out.contains("logical backup of the external database"), out);
      assertTrue(!tijdens.isEmpty(), "messages were taken in during the backup");
      backup = out.lines()
          .filter(l -> l.startsWith("backup "))
          .findFirst()
          .orElseThrow()
          .replaceFirst("^backup (.*): \\d+ MB in .*$", "$1");
      assertTrue(Files.exists(Path.of(backup, "manifest.json")), backup);
      assertEquals(
          "rwx------",
          PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of(backup))),
          "a backup of personal data is the engine user's only");
      assertTrue(
          Files.list(backups).noneMatch(p -> p.getFileName().toString().endsWith(".onvolledig")));
    }

    // into a new, empty database of the same server
    server.sql("postgres", "CREATE DATABASE hersteld");
    String hersteldUrl = tlsUrl("localhost", "hersteld", ca.crt());
    String out = EngineProcess.cli(
        Map.of("BERICHTENBOX_DB_URL", hersteldUrl), "extern-restore", "restore", backup);
    long n = Long.parseLong(out.lines()
        .filter(l -> l.startsWith("restored "))
        .findFirst()
        .orElseThrow()
        .replaceFirst("^restored \\S+: (\\d+) messages.*$", "$1"));
    assertTrue(n >= 300, out);
    assertEquals(Long.toString(n), server.sql("hersteld", "SELECT count(*) FROM bericht"));
    // a database that has tables is not overwritten
    EngineProcess.CliResult nogmaals = EngineProcess.cliResult(
        Map.of("BERICHTENBOX_DB_URL", hersteldUrl), "extern-restore-2", "restore", backup);
    assertEquals(1, nogmaals.exit(), nogmaals.output());
    assertTrue(nogmaals.output().contains("already has tables"), nogmaals.output());
    controleer(config(hersteldUrl), a, voor, n);

    // and into the embedded PostgreSQL of the current major, on a data directory of its own
    Path data = Files.createTempDirectory("bbx-extern-naar-embedded");
    out = EngineProcess.cli(
        Map.of("BERICHTENBOX_DATA_DIR", data.toString()),
        "extern-restore-embedded",
        "restore",
        backup);
    assertTrue(
        out.contains("restored " + Path.of(backup).getFileName() + ": " + n + " messages"), out);
    assertEquals(
        Integer.toString(PostgresVersion.EMBEDDED_MAJOR),
        Files.readString(data.resolve("pg/PG_VERSION")).trim());
    controleer(
        TestEngine.eigenConfig(Map.of("BERICHTENBOX_DATA_DIR", data.toString())), a, voor, n);

    // a damaged backup (a table's rows lost from its file) is refused, and the database that was
    // there is put back as it was, not left half-restored
    Path beschadigd =
        Files.createTempDirectory("bbx-beschadigd").resolve(Path.of(backup).getFileName());
    Files.createDirectories(beschadigd);
    try (var files = Files.list(Path.of(backup))) {
      for (Path f : files.toList()) {
        Files.copy(f, beschadigd.resolve(f.getFileName()));
      }
    }
    try (var leeg =
        new GZIPOutputStream(Files.newOutputStream(beschadigd.resolve("afnemer.copy.gz")))) {
      leeg.flush();
    }
    EngineProcess.CliResult mislukt = EngineProcess.cliResult(
        Map.of("BERICHTENBOX_DATA_DIR", data.toString()),
        "extern-restore-beschadigd",
        "restore",
        beschadigd.toString());
    assertEquals(1, mislukt.exit(), mislukt.output());
    assertTrue(
        mislukt.output().contains("the backup is damaged")
            && mislukt.output().contains("is put back"),
        mislukt.output());
    controleer(
        TestEngine.eigenConfig(Map.of("BERICHTENBOX_DATA_DIR", data.toString())), a, voor, n);
    TestEngine.verwijder(data);
  }

  /** An engine on the restored database has every message acknowledged before the backup, each with one receipt. */
  private static void controleer(EngineConfig c, Api.Afnemer a, List<String> voor, long n)
      throws Exception {
    try (ApiServer engine = ApiServer.start(c)) {
      Api api = api(engine);
      api.elkAfgeleverdMetEenOntvangstbewijs(a, voor);
      // what was parked but not yet processed at the moment of the backup is processed now: every
      // message one receipt
      Api.await(
          "a receipt for each of the " + n + " restored messages",
          () -> api.receiptCounts(a).size() == n);
      assertTrue(api.receiptCounts(a).values().stream().allMatch(x -> x == 1));
    }
  }

  private static String causes(Throwable t) {
    StringBuilder sb = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      sb.append(c.getClass().getSimpleName())
          .append(": ")
          .append(c.getMessage())
          .append(" / ");
    }
    return sb.toString();
  }
}
