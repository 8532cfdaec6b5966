package nl.berichtenbox.engine.metrics;

import com.sun.management.OperatingSystemMXBean;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import nl.berichtenbox.engine.support.BackgroundLoop;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The engine's metrics in one Micrometer registry, scraped as Prometheus text on {@code /metrics}.
 *
 * <p>Counters stay plain {@link LongAdder}s on the hot path (read by the registry at scrape time);
 * latencies are Prometheus histograms with fixed buckets chosen around the agreement's norms, so
 * that {@code histogram_quantile(0.999, sum by (le) (rate(..._bucket[5m])))} over every process
 * gives the service's figure (quantiles of separate processes cannot be combined). The buckets of
 * each are in {@link Buckets}; docs/operations.md lists every metric.
 */
public final class EngineMetrics {
  private final PrometheusMeterRegistry registry = newRegistry();

  public final LongAdder berichtenGeparkeerd =
      counter("berichtenbox.berichten.geparkeerd", "messages durably parked");
  public final LongAdder berichtenReplay =
      counter("berichtenbox.berichten.replay", "idempotent re-deliveries answered");
  public final LongAdder berichtenAfgewezenBijOntvangst =
      counter("berichtenbox.berichten.afgewezen.bij.ontvangst", "messages refused on arrival");
  public final LongAdder groupCommits =
      counter("berichtenbox.group.commits", "intake transactions");
  public final LongAdder groupCommitMessages =
      counter("berichtenbox.group.commit.berichten", "messages written by intake transactions");
  public final LongAdder groupCommitFailures =
      counter("berichtenbox.group.commit.failures", "intake transactions that failed");
  public final LongAdder intakeShed = counter(
      "berichtenbox.intake.shed", "intake requests answered 503 because the queue was full");
  public final LongAdder verwerkt =
      counter("berichtenbox.verwerkt", "messages and refusals given a receipt by processing");
  public final LongAdder verwerkingRondes =
      counter("berichtenbox.verwerking.rondes", "processing transactions");
  public final LongAdder verwerkingFouten =
      counter("berichtenbox.verwerking.fouten", "processing transactions that failed");
  /** Whether the second round (issue 21) runs, and when it gives way to intake. */
  public final LongAdder verwerkingRondesNaast = counter(
      "berichtenbox.verwerking.rondes.naast",
      "processing transactions begun beside another (by the lanes after the first)");

  public final LongAdder verwerkingVoorrang = counter(
      "berichtenbox.verwerking.voorrang",
      "processing rounds that found a backlog and left the next lane idle: intake at its limit");
  public final LongAdder intakeVerzadigd = counter(
      "berichtenbox.intake.verzadigd",
      "intake requests that found every intake transaction under way and waited for one");
  public final LongAdder pushAfgeleverd =
      counter("berichtenbox.push.afgeleverd", "receipts pushed to a callbackUrl and accepted");
  public final LongAdder pushMislukt =
      counter("berichtenbox.push.mislukt", "push attempts that failed (to be retried)");
  public final LongAdder pushOnbestelbaar =
      counter("berichtenbox.push.onbestelbaar", "receipts given up after the give-up time");
  public final LongAdder notificatiesInWachtrij =
      counter("berichtenbox.notificaties.in.wachtrij", "e-mails queued or joined by this process");
  public final LongAdder notificatiesVerzonden = counter(
      "berichtenbox.notificaties.verzonden",
      "e-mails accepted by the SMTP server (or written as .eml)");
  public final LongAdder notificatiesPogingMislukt = counter(
      "berichtenbox.notificaties.poging.mislukt",
      "send attempts that failed temporarily (retried)");
  public final LongAdder notificatiesMislukt = counter(
      "berichtenbox.notificaties.mislukt", "e-mails failed for good (SMTP 5xx or given up)");
  public final LongAdder notificatiesVervallen = counter(
      "berichtenbox.notificaties.vervallen",
      "queued e-mails dropped: the citizen turned e-mail off");
  /** Queue gauges, read from the database every 5 s by the notifier (all processes' queue). */
  public final AtomicLong notificatiesWachtend = meter(
      "berichtenbox.notificaties.wachtend",
      null,
      "e-mails queued and not yet sent (all processes)",
      new AtomicLong());

  /** Live updates (contract §7.2): the events written to streams. */
  public final LongAdder gebeurtenissenVerstuurd = counter(
      "berichtenbox.gebeurtenissen.verstuurd",
      "events written to event streams (bericht, gewijzigd, ongelezen, opnieuw-laden)");

