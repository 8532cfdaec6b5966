package nl.berichtenbox.loadtest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

/**
 * Where the write-ahead log of one message goes (issue 21): PostgreSQL's own account of the WAL
 * written between two points, per record type and per table or index, divided by the rows the
 * run added. {@code begin} reserves the WAL from now on (a temporary replication slot, so a
 * checkpoint cannot recycle it before it is read) and notes the position and the row count;
 * {@code eind} waits until every parked message is processed, then reads the WAL in between
 * with {@code pg_walinspect} and writes the breakdown.
 *
 * <pre>
 * java -cp loadtest/target/loadtest.jar nl.berichtenbox.loadtest.Ontleding begin JDBC_URL TABLE STATE.json
 * java -cp loadtest/target/loadtest.jar nl.berichtenbox.loadtest.Ontleding eind JDBC_URL STATE.json OUT.json
 * </pre>
 * TABLE is the table whose new rows are the unit ({@code bericht} for the engine's intake,
 * {@code limiet_bericht} for PostgreSQL alone in the Limiet scenario). A {@code begin} without its
 * {@code eind} leaves the slot {@code bbx_ontleding} holding the log: the next {@code begin} drops
 * it, or {@code SELECT pg_drop_replication_slot('bbx_ontleding')} does.
 */
public final class Ontleding {
  private static final String SLOT = "bbx_ontleding";

