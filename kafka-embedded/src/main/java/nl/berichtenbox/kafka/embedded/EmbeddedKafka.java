package nl.berichtenbox.kafka.embedded;

import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import nl.berichtenbox.engine.kafka.EmbeddedBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A single-node Kafka (KRaft, broker and controller in one) inside this JVM: for trying the Kafka
 * face on one machine ({@code serve --kafka embedded}) and for tests. Its log lives in the given
 * directory and is formatted on first use. Not for production: one node, replication factor 1.
 */
public final class EmbeddedKafka implements EmbeddedBroker {
  /** For the engine's ServiceLoader ({@link EmbeddedBroker#start}). */
  public static final class Starter implements EmbeddedBroker.Starter {
    @Override
    public EmbeddedBroker start(Path dir) throws Exception {
      return EmbeddedKafka.start(dir);
    }
  }

  private final KafkaRaftServer server;
  private final String bootstrap;
  private final Path dir;
  private final int port;
  private final int controller;

  private EmbeddedKafka(KafkaRaftServer server, Path dir, int port, int controller) {
    this.server = server;
    this.bootstrap = "127.0.0.1:" + port;
    this.dir = dir;
    this.port = port;
    this.controller = controller;
  }

  /** Starts the broker (blocking, a few seconds) and waits until it answers. */
  public static EmbeddedKafka start(Path dir) throws Exception {
    return start(dir, freePort(), freePort());
  }

  /**
   * Stops this broker and starts it again on the same log and ports, as an operator's restart
   * does (for tests of what clients do meanwhile); {@code pause} is how long it stays away.
   */
  public EmbeddedKafka restart(java.time.Duration pause) throws Exception {
    close();
    Thread.sleep(pause.toMillis());
    return start(dir, port, controller);
  }

  private static EmbeddedKafka start(Path dir, int port, int controller) throws Exception {
    Files.createDirectories(dir);
    String logDir = dir.toAbsolutePath().toString();
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@127.0.0.1:" + controller);
    p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controller);
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("log.dirs", logDir);
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "4");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("num.partitions", "2");
    p.put("auto.create.topics.enable", "true");
    if (!Files.exists(dir.resolve("meta.properties"))) {
      new Formatter()
          .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
          .setNodeId(1)
          .setClusterId(Uuid.randomUuid().toString())
          .setDirectories(List.of(logDir))
          .setMetadataLogDirectory(logDir)
          .setControllerListenerName("CONTROLLER")
          .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
          .run();
    }
    KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(p, false), Time.SYSTEM);
    server.startup();
    EmbeddedKafka kafka = new EmbeddedKafka(server, dir, port, controller);
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap))) {
      admin.describeCluster().nodes().get(60, TimeUnit.SECONDS);
    }
    return kafka;
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public String bootstrapServers() {
    return bootstrap;
  }

  @Override
  public void close() {
    server.shutdown();
    server.awaitShutdown();
  }
}