  public final LongAdder gebeurtenissenLuisterVerbindingen = counter(
      "berichtenbox.gebeurtenissen.luisterverbindingen",
      "connections made for LISTEN (the first, and each after a loss or a failover)");

  public final AtomicLong notificatieOudsteWachtendMs = new AtomicLong();
  /** Age of the oldest parked message not yet processed, all processes (heartbeat, every 5 s). */
  public final AtomicLong verwerkingOudsteWachtendMs = new AtomicLong();
  /** Age of the oldest Abonnementservice request not yet answered, all processes (heartbeat). */
  public final AtomicLong abonnementOudsteOpenMs = new AtomicLong();
  /** Kafka records handed to intake and not yet committed; its peak; how often consumption paused. */
  public final AtomicLong kafkaInFlight = meter(
      "berichtenbox.kafka.in.flight",
      null,
      "Kafka records handed to intake, not yet committed",
      new AtomicLong());

  public final AtomicLong kafkaInFlightPiek = meter(
      "berichtenbox.kafka.in.flight.piek",
      null,
      "the most Kafka records in flight at once since the process started",
      new AtomicLong());
  public final LongAdder kafkaPauzes =
      counter("berichtenbox.kafka.pauzes", "times Kafka consumption paused at the in-flight limit");
  /** Times the relays' Kafka producer was replaced after a send failed on its sequence or epoch (see RelayProducer). */
  public final LongAdder kafkaProducentVervangen = counter(
      "berichtenbox.kafka.producent.vervangen",
      "times the relays' Kafka producer was replaced after a send failed on its sequence or epoch");
  /** The largest lag of the intake consumer over its partitions (records), -1 while unknown. */
  public final AtomicLong kafkaConsumentAchterstand = meter(
      "berichtenbox.kafka.consument.achterstand",
      null,
      "records on the intake topic not yet consumed by this process (the largest over its partitions; -1: unknown)",
      new AtomicLong(-1));

  public final LongAdder httpRequests =
      counter("berichtenbox.http.requests", "HTTP requests answered");
  /** Bytes free in the data directory (-1 while unknown or the guard is off). */
  public final AtomicLong dataVrijBytes = meter(
      "berichtenbox.data.vrij",
      "bytes",
      "bytes free in the data directory (-1: not looked at)",
      new AtomicLong(-1));

  public final LongAdder httpShed =
      counter("berichtenbox.http.shed", "requests answered 503 by the overload guard");
  /** 1 when this process was ready at its last heartbeat (every 20 s), 0 when not. */
  public final AtomicInteger gereed = meter(
      "berichtenbox.gereed",
      null,
      "1 when this process was ready at its last heartbeat (every 20 s), else 0",
      new AtomicInteger());
  /** Engine processes that said they were ready in the last 45 s (heartbeats), this one included; 0 while unknown. */
  public final AtomicInteger processenGereed = meter(
      "berichtenbox.processen.gereed",
      null,
      "engine processes ready in the last 45 s (heartbeats); an afnemer's rate limit is shared among them",
      new AtomicInteger());
  /** Requests answered 503 because no answer was ready within the answer deadline (the database held them). */
  public final LongAdder httpTeLaat = counter(
      "berichtenbox.http.deadline",
      "requests answered 503 because their answer "
          + "was not ready within BERICHTENBOX_HTTP_RESPONSE_TIMEOUT (the database held them)");
  /** Connections closed because a request's head or body came too slowly (slowloris, slow POST). */
  public final LongAdder httpTraagGesloten = counter(
      "berichtenbox.http.slow.closed",
      "connections closed because a request's head or body came too slowly");
  /** Open HTTP connections of this process (the connection cap's measure). */
  public final AtomicInteger httpConnections =
      meter("berichtenbox.http.connections", null, "open HTTP connections", new AtomicInteger());
  /** Connections opened past BERICHTENBOX_MAX_CONNECTIONS (answered 503 once, then closed). */
  public final LongAdder httpConnectionsRefused = counter(
      "berichtenbox.http.connections.refused",
      "connections opened past BERICHTENBOX_MAX_CONNECTIONS: a request on one is answered 503, then it is closed");
  /** Requests under way in this process (the overload guard's measure). */
  public final AtomicInteger httpInFlight =
      meter("berichtenbox.http.in.flight", null, "requests under way", new AtomicInteger());
  /** Bytes of request bodies under way in this process (the overload guard's second measure). */
  public final AtomicLong httpBodyBytesInFlight = meter(
      "berichtenbox.http.body.in.flight",
      "bytes",
      "bytes of request bodies under way (the overload guard's second measure)",
      new AtomicLong());

