package nl.berichtenbox.api;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real PostgreSQL server outside the JVM, of the machine's own install (Debian's
 * {@code postgresql}, another major than the embedded one): started, stopped, killed like a lost
 * machine, made a streaming standby of another and promoted. As root its programs run as the
 * {@code postgres} user, as PostgreSQL requires.
 *
 * <p>Where the machine has none, the tests that need one are skipped with a notice, unless
 * {@code BERICHTENBOX_EXTERN_TEST=verplicht} (CI, which installs it).
 */
final class PostgresServer implements AutoCloseable {
  private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

  private final Path bin;
  private final Path data;
  private final Path log;
  private final int port;
  private final String naam;

  private PostgresServer(Path bin, Path data, int port, String naam) {
    this.bin = bin;
    this.data = data;
    this.port = port;
    this.naam = naam;
    this.log = data.getParent().resolve("server.log"); // written by the server's own user
  }

  /** The directory of the server programs to use, or a skipped test (a failed one where required). */
  static Path binaries() {
    Optional<Path> b = zoekBinaries();
    if (b.isEmpty()) {
      String waarom =
          "no PostgreSQL server programs on this machine (Debian: apt-get install postgresql; or set "
              + "BERICHTENBOX_PG_BIN to their directory)";
      if ("verplicht".equals(System.getenv("BERICHTENBOX_EXTERN_TEST"))) {
        throw new AssertionError(waarom + ", and BERICHTENBOX_EXTERN_TEST=verplicht");
      }
      System.err.println("SKIPPED: " + waarom);
      Assumptions.abort(waarom);
    }
    return b.get();
  }

