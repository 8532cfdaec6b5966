package nl.berichtenbox.engine;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.metrics.MetricsOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.tracing.opentelemetry.OpenTelemetryTracingFactory;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import nl.berichtenbox.engine.abonnementen.Abonnementservice;
import nl.berichtenbox.engine.abonnementen.Validatieservice;
import nl.berichtenbox.engine.abonnementen.Venster;
import nl.berichtenbox.engine.afnemers.Afnemers;
import nl.berichtenbox.engine.berichtenbox.Berichtenboxen;
import nl.berichtenbox.engine.berichtenbox.BoxBerichten;
import nl.berichtenbox.engine.berichtenbox.Cursor;
import nl.berichtenbox.engine.berichtenbox.Gebeurtenissen;
import nl.berichtenbox.engine.berichtenbox.Meelezers;
import nl.berichtenbox.engine.config.EngineConfig;
import nl.berichtenbox.engine.intake.Intake;
import nl.berichtenbox.engine.intake.IntakeSaturation;
import nl.berichtenbox.engine.intake.RateLimiter;
import nl.berichtenbox.engine.kafka.EmbeddedBroker;
import nl.berichtenbox.engine.kafka.KafkaCluster;
import nl.berichtenbox.engine.kafka.KafkaIntake;
import nl.berichtenbox.engine.kafka.OutboxRelay;
import nl.berichtenbox.engine.kafka.RelayProducer;
import nl.berichtenbox.engine.metrics.EngineMetrics;
import nl.berichtenbox.engine.metrics.VertxMeters;
import nl.berichtenbox.engine.notificaties.Notifier;
import nl.berichtenbox.engine.rapportage.Rapportages;
import nl.berichtenbox.engine.sla.Bezoekers;
import nl.berichtenbox.engine.sla.Heartbeat;
import nl.berichtenbox.engine.sla.Incidenten;
import nl.berichtenbox.engine.sla.OnderhoudsKalender;
import nl.berichtenbox.engine.sla.SlaRapportage;
import nl.berichtenbox.engine.store.Database;
import nl.berichtenbox.engine.store.SplitPool;
import nl.berichtenbox.engine.store.SqlPool;
import nl.berichtenbox.engine.support.Component;
import nl.berichtenbox.engine.support.DiskSpace;
import nl.berichtenbox.engine.support.Json;
import nl.berichtenbox.engine.support.Keys;
import nl.berichtenbox.engine.support.Pseudonym;
import nl.berichtenbox.engine.support.Secrets;
import nl.berichtenbox.engine.tracing.Tracing;
import nl.berichtenbox.engine.verwerking.Verwerker;
import nl.berichtenbox.engine.verwerking.VerwerkingsberichtPusher;
import nl.berichtenbox.engine.verwerking.Verwerkingsberichten;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: every part of the engine made here, each given what it uses (never this
 * object), the components ({@link Component}: the loops, relays and consumers) started in the order
 * of what they use and stopped in reverse. The faces (the api module) take the parts they serve
 * from the accessors. Start and close are blocking and belong to the launcher's thread, never to an
 * event loop.
 */