  public final LongAdder http4xx = counter("berichtenbox.http.4xx", "HTTP requests answered 4xx");
  public final LongAdder http5xx = counter("berichtenbox.http.5xx", "HTTP requests answered 5xx");

  public final BucketHistogram.Series commitLatency = histogram(
          "berichtenbox_intake_commit_seconds", "duration of an intake transaction", Buckets.COMMIT)
      .series();
  public final Latency verwerkingsduur = new Latency(histogram(
          "berichtenbox_verwerkingsduur_seconds",
          "parked to processed (receipt written), per message",
          Buckets.VERWERKING)
      .series());
  /**
   * Citizen (portal) requests, arrival to response written: the agreement's presentation time, kept
   * per hour for the monthly report. Prometheus has it already as the burger face of
   * {@link #httpServer} (histogram_quantile over {@code face="burger"}), so not a second time.
   */
  public final Latency presentatie = new Latency(null);
  /** Messages per intake transaction. */
  public final DistributionSummary groupCommitGrootte = DistributionSummary.builder(
          "berichtenbox.intake.commit.grootte")
      .description("messages per intake transaction")
      .serviceLevelObjectives(Buckets.GROOTTE)
      .register(registry);
  /** HTTP answer times by face, method, route template and status class (the API's HttpTimings records). */
  public final BucketHistogram httpServer = histogram(
      "berichtenbox_http_server_seconds",
      "HTTP requests, arrival to response written, by face, method, route and status class",
      Buckets.HTTP,
      "face",
      "method",
      "route",
      "status");
  /** How long a request waited in the group committer's queue before its transaction began. */
  public final BucketHistogram.Series groupCommitWacht = histogram(
          "berichtenbox_intake_commit_wacht_seconds",
          "time a request waited for its intake transaction to begin",
          Buckets.COMMIT)
      .series();
  /** Receipt written to pushed to the afnemer's callbackUrl and accepted (the oldest of each POST). */
  public final Timer pushVertraging = timer(
      "berichtenbox.push.vertraging",
      "receipt written to accepted by the afnemer's callbackUrl (the oldest receipt of each POST)",
      Buckets.DOORGIFTE);
  /** Receipt (or notification event) written to acknowledged by Kafka, per relay. */
  public final Timer kafkaRelayVerwerkingsberichten = timer(
      "berichtenbox.kafka.relay.vertraging",
      "record written to the outbox to acknowledged by Kafka",
      Buckets.DOORGIFTE,
      "relay",
      "verwerkingsberichten");

  public final Timer kafkaRelayNotificaties = timer(
      "berichtenbox.kafka.relay.vertraging",
      "record written to the outbox to acknowledged by Kafka",
      Buckets.DOORGIFTE,
      "relay",
      "notificaties");
  /** How late a timer on an event loop ran: the loop was busy (or blocked) that long. */
  public final Timer eventLoopVertraging = timer(
      "berichtenbox.event.loop.vertraging",
      "how late a 100 ms tick ran on an event loop: how long the loop was busy or blocked",
      Buckets.LUS);

  /**
   * Counts the rounds of a background loop as {@code berichtenbox_loop_rounds_total{loop=...}}: that
   * a stage's loop goes on turning (and, for a test, that it looked again after the last work). The
   * registry holds the loop weakly, as Micrometer holds every function's object: its owner keeps it.
   */
  public void loopRounds(String name, BackgroundLoop loop) {
    FunctionCounter.builder("berichtenbox.loop.rounds", loop, BackgroundLoop::rounds)
        .tag("loop", name)
        .description("rounds of a background loop finished (done or failed)")
        .register(registry);
  }

  /** The event streams open in this process, as their owner counts them. */
  public void gebeurtenisstromenOpen(IntSupplier open) {
    Gauge.builder("berichtenbox.gebeurtenisstromen.open", open::getAsInt)
        .description("event streams (/api/v1/berichtenbox/gebeurtenissen) open in this process")
        .register(registry);
  }

