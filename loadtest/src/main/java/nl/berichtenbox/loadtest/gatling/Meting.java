package nl.berichtenbox.loadtest.gatling;

import io.gatling.javaapi.core.Session;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.HdrHistogram.Histogram;

/**
 * Response times as the suite's summary and plots need them, besides Gatling's own report: per
 * request name an HdrHistogram of successful responses over the run and one per second (for the
 * percentiles-over-time and throughput plots). A request saves its time with
 * {@code check(responseTimeInMillis().saveAs("rt"))}; {@link #neem} records it.
 */
final class Meting {
  private static final Map<String, Series> REEKSEN = new ConcurrentHashMap<>();

  private Meting() {}

  private static final class Series {
    final long start = System.currentTimeMillis();
    final Histogram totaal = new Histogram(3_600_000L, 3);
    final TreeMap<Long, Histogram> perSeconde = new TreeMap<>();
    long mislukt;
    long eerste = Long.MAX_VALUE;
    long laatste;

    synchronized void neem(long ms, boolean ok) {
      long nu = System.currentTimeMillis();
      eerste = Math.min(eerste, nu);
      laatste = Math.max(laatste, nu);
      if (!ok) {
        mislukt++;
        return;
      }
      totaal.recordValue(Math.min(ms, 3_600_000L));
      perSeconde
          .computeIfAbsent((nu - start) / 1000, k -> new Histogram(3_600_000L, 2))
          .recordValue(Math.min(ms, 3_600_000L));
    }

    synchronized JsonObject json() {
      double seconden = Math.max(0.001, (laatste - eerste) / 1000.0);
      JsonArray reeks = new JsonArray();
      perSeconde.forEach((t, h) -> reeks.add(new JsonObject()
          .put("t", t)
          .put("n", h.getTotalCount())
          .put("p50", h.getValueAtPercentile(50))
          .put("p99", h.getValueAtPercentile(99))
          .put("p999", h.getValueAtPercentile(99.9))));
      return new JsonObject()
          .put("ok", totaal.getTotalCount())
          .put("ko", mislukt)
          .put("perSeconde", Math.round(totaal.getTotalCount() / seconden * 10) / 10.0)
          .put("p50", totaal.getValueAtPercentile(50))
          .put("p90", totaal.getValueAtPercentile(90))
          .put("p99", totaal.getValueAtPercentile(99))
          .put("p999", totaal.getValueAtPercentile(99.9))
          .put("max", totaal.getMaxValue())
          // the phase's first and last answer (epoch ms): the suite's CPU samples are cut by them
          .put("vanMs", eerste == Long.MAX_VALUE ? 0 : eerste)
          .put("totMs", laatste)
          .put("reeks", reeks);
    }
  }

  /** Records the response time saved as "rt" under {@code naam}, ok or not. */
  static Function<Session, Session> neem(String naam) {
    return s -> {
      if (s.contains("rt")) {
        REEKSEN.computeIfAbsent(naam, k -> new Series()).neem(s.getLong("rt"), !s.isFailed());
        return s.remove("rt");
      }
      REEKSEN.computeIfAbsent(naam, k -> new Series()).neem(0, false);
      return s;
    };
  }

  /** Records a duration measured by the simulation itself (a whole group, say). */
  static void neem(String naam, long ms, boolean ok) {
    REEKSEN.computeIfAbsent(naam, k -> new Series()).neem(ms, ok);
  }

  /** Writes every series of this run to {@code <simulatie>.json} in the results folder. */
  static void schrijf(String simulatie) {
    JsonObject o = new JsonObject();
    REEKSEN.forEach((naam, r) -> o.put(naam, r.json()));
    Suite.schrijf(simulatie, o);
  }
}