  private Ontleding() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 4 || !(args[0].equals("begin") || args[0].equals("eind"))) {
      System.err.println(
          "usage: Ontleding begin JDBC_URL TABLE STATE.json | Ontleding eind JDBC_URL STATE.json OUT.json");
      System.exit(2);
    }
    try (Connection c = DriverManager.getConnection(args[1], "postgres", "");
        Statement s = c.createStatement()) {
      if (args[0].equals("begin")) {
        begin(s, args[2], Path.of(args[3]));
      } else {
        eind(s, Path.of(args[2]), Path.of(args[3]));
      }
    }
  }

  private static void begin(Statement s, String tabel, Path staat) throws Exception {
    if (!tabel.matches("[a-z_]+")) {
      throw new IllegalArgumentException("not a table name: " + tabel);
    }
    s.execute("CREATE EXTENSION IF NOT EXISTS pg_walinspect");
    s.execute(
        "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '"
            + SLOT + "'");
    // not temporary: a temporary slot ends with this connection, and the WAL is read by another
    s.execute("SELECT pg_create_physical_replication_slot('" + SLOT + "', true)");
    wachtTotVerwerkt(s, tabel); // what came before is not this run's
    // every autovacuum and autoanalyze in the window logged with its CPU (run-ontleding.sh reads
    // the server's log): work the messages cause that no statement of theirs shows
    s.execute("ALTER SYSTEM SET log_autovacuum_min_duration = 0");
    s.execute("SELECT pg_reload_conf()");
    if (statements(s)) {
      s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
      // planning too: a statement planned afresh at every execution costs CPU its execution time
      // does not show (a reload reaches the engine's open sessions)
      s.execute("ALTER SYSTEM SET pg_stat_statements.track_planning = on");
      s.execute("SELECT pg_reload_conf()");
      s.execute("SELECT pg_stat_statements_reset()");
    }
    JsonObject st = new JsonObject()
        .put("tabel", tabel)
        .put("rijen", rijen(s, tabel))
        .put("lsn", tekst(s, "SELECT pg_current_wal_lsn()::text"))
        .put("t", System.currentTimeMillis());
    Files.writeString(staat, st.encodePrettily());
  }

  private static void eind(Statement s, Path staat, Path uit) throws Exception {
    JsonObject st = new JsonObject(Files.readString(staat));
    String tabel = st.getString("tabel");
    try {
      // the receipts are part of a message's cost: wait until processing has caught up
      wachtTotVerwerkt(s, tabel);
      long ms = System.currentTimeMillis() - st.getLong("t");
      long rijen = rijen(s, tabel) - st.getLong("rijen");
      String van = st.getString("lsn");
      String totLsn = tekst(s, "SELECT pg_current_wal_lsn()::text");
      long bytes = getal(s, "SELECT pg_wal_lsn_diff('" + totLsn + "', '" + van + "')::bigint");
      JsonObject r = new JsonObject()
          .put("tabel", tabel)
          .put("rijen", rijen)
          .put("seconden", ms / 1000.0)
          .put("walBytes", bytes)
          .put("walBytesPerRij", rijen == 0 ? 0 : Math.round(bytes / (double) rijen))
          // the server log holds a vacuum only once it has finished: say which are still running
          .put(
              "vacuumBezig",
              tekst(
                  s,
                  "SELECT coalesce(string_agg(relid::regclass::text || ' (' || phase || ')', ', '), '')"
                      + " FROM pg_stat_progress_vacuum"));
      JsonArray soorten = new JsonArray();
      long records = 0;
      long fpi = 0;
      try (ResultSet rs =
          s.executeQuery("SELECT \"resource_manager/record_type\", count, record_size, fpi_size "
              + "FROM pg_get_wal_stats('" + van + "', '" + totLsn + "', true) WHERE count > 0 "
              + "ORDER BY record_size + fpi_size DESC")) {
        while (rs.next()) {
          records += rs.getLong(2);
          fpi += rs.getLong(4);
          soorten.add(new JsonObject()
              .put("soort", rs.getString(1))
              .put("aantal", rs.getLong(2))
              .put("bytes", rs.getLong(3))
              .put("fpiBytes", rs.getLong(4))
              .put("perRij", per(rs.getLong(3) + rs.getLong(4), rijen))
              .put("recordsPerRij", per(rs.getLong(2), rijen)));
        }
      }
      r.put("records", records)
          .put("recordsPerRij", per(records, rijen))
          .put("fpiBytes", fpi)
          .put("fpiBytesPerRij", per(fpi, rijen))
          .put("soorten", soorten);
      // per table or index: the data each record carries for it and the page images taken of it
      JsonArray relaties = new JsonArray();
      try (ResultSet rs = s.executeQuery("""
          SELECT coalesce(pg_filenode_relation(reltablespace, relfilenode)::text, 'filenode ' || relfilenode),
                 count(*), sum(block_data_length)::bigint, sum(block_fpi_length)::bigint
          FROM pg_get_wal_block_info('%s', '%s', false)
          GROUP BY 1 ORDER BY sum(block_data_length) + sum(block_fpi_length) DESC""".formatted(van, totLsn))) {
        while (rs.next()) {
          relaties.add(new JsonObject()
              .put("relatie", rs.getString(1))
              .put("blokken", rs.getLong(2))
              .put("dataBytes", rs.getLong(3))
              .put("fpiBytes", rs.getLong(4))
              .put("perRij", per(rs.getLong(3) + rs.getLong(4), rijen)));
        }
      }
      r.put("relaties", relaties);
      // per statement (pg_stat_statements, when the server loads it): time and log per message
      if (statements(s)) {
        JsonArray stmts = new JsonArray();
        try (ResultSet rs = s.executeQuery("""
            SELECT regexp_replace(query, '\\s+', ' ', 'g'), calls, total_exec_time, total_plan_time, rows, wal_bytes::bigint
            FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
            ORDER BY total_exec_time + total_plan_time DESC LIMIT 15""")) {
          while (rs.next()) {
            String q = rs.getString(1);
            stmts.add(new JsonObject()
                .put("statement", q.length() > 160 ? q.substring(0, 160) + " …" : q)
                .put("calls", rs.getLong(2))
                .put("execMs", rs.getDouble(3))
                .put("planMs", rs.getDouble(4))
                .put("rows", rs.getLong(5))
                .put("walBytes", rs.getLong(6))
                .put(
                    "execUsPerRij",
                    rijen == 0 ? 0 : Math.round(rs.getDouble(3) * 1000 * 10 / rijen) / 10.0)
                .put(
                    "planUsPerRij",
                    rijen == 0 ? 0 : Math.round(rs.getDouble(4) * 1000 * 10 / rijen) / 10.0)
                .put("callsPerRij", per(rs.getLong(2), rijen))
                .put("walBytesPerRij", per(rs.getLong(6), rijen)));
          }
        }
        r.put("statements", stmts);
        s.execute("ALTER SYSTEM RESET pg_stat_statements.track_planning");
        s.execute("SELECT pg_reload_conf()");
      }
      Files.writeString(uit, r.encodePrettily());
      System.out.printf(
          "%d rows of %s: %d WAL bytes per row in %.1f records (full-page images %d bytes per row)%n",
          rijen,
          tabel,
          r.getLong("walBytesPerRij"),
          per(records, rijen),
          Math.round(per(fpi, rijen)));
    } finally {
      s.execute("ALTER SYSTEM RESET log_autovacuum_min_duration");
      s.execute("SELECT pg_reload_conf()");
      s.execute("SELECT pg_drop_replication_slot('" + SLOT + "')");
    }
  }

  private static void wachtTotVerwerkt(Statement s, String tabel) throws Exception {
    if (!tabel.equals("bericht")) {
      return;
    }
    long tot = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
    while (getal(
            s,
            "SELECT (SELECT count(*) FROM bericht WHERE status = 0) + (SELECT count(*) FROM afwijzing)")
        > 0) {
      if (System.nanoTime() > tot) {
        throw new IllegalStateException("messages still unprocessed after 10 minutes");
      }
      Thread.sleep(200);
    }
  }

  /** Whether the server loads pg_stat_statements (the embedded one does; an external one may not). */
  private static boolean statements(Statement s) throws Exception {
    try (ResultSet r = s.executeQuery(
        "SELECT current_setting('shared_preload_libraries') LIKE '%pg_stat_statements%'")) {
      r.next();
      return r.getBoolean(1);
    }
  }

  /** The table's rows; 0 when it is not there yet (Limiet makes its table when it starts). */
  private static long rijen(Statement s, String tabel) throws Exception {
    return getal(s, "SELECT CASE WHEN to_regclass('" + tabel + "') IS NULL THEN 0 ELSE 1 END") == 0
        ? 0
        : getal(s, "SELECT count(*) FROM " + tabel);
  }

  private static double per(long n, long rijen) {
    return rijen == 0 ? 0 : Math.round(n * 100.0 / rijen) / 100.0;
  }

  private static long getal(Statement s, String sql) throws Exception {
    try (ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  private static String tekst(Statement s, String sql) throws Exception {
    try (ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getString(1);
    }
  }
}
