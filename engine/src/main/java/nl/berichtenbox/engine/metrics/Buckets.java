package nl.berichtenbox.engine.metrics;

import java.time.Duration;
import java.util.Arrays;

/**
 * The histograms' bucket bounds, chosen around the norms they serve: a quantile read from buckets
 * is only as exact as the bucket it falls in, so each norm and target is a bound of its own.
 */
public final class Buckets {
  private Buckets() {}

  /** HTTP answers: the presentation target (5 ms p99.9) and norm (200 ms p99.9), the intake target (50 ms p99). */
  public static final Duration[] HTTP =
      ms(0.5, 1, 2, 3, 5, 7.5, 10, 25, 50, 100, 200, 500, 1000, 2500, 5000, 10000);
  /** Intake transactions and the wait before one. */
  public static final Duration[] COMMIT =
      ms(0.5, 1, 2, 3, 5, 7.5, 10, 25, 50, 100, 250, 500, 1000, 5000);
  /** Parked to processed: the target (1 s p99) up to the norm (24 h). */
  public static final Duration[] VERWERKING =
      s(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 21600, 86400);
  /** Receipt to afnemer (push, Kafka): seconds normally, up to the push give-up time (6 days). */
  public static final Duration[] DOORGIFTE =
      s(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 21600, 86400, 518400);
  /** Event-loop lateness: anything over a few ms shows in every answer. */
  public static final Duration[] LUS = ms(0.25, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 1000);
  /** Messages per intake transaction. */
  public static final double[] GROOTTE = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000};

  private static Duration[] ms(double... millis) {
    Duration[] out = new Duration[millis.length];
    for (int i = 0; i < millis.length; i++) {
      out[i] = Duration.ofNanos(Math.round(millis[i] * 1_000_000));
    }
    return out;
  }

  private static Duration[] s(double... seconds) {
    return ms(Arrays.stream(seconds).map(x -> x * 1000).toArray());
  }
}
