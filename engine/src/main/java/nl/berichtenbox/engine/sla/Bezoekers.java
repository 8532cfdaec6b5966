package nl.berichtenbox.engine.sla;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.LocalDate;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import nl.berichtenbox.engine.support.BackgroundLoop;
import nl.berichtenbox.engine.support.Pseudoniem;

/**
 * Visitors for the monthly report (SNO 4.3): the citizens who used the portal API, per day
 * (Europe/Amsterdam). The request path only adds the BSN to an in-memory set (once per citizen per
 * day and process); a minute's new visitors are written in one statement, under their pseudonym
 * (HMAC of the BSN, never the BSN), so the month's count is exact across processes.
 */
public final class Bezoekers {
  private static final String SCHRIJF = """
      INSERT INTO bezoek (dag, pseudoniem) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING""";
  private static final String OPRUIMEN = "DELETE FROM bezoek WHERE dag < current_date - 400";

  private final Pool pool;
  private final Pseudoniem pseudoniem;
  private final Clock clock;
  private final BackgroundLoop loop;
  private volatile LocalDate dag;
  private volatile long volgendeDag;
  private volatile Set<String> vandaag = ConcurrentHashMap.newKeySet();
  private final Set<String> nieuw = ConcurrentHashMap.newKeySet();

  public Bezoekers(Vertx vertx, Pool pool, Pseudoniem pseudoniem, Clock clock) {
    this.pool = pool;
    this.pseudoniem = pseudoniem;
    this.clock = clock;
    zetDag(LocalDate.ofInstant(clock.instant(), Kantooruren.ZONE));
    this.loop = new BackgroundLoop(vertx, "visitors", 60_000, this::schrijf, e -> { })
        .every(24 * 3_600_000L, () -> pool.query(OPRUIMEN).execute());
  }

  public void start() {
    loop.start();
  }

  public Future<Void> stop() {
    return loop.stop().compose(v -> schrijf()).mapEmpty();
  }

  /** Writes the visitors not yet written (the loop does so every minute). */
  public Future<Void> bewaarNu() {
    return schrijf().compose(meer -> meer ? bewaarNu() : Future.succeededFuture());
  }

  /** A citizen's request; cheap after the first of the day. */
  public void bezoek(String bsn) {
    if (clock.millis() >= volgendeDag) {
      dagWissel(LocalDate.ofInstant(clock.instant(), Kantooruren.ZONE));
    }
    if (vandaag.add(bsn)) {
      nieuw.add(bsn);
    }
  }

  private synchronized void dagWissel(LocalDate nu) {
    if (!nu.equals(dag)) {
      vandaag = ConcurrentHashMap.newKeySet();
      zetDag(nu);
    }
  }

  private void zetDag(LocalDate d) {
    dag = d;
    volgendeDag = d.plusDays(1).atStartOfDay(Kantooruren.ZONE).toInstant().toEpochMilli();
  }

  private Future<Boolean> schrijf() {
    if (nieuw.isEmpty()) {
      return Future.succeededFuture(false);
    }
    String[] batch = nieuw.stream().limit(10_000).toArray(String[]::new);
    // written under the day of writing: a visit in the last minute before midnight counts the next day
    String[] pseudoniemen = java.util.Arrays.stream(batch).map(pseudoniem::van).toArray(String[]::new);
    return pool.preparedQuery(SCHRIJF).execute(Tuple.from(java.util.List.of(dag, pseudoniemen))).map(r -> {
      for (String b : batch) {
        nieuw.remove(b);
      }
      return !nieuw.isEmpty();
    });
  }
}
