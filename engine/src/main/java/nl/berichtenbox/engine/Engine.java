package nl.berichtenbox.engine;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.sqlclient.Pool;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import nl.berichtenbox.engine.afnemers.Afnemers;
import nl.berichtenbox.engine.berichtenbox.Berichtenboxen;
import nl.berichtenbox.engine.berichtenbox.BoxBerichten;
import nl.berichtenbox.engine.berichtenbox.Cursor;
import nl.berichtenbox.engine.config.EngineConfig;
import nl.berichtenbox.engine.intake.Intake;
import nl.berichtenbox.engine.metrics.EngineMetrics;
import nl.berichtenbox.engine.store.Database;
import nl.berichtenbox.engine.verwerking.Ontvangstbewijzen;
import nl.berichtenbox.engine.verwerking.Verwerker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's stages wired together over one database: the one object a face needs. Start
 * and close are blocking and belong to the launcher's thread, never to an event loop.
 */
public final class Engine implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

  private final EngineConfig config;
  private final Database database;
  private final Vertx vertx;
  private final Pool pool;
  private final EngineMetrics metrics = new EngineMetrics();
  private final Verwerker verwerker;
  private final nl.berichtenbox.engine.verwerking.VerwerkingsberichtPusher pusher;
  private final Afnemers afnemers;
  private final Ontvangstbewijzen ontvangstbewijzen;
  private final Berichtenboxen berichtenboxen;
  private final BoxBerichten boxBerichten;
  private final nl.berichtenbox.engine.abonnementen.Validatieservice validatieservice;
  private final nl.berichtenbox.engine.rapportage.Rapportages rapportages;
  private final nl.berichtenbox.engine.abonnementen.Abonnementservice abonnementservice;
  private nl.berichtenbox.engine.kafka.EmbeddedBroker embeddedKafka;
  private nl.berichtenbox.engine.kafka.KafkaIntake kafkaIntake;
  private nl.berichtenbox.engine.kafka.OutboxRelay relay;
  private nl.berichtenbox.engine.kafka.OutboxRelay notificatieRelay;
  private nl.berichtenbox.engine.kafka.Producent producent;
  private String kafkaBootstrap;
  private org.apache.kafka.clients.admin.Admin kafkaAdmin;
  private final nl.berichtenbox.engine.intake.Snelheidsbegrenzer snelheidsbegrenzer =
      new nl.berichtenbox.engine.intake.Snelheidsbegrenzer(metrics.processenGereed::get);

  private final nl.berichtenbox.engine.notificaties.Notifier notifier;
  private final nl.berichtenbox.engine.sla.Incidenten incidenten;
  private final nl.berichtenbox.engine.sla.SlaRapportage slaRapportage;
  private final nl.berichtenbox.engine.sla.OnderhoudsKalender onderhoud;
  private final nl.berichtenbox.engine.sla.Bezoekers bezoekers;
  private final nl.berichtenbox.engine.support.Pseudoniem pseudoniem;
  private final nl.berichtenbox.engine.sla.Hartslag hartslag;
  private final Gereedheid gereedheid;
  private final java.time.Clock clock;
  private final nl.berichtenbox.engine.support.Schijfruimte schijfruimte;

  private final nl.berichtenbox.engine.sporen.Sporen sporen;

  private Engine(EngineConfig config, Database database, java.time.Clock clock, nl.berichtenbox.engine.sporen.Sporen sporen) {
    nl.berichtenbox.engine.support.Json.striktDecoderen();
    this.sporen = sporen;
    this.config = config;
    this.database = database;
    var builder = Vertx.builder()
        .with(new VertxOptions().setPreferNativeTransport(true)
            .setMetricsOptions(new io.vertx.core.metrics.MetricsOptions().setEnabled(true)))
        .withMetrics(new nl.berichtenbox.engine.metrics.VertxMeters(metrics));
    if (sporen.aan()) {
      // server spans for every HTTP request (W3C traceparent read), client spans for SQL on them
      builder.withTracer(new io.vertx.tracing.opentelemetry.OpenTelemetryTracingFactory(sporen.openTelemetry()));
    }
    this.vertx = builder.build();
    this.pool = database.pool(vertx, config.dbPoolSize());
    this.verwerker = new Verwerker(vertx, pool, config.verwerkingBatchSize(), config.verwerkingPollInterval(),
        config.ontvangstbewijsBewaartermijn(), config.notificaties().bundelvenster(), metrics, sporen);
    nl.berichtenbox.engine.support.Geheimen geheimen = new nl.berichtenbox.engine.support.Geheimen(config.portalJwtSecret());
    this.pusher = new nl.berichtenbox.engine.verwerking.VerwerkingsberichtPusher(vertx, pool, geheimen,
        config.pushBackoffBasis(), config.pushBackoffMax(), config.pushOpgevenNa(), metrics, sporen, clock);
    verwerker.naRonde(pusher::wakeUp);
    this.notifier = new nl.berichtenbox.engine.notificaties.Notifier(vertx, pool, config.notificaties(),
        config.dataDir().resolve("mail"), clock, metrics);
    verwerker.naMeldingen(notifier::wakeUp);
    this.clock = clock;
    this.incidenten = new nl.berichtenbox.engine.sla.Incidenten(pool, clock);
    this.onderhoud = new nl.berichtenbox.engine.sla.OnderhoudsKalender(pool, config.onderhoudsvensters(), clock);
    this.pseudoniem = new nl.berichtenbox.engine.support.Pseudoniem(config.portalJwtSecret());
    this.bezoekers = new nl.berichtenbox.engine.sla.Bezoekers(vertx, pool, pseudoniem, clock);
    this.slaRapportage = new nl.berichtenbox.engine.sla.SlaRapportage(vertx, pool, incidenten, onderhoud, clock);
    this.schijfruimte = new nl.berichtenbox.engine.support.Schijfruimte(config.dataDir(), (long) config.dataMinVrijMb() << 20,
        metrics.dataVrijBytes);
    this.gereedheid = new Gereedheid(pool, this::kafkaAnswers, schijfruimte::vol);
    this.hartslag = new nl.berichtenbox.engine.sla.Hartslag(vertx, pool, metrics, gereedheid, clock);
    this.afnemers = new Afnemers(pool, geheimen);
    this.ontvangstbewijzen = new Ontvangstbewijzen(pool, clock);
    this.berichtenboxen = new Berichtenboxen(pool);
    this.boxBerichten = new BoxBerichten(pool, new Cursor(cursorKey(config.portalJwtSecret())));
    this.validatieservice = new nl.berichtenbox.engine.abonnementen.Validatieservice(pool, config.validatieQuotumPerUur(), clock);
    this.rapportages = new nl.berichtenbox.engine.rapportage.Rapportages(pool, clock);
    this.abonnementservice = new nl.berichtenbox.engine.abonnementen.Abonnementservice(vertx, pool,
        new nl.berichtenbox.engine.abonnementen.Venster(config.abonnementenVenster()), config.abonnementenQuota(), clock);
  }

  /** The cursor key is derived from the portal secret: cursors stay valid across restarts and processes. */
  private static byte[] cursorKey(String secret) {
    return nl.berichtenbox.engine.support.Sleutels.afgeleid(secret, "berichtenbox-cursor-v1");
  }

  /** Starts the database (embedded or external), migrates it, and starts processing. */
  public static Engine start(EngineConfig config) throws IOException {
    return start(config, java.time.Clock.systemUTC());
  }

  /**
   * As {@link #start(EngineConfig)}, with the clock the notifier reads (reminders, throttle
   * periods): tests move it; everything else keeps the database's time.
   */
  public static Engine start(EngineConfig config, java.time.Clock clock) throws IOException {
    return start(config, clock, nl.berichtenbox.engine.sporen.Sporen.uit());
  }

  /** As {@link #start(EngineConfig, java.time.Clock)}, with tracing ({@link nl.berichtenbox.engine.sporen.Sporen}). */
  public static Engine start(EngineConfig config, java.time.Clock clock, nl.berichtenbox.engine.sporen.Sporen sporen)
      throws IOException {
    Database db = Database.start(config);
    Engine engine = new Engine(config, db, clock, sporen);
    try {
      int n = engine.afnemers.versleutelOudeGeheimen().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      if (n > 0) {
        LOG.info("{} callback secrets stored in clear are now encrypted", n);
      }
    } catch (Exception e) {
      engine.close();
      throw new IOException("encrypting stored callback secrets failed", e);
    }
    engine.schijfruimte.start(engine.vertx);
    engine.verwerker.start();
    engine.notifier.start();
    engine.hartslag.start();
    engine.bezoekers.start();
    engine.pusher.start();
    engine.abonnementservice.start();
    if (config.kafkaBootstrap() != null) {
      engine.startKafka();
    }
    LOG.info("engine started: {} event loops, native transport {}, database {}",
        VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE, engine.vertx.isNativeTransportEnabled(),
        db.embedded() ? "embedded" : "external");
    return engine;
  }

  /** The Kafka face: an in-JVM broker under DATA_DIR/kafka with "embedded", else the given cluster. */
  private void startKafka() {
    try {
      kafkaBootstrap = config.kafkaBootstrap();
      if ("embedded".equals(kafkaBootstrap)) {
        embeddedKafka = nl.berichtenbox.engine.kafka.EmbeddedBroker.start(config.dataDir().resolve("kafka"));
        kafkaBootstrap = embeddedKafka.bootstrapServers();
        LOG.info("embedded Kafka (KRaft) on {}", kafkaBootstrap);
      }
      kafkaIntake = new nl.berichtenbox.engine.kafka.KafkaIntake(vertx, kafkaBootstrap, this::newIntake, afnemers,
          config.kafkaMaxInFlight(), metrics);
      kafkaIntake.start();
      producent = nl.berichtenbox.engine.kafka.OutboxRelay.producent(kafkaBootstrap, metrics.kafkaProducentVervangen);
      relay = nl.berichtenbox.engine.kafka.OutboxRelay.verwerkingsberichten(vertx, pool, producent, metrics, sporen, clock);
      notificatieRelay = nl.berichtenbox.engine.kafka.OutboxRelay.notificaties(vertx, pool, producent,
          pseudoniem, metrics, sporen, clock);
      relay.start();
      notificatieRelay.start();
      verwerker.naRonde(() -> {
        pusher.wakeUp();
        relay.wakeUp();
      });
      verwerker.naMeldingen(() -> {
        notifier.wakeUp();
        notificatieRelay.wakeUp();
      });
      kafkaAdmin = org.apache.kafka.clients.admin.Admin.create(java.util.Map.of(
          org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBootstrap,
          org.apache.kafka.clients.admin.AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2_000,
          org.apache.kafka.clients.admin.AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000));
    } catch (Exception e) {
      throw new IllegalStateException("Kafka could not be started: " + e.getMessage(), e);
    }
  }

  /** Whether Kafka answers (true when the Kafka face is off); never blocks the caller. */
  public Future<Boolean> kafkaAnswers() {
    if (kafkaAdmin == null) {
      return Future.succeededFuture(true);
    }
    io.vertx.core.Promise<Boolean> p = io.vertx.core.Promise.promise();
    kafkaAdmin.describeCluster().clusterId().whenComplete((id, e) -> p.tryComplete(e == null && id != null));
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

  public EngineConfig config() { return config; }
  public Vertx vertx() { return vertx; }
  public Pool pool() { return pool; }
  public EngineMetrics metrics() { return metrics; }

  /** Tracing: on when an OpenTelemetry SDK was given at start, else traceparents carried only. */
  public nl.berichtenbox.engine.sporen.Sporen sporen() { return sporen; }
  public Afnemers afnemers() { return afnemers; }
  public Ontvangstbewijzen ontvangstbewijzen() { return ontvangstbewijzen; }
  public Berichtenboxen berichtenboxen() { return berichtenboxen; }
  public BoxBerichten boxBerichten() { return boxBerichten; }
  public nl.berichtenbox.engine.abonnementen.Validatieservice validatieservice() { return validatieservice; }
  public nl.berichtenbox.engine.rapportage.Rapportages rapportages() { return rapportages; }
  public nl.berichtenbox.engine.abonnementen.Abonnementservice abonnementservice() { return abonnementservice; }
  public nl.berichtenbox.engine.intake.Snelheidsbegrenzer snelheidsbegrenzer() { return snelheidsbegrenzer; }
  public Database database() { return database; }
  public nl.berichtenbox.engine.support.Schijfruimte schijfruimte() { return schijfruimte; }
  public Verwerker verwerker() { return verwerker; }
  public nl.berichtenbox.engine.notificaties.Notifier notifier() { return notifier; }
  public nl.berichtenbox.engine.sla.Incidenten incidenten() { return incidenten; }
  public nl.berichtenbox.engine.sla.SlaRapportage slaRapportage() { return slaRapportage; }
  public nl.berichtenbox.engine.sla.OnderhoudsKalender onderhoud() { return onderhoud; }
  public nl.berichtenbox.engine.sla.Bezoekers bezoekers() { return bezoekers; }

  /** Whether this process is ready, and why not: for /health/ready, the heartbeats and the HTTP guard. */
  public Gereedheid gereedheid() { return gereedheid; }

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
  /** The clock of the notifier and the service-level calendar (tests move it). */
  public java.time.Clock clock() { return clock; }

  /** Finishes the processing round under way, closes the pool, Vert.x and the database. */
  @Override
  public void close() {
    long timeout = config.shutdownTimeout().toMillis();
    if (kafkaIntake != null) {
      kafkaIntake.close();
      kafkaAdmin.close(java.time.Duration.ofSeconds(2));
    }
    try {
      verwerker.stop().compose(v -> pusher.stop()).compose(v -> notifier.stop()).compose(v -> hartslag.stop()).compose(v -> bezoekers.stop()).compose(v -> abonnementservice.stop())
          .compose(v -> relay == null ? Future.<Void>succeededFuture() : relay.stop())
          .compose(v -> notificatieRelay == null ? Future.<Void>succeededFuture() : notificatieRelay.stop())
          .compose(v -> pool.close()).toCompletionStage().toCompletableFuture()
          .get(timeout, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.warn("processing did not stop cleanly: {}", e.toString());
    }
    schijfruimte.stop(vertx);
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(timeout, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.warn("Vert.x did not close cleanly: {}", e.toString());
    }
    if (producent != null) {
      producent.close(java.time.Duration.ofSeconds(5));
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
