package nl.berichtenbox.engine.metrics;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/**
 * A Prometheus histogram of durations with fixed buckets, for the request path: a record is a
 * bucket found among a dozen bounds and two {@link LongAdder} increments, which every event loop
 * can do at once without contending (Micrometer's timer, with its max and time windows, cost
 * about 370 ns a record from two threads; this about 95 ns: {@code MetricsBenchmark}). Read
 * at scrape time through the registry Micrometer's Prometheus registry writes.
 */
public final class BucketHistogram implements Collector {
  private final MetricMetadata metadata;
  private final String[] labelNames;
  private final long[] grenzenNs;
  private final double[] upperBounds;
  private final List<Series> allSeries = new CopyOnWriteArrayList<>();
  private final Map<List<String>, Series> perLabels = new ConcurrentHashMap<>();

  BucketHistogram(String metricName, String help, Duration[] bucketBounds, String... labelNames) {
    this.metadata = new MetricMetadata(metricName, help);
    this.labelNames = labelNames;
    this.grenzenNs = new long[bucketBounds.length];
    this.upperBounds = new double[bucketBounds.length + 1];
    for (int i = 0; i < bucketBounds.length; i++) {
      grenzenNs[i] = bucketBounds[i].toNanos();
      upperBounds[i] = bucketBounds[i].toNanos() / 1e9;
    }
    upperBounds[bucketBounds.length] = Double.POSITIVE_INFINITY;
  }

  /**
   * The series for these label values (in the order of the names), made on first use and the same
   * one after (every HTTP verticle asks for its routes'): look it up once and keep it.
   */
  public Series series(String... values) {
    return perLabels.computeIfAbsent(List.of(values), k -> {
      Series r = new Series(Labels.of(labelNames, values));
      allSeries.add(r);
      return r;
    });
  }

  /** One labelled series. */
  public final class Series {
    private final Labels labels;
    private final LongAdder[] tellingen = new LongAdder[grenzenNs.length + 1];
    private final LongAdder somNs = new LongAdder();

    private Series(Labels labels) {
      this.labels = labels;
      for (int i = 0; i < tellingen.length; i++) {
        tellingen[i] = new LongAdder();
      }
    }

    public void recordNanos(long nanos) {
      int i = 0;
      while (i < grenzenNs.length && nanos > grenzenNs[i]) {
        i++;
      }
      tellingen[i].increment();
      somNs.add(Math.max(0, nanos));
    }
  }

  @Override
  public HistogramSnapshot collect() {
    List<HistogramSnapshot.HistogramDataPointSnapshot> punten = new ArrayList<>(allSeries.size());
    for (Series r : allSeries) {
      long[] tellingen = new long[r.tellingen.length];
      for (int i = 0; i < tellingen.length; i++) {
        tellingen[i] = r.tellingen[i].sum();
      }
      punten.add(new HistogramSnapshot.HistogramDataPointSnapshot(
          ClassicHistogramBuckets.of(upperBounds, tellingen),
          r.somNs.sum() / 1e9,
          r.labels,
          Exemplars.EMPTY,
          0L));
    }
    return new HistogramSnapshot(metadata, punten);
  }

  @Override
  public String getPrometheusName() {
    return metadata.getPrometheusName();
  }
}
