package nl.berichtenbox.engine.intake;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;

/**
 * Per-afnemer token bucket on intake ({@code limietPerSeconde} from beheer): a bucket holds at
 * most one second's worth of messages and refills continuously. A request is admitted while the
 * bucket is not empty and then pays for all its messages, which may run the bucket into debt, so
 * a batch of 1000 is never refused for its size alone; the next request waits out the debt
 * (429 with Retry-After).
 *
 * <p>The limit is the service's: with N processes ready (their heartbeats, {@code
 * berichtenbox_processen_gereed}) each admits its share, the limit divided by N, rounded up. A
 * balancer that spreads an afnemer's requests evenly then lets the limit through in total; one that
 * sends all of them to one process lets through its share only (less, never more). A process that
 * dies stops counting within 45 s; meanwhile the others admit a little less.
 */
public final class RateLimiter {
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
  private final IntSupplier processen;

  /** @param processen how many processes share the limits now (at least 1 is assumed) */
  public RateLimiter(IntSupplier processen) {
    this.processen = processen;
  }

  /** This process's share of a limit per second. */
  int aandeel(int limietPerSeconde) {
    int n = Math.max(1, processen.getAsInt());
    return Math.max(1, (limietPerSeconde + n - 1) / n);
  }

  private static final class Bucket {
    private double tokens;
    private long last;

    Bucket(int rate, long now) {
      this.tokens = rate;
      this.last = now;
    }

    synchronized long take(int rate, int n, long now, boolean always) {
      tokens = Math.min(rate, tokens + (now - last) / 1e9 * rate);
      last = now;
      if (tokens <= 0 && !always) {
        return Math.max(1, (long) Math.ceil(-tokens / rate + 1.0 / rate));
      }
      tokens -= n;
      return 0;
    }
  }

  /**
   * Takes {@code n} messages' worth for {@code oin}; 0 when admitted, else the seconds to wait.
   * A null or non-positive limit means no limit.
   */
  public long admit(String oin, Integer limietPerSeconde, int n) {
    if (limietPerSeconde == null || limietPerSeconde <= 0) {
      return 0;
    }
    long now = System.nanoTime();
    int rate = aandeel(limietPerSeconde);
    return buckets.computeIfAbsent(oin, k -> new Bucket(rate, now)).take(rate, n, now, false);
  }

  /** Charges messages already taken in (a streamed batch is charged when its size is known). */
  public void charge(String oin, Integer limietPerSeconde, int n) {
    if (limietPerSeconde != null && limietPerSeconde > 0 && n > 0) {
      long now = System.nanoTime();
      int rate = aandeel(limietPerSeconde);
      buckets.computeIfAbsent(oin, k -> new Bucket(rate, now)).take(rate, n, now, true);
    }
  }
}
