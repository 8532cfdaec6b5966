package nl.berichtenbox.loadtest.gatling;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * PostgreSQL's own counters around a scenario, so a figure can be explained: write-ahead log
 * written (bytes, records, full-page images: random index inserts after a checkpoint cost a whole
 * page each), checkpoints, and buffers written. {@code PgStand <jdbc-url> <file>} writes a
 * snapshot; {@code PgStand <jdbc-url> <file> <snapshot-before>} writes the difference since it.
 * {@code PgStand --rustig <jdbc-url> <max-seconds>} waits until no message is left to process and
 * then checkpoints, so that each scenario starts on a quiet engine rather than behind the work of
 * the one before (the day scenario is where everything runs at once). {@code PgStand --verwerkt
 * <jdbc-url> <max-seconds>} only waits (no checkpoint): the suite reads the processes' CPU then,
 * so that a scenario's figure includes processing what it left behind.
 */
public final class PgStand {
  private PgStand() {}

  public static void main(String[] args) throws Exception {
    if (args[0].equals("--rustig") || args[0].equals("--verwerkt")) {
      rustig(args[1], Integer.parseInt(args[2]), args[0].equals("--rustig"));
      return;
    }
    JsonObject nu = new JsonObject();
    try (Connection c = DriverManager.getConnection(args[0], "postgres", "");
        Statement s = c.createStatement()) {
      int versie;
      try (ResultSet r = s.executeQuery("SHOW server_version_num")) {
        r.next();
        versie = Integer.parseInt(r.getString(1));
      }
      // PostgreSQL 17 moved the checkpoint counters to pg_stat_checkpointer, 18 the WAL writes and
      // syncs to pg_stat_io; the same figures are read from where each major keeps them
      try (ResultSet r = s.executeQuery(
          versie >= 180000
              ? "SELECT wal_records, wal_fpi, wal_bytes::bigint, (SELECT sum(writes)::bigint FROM pg_stat_io WHERE object = 'wal'),"
                  + " (SELECT sum(fsyncs)::bigint FROM pg_stat_io WHERE object = 'wal') FROM pg_stat_wal"
              : "SELECT wal_records, wal_fpi, wal_bytes::bigint, wal_write, wal_sync FROM pg_stat_wal")) {
        r.next();
        nu.put("walRecords", r.getLong(1))
            .put("walFullPageImages", r.getLong(2))
            .put("walBytes", r.getLong(3))
            .put("walWrites", r.getLong(4))
            .put("walSyncs", r.getLong(5));
      }
      try (ResultSet r = s.executeQuery(versie >= 170000 ? """
            SELECT c.num_timed, c.num_requested, c.buffers_written,
              (SELECT coalesce(sum(writes), 0)::bigint FROM pg_stat_io WHERE backend_type = 'client backend' AND object = 'relation'),
              b.buffers_clean FROM pg_stat_checkpointer c, pg_stat_bgwriter b""" : """
            SELECT checkpoints_timed, checkpoints_req, buffers_checkpoint, buffers_backend, buffers_clean FROM pg_stat_bgwriter""")) {
        r.next();
        nu.put("checkpointsTimed", r.getLong(1))
            .put("checkpointsRequested", r.getLong(2))
            .put("buffersCheckpoint", r.getLong(3))
            .put("buffersBackend", r.getLong(4))
            .put("buffersClean", r.getLong(5));
      }
    }
    nu.put("t", System.currentTimeMillis());
    JsonObject uit = nu;
    if (args.length > 2) {
      JsonObject voor = new JsonObject(Files.readString(Path.of(args[2])));
      uit = new JsonObject();
      for (String k : nu.fieldNames()) {
        if (k.equals("t")) {
          uit.put("seconden", (nu.getLong(k) - voor.getLong(k)) / 1000.0);
        } else {
          uit.put(k, nu.getLong(k) - voor.getLong(k));
        }
      }
      long records = uit.getLong("walRecords");
      if (records > 0) {
        uit.put(
            "fullPageImageShare",
            Math.round(uit.getLong("walFullPageImages") * 1000.0 / records) / 1000.0);
      }
    }
    Files.writeString(Path.of(args[1]), uit.encodePrettily());
  }

  private static void rustig(String url, int maxSeconden, boolean checkpoint) throws Exception {
    long begin = System.nanoTime();
    try (Connection c = DriverManager.getConnection(url, "postgres", "");
        Statement s = c.createStatement()) {
      long open;
      do {
        try (ResultSet r = s.executeQuery("SELECT count(*) FROM bericht WHERE status = 0")) {
          r.next();
          open = r.getLong(1);
        }
        if (open > 0) {
          Thread.sleep(1000);
        }
      } while (open > 0 && System.nanoTime() - begin < maxSeconden * 1_000_000_000L);
      if (checkpoint) {
        s.execute("CHECKPOINT");
      }
      System.out.printf(
          "   %s after %.0f s (%d messages still to process)%n",
          checkpoint ? "quiet" : "processed", (System.nanoTime() - begin) / 1e9, open);
    }
  }
}
