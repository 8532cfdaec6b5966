package nl.berichtenbox.engine.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * Which PostgreSQL major the embedded default runs, and which one made a data directory: a
 * directory of another major cannot be opened by these binaries (PostgreSQL refuses it), so the
 * engine says so before it tries, with what to do.
 */
public final class PostgresVersion {
  /** The version of the embedded binaries, as the build wrote it (e.g. 18.1.0). */
  public static final String EMBEDDED = read();
  /** Its major (e.g. 18). */
  public static final int EMBEDDED_MAJOR = Integer.parseInt(EMBEDDED.split("\\.")[0]);

  private PostgresVersion() {}

  private static String read() {
    try (InputStream in =
        PostgresVersion.class.getResourceAsStream("/berichtenbox/postgres.properties")) {
      if (in == null) {
        throw new IllegalStateException(
            "berichtenbox/postgres.properties missing from the classpath");
      }
      Properties p = new Properties();
      p.load(in);
      String v = p.getProperty("embedded.version", "");
      if (!v.matches("\\d+\\.\\d+(\\.\\d+)?")) {
        throw new IllegalStateException(
            "berichtenbox/postgres.properties: no embedded.version (" + v + ")");
      }
      return v;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The major that made the data directory {@code pgData} (its PG_VERSION file), if there is one. */
  public static Optional<Integer> ofDataDirectory(Path pgData) throws IOException {
    Path f = pgData.resolve("PG_VERSION");
    if (!Files.exists(f)) {
      return Optional.empty();
    }
    String s = Files.readString(f, StandardCharsets.US_ASCII).trim();
    try {
      return Optional.of(Integer.parseInt(s.split("\\.")[0]));
    } catch (NumberFormatException e) {
      throw new IOException(f + " does not name a PostgreSQL version: '" + s + "'");
    }
  }

  /**
   * Refuses a data directory made by another major, with what the operator should do. Nothing is
   * changed on disk.
   */
  static void requireSameMajor(Path pgData) throws IOException {
    Optional<Integer> major = ofDataDirectory(pgData);
    if (major.isEmpty() || major.get() == EMBEDDED_MAJOR) {
      return;
    }
    throw new AndereMajorException(pgData, major.get());
  }

  /** A data directory of another PostgreSQL major than the embedded one; its message says what to do. */
  public static final class AndereMajorException extends IOException {
    private final int major;

    AndereMajorException(Path pgData, int major) {
      super(
          major < EMBEDDED_MAJOR
              ? pgData + " holds a PostgreSQL " + major + " database; this engine runs PostgreSQL "
                  + EMBEDDED_MAJOR
                  + " (" + EMBEDDED + "), which cannot open it. Nothing was changed.\n"
                  + "  To move it to PostgreSQL " + EMBEDDED_MAJOR
                  + ": stop every engine on this data directory and run\n"
                  + "      bin/berichtenbox db-upgrade" + dataDirFlag(pgData) + "\n"
                  + "  It copies every table into a new PostgreSQL " + EMBEDDED_MAJOR
                  + " database in the same place, checks the"
                  + " row counts, and keeps the old one as " + pgData.resolveSibling("pg-" + major)
                  + " (delete it once the"
                  + " engine runs well). See docs/operations.md, \"PostgreSQL version\"."
              : pgData + " holds a PostgreSQL " + major
                  + " database, made by a newer engine than this one (PostgreSQL " + EMBEDDED_MAJOR
                  + "). Nothing was changed: run the engine version that made it.");
      this.major = major;
    }

    private static String dataDirFlag(Path pgData) {
      Path dataDir = pgData.toAbsolutePath().getParent();
      return dataDir == null ? "" : " --data-dir=" + dataDir;
    }

    /** The major that made the data directory. */
    public int major() {
      return major;
    }
  }
}
