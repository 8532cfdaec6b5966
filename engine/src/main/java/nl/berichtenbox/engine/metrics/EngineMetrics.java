package nl.berichtenbox.engine.metrics;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The engine's own counters and latency histograms, shared by every event loop (LongAdder and
 * HdrHistogram's Recorder are safe and cheap for many writers), rendered as Prometheus text.
 */
public final class EngineMetrics {
  public final LongAdder berichtenGeparkeerd = new LongAdder();
  public final LongAdder berichtenReplay = new LongAdder();
  public final LongAdder berichtenAfgewezenBijOntvangst = new LongAdder();
  public final LongAdder groupCommits = new LongAdder();
  public final LongAdder groupCommitMessages = new LongAdder();
  public final LongAdder groupCommitFailures = new LongAdder();
  public final LongAdder intakeShed = new LongAdder();
  public final LongAdder verwerkt = new LongAdder();
  public final LongAdder verwerkingRondes = new LongAdder();
  public final LongAdder verwerkingFouten = new LongAdder();
  public final LongAdder pushAfgeleverd = new LongAdder();
  public final LongAdder pushMislukt = new LongAdder();
  public final LongAdder pushOnbestelbaar = new LongAdder();
  public final LongAdder notificatiesInWachtrij = new LongAdder();
  public final LongAdder notificatiesVerzonden = new LongAdder();
  public final LongAdder notificatiesPogingMislukt = new LongAdder();
  public final LongAdder notificatiesMislukt = new LongAdder();
  public final LongAdder notificatiesVervallen = new LongAdder();
  /** Queue gauges, read from the database every 5 s by the notifier (all processes' queue). */
  public final java.util.concurrent.atomic.AtomicLong notificatiesWachtend = new java.util.concurrent.atomic.AtomicLong();
  public final java.util.concurrent.atomic.AtomicLong notificatieOudsteWachtendMs = new java.util.concurrent.atomic.AtomicLong();
  /** Kafka records handed to intake and not yet committed; its peak; how often consumption paused. */
  public final java.util.concurrent.atomic.AtomicLong kafkaInFlight = new java.util.concurrent.atomic.AtomicLong();
  public final java.util.concurrent.atomic.AtomicLong kafkaInFlightPiek = new java.util.concurrent.atomic.AtomicLong();
  public final LongAdder kafkaPauzes = new LongAdder();
  /** Times the relays' Kafka producer was replaced after a send failed on its sequence or epoch (see Producent). */
  public final LongAdder kafkaProducentVervangen = new LongAdder();
  public final LongAdder httpRequests = new LongAdder();
  /** Bytes free in the data directory (-1 while unknown or the guard is off). */
  public final java.util.concurrent.atomic.AtomicLong dataVrijBytes = new java.util.concurrent.atomic.AtomicLong(-1);
  public final LongAdder httpShed = new LongAdder();
  /** Engine processes that said they were ready in the last 45 s (heartbeats), this one included; 0 while unknown. */
  public final java.util.concurrent.atomic.AtomicInteger processenGereed = new java.util.concurrent.atomic.AtomicInteger();
  /** Requests answered 503 because no answer was ready within the answer deadline (the database held them). */
  public final LongAdder httpTeLaat = new LongAdder();
  /** Connections closed because a request's head or body came too slowly (slowloris, slow POST). */
  public final LongAdder httpTraagGesloten = new LongAdder();
  /** Requests under way in this process (the overload guard's measure). */
  public final java.util.concurrent.atomic.AtomicInteger httpInFlight = new java.util.concurrent.atomic.AtomicInteger();
  /** Bytes of request bodies under way in this process (the overload guard's second measure). */
  public final java.util.concurrent.atomic.AtomicLong httpBodyBytesInFlight = new java.util.concurrent.atomic.AtomicLong();
  public final LongAdder http4xx = new LongAdder();
  public final LongAdder http5xx = new LongAdder();
  public final Latency commitLatency = new Latency();
  public final Latency verwerkingsduur = new Latency();
  /** Citizen (portal) requests, arrival to response written: the agreement's presentation time. */
  public final Latency presentatie = new Latency();

  /** A cumulative latency histogram in microseconds, 1 µs to 1 h. */
  public static final class Latency {
    private final Recorder recorder = new Recorder(3_600_000_000L, 2);
    private final Histogram total = new Histogram(3_600_000_000L, 2);
    private final Histogram sindsAfgifte = new Histogram(3_600_000_000L, 2);

