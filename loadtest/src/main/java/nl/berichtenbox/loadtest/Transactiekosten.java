package nl.berichtenbox.loadtest;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import nl.berichtenbox.engine.store.Seeder;
import nl.berichtenbox.loadtest.gatling.Limiet;

/**
 * What a transaction costs PostgreSQL apart from its rows (issue 21): the Limiet scenario's 2 KB
 * message rows inserted at a fixed rate, {@code N} a transaction (BEGIN, one multi-row INSERT, COMMIT,
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
  public static void main(String[] args) throws Exception {
    String url = args[0];
    int n = Integer.parseInt(args[1]);
    int rate = Integer.parseInt(args[2]);
    int seconds = Integer.parseInt(args[3]);
    int connections = Integer.parseInt(args[4]);
    boolean zonderFlush = args.length > 5 && args[5].equals("--zonder-flush");
    String[] bsns = Seeder.bsns(20_000);
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
            PreparedStatement ps = c.prepareStatement(Limiet.INSERT)) {
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
            Limiet.voegIn(c, ps, n, bsns);
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

  private Transactiekosten() {}
}
