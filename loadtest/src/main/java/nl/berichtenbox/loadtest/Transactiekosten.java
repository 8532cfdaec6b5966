package nl.berichtenbox.loadtest;

import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * What a transaction costs PostgreSQL apart from its rows (issue 21): the engine's 2 KB message
 * rows inserted at a fixed rate, {@code N} a transaction (BEGIN, one multi-row INSERT, COMMIT,
 * synchronous commit), into {@code limiet_bericht} (the bericht table's columns and indexes, which
 * processing never reads). The script around it ({@code loadtest/run-transactiekosten.sh}) reads
 * PostgreSQL's CPU for each {@code N}; at one rate, what falls with {@code N} is the per-transaction
 * part.
 *
 * <pre>java -cp loadtest.jar nl.berichtenbox.loadtest.Transactiekosten JDBC_URL ROWS_A_TX RATE SECONDS CONNECTIONS [--zonder-flush]</pre>
 * Prints one JSON line: rows, transactions, seconds, and whether the rate was kept. With
 * {@code --zonder-flush} the sessions commit without waiting for the WAL's flush
 * ({@code synchronous_commit = off}): not what the engine may do (a 2xx means committed), only to
 * tell the flush's part of a transaction from the rest.
 */
public final class Transactiekosten {
  private static final String INSERT = """
      INSERT INTO limiet_bericht (oin, bericht_id, bsn, bericht_type, onderwerp, bericht_tekst, aantal_bijlagen, digest)
      SELECT * FROM unnest(?::text[], ?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[], ?::int2[], ?::bytea[])
      ON CONFLICT (oin, bericht_id) DO NOTHING""";

  public static void main(String[] args) throws Exception {
    String url = args[0];
    int n = Integer.parseInt(args[1]);
    int rate = Integer.parseInt(args[2]);
    int seconds = Integer.parseInt(args[3]);
    int connections = Integer.parseInt(args[4]);
    boolean zonderFlush = args.length > 5 && args[5].equals("--zonder-flush");
    try (Connection c = DriverManager.getConnection(url, "postgres", "");
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS limiet_bericht (LIKE bericht INCLUDING ALL)");
    }
    // each connection begins a transaction every `interval`: the rows of all reach `rate`
    long interval = TimeUnit.SECONDS.toNanos(1) * n * connections / rate;
    long start = System.nanoTime();
    long end = start + TimeUnit.SECONDS.toNanos(seconds);
    AtomicLong rows = new AtomicLong();
    AtomicLong transactions = new AtomicLong();
    AtomicLong late = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < connections; t++) {
      long offset = interval * t / connections;
      Thread th = new Thread(() -> {
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
            PreparedStatement ps = c.prepareStatement(INSERT)) {
          if (zonderFlush) {
            try (Statement s = c.createStatement()) {
              s.execute("SET synchronous_commit = off");
            }
          }
          c.setAutoCommit(false);
          long next = start + offset;
          while (next < end) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
              LockSupport.parkNanos(wait);
            } else if (-wait > interval) {
              late.incrementAndGet();
            }
            insert(c, ps, n);
            c.commit();
            rows.addAndGet(n);
            transactions.incrementAndGet();
            next += interval;
          }
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      th.start();
      threads.add(th);
    }
    for (Thread th : threads) {
      th.join();
    }
    double took = (System.nanoTime() - start) / 1e9;
    System.out.printf(
        "{\"rowsPerTransaction\": %d, \"rate\": %d, \"connections\": %d, \"rows\": %d,"
            + " \"transactions\": %d, \"seconds\": %.2f, \"lateTransactions\": %d,"
            + " \"flush\": %b}%n",
        n, rate, connections, rows.get(), transactions.get(), took, late.get(), !zonderFlush);
  }

  private static void insert(Connection c, PreparedStatement ps, int n) throws Exception {
    String[] oin = new String[n];
    UUID[] id = new UUID[n];
    String[] bsn = new String[n];
    String[] type = new String[n];
    String[] onderwerp = new String[n];
    String[] tekst = new String[n];
    Short[] bijlagen = new Short[n];
    byte[][] digest = new byte[n][];
    for (int i = 0; i < n; i++) {
      oin[i] = "00000000900000000001";
      id[i] = UUID.randomUUID();
      bsn[i] = String.format("%09d", ThreadLocalRandom.current().nextInt(1_000_000_000));
      type[i] = "ALG";
      onderwerp[i] = "Uw aanslag inkomstenbelasting";
      tekst[i] = LoadClient.TEKST;
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
      c.createArrayOf("text", tekst),
      c.createArrayOf("int2", bijlagen),
      c.createArrayOf("bytea", digest)
    };
    for (int i = 0; i < a.length; i++) {
      ps.setArray(i + 1, a[i]);
    }
    ps.executeUpdate();
  }

  private Transactiekosten() {}
}