    public void recordNanos(long nanos) {
      recorder.recordValue(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMicros(nanos), 3_600_000_000L)));
    }

    public void recordMicros(long micros) {
      recorder.recordValue(Math.max(1, Math.min(micros, 3_600_000_000L)));
    }

    synchronized Histogram snapshot() {
      Histogram interval = recorder.getIntervalHistogram();
      total.add(interval);
      sindsAfgifte.add(interval);
      return total.copy();
    }

    /** What was recorded since the last call (for the hourly histograms kept in the database). */
    public synchronized Histogram afgifte() {
      snapshot();
      Histogram out = sindsAfgifte.copy();
      sindsAfgifte.reset();
      return out;
    }
  }

  public String prometheus() {
    StringBuilder sb = new StringBuilder(4096);
    counter(sb, "berichtenbox_berichten_geparkeerd_total", "messages durably parked", berichtenGeparkeerd);
    counter(sb, "berichtenbox_berichten_replay_total", "idempotent re-deliveries answered", berichtenReplay);
    counter(sb, "berichtenbox_berichten_afgewezen_bij_ontvangst_total", "messages refused on arrival",
        berichtenAfgewezenBijOntvangst);
    counter(sb, "berichtenbox_group_commits_total", "intake transactions", groupCommits);
    counter(sb, "berichtenbox_group_commit_berichten_total", "messages written by intake transactions",
        groupCommitMessages);
    counter(sb, "berichtenbox_group_commit_failures_total", "intake transactions that failed", groupCommitFailures);
    counter(sb, "berichtenbox_intake_shed_total", "intake requests answered 503 because the queue was full",
        intakeShed);
    counter(sb, "berichtenbox_verwerkt_total", "messages and refusals given a receipt by processing", verwerkt);
    counter(sb, "berichtenbox_verwerking_rondes_total", "processing transactions", verwerkingRondes);
    counter(sb, "berichtenbox_verwerking_fouten_total", "processing transactions that failed", verwerkingFouten);
    counter(sb, "berichtenbox_push_afgeleverd_total", "receipts pushed to a callbackUrl and accepted", pushAfgeleverd);
    counter(sb, "berichtenbox_push_mislukt_total", "push attempts that failed (to be retried)", pushMislukt);
    counter(sb, "berichtenbox_push_onbestelbaar_total", "receipts given up after the give-up time", pushOnbestelbaar);
    counter(sb, "berichtenbox_notificaties_in_wachtrij_total", "e-mails queued or joined by this process",
        notificatiesInWachtrij);
    counter(sb, "berichtenbox_notificaties_verzonden_total", "e-mails accepted by the SMTP server (or written as .eml)",
        notificatiesVerzonden);
    counter(sb, "berichtenbox_notificaties_poging_mislukt_total", "send attempts that failed temporarily (retried)",
        notificatiesPogingMislukt);
    counter(sb, "berichtenbox_notificaties_mislukt_total", "e-mails failed for good (SMTP 5xx or given up)",
        notificatiesMislukt);
    counter(sb, "berichtenbox_notificaties_vervallen_total", "queued e-mails dropped: the citizen turned e-mail off",
        notificatiesVervallen);
    sb.append("# HELP berichtenbox_notificaties_wachtend e-mails queued and not yet sent (all processes)\n")
        .append("# TYPE berichtenbox_notificaties_wachtend gauge\n")
        .append("berichtenbox_notificaties_wachtend ").append(notificatiesWachtend.get()).append('\n');
    sb.append("# HELP berichtenbox_notificatie_oudste_wachtend_seconds age of the oldest unsent e-mail\n")
        .append("# TYPE berichtenbox_notificatie_oudste_wachtend_seconds gauge\n")
        .append("berichtenbox_notificatie_oudste_wachtend_seconds ")
        .append(String.format(Locale.ROOT, "%.3f", notificatieOudsteWachtendMs.get() / 1000.0)).append('\n');
    sb.append("# HELP berichtenbox_kafka_in_flight Kafka records handed to intake, not yet committed\n")
        .append("# TYPE berichtenbox_kafka_in_flight gauge\n")
        .append("berichtenbox_kafka_in_flight ").append(kafkaInFlight.get()).append('\n');
    counter(sb, "berichtenbox_kafka_pauzes_total", "times Kafka consumption paused at the in-flight limit", kafkaPauzes);
    counter(sb, "berichtenbox_kafka_producent_vervangen_total",
        "times the relays' Kafka producer was replaced after a send failed on its sequence or epoch", kafkaProducentVervangen);
    counter(sb, "berichtenbox_http_requests_total", "HTTP requests answered", httpRequests);
    long naGc = 0;
    for (java.lang.management.MemoryPoolMXBean pool : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
      java.lang.management.MemoryUsage u = pool.getCollectionUsage();
      if (pool.getType() == java.lang.management.MemoryType.HEAP && u != null) {
        naGc += u.getUsed();
      }
    }
    sb.append("# HELP berichtenbox_jvm_heap_na_gc_bytes heap in use after the last collection of each pool (what is live)\n")
        .append("# TYPE berichtenbox_jvm_heap_na_gc_bytes gauge\n")
        .append("berichtenbox_jvm_heap_na_gc_bytes ").append(naGc).append('\n');
    sb.append("# HELP berichtenbox_jvm_heap_max_bytes the heap's maximum\n# TYPE berichtenbox_jvm_heap_max_bytes gauge\n")
        .append("berichtenbox_jvm_heap_max_bytes ").append(Runtime.getRuntime().maxMemory()).append('\n');
    sb.append("# HELP berichtenbox_data_vrij_bytes bytes free in the data directory (-1: not looked at)\n")
        .append("# TYPE berichtenbox_data_vrij_bytes gauge\n")
        .append("berichtenbox_data_vrij_bytes ").append(dataVrijBytes.get()).append('\n');
    counter(sb, "berichtenbox_http_4xx_total", "HTTP requests answered 4xx", http4xx);
    counter(sb, "berichtenbox_http_shed_total", "requests answered 503 by the overload guard", httpShed);
    counter(sb, "berichtenbox_http_deadline_total", "requests answered 503 because their answer was not ready within "
        + "BERICHTENBOX_HTTP_ANTWOORD_TIMEOUT (the database held them: a commit waiting for an absent synchronous standby)",
        httpTeLaat);
    counter(sb, "berichtenbox_http_slow_closed_total", "connections closed because a request's head or body came too slowly",
        httpTraagGesloten);
    sb.append("# HELP berichtenbox_processen_gereed engine processes ready in the last 45 s (heartbeats); an afnemer's "
        + "rate limit is shared among them\n# TYPE berichtenbox_processen_gereed gauge\n")
        .append("berichtenbox_processen_gereed ").append(processenGereed.get()).append('\n');
    sb.append("# HELP berichtenbox_http_in_flight requests under way\n# TYPE berichtenbox_http_in_flight gauge\n")
        .append("berichtenbox_http_in_flight ").append(httpInFlight.get()).append('\n');
    counter(sb, "berichtenbox_http_5xx_total", "HTTP requests answered 5xx", http5xx);
    summary(sb, "berichtenbox_intake_commit_seconds", "duration of an intake transaction", commitLatency);
    summary(sb, "berichtenbox_verwerkingsduur_seconds", "parked to processed, per message", verwerkingsduur);
    summary(sb, "berichtenbox_presentatie_seconds", "citizen (portal) requests, arrival to response", presentatie);
    return sb.toString();
  }

  private static void counter(StringBuilder sb, String name, String help, LongAdder v) {
    sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
    sb.append("# TYPE ").append(name).append(" counter\n");
    sb.append(name).append(' ').append(v.sum()).append('\n');
  }

  private static void summary(StringBuilder sb, String name, String help, Latency l) {
    Histogram h = l.snapshot();
    sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
    sb.append("# TYPE ").append(name).append(" summary\n");
    for (double q : new double[] {0.5, 0.99, 0.999}) {
      sb.append(name).append("{quantile=\"").append(q).append("\"} ")
          .append(String.format(Locale.ROOT, "%.6f", h.getValueAtPercentile(q * 100) / 1e6)).append('\n');
    }
    sb.append(name).append("_count ").append(h.getTotalCount()).append('\n');
    sb.append(name).append("_sum ")
        .append(String.format(Locale.ROOT, "%.6f", h.getMean() * h.getTotalCount() / 1e6)).append('\n');
  }
}