  private static Optional<Path> zoekBinaries() {
    String env = System.getenv("BERICHTENBOX_PG_BIN");
    if (env != null && !env.isBlank()) {
      return Optional.of(Path.of(env)).filter(p -> Files.isExecutable(p.resolve("postgres")));
    }
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    try (var s = Files.list(root)) {
      return s.map(p -> p.resolve("bin"))
          .filter(p -> Files.isExecutable(p.resolve("postgres"))
              && Files.isExecutable(p.resolve("pg_basebackup")))
          .max(Comparator.comparingInt(p ->
              Integer.parseInt(p.getParent().getFileName().toString().replaceAll("\\D", "0"))));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** A new cluster (initdb), not started yet; {@code conf} goes into its postgresql.conf. */
  static PostgresServer nieuw(String naam, Map<String, String> conf) throws Exception {
    Path bin = binaries();
    Path data = eigenMap(naam);
    PostgresServer s = new PostgresServer(bin, data, Ports.free(), naam);
    s.run(
        List.of(
            bin.resolve("initdb").toString(),
            "-D",
            data.toString(),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF-8",
            "--no-sync"),
        Duration.ofSeconds(120));
    s.schrijfConf(conf);
    return s;
  }

  /** A streaming standby of {@code primary}, seeded with pg_basebackup, named {@code naam} as a replication client. */
  static PostgresServer standbyVan(PostgresServer primary, String naam, Map<String, String> conf)
      throws Exception {
    Path bin = binaries();
    Path data = eigenMap(naam);
    Files.delete(data); // pg_basebackup makes it
    PostgresServer s = new PostgresServer(bin, data, Ports.free(), naam);
    s.run(
        List.of(
            bin.resolve("pg_basebackup").toString(),
            "-h",
            "127.0.0.1",
            "-p",
            Integer.toString(primary.port),
            "-U",
            "postgres",
            "-D",
            data.toString(),
            "-X",
            "stream",
            "-c",
            "fast"),
        Duration.ofSeconds(300));
    Map<String, String> c = new LinkedHashMap<>(conf);
    c.put(
        "primary_conninfo",
        "'host=127.0.0.1 port=" + primary.port + " user=postgres application_name=" + naam + "'");
    s.schrijfConf(c);
    Files.writeString(data.resolve("standby.signal"), "");
    s.eigenaar(data.resolve("standby.signal"));
    return s;
  }

  /** A started primary with database berichtenbox and a started standby1 streaming from it: [primary, standby]. */
  static PostgresServer[] primairMetStandby(String naam) throws Exception {
    Map<String, String> conf = Map.of(
        "max_connections",
        "100",
        "wal_level",
        "replica",
        "max_wal_senders",
        "5",
        "hot_standby",
        "on",
        "shared_buffers",
        "128MB");
    PostgresServer primair = nieuw(naam, conf);
    try {
      primair.start();
      primair.sql("postgres", "CREATE DATABASE berichtenbox");
      PostgresServer standby = standbyVan(primair, "standby1", conf);
      try {
        standby.start();
        Api.await(
            "the standby streams",
            Duration.ofSeconds(60),
            () -> primair.replicatie().equals("streaming"),
            () -> "");
        return new PostgresServer[] {primair, standby};
      } catch (Exception | AssertionError e) {
        standby.close();
        throw e;
      }
    } catch (Exception | AssertionError e) {
      primair.close();
      throw e;
    }
  }

  /** Names standby1 in synchronous_standby_names (or none), and waits until this primary says so. */
  void zetSynchroon(boolean synchroon) throws Exception {
    sql(
        "postgres",
        "ALTER SYSTEM SET synchronous_standby_names = '" + (synchroon ? "standby1" : "") + "'");
    sql("postgres", "SELECT pg_reload_conf()");
    Api.await(
        "the standby is " + (synchroon ? "synchronous" : "asynchronous"),
        Duration.ofSeconds(30),
        () -> synchroonStand().equals(synchroon ? "sync" : "async"),
        () -> "");
  }

  /** standby1's replication state as this primary sees it ("" when it does not answer). */
  private String replicatie() {
    return ofLeeg("SELECT state FROM pg_stat_replication WHERE application_name = 'standby1'");
  }

  private String synchroonStand() {
    return ofLeeg("SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby1'");
  }

  private String ofLeeg(String statement) {
    try {
      String v = sql("postgres", statement);
      return v == null ? "" : v;
    } catch (Exception e) {
      return "";
    }
  }

  private static Path eigenMap(String naam) throws Exception {
    Path parent = Files.createTempDirectory("bbx-pg-" + naam);
    Path data = parent.resolve("data");
    Files.createDirectories(data);
    if (ROOT) {
      new ProcessBuilder("chown", "-R", "postgres:postgres", parent.toString())
          .inheritIO()
          .start()
          .waitFor();
    }
    return data;
  }

  private void schrijfConf(Map<String, String> conf) throws Exception {
    StringBuilder sb = new StringBuilder("\n# berichtenbox test\n");
    conf.forEach((k, v) -> sb.append(k).append(" = ").append(v).append('\n'));
    Files.writeString(
        data.resolve("postgresql.conf"), Files.readString(data.resolve("postgresql.conf")) + sb);
  }

  /** Appends lines to pg_hba.conf before the existing ones (the first match counts). */
  void hbaVooraan(String... regels) throws Exception {
    Path hba = data.resolve("pg_hba.conf");
    Files.writeString(hba, String.join("\n", regels) + "\n" + Files.readString(hba));
  }

  /** Copies a file into the data directory, readable by the server only (keys must be 0600). */
  Path kopieerIn(Path bestand, String naam) throws Exception {
    Path doel = data.resolve(naam);
    Files.copy(bestand, doel, StandardCopyOption.REPLACE_EXISTING);
    Files.setPosixFilePermissions(doel, PosixFilePermissions.fromString("rw-------"));
    eigenaar(doel);
    return doel;
  }

  private void eigenaar(Path p) throws Exception {
    if (ROOT) {
      new ProcessBuilder("chown", "postgres:postgres", p.toString())
          .inheritIO()
          .start()
          .waitFor();
    }
  }

  void start() throws Exception {
    run(
        List.of(
            bin.resolve("pg_ctl").toString(),
            "-D",
            data.toString(),
            "-l",
            log.toString(),
            "-w",
            "-t",
            "120",
            "-o",
            "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + data,
            "start"),
        Duration.ofSeconds(150));
  }

  /** A clean (fast) shutdown. */
  void stop() throws Exception {
    if (Files.exists(data.resolve("postmaster.pid"))) {
      run(
          List.of(
              bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "fast", "-w", "stop"),
          Duration.ofSeconds(120));
    }
  }

  /** The machine is lost: SIGKILL to the postmaster and every process of this server at once. */
  void kill() throws Exception {
    long pid =
        Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
    ProcessHandle ph = ProcessHandle.of(pid).orElseThrow();
    List<ProcessHandle> alle = new ArrayList<>(ph.descendants().toList());
    alle.add(0, ph);
    for (ProcessHandle p : alle) {
      p.destroyForcibly();
    }
    for (ProcessHandle p : alle) {
      p.onExit().get(30, TimeUnit.SECONDS);
    }
    Files.deleteIfExists(data.resolve("postmaster.pid"));
  }

  void promote() throws Exception {
    run(
        List.of(
            bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-w", "-t", "60", "promote"),
        Duration.ofSeconds(90));
  }

  int port() {
    return port;
  }

  /** The major of these programs (e.g. 15). */
  int major() {
    return Integer.parseInt(bin.getParent().getFileName().toString().replaceAll("\\D", ""));
  }

  /** The URL of database {@code db} on this server, as BERICHTENBOX_DB_URL takes it. */
  String url(String db) {
    return "postgresql://postgres@127.0.0.1:" + port + "/" + db;
  }

  /** A JDBC connection as the superuser (for the test's own checks and setup). */
  Connection jdbc(String db) throws Exception {
    return DriverManager.getConnection(
        "jdbc:postgresql://127.0.0.1:" + port + "/" + db, "postgres", "");
  }

  /** Runs one statement as the superuser and returns the first column of the first row (or null). */
  String sql(String db, String statement) throws Exception {
    try (Connection c = jdbc(db);
        Statement s = c.createStatement()) {
      if (!s.execute(statement)) {
        return null;
      }
      try (ResultSet r = s.getResultSet()) {
        return r.next() ? r.getString(1) : null;
      }
    }
  }

  private void run(List<String> cmd, Duration timeout) throws Exception {
    List<String> full = new ArrayList<>();
    if (ROOT) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(cmd);
    File out = Path.of("target", "postgres-" + naam + "-cmd.log").toFile();
    Process p = new ProcessBuilder(full)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(out))
        .start();
    if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(
          String.join(" ", cmd) + " did not finish in " + timeout + " (" + out + ")");
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed (" + p.exitValue() + "): "
          + Files.readString(out.toPath())
          + (Files.exists(log) ? "\n--- server log ---\n" + Files.readString(log) : ""));
    }
  }

  /** Stops the server (killed if need be) and deletes its files, its log kept in target/. */
  @Override
  public void close() {
    try {
      if (Files.exists(log)) {
        Files.copy(
            log,
            Path.of("target", "postgres-" + naam + ".log"),
            StandardCopyOption.REPLACE_EXISTING);
      }
      if (Files.exists(data.resolve("postmaster.pid"))) {
        try {
          stop();
        } catch (Exception e) {
          kill();
        }
      }
    } catch (Exception e) {
      // left behind
    }
    TestEngine.verwijder(data.getParent());
  }
}
