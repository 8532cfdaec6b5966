package nl.berichtenbox.kafka.embedded;

import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * A Kafka node (KRaft, broker and controller in one) inside this JVM: alone, for trying the Kafka
 * face on one machine ({@code serve --kafka-bootstrap=embedded}) and for tests; or, run as a
 * process of its own ({@link #main}), one of the three nodes of a test cluster with replication
 * factor 3 and {@code min.insync.replicas} 2, as a deployment has them. Its log lives in the given
 * directory and is formatted on first use. Not for production.
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

  /** One node of a cluster: its id, its ports, all controllers' {@code id@host:port}, the cluster's id. */
  public record Knoop(int id, int port, int controller, String voters, String clusterId) {
    /** A node alone: itself the only voter, replication factor 1. */
    static Knoop alleen(int port, int controller) {
      return new Knoop(1, port, controller, "1@127.0.0.1:" + controller, null);
    }

    boolean cluster() {
      return voters.contains(",");
    }
  }

  private final Knoop knoop;

  private EmbeddedKafka(KafkaRaftServer server, Path dir, Knoop knoop) {
    this.server = server;
    this.bootstrap = "127.0.0.1:" + knoop.port();
    this.dir = dir;
    this.port = knoop.port();
    this.controller = knoop.controller();
    this.knoop = knoop;
  }

  /** Starts the broker (blocking, a few seconds) and waits until it answers. */
  public static EmbeddedKafka start(Path dir) throws Exception {
    return start(dir, freePort(), freePort());
  }

  /**
   * Stops this broker and starts it again on the same log and ports, as an operator's restart
   * does (for tests of what clients do meanwhile); {@code pause} is how long it stays away.
   */
  public EmbeddedKafka restart(Duration pause) throws Exception {
    close();
    Thread.sleep(pause.toMillis());
    return start(dir, knoop);
  }

  private static EmbeddedKafka start(Path dir, int port, int controller) throws Exception {
    return start(dir, Knoop.alleen(port, controller));
  }

  /** Starts one node (blocking) and waits until it answers; a cluster's nodes wait for each other. */
  public static EmbeddedKafka start(Path dir, Knoop knoop) throws Exception {
    Files.createDirectories(dir);
    String logDir = dir.toAbsolutePath().toString();
    // a cluster as deployment.md has it: a partition on three nodes, a write on two before it
    // counts
    String rf = knoop.cluster() ? "3" : "1";
    String isr = knoop.cluster() ? "2" : "1";
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", Integer.toString(knoop.id()));
    p.put("controller.quorum.voters", knoop.voters());
    p.put(
        "listeners",
        "PLAINTEXT://127.0.0.1:" + knoop.port() + ",CONTROLLER://127.0.0.1:" + knoop.controller());
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + knoop.port());
    p.put("controller.listener.names", "CONTROLLER");
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("log.dirs", logDir);
    p.put("offsets.topic.replication.factor", rf);
    p.put("offsets.topic.num.partitions", "4");
    p.put("transaction.state.log.replication.factor", rf);
    p.put("transaction.state.log.min.isr", isr);
    p.put("share.coordinator.state.topic.replication.factor", rf);
    p.put("share.coordinator.state.topic.min.isr", isr);
    p.put("default.replication.factor", rf);
    p.put("min.insync.replicas", isr);
    p.put("unclean.leader.election.enable", "false");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("num.partitions", knoop.cluster() ? "3" : "2");
    p.put("auto.create.topics.enable", "true");
    if (!Files.exists(dir.resolve("meta.properties"))) {
      new Formatter()
          .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
          .setNodeId(knoop.id())
          .setClusterId(
              knoop.clusterId() != null ? knoop.clusterId() : Uuid.randomUuid().toString())
          .setDirectories(List.of(logDir))
          .setMetadataLogDirectory(logDir)
          .setControllerListenerName("CONTROLLER")
          .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
          .run();
    }
    KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(p, false), Time.SYSTEM);
    server.startup();
    EmbeddedKafka kafka = new EmbeddedKafka(server, dir, knoop);
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap))) {
      admin.describeCluster().nodes().get(60, TimeUnit.SECONDS);
    }
    return kafka;
  }

  /**
   * One node of a test cluster as a process of its own, until it is killed:
   * {@code EmbeddedKafka <dir> <node id> <port> <controller port> <voters> <cluster id>}. Prints
   * {@code KLAAR <bootstrap>} when it answers.
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 6) {
      System.err.println(
          "usage: EmbeddedKafka <dir> <node id> <port> <controller port> <voters id@host:port,...> <cluster id>");
      System.exit(2);
    }
    Knoop k = new Knoop(
        Integer.parseInt(args[1]),
        Integer.parseInt(args[2]),
        Integer.parseInt(args[3]),
        args[4],
        args[5]);
    EmbeddedKafka kafka = start(Path.of(args[0]), k);
    Runtime.getRuntime().addShutdownHook(new Thread(kafka::close));
    System.out.println("KLAAR " + kafka.bootstrapServers());
    System.out.flush();
    Thread.currentThread().join();
  }

  /** A cluster id for {@link Knoop#clusterId()}: the same for every node of one cluster. */
  public static String nieuwClusterId() {
    return Uuid.randomUuid().toString();
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
