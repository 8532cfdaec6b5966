package nl.berichtenbox.engine.store;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import nl.berichtenbox.engine.config.EngineConfig;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The system of record: an embedded PostgreSQL under {@code DATA_DIR/pg} (kept across
 * restarts) or an external one, migrated by Flyway. Start and stop are blocking and run on
 * the launcher's thread before any event loop exists.
 */
public final class Database implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Database.class);

  private final EmbeddedPostgres embedded;
  private final PgConnectOptions connectOptions;
  private final String jdbcUrl;
  private final String jdbcUser;
  private final String jdbcPassword;

  private Database(EmbeddedPostgres embedded, PgConnectOptions options, String jdbcUrl, String user, String pw) {
    this.embedded = embedded;
    this.connectOptions = options;
    this.jdbcUrl = jdbcUrl;
    this.jdbcUser = user;
    this.jdbcPassword = pw;
  }

  /** Starts (embedded) or reaches (external) PostgreSQL and migrates the schema. Blocking. */
  public static Database start(EngineConfig config) throws IOException {
    Database db = config.embeddedDatabase() ? startEmbedded(config.dataDir()) : external(config.dbUrl());
    db.migrate();
    return db;
  }

  private static Database startEmbedded(Path dataDir) throws IOException {
    Path pgData = dataDir.resolve("pg").toAbsolutePath();
    Path work = dataDir.resolve("pg-bin").toAbsolutePath();
    Files.createDirectories(pgData);
    Files.createDirectories(work);
    stopOrphanedPostmaster(pgData);
    EmbeddedPostgres pg = EmbeddedPostgres.builder()
        .setDataDirectory(pgData)
        .setCleanDataDirectory(false)
        .setOverrideWorkingDirectory(work.toFile())
        .setPGStartupWait(Duration.ofSeconds(120))
        // A 2xx means committed: zonky's default of synchronous_commit=off is a test shortcut.
        .setServerConfig("synchronous_commit", "on")
        .setServerConfig("fsync", "on")
        .setServerConfig("full_page_writes", "on")
        .setServerConfig("max_connections", "200")
        .setServerConfig("shared_buffers", "512MB")
        .setServerConfig("max_wal_size", "4GB")
        .setServerConfig("unix_socket_directories", pgData.toString())
        .setServerConfig("listen_addresses", "127.0.0.1")
        .start();
    LOG.info("embedded PostgreSQL on port {} with data in {}", pg.getPort(), pgData);
    PgConnectOptions options = new PgConnectOptions()
        .setHost("127.0.0.1").setPort(pg.getPort()).setDatabase("postgres").setUser("postgres")
        .setCachePreparedStatements(true).setPipeliningLimit(256);
    return new Database(pg, options, pg.getJdbcUrl("postgres", "postgres"), "postgres", null);
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
      if (ph.isPresent() && ph.get().info().command().map(c -> c.contains("postgres")).orElse(false)) {
        LOG.warn("stopping orphaned embedded PostgreSQL (pid {}) left by an earlier run", pid);
        // SIGINT is PostgreSQL's fast shutdown; ProcessHandle only sends TERM/KILL.
        new ProcessBuilder("kill", "-INT", Long.toString(pid)).inheritIO().start().waitFor();
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

  private static Database external(String url) {
    URI uri = URI.create(url);
    String user = null;
    String pw = null;
    if (uri.getRawUserInfo() != null) {
      String[] ui = uri.getRawUserInfo().split(":", 2);
      user = URLDecoder.decode(ui[0], StandardCharsets.UTF_8);
      pw = ui.length > 1 ? URLDecoder.decode(ui[1], StandardCharsets.UTF_8) : null;
    }
    String dbName = uri.getPath() == null || uri.getPath().length() <= 1 ? "postgres" : uri.getPath().substring(1);
    int port = uri.getPort() > 0 ? uri.getPort() : 5432;
    PgConnectOptions options = new PgConnectOptions().setHost(uri.getHost()).setPort(port).setDatabase(dbName)
        .setCachePreparedStatements(true).setPipeliningLimit(256);
    if (user != null) {
      options.setUser(user);
    }
    if (pw != null) {
      options.setPassword(pw);
    }
    String jdbc = "jdbc:postgresql://" + uri.getHost() + ":" + port + "/" + dbName;
    return new Database(null, options, jdbc, user, pw);
  }

  private void migrate() {
    Flyway.configure()
        .dataSource(jdbcUrl, jdbcUser, jdbcPassword)
        .locations("classpath:db/migration")
        .load()
        .migrate();
  }

  /** A pool whose callbacks run on the caller's context; its wait queue is bounded (back-pressure). */
  public Pool pool(Vertx vertx, int size) {
    return PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(size).setMaxWaitQueueSize(10_000).setShared(false))
        .connectingTo(connectOptions)
        .using(vertx)
        .build();
  }

  public PgConnectOptions connectOptions() {
    return connectOptions;
  }

  /** Fills the store for load tests (blocking): see {@link Seeder}. */
  public void seed(int afnemers, int burgers, int berichten, java.util.function.Consumer<String> progress)
      throws java.sql.SQLException {
    Seeder.seed(jdbcUrl, jdbcUser, jdbcPassword, afnemers, burgers, berichten, progress);
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
  public static boolean onbereikbaar(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof io.vertx.core.http.ConnectionPoolTooBusyException
          || c instanceof io.vertx.sqlclient.ClosedConnectionException
          || c instanceof java.net.ConnectException
          || c instanceof io.netty.channel.ConnectTimeoutException
          || c instanceof java.nio.channels.ClosedChannelException
          || (c instanceof io.vertx.core.VertxException && (String.valueOf(c.getMessage()).contains("Connection is closed")
              || String.valueOf(c.getMessage()).contains("Timeout waiting for connection")))) {
        return true;
      }
      if (c instanceof io.vertx.pgclient.PgException pe && pe.getSqlState() != null
          && (pe.getSqlState().startsWith("08") || pe.getSqlState().startsWith("57P")
              // insufficient resources: disk full (53100), out of memory, too many connections
              || pe.getSqlState().startsWith("53"))) {
        return true;
      }
    }
    return false;
  }
}
