package nl.berichtenbox.engine.store;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.flywaydb.core.api.MigrationVersion;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * A backup of the engine's tables as rows, over an ordinary connection: what works against a
 * PostgreSQL the engine cannot reach on disk (an external server, a managed service) and across
 * majors (the way from an old embedded major to the current one, {@link PostgresUpgrade}).
 *
 * <p>Every table is copied with {@code COPY ... TO STDOUT} inside one read-only REPEATABLE READ
 * transaction, so the copy is one consistent moment although the engine keeps writing. A backup
 * is a directory with {@code manifest.json} (the schema version, the tables in the order their
 * foreign keys need, their columns, row counts and SHA-256 of their rows, the sequences) and one
 * gzip file per table. Restore goes into an empty database only: Flyway builds the schema of the
 * backup's version, one transaction loads every table and checks each count and digest, the
 * sequences are set, then the newer migrations run.
 */
public final class LogicalBackup {
  static final String FORMAAT = "berichtenbox-logisch-1";
  static final String MANIFEST = "manifest.json";

  private LogicalBackup() {}

  /** Writes the backup of {@code db} into {@code map} (which must not exist yet). Blocking. */
  static void create(Database db, Path map, Consumer<String> progress)
      throws IOException, SQLException {
    Files.createDirectories(map);
    try (Connection c = db.jdbc()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
      }
      String schemaVersie = schemaVersion(c);
      if (schemaVersie == null) {
        throw new IllegalStateException(
            "the database has no engine schema (no flyway_schema_history): nothing to back up");
      }
      JsonObject manifest = new JsonObject()
          .put("formaat", FORMAAT)
          .put("schemaVersie", schemaVersie)
          .put("postgres", serverVersion(c))
          .put("gemaakt", Instant.now().toString());
      CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
      JsonArray tables = new JsonArray();
      for (String table : tablesInOrder(c)) {
        List<String> kolommen = columns(c, table);
        String bestand = table + ".copy.gz";
        MessageDigest sha = sha256();
        long rows;
        try (OutputStream out = new DigestOutputStream(
            new GZIPOutputStream(Files.newOutputStream(map.resolve(bestand)), 1 << 16), sha)) {
          rows = copy.copyOut("COPY " + ident(table) + " (" + list(kolommen) + ") TO STDOUT", out);
        }
        tables.add(new JsonObject()
            .put("naam", table)
            .put("kolommen", new JsonArray(new ArrayList<>(kolommen)))
            .put("rijen", rows)
            .put("bestand", bestand)
            .put("sha256", HexFormat.of().formatHex(sha.digest())));
        progress.accept(String.format("  %-24s %,d rows", table, rows));
      }
      manifest.put("tabellen", tables);
      // read inside the snapshot, after it began: at least every value the copied rows hold
      JsonArray allSeries = new JsonArray();
      try (Statement s = c.createStatement();
          ResultSet r = s.executeQuery(
              "SELECT sequencename, last_value FROM pg_sequences "
                  + "WHERE schemaname = current_schema() AND last_value IS NOT NULL ORDER BY sequencename")) {
        while (r.next()) {
          allSeries.add(new JsonObject().put("naam", r.getString(1)).put("waarde", r.getLong(2)));
        }
      }
      manifest.put("reeksen", allSeries);
      c.commit();
      Files.writeString(map.resolve(MANIFEST), manifest.encodePrettily());
    }
  }

  /** Whether {@code map} holds a backup of this kind. */
  static boolean is(Path map) {
    return Files.exists(map.resolve(MANIFEST));
  }

  /**
   * Loads the backup in {@code map} into {@code db}, which must hold no engine schema yet; returns
   * the messages in it. Blocking.
   */
  static long restore(Database db, Path map, Consumer<String> progress)
      throws IOException, SQLException {
    JsonObject manifest = new JsonObject(Files.readString(map.resolve(MANIFEST)));
    if (!FORMAAT.equals(manifest.getString("formaat"))) {
      throw new IllegalStateException(map + " is not a backup this engine reads (format "
          + manifest.getString("formaat") + ")");
    }
    String version = manifest.getString("schemaVersie");
    String newest = db.nieuwsteSchemaVersie();
    if (MigrationVersion.fromVersion(version).isNewerThan(MigrationVersion.fromVersion(newest))) {
      throw new IllegalStateException(map + " was made by a newer engine (schema version " + version
          + ", this engine knows up to " + newest + "): restore it with that engine version");
    }
    try (Connection c = db.jdbc()) {
      try (Statement s = c.createStatement();
          ResultSet r = s.executeQuery(
              "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()")) {
        r.next();
        if (r.getLong(1) > 0) {
          throw new IllegalStateException(
              "the database " + db.url().database() + " already has tables: restore goes "
                  + "into an empty database only (CREATE DATABASE a new one, or drop this one's tables), so nothing there is "
                  + "overwritten by mistake");
        }
      }
    }
    progress.accept("schema version " + version + " built by Flyway");
    db.migrate(version);
    long berichten = 0;
    try (Connection c = db.jdbc()) {
      c.setAutoCommit(false);
      CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
      List<String> names = new ArrayList<>();
      for (Object o : manifest.getJsonArray("tabellen")) {
        names.add(ident(((JsonObject) o).getString("naam")));
      }
      try (Statement s = c.createStatement()) {
        // the rows the migrations put in (relay positions, the throttle's row) make way for the
        // backup's
        s.execute("TRUNCATE " + String.join(", ", names));
      }
      for (Object o : manifest.getJsonArray("tabellen")) {
        JsonObject t = (JsonObject) o;
        List<String> kolommen = new ArrayList<>();
        t.getJsonArray("kolommen").forEach(k -> kolommen.add((String) k));
        MessageDigest sha = sha256();
        long rows;
        try (InputStream in = new DigestInputStream(
            new GZIPInputStream(Files.newInputStream(map.resolve(t.getString("bestand"))), 1 << 16),
            sha)) {
          rows = copy.copyIn(
              "COPY " + ident(t.getString("naam")) + " (" + list(kolommen) + ") FROM STDIN", in);
        }
        String digest = HexFormat.of().formatHex(sha.digest());
        if (rows != t.getLong("rijen") || !digest.equals(t.getString("sha256"))) {
          throw new IllegalStateException(
              t.getString("naam") + ": " + rows + " rows read where the backup holds "
                  + t.getLong("rijen")
                  + (digest.equals(t.getString("sha256"))
                      ? ""
                      : ", and its file does not match its SHA-256")
                  + ": the backup is damaged; nothing was restored");
        }
        if (t.getString("naam").equals("bericht")) {
          berichten = rows;
        }
        progress.accept(String.format("  %-24s %,d rows", t.getString("naam"), rows));
      }
      try (PreparedStatement ps =
          c.prepareStatement("SELECT setval(quote_ident(?)::regclass, ?, true)")) {
        for (Object o : manifest.getJsonArray("reeksen")) {
          JsonObject r = (JsonObject) o;
          ps.setString(1, r.getString("naam"));
          ps.setLong(2, r.getLong("waarde"));
          ps.execute();
        }
      }
      c.commit();
    }
    if (!version.equals(newest)) {
      progress.accept("migrating from schema version " + version + " to " + newest);
      db.migrate(null);
    }
    return berichten;
  }

  /** The engine's tables, each after the tables its foreign keys point at. */
  private static List<String> tablesInOrder(Connection c) throws SQLException {
    Map<String, Set<String>> hangtAf = new LinkedHashMap<>();
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                + "WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname <> 'flyway_schema_history' "
                + "ORDER BY c.relname")) {
      while (r.next()) {
        hangtAf.put(r.getString(1), new LinkedHashSet<>());
      }
    }
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery(
            "SELECT c.conrelid::regclass::text, c.confrelid::regclass::text FROM pg_constraint c "
                + "JOIN pg_namespace n ON n.oid = c.connamespace WHERE c.contype = 'f' AND n.nspname = current_schema()")) {
      while (r.next()) {
        String from = r.getString(1).replace("\"", "");
        String to = r.getString(2).replace("\"", "");
        if (hangtAf.containsKey(from) && !from.equals(to)) {
          hangtAf.get(from).add(to);
        }
      }
    }
    List<String> volgorde = new ArrayList<>();
    Set<String> done = new LinkedHashSet<>();
    while (volgorde.size() < hangtAf.size()) {
      boolean progress = false;
      for (Map.Entry<String, Set<String>> e : hangtAf.entrySet()) {
        if (!done.contains(e.getKey()) && done.containsAll(e.getValue())) {
          volgorde.add(e.getKey());
          done.add(e.getKey());
          progress = true;
        }
      }
      if (!progress) {
        throw new IllegalStateException(
            "the foreign keys between the tables form a cycle: " + hangtAf);
      }
    }
    return volgorde;
  }

  /** The columns COPY can write back: generated columns are computed again on restore. */
  private static List<String> columns(Connection c, String table) throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT attname FROM pg_attribute WHERE attrelid = quote_ident(?)::regclass "
            + "AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum")) {
      ps.setString(1, table);
      try (ResultSet r = ps.executeQuery()) {
        while (r.next()) {
          out.add(r.getString(1));
        }
      }
    }
    return out;
  }

  static String schemaVersion(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT to_regclass('flyway_schema_history') IS NOT NULL")) {
      r.next();
      if (!r.getBoolean(1)) {
        return null;
      }
    }
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery(
            "SELECT version FROM flyway_schema_history WHERE success AND version IS NOT NULL "
                + "ORDER BY installed_rank DESC LIMIT 1")) {
      return r.next() ? r.getString(1) : null;
    }
  }

  private static String serverVersion(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SHOW server_version")) {
      r.next();
      return r.getString(1);
    }
  }

  private static String ident(String name) {
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }

  private static String list(List<String> kolommen) {
    StringBuilder sb = new StringBuilder();
    for (String k : kolommen) {
      sb.append(sb.length() > 0 ? ", " : "").append(ident(k));
    }
    return sb.toString();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
