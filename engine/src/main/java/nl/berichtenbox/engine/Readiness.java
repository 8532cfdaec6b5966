package nl.berichtenbox.engine;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Whether this process is ready to take work, and if not, why: one answer for
 * {@code /health/ready}, the heartbeats of the service-level record and the HTTP guard, so that
 * none of them can call the engine ready while another does not.
 */
public final class Readiness {
  /** Why the process is not ready; when several hold, the first in this order is named. */
  public enum Reden {
    AFSLUITEN("afsluiten", "de engine wordt afgesloten"),
    SCHIJF("schijf", "de schijf van de datamap is vol"),
    DATABASE("database", "PostgreSQL antwoordt niet"),
    KAFKA("kafka", "Kafka antwoordt niet");

    /** The reason as stored in {@code gereedheid_storing.reden}. */
    public final String code;
    /** The reason for a person reading {@code /health/ready}. */
    public final String tekst;

    Reden(String code, String tekst) {
      this.code = code;
      this.tekst = tekst;
    }
  }

  /**
   * One check's outcome.
   *
   * @param postgresql whether the database answered (not asked while draining: false)
   * @param kafka whether Kafka answered, true where the Kafka face is off (not asked while draining)
   * @param reden null when ready
   */
  public record Toestand(boolean postgresql, boolean kafka, Reden reden) {
    public boolean gereed() {
      return reden == null;
    }
  }

  private final Pool pool;
  private final Supplier<Future<Boolean>> kafka;
  private final BooleanSupplier schijfVol;
  private volatile boolean afsluiten;
  private volatile boolean weigeren;

  Readiness(Pool pool, Supplier<Future<Boolean>> kafka, BooleanSupplier schijfVol) {
    this.pool = pool;
    this.kafka = kafka;
    this.schijfVol = schijfVol;
  }

  /** From now on this process is not ready: it drains (SIGTERM). There is no way back. */
  void afsluiten() {
    afsluiten = true;
  }

  /** Whether this process drains (not ready, its heartbeat says so). */
  public boolean wordtAfgesloten() {
    return afsluiten;
  }

  /**
   * From now on new requests are refused (503 + Connection: close); until then a draining process
   * goes on serving, so a balancer that has not yet seen it unready sends no client into a refusal.
   */
  void weigerNieuweVerzoeken() {
    afsluiten = true;
    weigeren = true;
  }

  /** Whether this process refuses new requests (the last part of a drain). */
  public boolean weigertNieuweVerzoeken() {
    return weigeren;
  }

  /** Whether the data directory is short of space: the process takes no writes. */
  public boolean schijfVol() {
    return schijfVol.getAsBoolean();
  }

  /** Asks the database and Kafka (each bounded in time); never fails, never blocks the caller. */
  public Future<Toestand> toets() {
    if (afsluiten) {
      return Future.succeededFuture(new Toestand(false, false, Reden.AFSLUITEN));
    }
    Future<Boolean> pg =
        pool.query("SELECT 1").execute().timeout(2, TimeUnit.SECONDS).map(true).otherwise(false);
    Future<Boolean> k = kafka.get().timeout(3, TimeUnit.SECONDS).otherwise(false);
    return Future.join(pg, k).transform(ar -> {
      boolean p = pg.result();
      boolean q = k.result();
      Reden r = afsluiten
          ? Reden.AFSLUITEN
          : schijfVol() ? Reden.SCHIJF : !p ? Reden.DATABASE : !q ? Reden.KAFKA : null;
      return Future.succeededFuture(new Toestand(p, q, r));
    });
  }
}