  public EngineMetrics() {
    Gauge.builder(
            "berichtenbox.notificatie.oudste.wachtend",
            notificatieOudsteWachtendMs,
            v -> v.get() / 1000.0)
        .description("age of the oldest unsent e-mail")
        .baseUnit("seconds")
        .register(registry);
    Gauge.builder(
            "berichtenbox.verwerking.oudste.wachtend",
            verwerkingOudsteWachtendMs,
            v -> v.get() / 1000.0)
        .description("age of the oldest parked message not yet processed (all processes; 0: none)")
        .baseUnit("seconds")
        .register(registry);
    Gauge.builder(
            "berichtenbox.abonnement.oudste.open", abonnementOudsteOpenMs, v -> v.get() / 1000.0)
        .description(
            "age of the oldest Abonnementservice request not yet answered (all processes; 0: none)")
        .baseUnit("seconds")
        .register(registry);
    // what is live after the last collection of each heap pool: the overload guard's and the
    // load runs' measure of what the heap holds (the JVM's own figures follow below)
    Gauge.builder("berichtenbox.jvm.heap.na.gc", () -> {
          long naGc = 0;
          for (var pool : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
            var u = pool.getCollectionUsage();
            if (pool.getType() == java.lang.management.MemoryType.HEAP && u != null) {
              naGc += u.getUsed();
            }
          }
          return naGc;
        })
        .description("heap in use after the last collection of each pool (what is live)")
        .baseUnit("bytes")
        .register(registry);
    Gauge.builder("berichtenbox.jvm.heap.max", () -> Runtime.getRuntime().maxMemory())
        .description("the heap's maximum")
        .baseUnit("bytes")
        .register(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof OperatingSystemMXBean os) {
      FunctionCounter.builder("process.cpu", os, o -> o.getProcessCpuTime() / 1e9)
          .baseUnit("seconds")
          .description("CPU time the process used")
          .register(registry);
    }
    new FileDescriptorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  private static PrometheusMeterRegistry newRegistry() {
    PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // Micrometer gives the process's CPU time in ns; Prometheus' own name has seconds (below)
    r.config().meterFilter(MeterFilter.denyNameStartsWith("process.cpu.time"));
    // a gauge named ..._count reads as a histogram's part to Prometheus (promtool check metrics
    // says so)
    r.config().meterFilter(MeterFilter.denyNameStartsWith("system.cpu.count"));
    return r;
  }

  /** The registry, for meters made elsewhere (HTTP routes, the database pool). */
  public MeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text exposition (format 0.0.4). */
  public String prometheus() {
    return registry.scrape();
  }

  /**
   * A latency for the monthly report: an HdrHistogram recorder whose intervals the heartbeat stores
   * per hour; and into a Prometheus histogram (for the fleet) when one is given.
   */
  public static final class Latency {
    private final Recorder recorder = new Recorder(3_600_000_000L, 2);
    private final Histogram sindsAfgifte = new Histogram(3_600_000_000L, 2);
    private final BucketHistogram.Series emmers;

    Latency(BucketHistogram.Series emmers) {
      this.emmers = emmers;
    }

    public void recordNanos(long nanos) {
      recorder.recordValue(
          Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMicros(nanos), 3_600_000_000L)));
      if (emmers != null) {
        emmers.recordNanos(nanos);
      }
    }

    public void recordMicros(long micros) {
      recorder.recordValue(Math.max(1, Math.min(micros, 3_600_000_000L)));
      if (emmers != null) {
        emmers.recordNanos(micros * 1000);
      }
    }

    /** What was recorded since the last call (for the hourly histograms kept in the database). */
    public synchronized Histogram takeInterval() {
      sindsAfgifte.add(recorder.getIntervalHistogram());
      Histogram out = sindsAfgifte.copy();
      sindsAfgifte.reset();
      return out;
    }
  }

  private LongAdder counter(String naam, String help) {
    LongAdder a = new LongAdder();
    FunctionCounter.builder(naam, a, LongAdder::sum).description(help).register(registry);
    return a;
  }

  private <T extends Number> T meter(String naam, String eenheid, String help, T waarde) {
    Gauge.builder(naam, waarde, Number::doubleValue)
        .description(help)
        .baseUnit(eenheid)
        .register(registry);
    return waarde;
  }

  /**
   * A histogram for the request path ({@link BucketHistogram}, cheap from every event loop at once);
   * {@code naam} in Prometheus form, ending in _seconds.
   */
  public BucketHistogram histogram(
      String naam, String help, Duration[] emmers, String... labelNamen) {
    BucketHistogram h = new BucketHistogram(naam, help, emmers, labelNamen);
    registry.getPrometheusRegistry().register(h);
    return h;
  }

  private Timer timer(String naam, String help, Duration[] emmers, String... tags) {
    return Timer.builder(naam)
        .description(help)
        .tags(tags)
        .serviceLevelObjectives(emmers)
        .minimumExpectedValue(emmers[0])
        .maximumExpectedValue(emmers[emmers.length - 1])
        .register(registry);
  }
}
