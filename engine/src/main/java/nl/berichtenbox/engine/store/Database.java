package nl.berichtenbox.engine.store;

import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import nl.berichtenbox.engine.config.EngineConfig;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The system of record: an embedded PostgreSQL under {@code DATA_DIR/pg} (kept across
 * restarts) or an external one, migrated by Flyway. Start and stop are blocking and run on
 * the launcher's thread before any event loop exists.
 */
public final class Database implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Database.class);

  /** A connection to a dead peer is given up after this long without an acknowledgement (TCP_USER_TIMEOUT). */
  private static final int TCP_USER_TIMEOUT_MS = 20_000;
  /** A request waits this long for a pooled connection before it is answered 503. */
  private static final int POOL_WAIT_S = 5;

  private final EmbeddedPostgres embedded;
  private final DatabaseUrl url;

  Database(EmbeddedPostgres embedded, DatabaseUrl url) {
    this.embedded = embedded;
    this.url = url;
  }

  /** Starts (embedded) or reaches (external) PostgreSQL and migrates the schema. Blocking. */
  public static Database start(EngineConfig config) throws IOException {
    Database db = startWithoutMigration(config);
    try {
      db.migrate(null);
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
    return db;
  }

  /** Starts (embedded) or reaches (external) PostgreSQL as it is: for restore and upgrade. Blocking. */
  static Database startWithoutMigration(EngineConfig config) throws IOException {
    return config.embeddedDatabase()
        ? startEmbedded(config.dataDir())
        : new Database(null, DatabaseUrl.parse(config.dbUrl()));
  }

  private static Database startEmbedded(Path dataDir) throws IOException {
    Path pgData = dataDir.resolve("pg").toAbsolutePath();
    Path work = dataDir.resolve("pg-bin").toAbsolutePath();
    Files.createDirectories(pgData);
    Files.createDirectories(work);
    stopOrphanedPostmaster(pgData);
    PostgresVersion.requireSameMajor(pgData);
    // pg_stat_statements: what each statement costs (time, rows, log written), for an operator's
    // questions and loadtest/run-ontleding.sh; loaded at start, read only when asked
    EmbeddedPostgres pg = embeddedBuilder(pgData, work)
        .setServerConfig("shared_preload_libraries", "pg_stat_statements")
        .setServerConfig("pg_stat_statements.max", "1000")
        .start();
    LOG.info(
        "embedded PostgreSQL {} on port {} with data in {}",
        PostgresVersion.EMBEDDED,
        pg.getPort(),
        pgData);
    return new Database(
        pg, DatabaseUrl.parse("postgresql://postgres@127.0.0.1:" + pg.getPort() + "/postgres"));
  }

  /**
   * The embedded server's settings, for the engine's own major and for an old one that
   * {@link PostgresUpgrade} reads: the same durability whichever binaries run.
   */
  static EmbeddedPostgres.Builder embeddedBuilder(Path pgData, Path werk) {
    return EmbeddedPostgres.builder()
        .setDataDirectory(pgData)
        .setCleanDataDirectory(false)
        .setOverrideWorkingDirectory(werk.toFile())
        .setPGStartupWait(Duration.ofSeconds(120))
        // A 2xx means committed: zonky's default of synchronous_commit=off is a test shortcut.
        .setServerConfig("synchronous_commit", "on")
        .setServerConfig("fsync", "on")
        .setServerConfig("full_page_writes", "on")
        .setServerConfig("max_connections", "200")
        .setServerConfig("shared_buffers", "512MB")
        .setServerConfig("max_wal_size", "4GB")
        .setServerConfig("unix_socket_directories", pgData.toString())
        // PostgreSQL's own log in pg/log, a file per weekday, overwritten a week later. Not relayed
        // through the engine: zonky's relay of the server's output stops at the first line after
        // start-up (the JVM closes the pipe of the pg_ctl that has exited). ERRORs are not written
        // there (log_min_messages=log ranks LOG above ERROR): they reach the engine, which logs
        // them
        // masked; PostgreSQL's file cannot mask a BSN an error quotes. Statements are never logged.
        .setServerConfig("logging_collector", "on")
        .setServerConfig("log_directory", "log")
        .setServerConfig("log_filename", "postgresql-%a.log")
        .setServerConfig("log_truncate_on_rotation", "on")
        .setServerConfig("log_rotation_age", "1d")
        .setServerConfig("log_rotation_size", "0")
        .setServerConfig("log_min_messages", "log")
        .setServerConfig("log_min_error_statement", "panic")
        .setServerConfig("log_error_verbosity", "terse")
        .setServerConfig("listen_addresses", "127.0.0.1");
  }

  /**
   * After a kill -9 of the engine the embedded postmaster lives on as an orphan holding the
   * data directory. Stop it (a fast shutdown; crash recovery makes a kill safe too).
   */
  private static void stopOrphanedPostmaster(Path pgData) {
    Path pidFile = pgData.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return;
    }
    try {
      List<String> lines = Files.readAllLines(pidFile);
      long pid = Long.parseLong(lines.get(0).trim());
      Optional<ProcessHandle> ph = ProcessHandle.of(pid);
      if (ph.isPresent()
          && ph.get().info().command().map(c -> c.contains("postgres")).orElse(false)) {
        LOG.warn("stopping orphaned embedded PostgreSQL (pid {}) left by an earlier run", pid);
        // SIGINT is PostgreSQL's fast shutdown; ProcessHandle only sends TERM/KILL.
        new ProcessBuilder("kill", "-INT", Long.toString(pid))
            .inheritIO()
            .start()
            .waitFor();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (ph.get().isAlive() && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
        if (ph.get().isAlive()) {
          ph.get().destroyForcibly();
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("could not inspect {}: {}", pidFile, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Migrates the schema with Flyway, to {@code doel} (a version) or, when null, to the newest. On
   * several hosts the JDBC driver goes to the primary as the pool does.
   */
  void migrate(String doel) {
    var flyway = Flyway.configure()
        .dataSource(url.jdbcUrl(), null, null)
        .jdbcProperties(jdbcProperties())
        .locations("classpath:db/migration");
    if (doel != null) {
      flyway.target(doel);
    }
    long begin = System.nanoTime();
    var result = flyway.load().migrate();
    // Flyway's own lines are held back (WARN and up, see the logging setup): one line says it all
    LOG.info(
        "schema at version {} ({} migrations applied, {} ms)",
        result.targetSchemaVersion != null
            ? result.targetSchemaVersion
            : result.initialSchemaVersion,
        result.migrationsExecuted,
        (System.nanoTime() - begin) / 1_000_000);
  }

  /** The newest schema version the engine's migrations make. */
  String nieuwsteSchemaVersie() {
    MigrationInfo[] alle = Flyway.configure()
        .dataSource(url.jdbcUrl(), null, null)
        .jdbcProperties(jdbcProperties())
        .locations("classpath:db/migration")
        .load()
        .info()
        .all();
    return alle[alle.length - 1].getVersion().getVersion();
  }

  private Map<String, String> jdbcProperties() {
    Map<String, String> m = new HashMap<>();
    url.jdbcProperties().forEach((k, v) -> m.put((String) k, (String) v));
    return m;
  }

  /** A JDBC connection (blocking): backups, restore, seeding. */
  public Connection jdbc() throws SQLException {
    return DriverManager.getConnection(url.jdbcUrl(), url.jdbcProperties());
  }

  /**
   * A pool whose callbacks run on the caller's context; its wait queue is bounded and a wait for
   * a connection lasts {@value #POOL_WAIT_S} s at most (back-pressure: 503, never a hang).
   * With several hosts (or read-write asked) each new connection goes to the current primary.
   */
  public Pool pool(Vertx vertx, int size) {
    return pool(vertx, size, "postgresql");
  }

  /** Such a pool under another name (its metrics' {@code pool} label). */
  public Pool pool(Vertx vertx, int size, String name) {
    var builder = PgBuilder.pool()
        .with(new PoolOptions()
            .setName(name)
            .setMaxSize(size)
            .setMaxWaitQueueSize(10_000)
            .setShared(false)
            .setConnectionTimeout(POOL_WAIT_S)
            .setConnectionTimeoutUnit(TimeUnit.SECONDS))
        .with(new NetClientOptions()
            .setConnectTimeout((int) url.connectTimeout().toMillis())
            .setTcpNoDelay(true)
            .setTcpKeepAlive(true)
            .setTcpUserTimeout(TCP_USER_TIMEOUT_MS));
    if (url.followsPrimary()) {
      builder.connectingTo(new PrimaryFollower(vertx, url));
    } else {
      builder.connectingTo(connectOptions());
    }
    return builder.using(vertx).build();
  }

  /** The connection options of the first host of the URL (the only one, embedded). */
  public PgConnectOptions connectOptions() {
    return url.connectOptions(url.hosts().get(0));
  }

  /** The database's URL as parsed (password masked in its toString). */
  public DatabaseUrl url() {
    return url;
  }

  /** Fills the store for load tests (blocking): see {@link Seeder}. */
  public void seed(int afnemers, int burgers, int berichten, Consumer<String> progress)
      throws SQLException {
    try (Connection c = jdbc()) {
      Seeder.seed(c, afnemers, burgers, berichten, progress);
    }
  }

  public boolean embedded() {
    return embedded != null;
  }

  /** Stops the embedded PostgreSQL cleanly (a fast shutdown with a checkpoint). Blocking. */
  @Override
  public void close() throws IOException {
    if (embedded != null) {
      embedded.close();
    }
  }

  /**
   * Whether a failure means the database is saturated or away (refused, closed, shutting down, a
   * connection error state, out of disk or memory): an answer to retry, not a defect, and no fault of the
   * message being processed.
   */
  /**
   * The pool's wait for a connection ran out (every connection busy for {@value #POOL_WAIT_S} s).
   * Vert.x 5 says so with no class of its own, only a text: a {@code Promise.fail("Timeout")} where a
   * borrower waits ({@code getConnection}, a transaction), a {@code VertxException} "Timeout waiting
   * for connection" where a query waits ({@code pool.query}). {@code DatabaseFoutenIT} provokes
   * both, so an upgrade that changes either fails there.
   */
  private static boolean poolWaitExpired(Throwable c) {
    return (c instanceof VertxException && "Timeout waiting for connection".equals(c.getMessage()))
        || (c.getClass().getName().equals("io.vertx.core.impl.NoStackTraceThrowable")
            && "Timeout".equals(c.getMessage()));
  }

  public static boolean unreachable(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof ConnectionPoolTooBusyException
          || c instanceof PrimaryFollower.GeenPrimaireException
          || c instanceof ClosedConnectionException
          || c instanceof ConnectException
          || c instanceof ConnectTimeoutException
          || c instanceof ClosedChannelException
          || poolWaitExpired(c)) {
        return true;
      }
      if (c instanceof PgException pe
          && pe.getSqlState() != null
          && (pe.getSqlState().startsWith("08")
              || pe.getSqlState().startsWith("57P")
              // insufficient resources: disk full (53100), out of memory, too many connections
              || pe.getSqlState().startsWith("53")
              // a standby or a primary being demoted: read_only_sql_transaction; the next host will
              // do
              || pe.getSqlState().equals("25006"))) {
        return true;
      }
    }
    return false;
  }
}
