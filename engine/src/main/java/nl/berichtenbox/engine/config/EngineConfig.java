package nl.berichtenbox.engine.config;

import java.nio.file.Path;
import java.time.Duration;

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
    String kafkaBootstrap,
    int kafkaMaxInFlight,
    String adminToken,
    boolean adminTokenGenerated,
    String portalJwtSecret,
    boolean portalJwtSecretGenerated,
    String abonnementenVenster,
    java.util.Map<String, Integer> abonnementenQuota,
    int validatieQuotumPerUur,
    String tlsCert,
    String tlsKey,
    String tlsEngine,
    String tlsClientCa,
    int httpInstances,
    int maxRequestsInFlight,
    int maxBodyBytesInFlight,
    Duration httpKopTimeout,
    Duration httpBodyTimeout,
    int httpBodyMinRate,
    Duration httpAntwoordTimeout,
    int dataMinVrijMb,
    int maxBodyBytes,
    int maxBatchBodyBytes,
    int groupCommitMaxMessages,
    int groupCommitMaxBytes,
    int groupCommitMaxInFlight,
    Duration intakeMaxWachttijd,
    int verwerkingBatchSize,
    Duration verwerkingPollInterval,
    Duration ontvangstbewijsBewaartermijn,
    Duration pushBackoffBasis,
    Duration pushBackoffMax,
    Duration pushOpgevenNa,
    NotificatieConfig notificaties,
    nl.berichtenbox.engine.sla.Onderhoudsvensters onderhoudsvensters,
    Duration shutdownTimeout,
    Duration afsluitWachttijd) {

  public boolean embeddedDatabase() {
    return dbUrl == null;
  }
}
