package nl.berichtenbox.engine.store;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import nl.berichtenbox.engine.config.EngineConfig;

/**
 * Backup and restore of the embedded PostgreSQL (SNO: 7 days kept, RTO 4 h), without
 * PostgreSQL's client tools (the embedded bundle has none): PostgreSQL's low-level online backup.
 * Between {@code pg_backup_start} and {@code pg_backup_stop} (PostgreSQL 15 and later) the data
 * directory is copied file by file while the engine runs; then the write-ahead log written
 * meanwhile and the backup label are added. Starting PostgreSQL on the copy replays that log to
 * the moment the backup ended, so the copy is consistent although it was taken live. RPO 0 itself
 * comes from synchronous commit (and, across machines, a synchronous standby), not from backups.
 *
 * <p>A backup is a directory {@code berichtenbox-<UTC time>} under the target, written under a
 * temporary name, forced to disk and then renamed: a directory with the final name is whole.
 * Those older than 7 days are deleted after each new one. Restore refuses while the engine runs
 * and refuses a backup of another PostgreSQL major, keeps the replaced data directory beside it,
 * and starts PostgreSQL once to replay the log and check the result.
 */
public final class Backup {
  public static final Duration BEWAARTERMIJN = Duration.ofDays(7);
  private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
  private static final Set<String> SKIP_EMPTY = Set.of(
      "pg_wal",
      "pg_replslot",
      "pg_stat_tmp",
      "pg_dynshmem",
      "pg_notify",
      "pg_serial",
      "pg_snapshots",
      "pg_subtrans");
  private static final Set<String> DO_NOT_COPY = Set.of(
      "postmaster.pid", "postmaster.opts", "backup_label", "tablespace_map", "pg_internal.init");

  private Backup() {}

  /**
   * Takes a backup into {@code doelMap} (made when missing); returns its directory. The embedded
   * database gets PostgreSQL's online backup of its files; an external one ({@code DB_URL}) a
   * {@link LogicalBackup} of its rows.
   */
  public static Path create(EngineConfig config, Path doelMap, Consumer<String> progress)
      throws Exception {
    Files.createDirectories(doelMap);
    Instant begin = Instant.now();
    Path temporary = doelMap.resolve(
        "berichtenbox-" + NAME.format(begin.atOffset(ZoneOffset.UTC)) + ".onvolledig");
    Path done = doelMap.resolve("berichtenbox-" + NAME.format(begin.atOffset(ZoneOffset.UTC)));
    if (config.embeddedDatabase()) {
      createPhysical(config, temporary, done, begin, progress);
    } else {
      Database db = Database.startWithoutMigration(config);
      progress.accept(
          "logical backup of the external database " + db.url() + " (one consistent snapshot)");
      LogicalBackup.create(db, temporary, progress);
      DurableFiles.persist(temporary, done);
      progress.accept(String.format(
          "backup %s: %d MB in %.1f s",
          done,
          (size(done) + (1 << 19)) >> 20,
          Duration.between(begin, Instant.now()).toMillis() / 1000.0));
    }
    for (Path old : tooOld(doelMap, begin)) {
      delete(old);
      progress.accept("deleted backup older than 7 days: " + old.getFileName());
    }
    return done;
  }