public final class Engine implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

  private final EngineConfig config;
  private final Database database;
  private final Vertx vertx;
  private final SplitPool pool;
  private final SqlPool sqlPool;
  private final EngineMetrics metrics = new EngineMetrics();
  private final Verwerker verwerker;
  /** Intake at its limit: processing then runs one round at a time. */
  private final IntakeSaturation intakeSaturation = new IntakeSaturation();

  private final VerwerkingsberichtPusher pusher;
  private final Afnemers afnemers;
  private final Verwerkingsberichten verwerkingsberichten;
  private final Berichtenboxen berichtenboxen;
  private final BoxBerichten boxBerichten;
  private final Meelezers meelezers;
  private final Gebeurtenissen gebeurtenissen;
  private final Validatieservice validatieservice;
  private final Rapportages rapportages;
  private final Abonnementservice abonnementservice;
  private EmbeddedBroker embeddedKafka;
  private KafkaIntake kafkaIntake;
  private OutboxRelay relay;
  private OutboxRelay notificatieRelay;
  private RelayProducer producer;
  private String kafkaBootstrap;
  private final RateLimiter rateLimiter = new RateLimiter(metrics.processenGereed::get);

  private final Notifier notifier;
  private final Incidenten incidenten;
  private final SlaRapportage slaRapportage;
  private final OnderhoudsKalender onderhoudsKalender;
  private final Bezoekers bezoekers;
  private final Pseudonym pseudonym;
  private final Heartbeat heartbeat;
  private final Readiness readiness;
  /** The components started, in order; stopped in reverse. */
  private final List<Component> started = new ArrayList<>();

  private final Clock clock;
  private final DiskSpace diskSpace;

  private final Tracing tracing;

  private Engine(EngineConfig config, Database database, Clock clock, Tracing tracing) {
    Json.decodeStrictly();
    this.tracing = tracing;
    this.config = config;
    this.database = database;
    var builder = Vertx.builder()
        .with(new VertxOptions()
            .setPreferNativeTransport(true)
            .setMetricsOptions(new MetricsOptions().setEnabled(true)))
        .withMetrics(new VertxMeters(metrics));
    if (tracing.enabled()) {
      // server spans for every HTTP request (W3C traceparent read), client spans for SQL on them
      builder.withTracer(new OpenTelemetryTracingFactory(tracing.openTelemetry()));
    }
    this.vertx = builder.build();
    // requests and background work each on a pool of their own (SplitPool)
    this.pool = new SplitPool(
        database.pool(vertx, config.dbPoolSize()),
        database.pool(vertx, config.dbBackgroundPoolSize(), "postgresql-achtergrond"));
    this.sqlPool = new SqlPool(pool);
    this.verwerker = new Verwerker(
        vertx,
        pool,
        config.verwerkingBatchSize(),
        config.verwerkingParallel(),
        intakeSaturation,
        config.verwerkingPollInterval(),
        config.verwerkingMinInterval(),
        config.verwerkingsberichtenBewaartermijn(),
        config.notificaties().bundleWindow(),
        metrics,
        tracing);
    Secrets secrets = new Secrets(config.portalJwtSecret());
    this.pusher = new VerwerkingsberichtPusher(
        vertx,
        pool,
        secrets,
        config.pushBackoffBase(),
        config.pushBackoffMax(),
        config.pushGiveUpAfter(),
        metrics,
        tracing,
        clock);
    verwerker.afterRound(pusher::wakeUp);
    this.notifier = new Notifier(
        vertx, pool, config.notificaties(), config.dataDir().resolve("mail"), clock, metrics);
    verwerker.afterNotificaties(notifier::wakeUp);
    this.clock = clock;
    this.incidenten = new Incidenten(pool, clock);
    this.onderhoudsKalender = new OnderhoudsKalender(pool, config.onderhoudsvensters(), clock);
    this.pseudonym = new Pseudonym(config.portalJwtSecret());
    this.bezoekers = new Bezoekers(vertx, pool, pseudonym, clock);
    this.slaRapportage = new SlaRapportage(vertx, pool, incidenten, onderhoudsKalender, clock);
    this.diskSpace = new DiskSpace(
        vertx, config.dataDir(), (long) config.dataMinFreeMb() << 20, metrics.dataVrijBytes);
    this.readiness = new Readiness(diskSpace::full);
    this.heartbeat = new Heartbeat(vertx, pool, metrics, readiness, clock);
    this.afnemers = new Afnemers(pool, secrets);
    this.verwerkingsberichten = new Verwerkingsberichten(pool, clock);
    this.berichtenboxen = new Berichtenboxen(pool);
    this.boxBerichten = new BoxBerichten(pool, new Cursor(cursorKey(config.portalJwtSecret())));
    this.meelezers = new Meelezers(vertx, pool);
    this.gebeurtenissen =
        new Gebeurtenissen(vertx, pool, database.pool(vertx, 1, "postgresql-luister"), metrics);
    this.validatieservice = new Validatieservice(pool, config.validatieQuotumPerUur(), clock);
    this.rapportages = new Rapportages(pool, clock);
    this.abonnementservice = new Abonnementservice(
        vertx, pool, new Venster(config.abonnementenVenster()), config.abonnementenQuota(), clock);
  }

  /** The cursor key is derived from the portal secret: cursors stay valid across restarts and processes. */
  private static byte[] cursorKey(String secret) {
    return Keys.derive(secret, "berichtenbox-cursor-v1");
  }

  /** Starts the database (embedded or external), migrates it, and starts processing. */
  public static Engine start(EngineConfig config) throws IOException {
    return start(config, Clock.systemUTC());
  }

  /**
   * As {@link #start(EngineConfig)}, with the clock every moment the engine decides by is read from
   * (docs/architecture.md, Time): tests move it.
   */
  public static Engine start(EngineConfig config, Clock clock) throws IOException {
    return start(config, clock, Tracing.off());
  }

  /** As {@link #start(EngineConfig, Clock)}, with tracing ({@link Tracing}). */
  public static Engine start(EngineConfig config, Clock clock, Tracing tracing) throws IOException {
    Database db = Database.start(config);
    Engine engine = new Engine(config, db, clock, tracing);
    // first started, last stopped: every other part queries through it
    engine.start(engine.sqlPool);
    engine.readiness.register(Readiness.Reason.DATABASE, engine.sqlPool);
    try {
      int n = engine
          .afnemers
          .encryptSecretsInClear()
          .toCompletionStage()
          .toCompletableFuture()
          .get(60, TimeUnit.SECONDS);
      if (n > 0) {
        LOG.info("{} callback secrets stored in clear are now encrypted", n);
      }
    } catch (Exception e) {
      engine.close();
      throw new IOException("encrypting stored callback secrets failed", e);
    }
    try {
      // in the order of what they use: a component stops before what it relies on (close)
      engine.start(engine.diskSpace);
      engine.readiness.register(Readiness.Reason.DISK, engine.diskSpace);
      engine.start(engine.verwerker);
      engine.start(engine.notifier);
      engine.start(engine.heartbeat);
      engine.start(engine.bezoekers);
      engine.start(engine.meelezers);
      engine.start(engine.gebeurtenissen);
      engine.start(engine.pusher);
      engine.start(engine.abonnementservice);
      if (config.kafkaBootstrap() != null) {
        engine.startKafka();
      }
    } catch (RuntimeException e) {
      engine.close();
      throw e;
    }
    LOG.info(
        "engine started: {} event loops, native transport {}, database {}",
        VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE,
        engine.vertx.isNativeTransportEnabled(),
        db.embedded() ? "embedded" : "external");
    return engine;
  }

  /** The Kafka face: an in-JVM broker under DATA_DIR/kafka with "embedded", else the given cluster. */
  private void startKafka() {
    try {
      kafkaBootstrap = config.kafkaBootstrap();
      if ("embedded".equals(kafkaBootstrap)) {
        embeddedKafka = EmbeddedBroker.start(config.dataDir().resolve("kafka"));
        kafkaBootstrap = embeddedKafka.bootstrapServers();
        LOG.info("embedded Kafka (KRaft) on {}", kafkaBootstrap);
      }
      KafkaCluster cluster = new KafkaCluster(vertx, kafkaBootstrap);
      start(cluster);
      readiness.register(Readiness.Reason.KAFKA, cluster);
      kafkaIntake = new KafkaIntake(
          vertx, kafkaBootstrap, this::newIntake, afnemers, config.kafkaMaxInFlight(), metrics);
      start(kafkaIntake);
      producer = OutboxRelay.producer(kafkaBootstrap, metrics.kafkaProducentVervangen);
      relay = OutboxRelay.verwerkingsberichten(vertx, pool, producer, metrics, tracing, clock);
      notificatieRelay =
          OutboxRelay.notificaties(vertx, pool, producer, pseudonym, metrics, tracing, clock);
      start(relay);
      start(notificatieRelay);
      verwerker.afterRound(relay::wakeUp);
      verwerker.afterNotificaties(notificatieRelay::wakeUp);
    } catch (Exception e) {
      throw new IllegalStateException("Kafka could not be started: " + e.getMessage(), e);
    }
  }

  /** The Kafka bootstrap servers in use, or null when the Kafka face is off. */
  public String kafkaBootstrap() {
    return kafkaBootstrap;
  }

  /** A new intake bound to the calling event loop (one per HTTP verticle instance). */
  public Intake newIntake() {
    return new Intake(pool, config, verwerker::wakeUp, metrics, intakeSaturation, tracing, clock);
  }

  public EngineConfig config() {
    return config;
  }

  public Vertx vertx() {
    return vertx;
  }

  public Pool pool() {
    return pool;
  }

  /**
   * The calling thread (an HTTP verticle's event loop, at its start) answers requests: its queries
   * take the request pool, whose connections then all live on such loops ({@link SplitPool}).
   */
  public void servesRequests() {
    pool.servesRequests();
  }

  public EngineMetrics metrics() {
    return metrics;
  }

  /** Tracing: on when an OpenTelemetry SDK was given at start, else traceparents carried only. */
  public Tracing tracing() {
    return tracing;
  }

  public Afnemers afnemers() {
    return afnemers;
  }

  public Verwerkingsberichten verwerkingsberichten() {
    return verwerkingsberichten;
  }

  public Berichtenboxen berichtenboxen() {
    return berichtenboxen;
  }

  public BoxBerichten boxBerichten() {
    return boxBerichten;
  }

  public Meelezers meelezers() {
    return meelezers;
  }

  /** Live updates of citizens' boxes (contract §7.2). */
  public Gebeurtenissen gebeurtenissen() {
    return gebeurtenissen;
  }

  public Validatieservice validatieservice() {
    return validatieservice;
  }

  public Rapportages rapportages() {
    return rapportages;
  }

  public Abonnementservice abonnementservice() {
    return abonnementservice;
  }

  public RateLimiter rateLimiter() {
    return rateLimiter;
  }

  public Database database() {
    return database;
  }

  public DiskSpace diskSpace() {
    return diskSpace;
  }

  public Verwerker verwerker() {
    return verwerker;
  }

  public VerwerkingsberichtPusher pusher() {
    return pusher;
  }

  public Notifier notifier() {
    return notifier;
  }

  public Incidenten incidenten() {
    return incidenten;
  }

  public SlaRapportage slaRapportage() {
    return slaRapportage;
  }

  public OnderhoudsKalender onderhoudsKalender() {
    return onderhoudsKalender;
  }

  public Bezoekers bezoekers() {
    return bezoekers;
  }

  /** Whether this process is ready, and why not: for /health/ready, the heartbeats and the HTTP guard. */
  public Readiness readiness() {
    return readiness;
  }

  /**
   * This process drains (SIGTERM): not ready from now on, its heartbeat says so at once; it goes on
   * serving until {@link #refuseNewRequests()}.
   */
  public void drain() {
    readiness.drain();
    heartbeat.drain();
  }

  /**
   * New requests are refused from now on (503, Connection: close) and the open event streams end
   * (they would never finish by themselves): the drain's last part.
   */
  public void refuseNewRequests() {
    readiness.refuseNewRequests();
    gebeurtenissen.eindig();
  }
  /** The engine's clock (docs/architecture.md, Time). */
  public Clock clock() {
    return clock;
  }

  private void start(Component c) {
    c.start();
    started.add(c);
  }

  /**
   * Stops the components in the reverse order of their start (each finishes the work under way, the
   * pool last of them), then closes Vert.x, Kafka's producer and broker, and the database.
   */
  @Override
  public void close() {
    long timeout = config.shutdownTimeout().toMillis();
    Future<Void> stops = Future.succeededFuture();
    for (int i = started.size() - 1; i >= 0; i--) {
      Component c = started.get(i);
      stops = stops.eventually(() -> c.stop()
          .onFailure(e ->
              LOG.warn("{} did not stop cleanly: {}", c.getClass().getSimpleName(), e.toString())));
    }
    started.clear();
    try {
      stops.toCompletionStage().toCompletableFuture().get(timeout, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.warn("processing did not stop cleanly: {}", e.toString());
    }
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(timeout, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.warn("Vert.x did not close cleanly: {}", e.toString());
    }
    if (producer != null) {
      producer.close(Duration.ofSeconds(5));
    }
    if (embeddedKafka != null) {
      embeddedKafka.close();
    }
    try {
      database.close();
    } catch (IOException e) {
      LOG.warn("database did not stop cleanly: {}", e.toString());
    }
  }
}
