package nl.berichtenbox.api;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Senders for the fault drills: threads that each post one message at a time (closed loop), to
 * whichever engine {@code api} names at that moment, and record every outcome with its time. A
 * message answered 503 is kept aside for a retry after the fault, as a client that honours
 * {@code Retry-After} would.
 */
final class Intakebelasting implements AutoCloseable {
  /**
   * One request: when it ended (ms since the start), its message, its status (-1: no answer) and how
   * long it took.
   */
  record Uitkomst(
      long tijdMs, String berichtId, int status, boolean retryAfter, long duurMs, String fout) {
    /** When it was sent (ms since the start). */
    long beginMs() {
      return tijdMs - duurMs;
    }

    boolean geaccepteerd() {
      return status == 202 || status == 200;
    }
  }

  private final Supplier<Api> api;
  private final Api.Afnemer afnemer;
  private final List<String> bsns;
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final List<Uitkomst> uitkomsten = Collections.synchronizedList(new ArrayList<>());
  private final Set<String> geaccepteerd = ConcurrentHashMap.newKeySet();
  private final Map<String, JsonObject> teProberen = new ConcurrentHashMap<>();
  final long begin = System.nanoTime();

  Intakebelasting(Supplier<Api> api, Api.Afnemer afnemer, List<String> bsns, int aantal) {
    this.api = api;
    this.afnemer = afnemer;
    this.bsns = bsns;
    for (int i = 0; i < aantal; i++) {
      Thread t = new Thread(this::zend, "zender-" + i);
      t.setDaemon(true);
      threads.add(t);
    }
  }

  Intakebelasting start() {
    threads.forEach(Thread::start);
    return this;
  }

  long nu() {
    return (System.nanoTime() - begin) / 1_000_000;
  }

  private void zend() {
    while (!stop.get()) {
      JsonObject m = Api.bericht(bsns.get(ThreadLocalRandom.current().nextInt(bsns.size())));
      String id = m.getString("berichtId");
      long t0 = System.nanoTime();
      try {
        Api.Resp r = api.get().post("/api/v1/berichten", afnemer.key(), m);
        long duur = (System.nanoTime() - t0) / 1_000_000;
        uitkomsten.add(
            new Uitkomst(nu(), id, r.status(), r.header("Retry-After") != null, duur, null));
        if (r.status() == 202 || r.status() == 200) {
          geaccepteerd.add(id);
        } else {
          teProberen.put(id, m);
          if (r.header("Retry-After") != null) {
            // as a client should: wait what it was told (at most a second here), then send the next
            Thread.sleep(Math.min(1_000, Long.parseLong(r.header("Retry-After").trim()) * 1_000));
          }
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        long duur = (System.nanoTime() - t0) / 1_000_000;
        uitkomsten.add(new Uitkomst(
            nu(), id, -1, false, duur, String.valueOf(e.getCause() != null ? e.getCause() : e)));
        teProberen.put(id, m);
        try {
          Thread.sleep(50); // an engine that is not listening (a restart): do not spin
        } catch (InterruptedException ie) {
          return;
        }
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop.set(true);
    for (Thread t : threads) {
      t.join(60_000);
    }
  }

  /** The messages answered 202 or 200. */
  Set<String> geaccepteerd() {
    return geaccepteerd;
  }

  List<Uitkomst> uitkomsten() {
    synchronized (uitkomsten) {
      return new ArrayList<>(uitkomsten);
    }
  }

  /** Accepted messages per second between two moments (ms since the start). */
  double geaccepteerdPerSeconde(long vanMs, long totMs) {
    long n = uitkomsten().stream()
        .filter(u ->
            u.tijdMs() >= vanMs && u.tijdMs() < totMs && (u.status() == 202 || u.status() == 200))
        .count();
    return n * 1000.0 / Math.max(1, totMs - vanMs);
  }

  /** Outcomes by status (-1: no answer). */
  Map<Integer, Long> perStatus() {
    Map<Integer, Long> m = new TreeMap<>();
    uitkomsten().forEach(u -> m.merge(u.status(), 1L, Long::sum));
    return m;
  }

  /**
   * Sends again, as the client would after the fault, every message that was not accepted, until
   * each is (202, or 200: it was stored after all). Returns how many were found stored already.
   */
  int probeerOpnieuw(Api a, Duration binnen) throws InterruptedException {
    int alOpgeslagen = 0;
    long deadline = System.nanoTime() + binnen.toNanos();
    for (Map.Entry<String, JsonObject> e : new ArrayList<>(teProberen.entrySet())) {
      while (true) {
        int status;
        try {
          status = a.post("/api/v1/berichten", afnemer.key(), e.getValue()).status();
        } catch (RuntimeException x) {
          status = -1;
        }
        if (status == 200 || status == 202) {
          alOpgeslagen += status == 200 ? 1 : 0;
          geaccepteerd.add(e.getKey());
          teProberen.remove(e.getKey());
          break;
        }
        if (System.nanoTime() > deadline) {
          throw new AssertionError(
              "message " + e.getKey() + " still not accepted after the fault: " + status);
        }
        Thread.sleep(200);
      }
    }
    return alOpgeslagen;
  }
}
