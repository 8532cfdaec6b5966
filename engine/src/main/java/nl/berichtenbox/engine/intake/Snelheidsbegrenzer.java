package nl.berichtenbox.engine.intake;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-afnemer token bucket on intake ({@code limietPerSeconde} from beheer): a bucket holds at
 * most one second's worth of messages and refills continuously. A request is admitted while the
 * bucket is not empty and then pays for all its messages, which may run the bucket into debt, so
 * a batch of 1000 is never refused for its size alone; the next request waits out the debt
 * (429 with Retry-After). Per process: N processes allow N times the limit in total.
 */
public final class Snelheidsbegrenzer {
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

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
  public long neem(String oin, Integer limietPerSeconde, int n) {
    if (limietPerSeconde == null || limietPerSeconde <= 0) {
      return 0;
    }
    long now = System.nanoTime();
    return buckets.computeIfAbsent(oin, k -> new Bucket(limietPerSeconde, now)).take(limietPerSeconde, n, now, false);
  }

  /** Charges messages already taken in (a streamed batch is charged when its size is known). */
  public void betaal(String oin, Integer limietPerSeconde, int n) {
    if (limietPerSeconde != null && limietPerSeconde > 0 && n > 0) {
      long now = System.nanoTime();
      buckets.computeIfAbsent(oin, k -> new Bucket(limietPerSeconde, now)).take(limietPerSeconde, n, now, true);
    }
  }
}
