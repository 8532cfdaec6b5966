package nl.berichtenbox.loadtest.gatling;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import nl.berichtenbox.engine.store.Seeder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The database's own limit for the engine's two hottest statements, in the same run and store:
 * inserting 2 KB message rows 1 000 per statement and transaction with synchronous commit (what
 * a group commit does, without HTTP, validation or receipts), from 2 connections; and the
 * mailbox page query (index-only) for random seeded citizens from 8 connections. The summary
 * states the engine's figures as a fraction of these.
 *
 * <pre>java -cp loadtest/target/loadtest.jar nl.berichtenbox.loadtest.gatling.Limiet JDBC_URL SECONDS BURGERS RESULTS [--alleen-invoegen]</pre>
 * With {@code --alleen-invoegen}: the inserts only, and their table {@code limiet_bericht} is kept.
 */
public final class Limiet {
  /** {@link #voegIn}'s statement, for {@code limiet_bericht}. */
  public static final String INSERT = """
      INSERT INTO limiet_bericht (oin, bericht_id, bsn, bericht_type, onderwerp, bericht_tekst, aantal_bijlagen, digest)
      SELECT * FROM unnest(?::text[], ?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[], ?::int2[], ?::bytea[])
      ON CONFLICT (oin, bericht_id) DO NOTHING""";

  private static final String PAGE = """
      SELECT b.publiek_id, b.oin, a.naam, b.onderwerp, b.referentie, b.zichtbaar_op, b.gelezen, b.map, b.aantal_bijlagen, b.id
      FROM bericht b JOIN afnemer a ON a.oin = b.oin
      WHERE b.bsn = ? AND b.status = 1 AND b.map = 'inbox' AND b.zichtbaar_op <= now()
      ORDER BY b.zichtbaar_op DESC, b.id DESC LIMIT 20""";

  public static void main(String[] args) throws Exception {
    String url = args[0];
    int seconds = Integer.parseInt(args[1]);
    String[] bsns = Seeder.bsns(Integer.parseInt(args[2]));
    Path results = Path.of(args[3]);
    // the inserts only, their table kept (loadtest/run-ontleding.sh reads its WAL and counts its
    // rows)
    boolean alleenInvoegen = args.length > 4 && args[4].equals("--alleen-invoegen");
    try (Connection c = DriverManager.getConnection(url, "postgres", "");
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS limiet_bericht");
      s.execute("CREATE TABLE limiet_bericht (LIKE bericht INCLUDING ALL)");
    }
    AtomicLong rows = new AtomicLong();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    List<Thread> inserters = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      inserters.add(start(() -> {
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
            PreparedStatement ps = c.prepareStatement(INSERT)) {
          while (System.nanoTime() < end) {
            int n = 1000;
            // autocommit: one transaction, synchronous commit, as a group commit
            voegIn(c, ps, n, bsns);
            rows.addAndGet(n);
          }
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }));
    }
    for (Thread t : inserters) {
      t.join();
    }
    double insertPerSecond = rows.get() / (double) seconds;
    if (alleenInvoegen) {
      JsonObject out = new JsonObject()
          .put("insertRowsPerSecond", Math.round(insertPerSecond))
          .put("rows", rows.get())
          .put("seconds", seconds)
          .put("at", Instant.now().toString());
      Files.createDirectories(results);
      Files.writeString(results.resolve("limiet.json"), out.encodePrettily());
      System.out.println(out.encodePrettily());
      return;
    }

    AtomicLong queries = new AtomicLong();
    Recorder latency = new Recorder(3_600_000_000L, 3);
    long end2 = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    List<Thread> readers = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      readers.add(start(() -> {
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
            PreparedStatement ps = c.prepareStatement(PAGE)) {
          while (System.nanoTime() < end2) {
            long t0 = System.nanoTime();
            ps.setString(1, bsns[ThreadLocalRandom.current().nextInt(bsns.length)]);
            try (ResultSet r = ps.executeQuery()) {
              while (r.next()) {
                r.getString(4);
              }
            }
            latency.recordValue((System.nanoTime() - t0) / 1000);
            queries.incrementAndGet();
          }
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }));
    }
    for (Thread t : readers) {
      t.join();
    }
    Histogram h = latency.getIntervalHistogram();
    try (Connection c = DriverManager.getConnection(url, "postgres", "");
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE limiet_bericht");
    }
    JsonObject out = new JsonObject()
        .put("insertRowsPerSecond", Math.round(insertPerSecond))
        .put("pageQueriesPerSecond", Math.round(queries.get() / (double) seconds))
        .put("pageQueryP99Ms", h.getValueAtPercentile(99) / 1000.0)
        .put("seconds", seconds)
        .put("at", Instant.now().toString());
    Files.createDirectories(results);
    Files.writeString(results.resolve("limiet.json"), out.encodePrettily());
    System.out.println(out.encodePrettily());
  }

  /**
   * Inserts {@code n} 2 KB message rows, the engine's columns, to random citizens of {@code bsns},
   * by {@link #INSERT} prepared on {@code c}; in the connection's transaction (autocommit: its own).
   */
  public static void voegIn(Connection c, PreparedStatement ps, int n, String[] bsns)
      throws SQLException {
    String tekst = Suite.TEKST;
    String[] oin = new String[n];
    UUID[] id = new UUID[n];
    String[] bsn = new String[n];
    String[] type = new String[n];
    String[] onderwerp = new String[n];
    String[] body = new String[n];
    Short[] bijlagen = new Short[n];
    byte[][] digest = new byte[n][];
    for (int i = 0; i < n; i++) {
      oin[i] = Suite.OIN;
      id[i] = UUID.randomUUID();
      bsn[i] = bsns[ThreadLocalRandom.current().nextInt(bsns.length)];
      type[i] = "ALG";
      onderwerp[i] = "Uw aanslag inkomstenbelasting";
      body[i] = tekst;
      bijlagen[i] = 0;
      digest[i] = new byte[32];
      ThreadLocalRandom.current().nextBytes(digest[i]);
    }
    Array[] a = {
      c.createArrayOf("text", oin),
      c.createArrayOf("uuid", id),
      c.createArrayOf("text", bsn),
      c.createArrayOf("text", type),
      c.createArrayOf("text", onderwerp),
      c.createArrayOf("text", body),
      c.createArrayOf("int2", bijlagen),
      c.createArrayOf("bytea", digest)
    };
    for (int i = 0; i < a.length; i++) {
      ps.setArray(i + 1, a[i]);
    }
    ps.executeUpdate();
  }

  private Limiet() {}

  private static Thread start(Runnable r) {
    Thread t = new Thread(r);
    t.start();
    return t;
  }
}
