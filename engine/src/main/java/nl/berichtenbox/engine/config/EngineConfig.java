package nl.berichtenbox.engine.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import nl.berichtenbox.engine.sla.Onderhoudsvensters;

/**
 * All of the engine's configuration as one typed value. Built by {@link ConfigLoader} from
 * defaults, then a YAML file, then {@code BERICHTENBOX_*} environment variables, then flags.
 */
public record EngineConfig(
    int httpPort,
    String httpHost,
    Path dataDir,
    String dbUrl,
    int dbPoolSize,
    int dbBackgroundPoolSize,
    String kafkaBootstrap,
    int kafkaMaxInFlight,
    String adminToken,
    boolean adminTokenGenerated,
    String portalJwtSecret,
    boolean portalJwtSecretGenerated,
    String abonnementenVenster,
    Map<String, Integer> abonnementenQuota,
    int validatieQuotumPerUur,
    String tlsCert,
    String tlsKey,
    String tlsEngine,
    String tlsClientCa,
    int httpInstances,
    int maxRequestsInFlight,
    int maxBodyBytesInFlight,
    int maxConnections,
    Duration httpHeadTimeout,
    Duration httpBodyTimeout,
    int httpBodyMinRate,
    Duration httpResponseTimeout,
    int dataMinFreeMb,
    int maxBodyBytes,
    int maxBatchBodyBytes,
    int groupCommitMaxMessages,
    int groupCommitMaxBytes,
    int groupCommitMaxInFlight,
    Duration groupCommitMinInterval,
    Duration intakeMaxWait,
    int verwerkingBatchSize,
    int verwerkingParallel,
    Duration verwerkingPollInterval,
    Duration verwerkingMinInterval,
    Duration verwerkingsberichtenBewaartermijn,
    Duration pushBackoffBase,
    Duration pushBackoffMax,
    Duration pushGiveUpAfter,
    NotificatieConfig notificaties,
    Onderhoudsvensters onderhoudsvensters,
    Duration shutdownTimeout,
    Duration drainDelay) {

  public boolean embeddedDatabase() {
    return dbUrl == null;
  }
}