  private static void createPhysical(
      EngineConfig config, Path temporary, Path done, Instant begin, Consumer<String> progress)
      throws Exception {
    Path pgData = config.dataDir().resolve("pg").toAbsolutePath();
    if (!Files.exists(pgData.resolve("PG_VERSION"))) {
      throw new IllegalStateException("no embedded database in " + pgData);
    }
    PostgresVersion.requireSameMajor(pgData);
    Optional<Integer> draaiend = runningPort(pgData);
    Database gestart = null;
    int port;
    if (draaiend.isPresent()) {
      port = draaiend.get();
      progress.accept("online backup of the running engine's database (port " + port + ")");
    } else {
      gestart = Database.start(config);
      port = gestart.connectOptions().getPort();
      progress.accept("the engine is not running: its database started for the backup");
    }
    try (Connection c = DriverManager.getConnection(
        "jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "")) {
      // a temporary slot keeps the log from here on until this session ends, so no segment the
      // copy needs is recycled meanwhile; its name also keeps two backups from running at once
      try (Statement s = c.createStatement()) {
        s.execute("SELECT pg_create_physical_replication_slot('berichtenbox_backup', true, true)");
      } catch (SQLException e) {
        throw new IllegalStateException(
            "another backup is running (or its slot is left): " + e.getMessage(), e);
      }
      // non-exclusive (the only kind from 15 on): the backup lasts as long as this session
      try (PreparedStatement ps = c.prepareStatement("SELECT pg_backup_start(?, true)")) {
        ps.setString(1, "berichtenbox " + done.getFileName());
        ps.execute();
      }
      AtomicLong bytes = new AtomicLong();
      copy(pgData, temporary, true, bytes, progress);
      String label;
      String spcmap;
      try (Statement s = c.createStatement();
          ResultSet r = s.executeQuery("SELECT labelfile, spcmapfile FROM pg_backup_stop(false)")) {
        r.next();
        label = r.getString(1);
        spcmap = r.getString(2);
      }
      // the log written while the files were copied: replayed at the first start of the copy
      copy(pgData.resolve("pg_wal"), temporary.resolve("pg_wal"), false, bytes, progress);
      Files.writeString(temporary.resolve("backup_label"), label);
      if (spcmap != null && !spcmap.isEmpty()) {
        Files.writeString(temporary.resolve("tablespace_map"), spcmap);
      }
      DurableFiles.persist(temporary, done);
      progress.accept(String.format(
          "backup %s: %d MB in %.1f s",
          done, bytes.get() >> 20, Duration.between(begin, Instant.now()).toMillis() / 1000.0));
    } finally {
      if (gestart != null) {
        gestart.close();
      }
    }
  }

  private static long size(Path map) throws IOException {
    try (var walk = Files.walk(map)) {
      return walk.filter(Files::isRegularFile)
          .mapToLong(p -> p.toFile().length())
          .sum();
    }
  }

  /**
   * Restores {@code backup} and returns the messages in it; the engine must be stopped. A backup of
   * files replaces the embedded database (the old one kept beside it); a backup of rows goes into
   * the configured database, embedded (the old one moved aside likewise) or external (which must be
   * empty).
   */
  public static long restore(EngineConfig config, Path backup, Consumer<String> progress)
      throws Exception {
    if (LogicalBackup.is(backup)) {
      return restoreLogical(config, backup, progress);
    }
    if (!Files.exists(backup.resolve("backup_label"))
        || !Files.exists(backup.resolve("PG_VERSION"))) {
      throw new IllegalStateException(backup + " is not a backup made by 'berichtenbox backup'");
    }
    if (!config.embeddedDatabase()) {
      throw new IllegalStateException(
          backup + " is a backup of the embedded database's files: it restores into the "
              + "embedded database only (unset BERICHTENBOX_DB_URL). Into an external one goes a backup taken with "
              + "BERICHTENBOX_DB_URL set (rows, not files)");
    }
    int major = PostgresVersion.ofDataDirectory(backup).orElseThrow();
    if (major != PostgresVersion.EMBEDDED_MAJOR) {
      throw new IllegalStateException(
          backup + " is a backup of PostgreSQL " + major + "; this engine runs PostgreSQL "
              + PostgresVersion.EMBEDDED_MAJOR
              + ". Restore it with the engine version that made it, then run "
              + "'bin/berichtenbox db-upgrade' (docs/operations.md, \"PostgreSQL version\")");
    }
    Path pgData = config.dataDir().resolve("pg").toAbsolutePath();
    if (runningPort(pgData).isPresent()) {
      throw new IllegalStateException(
          "the engine (its database) is running on " + pgData + ": stop it first");
    }
    Instant begin = Instant.now();
    Path temporary = pgData.resolveSibling("pg.herstel-onvolledig");
    if (Files.exists(temporary)) {
      delete(temporary); // an earlier restore that did not finish
    }
    AtomicLong bytes = new AtomicLong();
    copy(backup, temporary, false, bytes, progress);
    Path opzij = setAside(pgData, progress);
    long n;
    try {
      DurableFiles.persist(temporary, pgData);
      try (Database db = Database.start(config);
          Connection c = db.jdbc();
          Statement s = c.createStatement();
          ResultSet r = s.executeQuery("SELECT count(*) FROM bericht")) {
        r.next();
        n = r.getLong(1);
      }
    } catch (Exception e) {
      putBack(pgData, opzij, progress);
      throw e;
    }
    progress.accept(String.format(
        "restored %s: %d messages, %d MB, in %.1f s",
        backup.getFileName(),
        n,
        bytes.get() >> 20,
        Duration.between(begin, Instant.now()).toMillis() / 1000.0));
    return n;
  }

  private static long restoreLogical(EngineConfig config, Path backup, Consumer<String> progress)
      throws Exception {
    Instant begin = Instant.now();
    Path pgData = config.dataDir().resolve("pg").toAbsolutePath();
    Path opzij = null;
    if (config.embeddedDatabase()) {
      if (runningPort(pgData).isPresent()) {
        throw new IllegalStateException(
            "the engine (its database) is running on " + pgData + ": stop it first");
      }
      opzij = setAside(pgData, progress);
    }
    long n;
    try (Database db = Database.startWithoutMigration(config)) {
      progress.accept("restoring the rows of " + backup.getFileName() + " into " + db.url());
      n = LogicalBackup.restore(db, backup, progress);
    } catch (Exception e) {
      if (config.embeddedDatabase()) {
        putBack(pgData, opzij, progress);
      }
      throw e;
    }
    progress.accept(String.format(
        "restored %s: %d messages, in %.1f s",
        backup.getFileName(), n, Duration.between(begin, Instant.now()).toMillis() / 1000.0));
    return n;
  }

  /** Moves the embedded data directory aside (kept until the operator deletes it); where to, or null. */
  private static Path setAside(Path pgData, Consumer<String> progress) throws IOException {
    if (!Files.exists(pgData)) {
      return null;
    }
    Path opzij =
        pgData.resolveSibling("pg.voor-herstel-" + NAME.format(LocalDateTime.now(ZoneOffset.UTC)));
    Files.move(pgData, opzij, StandardCopyOption.ATOMIC_MOVE);
    progress.accept("the current database moved aside to " + opzij
        + " (delete it when the restore is checked)");
    return opzij;
  }

  /** A restore failed: what it made goes, the data directory moved aside comes back as it was. */
  private static void putBack(Path pgData, Path opzij, Consumer<String> progress)
      throws IOException {
    if (Files.exists(pgData)) {
      delete(pgData);
    }
    if (opzij != null) {
      Files.move(opzij, pgData, StandardCopyOption.ATOMIC_MOVE);
      progress.accept("the restore failed: the database that was there is put back in " + pgData);
    }
  }

  /** The port of a live postmaster on this data directory, if any. */
  static Optional<Integer> runningPort(Path pgData) throws IOException {
    Path pid = pgData.resolve("postmaster.pid");
    if (!Files.exists(pid)) {
      return Optional.empty();
    }
    List<String> lines = Files.readAllLines(pid);
    long p = Long.parseLong(lines.get(0).trim());
    boolean leeft = ProcessHandle.of(p)
        .map(h -> h.isAlive()
            && h.info().command().map(cmd -> cmd.contains("postgres")).orElse(false))
        .orElse(false);
    return leeft && lines.size() > 3
        ? Optional.of(Integer.parseInt(lines.get(3).trim()))
        : Optional.empty();
  }

  private static void copy(
      Path van, Path naar, boolean backupRegels, AtomicLong bytes, Consumer<String> progress)
      throws IOException {
    long[] gemeld = {0};
    Files.walkFileTree(van, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
          throws IOException {
        Path target = naar.resolve(van.relativize(dir).toString());
        Files.createDirectories(target);
        if (backupRegels
            && !dir.equals(van)
            && SKIP_EMPTY.contains(dir.getFileName().toString())
            && dir.getParent().equals(van)) {
          if (dir.getFileName().toString().equals("pg_wal")) {
            Files.createDirectories(target.resolve("archive_status"));
          }
          return FileVisitResult
              .SKIP_SUBTREE; // made empty; pg_wal is copied after the backup stops
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        String name = file.getFileName().toString();
        if (!attrs.isRegularFile()
            || (backupRegels
                && (DO_NOT_COPY.contains(name)
                    || name.startsWith(".s.PGSQL")
                    || name.startsWith("pgsql_tmp")))) {
          return FileVisitResult.CONTINUE;
        }
        try {
          Files.copy(
              file,
              naar.resolve(van.relativize(file).toString()),
              StandardCopyOption.REPLACE_EXISTING);
          long n = bytes.addAndGet(attrs.size());
          if (n - gemeld[0] >= 512L << 20) {
            gemeld[0] = n;
            progress.accept("  " + (n >> 20) + " MB copied");
          }
        } catch (NoSuchFileException gone) {
          // a file PostgreSQL removed while we copied: the log replay does not need it
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
        if (e instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE;
        }
        throw e;
      }
    });
  }

  private static List<Path> tooOld(Path map, Instant nu) throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(map, "berichtenbox-*")) {
      for (Path p : ds) {
        String name = p.getFileName().toString().substring("berichtenbox-".length());
        if (name.length() != 15) {
          continue; // an unfinished one, or not ours
        }
        try {
          Instant t = LocalDateTime.parse(name, NAME).toInstant(ZoneOffset.UTC);
          if (t.isBefore(nu.minus(BEWAARTERMIJN))) {
            out.add(p);
          }
        } catch (DateTimeParseException e) {
          // not ours
        }
      }
    }
    return out;
  }

  static void delete(Path dir) throws IOException {
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
