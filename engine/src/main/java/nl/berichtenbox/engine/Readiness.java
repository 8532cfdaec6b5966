package nl.berichtenbox.engine;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import nl.berichtenbox.engine.support.Component;

/**
 * Whether this process is ready to take work, and if not, why: one answer for
 * {@code /health/ready}, the heartbeats of the service-level record and the HTTP guard, so that
 * none of them can call the engine ready while another does not. The answer is the parts'
 * own ({@link Component#ready()}): each part the process depends on is registered with the reason
 * named when it is not ready.
 */
public final class Readiness {
  /** The longest a part's check is waited for; a part that has not answered by then is not ready. */
  private static final long CHECK_TIMEOUT_MS = 3_000;

  /** Why the process is not ready; when several hold, the first in this order is named. */
  public enum Reason {
    DRAINING("afsluiten", "de engine wordt afgesloten"),
    DISK("schijf", "de schijf van de datamap is vol"),
    DATABASE("database", "PostgreSQL antwoordt niet"),
    KAFKA("kafka", "Kafka antwoordt niet");

    /** The reason as stored in {@code gereedheid_storing.reden} and shown by /health/ready. */
    public final String code;
    /** The reason for a person reading {@code /health/ready}. */
    public final String text;

    Reason(String code, String text) {
      this.code = code;
      this.text = text;
    }
  }

  /**
   * One check's outcome.
   *
   * @param parts each registered part's answer, by the reason it stands for (empty while draining:
   *     nothing is asked then)
   * @param reason null when ready
   */
  public record State(Map<Reason, Boolean> parts, Reason reason) {
    public boolean ready() {
      return reason == null;
    }

    /** Whether the part answered; true for a part this process does not run (Kafka off). */
    public boolean up(Reason part) {
      return parts.getOrDefault(part, true);
    }
  }

  private final BooleanSupplier diskFull;
  private final Map<Reason, Component> parts = new EnumMap<>(Reason.class);
  private volatile boolean draining;
  private volatile boolean refusing;

  /** {@code diskFull}: read on every write request, so a plain flag, not a check. */
  Readiness(BooleanSupplier diskFull) {
    this.diskFull = diskFull;
  }

  /** From now on {@code part} is asked on every check; not ready with {@code reason} when it says so. */
  synchronized void register(Reason reason, Component part) {
    if (reason == Reason.DRAINING) {
      throw new IllegalArgumentException("draining is the process's own state, not a part's");
    }
    parts.put(reason, part);
  }

  /** From now on this process is not ready: it drains (SIGTERM). There is no way back. */
  void drain() {
    draining = true;
  }

  /** Whether this process drains (not ready, its heartbeat says so). */
  public boolean draining() {
    return draining;
  }

  /**
   * From now on new requests are refused (503 + Connection: close); until then a draining process
   * goes on serving, so a balancer that has not yet seen it unready sends no client into a refusal.
   */
  void refuseNewRequests() {
    draining = true;
    refusing = true;
  }

  /** Whether this process refuses new requests (the last part of a drain). */
  public boolean refusesNewRequests() {
    return refusing;
  }

  /** Whether the data directory is short of space: the process takes no writes. */
  public boolean diskFull() {
    return diskFull.getAsBoolean();
  }

  /** Asks every registered part at once (each bounded in time); never fails, never blocks. */
  public Future<State> check() {
    if (draining) {
      return Future.succeededFuture(new State(Map.of(), Reason.DRAINING));
    }
    List<Reason> reasons;
    List<Future<Boolean>> answers = new ArrayList<>();
    synchronized (this) {
      reasons = new ArrayList<>(parts.keySet());
      for (Component part : parts.values()) {
        answers.add(
            part.ready().timeout(CHECK_TIMEOUT_MS, TimeUnit.MILLISECONDS).otherwise(false));
      }
    }
    return Future.join(answers).transform(ar -> {
      Map<Reason, Boolean> up = new EnumMap<>(Reason.class);
      Reason reason = draining ? Reason.DRAINING : null;
      for (int i = 0; i < reasons.size(); i++) {
        boolean ok = answers.get(i).result();
        up.put(reasons.get(i), ok);
        if (!ok && reason == null) {
          reason = reasons.get(i); // EnumMap: in the order of Reason
        }
      }
      return Future.succeededFuture(new State(up, reason));
    });
  }
}
