package nl.berichtenbox.engine.metrics;

import java.time.Duration;

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
  public static final Duration[] VERWERKING = ms(
      10,
      25,
      50,
      100,
      250,
      500,
      1000,
      2500,
      5000,
      10_000,
      30_000,
      60_000,
      300_000,
      900_000,
      3_600_000,
      21_600_000,
      86_400_000);
  /** Receipt to afnemer (push, Kafka): seconds normally, up to the push give-up time (6 days). */
  public static final Duration[] DOORGIFTE = ms(
      10,
      50,
      100,
      250,
      500,
      1000,
      2500,
      5000,
      10_000,
      30_000,
      60_000,
      300_000,
      900_000,
      3_600_000,
      21_600_000,
      86_400_000,
      518_400_000);
  /** Event-loop lateness: anything over a few ms shows in every answer. */
  public static final Duration[] LUS = ms(0.25, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 1000);
  /** Messages per intake transaction. */
  public static final double[] GROOTTE = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000};

  private static Duration[] ms(double... waarden) {
    Duration[] out = new Duration[waarden.length];
    for (int i = 0; i < waarden.length; i++) {
      out[i] = Duration.ofNanos(Math.round(waarden[i] * 1_000_000));
    }
    return out;
  }
}
