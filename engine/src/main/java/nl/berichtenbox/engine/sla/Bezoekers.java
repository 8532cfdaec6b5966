package nl.berichtenbox.engine.sla;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import nl.berichtenbox.engine.domain.Tijd;
import nl.berichtenbox.engine.support.BackgroundLoop;
import nl.berichtenbox.engine.support.Component;
import nl.berichtenbox.engine.support.Pseudonym;

/**
 * Visitors for the monthly report (SNO 4.3): the citizens who used the portal API, per day
 * (Europe/Amsterdam). The request path only adds the BSN to an in-memory set (once per citizen per
 * day and process); each second's new visitors are written in one statement ({@link #PER_KEER} at
 * most), under their pseudonym (HMAC of the BSN, never the BSN), so the month's count is exact
 * across processes.
 */
public final class Bezoekers implements Component {
  private static final String SCHRIJF = """
      INSERT INTO bezoek (dag, pseudoniem) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING""";
  private static final String OPRUIMEN = "DELETE FROM bezoek WHERE dag < current_date - 400";

  /**
   * Visitors per statement at most. Written a minute at a time, up to 10 000 a statement with as many
   * HMACs on the loop's thread, a busy portal's first minutes were statements of up to 357 ms, and
   * the portal's requests waited behind them (p99 of those seconds 230-770 ms against 2-5 ms in the
   * others; docs/performance-history.md).
   */
  static final int PER_KEER = 500;

  private final Pool pool;
  private final Pseudonym pseudoniem;
  private final Clock clock;
  private final BackgroundLoop loop;
  private volatile LocalDate dag;
  private volatile long volgendeDag;
  // A day's visitors as ints (a BSN is nine digits), not as a set of strings: that set grew to
  // 100 000 nodes during a portal run, each one young, and the collector copied them from survivor
  // space to survivor space at every young collection (the long pauses of load runs 21 and 22,
  // docs/performance-history.md). Guarded by this.
  private BsnSet vandaag = new BsnSet();
  private int[] nieuw = new int[1024];
  private int nieuwAantal;
  private Future<Boolean> lopend = Future.succeededFuture(false);

  public Bezoekers(Vertx vertx, Pool pool, Pseudonym pseudoniem, Clock clock) {
    this.pool = pool;
    this.pseudoniem = pseudoniem;
    this.clock = clock;
    zetDag(LocalDate.ofInstant(clock.instant(), Tijd.NL));
    this.loop = new BackgroundLoop(vertx, "visitors", 1_000, this::schrijf, e -> {})
        .every(24 * 3_600_000L, () -> pool.query(OPRUIMEN).execute());
  }

  @Override
  public void start() {
    loop.start();
  }

  @Override
  public Future<Void> stop() {
    return loop.stop().compose(v -> bewaarNu());
  }

  /** Writes the visitors not yet written (the loop does so every second). */
  public Future<Void> bewaarNu() {
    return schrijf().compose(meer -> meer ? bewaarNu() : Future.succeededFuture());
  }

  /** A citizen's request (a valid BSN: nine digits); cheap after the first of the day. */
  public void bezoek(String bsn) {
    if (clock.millis() >= volgendeDag) {
      dagWissel(LocalDate.ofInstant(clock.instant(), Tijd.NL));
    }
    int n = Integer.parseInt(bsn);
    synchronized (this) {
      if (vandaag.add(n)) {
        if (nieuwAantal == nieuw.length) {
          nieuw = Arrays.copyOf(nieuw, nieuw.length * 2);
        }
        nieuw[nieuwAantal++] = n;
      }
    }
  }

  private synchronized void dagWissel(LocalDate nu) {
    if (!nu.equals(dag)) {
      vandaag = new BsnSet();
      zetDag(nu);
    }
  }

  /** Open addressing over ints; a slot holds BSN + 1, so that 0 is free. */
  static final class BsnSet {
    private int[] slots = new int[4096];
    private int size;

    /** True when {@code bsn} was not in the set yet. */
    boolean add(int bsn) {
      int key = bsn + 1;
      int mask = slots.length - 1;
      int i = mix(key) & mask;
      while (slots[i] != 0) {
        if (slots[i] == key) {
          return false;
        }
        i = (i + 1) & mask;
      }
      slots[i] = key;
      if (++size * 2 > slots.length) {
        grow();
      }
      return true;
    }

    int size() {
      return size;
    }

    private void grow() {
      int[] old = slots;
      slots = new int[old.length * 2];
      int mask = slots.length - 1;
      for (int key : old) {
        if (key != 0) {
          int i = mix(key) & mask;
          while (slots[i] != 0) {
            i = (i + 1) & mask;
          }
          slots[i] = key;
        }
      }
    }

    private static int mix(int k) {
      int h = k * 0x9E3779B9;
      return h ^ (h >>> 16);
    }
  }

  private void zetDag(LocalDate d) {
    dag = d;
    volgendeDag = d.plusDays(1).atStartOfDay(Tijd.NL).toInstant().toEpochMilli();
  }

  /** One write at a time (the loop's and bewaarNu's): each takes the head of the list and removes it. */
  private Future<Boolean> schrijf() {
    synchronized (this) {
      Future<Boolean> na = lopend.transform(ar -> schrijfNu());
      lopend = na;
      return na;
    }
  }

  private Future<Boolean> schrijfNu() {
    int[] batch;
    synchronized (this) {
      if (nieuwAantal == 0) {
        return Future.succeededFuture(false);
      }
      batch = Arrays.copyOf(nieuw, Math.min(nieuwAantal, PER_KEER));
    }
    // written under the day of writing: a visit in the last minute before midnight counts the next
    // day
    String[] pseudoniemen = Arrays.stream(batch)
        .mapToObj(b -> pseudoniem.of(String.format("%09d", b)))
        .toArray(String[]::new);
    return pool.preparedQuery(SCHRIJF)
        .execute(Tuple.from(List.of(dag, pseudoniemen)))
        .map(r -> {
          synchronized (this) {
            // the batch is the head of the list; visitors added since stay behind it
            System.arraycopy(nieuw, batch.length, nieuw, 0, nieuwAantal - batch.length);
            nieuwAantal -= batch.length;
            return nieuwAantal > 0;
          }
        });
  }
}
