package nl.berichtenbox.engine;

import io.vertx.core.Future;
import io.vertx.core.Promise;
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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import nl.berichtenbox.engine.abonnementen.Abonnementservice;
import nl.berichtenbox.engine.abonnementen.Validatieservice;
import nl.berichtenbox.engine.abonnementen.Venster;
import nl.berichtenbox.engine.afnemers.Afnemers;
import nl.berichtenbox.engine.berichtenbox.Berichtenboxen;
import nl.berichtenbox.engine.berichtenbox.BoxBerichten;
import nl.berichtenbox.engine.berichtenbox.Cursor;
import nl.berichtenbox.engine.config.EngineConfig;
import nl.berichtenbox.engine.intake.Intake;
import nl.berichtenbox.engine.intake.RateLimiter;
import nl.berichtenbox.engine.kafka.EmbeddedBroker;
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
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
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
  private final Pool pool;
  private final EngineMetrics metrics = new EngineMetrics();
  private final Verwerker verwerker;
  private final VerwerkingsberichtPusher pusher;
  private final Afnemers afnemers;
  private final Verwerkingsberichten ontvangstbewijzen;
  private final Berichtenboxen berichtenboxen;
  private final BoxBerichten boxBerichten;
  private final Validatieservice validatieservice;
  private final Rapportages rapportages;
  private final Abonnementservice abonnementservice;
  private EmbeddedBroker embeddedKafka;
  private KafkaIntake kafkaIntake;
  private OutboxRelay relay;
  private OutboxRelay notificatieRelay;
  private RelayProducer producent;
  private String kafkaBootstrap;
  private Admin kafkaAdmin;
  private final RateLimiter snelheidsbegrenzer = new RateLimiter(metrics.processenGereed::get);

  private final Notifier notifier;
  private final Incidenten incidenten;
  private final SlaRapportage slaRapportage;
  private final OnderhoudsKalender onderhoud;
  private final Bezoekers bezoekers;
  private final Pseudonym pseudoniem;
  private final Heartbeat hartslag;
  private final Readiness gereedheid;
  /** The components started, in order; stopped in reverse. */
  private final List<Component> gestart = new ArrayList<>();

  private final Clock clock;
  private final DiskSpace schijfruimte;

  private final Tracing sporen;

  private Engine(EngineConfig config, Database database, Clock clock, Tracing sporen) {
    Json.striktDecoderen();
    this.sporen = sporen;
    this.config = config;
    this.database = database;
    var builder = Vertx.builder()
        .with(new VertxOptions()
            .setPreferNativeTransport(true)
            .setMetricsOptions(new MetricsOptions().setEnabled(true)))
        .withMetrics(new VertxMeters(metrics));
    if (sporen.aan()) {
      // server spans for every HTTP request (W3C traceparent read), client spans for SQL on them
      builder.withTracer(new OpenTelemetryTracingFactory(sporen.openTelemetry()));
    }
    this.vertx = builder.build();
    this.pool = database.pool(vertx, config.dbPoolSize());
    this.verwerker = new Verwerker(
        vertx,
        pool,
        config.verwerkingBatchSize(),
        config.verwerkingPollInterval(),
        config.verwerkingsberichtenBewaartermijn(),
        config.notificaties().bundleWindow(),
        metrics,
        sporen);
    Secrets geheimen = new Secrets(config.portalJwtSecret());
    this.pusher = new VerwerkingsberichtPusher(
        vertx,
        pool,
        geheimen,
        config.pushBackoffBase(),
        config.pushBackoffMax(),
        config.pushGiveUpAfter(),
        metrics,
        sporen,
        clock);
    verwerker.naRonde(pusher::wakeUp);
    this.notifier = new Notifier(
        vertx, pool, config.notificaties(), config.dataDir().resolve("mail"), clock, metrics);
    verwerker.naNotificaties(notifier::wakeUp);
    this.clock = clock;
    this.incidenten = new Incidenten(pool, clock);
    this.onderhoud = new OnderhoudsKalender(pool, config.onderhoudsvensters(), clock);
    this.pseudoniem = new Pseudonym(config.portalJwtSecret());
    this.bezoekers = new Bezoekers(vertx, pool, pseudoniem, clock);
    this.slaRapportage = new SlaRapportage(vertx, pool, incidenten, onderhoud, clock);
    this.schijfruimte = new DiskSpace(
        vertx, config.dataDir(), (long) config.dataMinFreeMb() << 20, metrics.dataVrijBytes);
    this.gereedheid = new Readiness(pool, this::kafkaAnswers, schijfruimte::vol);
    this.hartslag = new Heartbeat(vertx, pool, metrics, gereedheid, clock);
    this.afnemers = new Afnemers(pool, geheimen);
    this.ontvangstbewijzen = new Verwerkingsberichten(pool, clock);
    this.berichtenboxen = new Berichtenboxen(pool);
    this.boxBerichten = new BoxBerichten(pool, new Cursor(cursorKey(config.portalJwtSecret())));
    this.validatieservice = new Validatieservice(pool, config.validatieQuotumPerUur(), clock);
    this.rapportages = new Rapportages(pool, clock);
    this.abonnementservice = new Abonnementservice(
        vertx, pool, new Venster(config.abonnementenVenster()), config.abonnementenQuota(), clock);
  }

  /** The cursor key is derived from the portal secret: cursors stay valid across restarts and processes. */
  private static byte[] cursorKey(String secret) {
    return Keys.afgeleid(secret, "berichtenbox-cursor-v1");
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
    return start(config, clock, Tracing.uit());
  }

  /** As {@link #start(EngineConfig, Clock)}, with tracing ({@link Tracing}). */
  public static Engine start(EngineConfig config, Clock clock, Tracing sporen) throws IOException {
    Database db = Database.start(config);
    Engine engine = new Engine(config, db, clock, sporen);
    try {
      int n = engine
          .afnemers
          .versleutelOudeGeheimen()
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
      engine.start(engine.schijfruimte);
      engine.start(engine.verwerker);
      engine.start(engine.notifier);
      engine.start(engine.hartslag);
      engine.start(engine.bezoekers);
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
      kafkaIntake = new KafkaIntake(
          vertx, kafkaBootstrap, this::newIntake, afnemers, config.kafkaMaxInFlight(), metrics);
      start(kafkaIntake);
      producent = OutboxRelay.producent(kafkaBootstrap, metrics.kafkaProducentVervangen);
      relay = OutboxRelay.verwerkingsberichten(vertx, pool, producent, metrics, sporen, clock);
      notificatieRelay =
          OutboxRelay.notificaties(vertx, pool, producent, pseudoniem, metrics, sporen, clock);
      start(relay);
      start(notificatieRelay);
      verwerker.naRonde(relay::wakeUp);
      verwerker.naNotificaties(notificatieRelay::wakeUp);
      kafkaAdmin = Admin.create(Map.of(
          AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBootstrap,
          AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2_000,
          AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000));
    } catch (Exception e) {
      throw new IllegalStateException("Kafka could not be started: " + e.getMessage(), e);
    }
  }

  /** Whether Kafka answers (true when the Kafka face is off); never blocks the caller. */
  public Future<Boolean> kafkaAnswers() {
    if (kafkaAdmin == null) {
      return Future.succeededFuture(true);
    }
    Promise<Boolean> p = Promise.promise();
    kafkaAdmin
        .describeCluster()
        .clusterId()
        .whenComplete((id, e) -> p.tryComplete(e == null && id != null));
    return p.future();
  }

  /** The Kafka bootstrap servers in use, or null when the Kafka face is off. */
  public String kafkaBootstrap() {
    return kafkaBootstrap;
  }

  /** A new intake bound to the calling event loop (one per HTTP verticle instance). */
  public Intake newIntake() {
    return new Intake(pool, config, verwerker::wakeUp, metrics, sporen, clock);
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

  public EngineMetrics metrics() {
    return metrics;
  }

  /** Tracing: on when an OpenTelemetry SDK was given at start, else traceparents carried only. */
  public Tracing sporen() {
    return sporen;
  }

  public Afnemers afnemers() {
    return afnemers;
  }

  public Verwerkingsberichten ontvangstbewijzen() {
    return ontvangstbewijzen;
  }

  public Berichtenboxen berichtenboxen() {
    return berichtenboxen;
  }

  public BoxBerichten boxBerichten() {
    return boxBerichten;
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

  public RateLimiter snelheidsbegrenzer() {
    return snelheidsbegrenzer;
  }

  public Database database() {
    return database;
  }

  public DiskSpace schijfruimte() {
    return schijfruimte;
  }

  public Verwerker verwerker() {
    return verwerker;
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

  public OnderhoudsKalender onderhoud() {
    return onderhoud;
  }

  public Bezoekers bezoekers() {
    return bezoekers;
  }

  /** Whether this process is ready, and why not: for /health/ready, the heartbeats and the HTTP guard. */
  public Readiness gereedheid() {
    return gereedheid;
  }

  /**
   * This process drains (SIGTERM): not ready from now on, its heartbeat says so at once; it goes on
   * serving until {@link #weigerNieuweVerzoeken()}.
   */
  public void afsluiten() {
    gereedheid.afsluiten();
    hartslag.afsluiten();
  }

  /** New requests are refused from now on (503, Connection: close): the drain's last part. */
  public void weigerNieuweVerzoeken() {
    gereedheid.weigerNieuweVerzoeken();
  }
  /** The engine's clock (docs/architecture.md, Time). */
  public Clock clock() {
    return clock;
  }

  private void start(Component c) {
    c.start();
    gestart.add(c);
  }

  /**
   * Stops the components in the reverse order of their start (each finishes the work under way),
   * then closes the pool, Vert.x, Kafka's clients and broker, and the database.
   */
  @Override
  public void close() {
    long timeout = config.shutdownTimeout().toMillis();
    Future<Void> stops = Future.succeededFuture();
    for (int i = gestart.size() - 1; i >= 0; i--) {
      Component c = gestart.get(i);
      stops = stops.eventually(() -> c.stop()
          .onFailure(e ->
              LOG.warn("{} did not stop cleanly: {}", c.getClass().getSimpleName(), e.toString())));
    }
    gestart.clear();
    try {
      stops
          .eventually(pool::close)
          .toCompletionStage()
          .toCompletableFuture()
          .get(timeout, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.warn("processing did not stop cleanly: {}", e.toString());
    }
    if (kafkaAdmin != null) {
      kafkaAdmin.close(Duration.ofSeconds(2));
    }
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(timeout, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.warn("Vert.x did not close cleanly: {}", e.toString());
    }
    if (producent != null) {
      producent.close(Duration.ofSeconds(5));
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
