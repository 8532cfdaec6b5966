package nl.berichtenbox.api;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import nl.berichtenbox.kafka.embedded.EmbeddedKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Three Kafka nodes (KRaft, broker and controller each), every one a JVM process of its own, as
 * a deployment has them: replication factor 3, {@code min.insync.replicas} 2. A node can be killed
 * with SIGKILL and started again on its log, as a lost and a returning machine.
 */
final class KafkaCluster implements AutoCloseable {
  private final Path dir;
  private final int[] poorten = new int[3];
  private final int[] controllers = new int[3];
  private final String voters;
  private final String clusterId = EmbeddedKafka.nieuwClusterId();
  private final Process[] knopen = new Process[3];

  KafkaCluster() throws Exception {
    dir = Files.createTempDirectory("bbx-kafka-cluster");
    List<String> v = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      poorten[i] = Ports.free();
      controllers[i] = Ports.free();
      v.add((i + 1) + "@127.0.0.1:" + controllers[i]);
    }
    voters = String.join(",", v);
    for (int id = 1; id <= 3; id++) {
      Files.deleteIfExists(log(id));
      knopen[id - 1] = proces(id);
    }
    for (int id = 1; id <= 3; id++) {
      wachtOpKlaar(id, 0); // they wait for each other: a quorum needs two
    }
  }

  private static Path log(int id) {
    return Path.of("target", "kafka-knoop-" + id + ".log");
  }

  private static long klaarRegels(int id) throws Exception {
    return Files.exists(log(id))
        ? Files.readAllLines(log(id)).stream()
            .filter(l -> l.startsWith("KLAAR"))
            .count()
        : 0;
  }

  private Process proces(int id) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(
        java,
        "-Xms256m",
        "-Xmx384m",
        "-XX:+UseSerialGC",
        "-cp",
        System.getProperty("java.class.path"),
        EmbeddedKafka.class.getName(),
        dir.resolve("knoop-" + id).toString(),
        Integer.toString(id),
        Integer.toString(poorten[id - 1]),
        Integer.toString(controllers[id - 1]),
        voters,
        clusterId);
    pb.redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log(id).toFile()));
    return pb.start();
  }

  /** Waits until node {@code id} has said KLAAR more than {@code voor} times in its log. */
  private void wachtOpKlaar(int id, long voor) throws Exception {
    long tot = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (System.nanoTime() < tot) {
      if (klaarRegels(id) > voor) {
        return;
      }
      if (!knopen[id - 1].isAlive()) {
        throw new IllegalStateException("Kafka node " + id + " ended: see " + log(id));
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(
        "Kafka node " + id + " did not answer within 120 s: see " + log(id));
  }

  /** All three nodes, as clients are configured. */
  String bootstrap() {
    return "127.0.0.1:" + poorten[0] + ",127.0.0.1:" + poorten[1] + ",127.0.0.1:" + poorten[2];
  }

  /** The node that leads the controller quorum now. */
  int controller() throws Exception {
    try (Admin admin = admin()) {
      return admin
          .describeMetadataQuorum()
          .quorumInfo()
          .get(30, TimeUnit.SECONDS)
          .leaderId();
    }
  }

  Admin admin() {
    return Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        bootstrap(),
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
        30_000));
  }

  /** The machine of node {@code id} is lost: SIGKILL. */
  void kill(int id) throws Exception {
    knopen[id - 1].destroyForcibly();
    knopen[id - 1].waitFor(30, TimeUnit.SECONDS);
  }

  /** Node {@code id} comes back on its log; returns when it answers. */
  void start(int id) throws Exception {
    long voor = klaarRegels(id);
    knopen[id - 1] = proces(id);
    wachtOpKlaar(id, voor);
  }

  /** Waits until every partition of {@code topics} has all three replicas in sync again. */
  void wachtOpVolledigeIsr(List<String> topics, Duration binnen) throws Exception {
    long tot = System.nanoTime() + binnen.toNanos();
    try (Admin admin = admin()) {
      while (System.nanoTime() < tot) {
        boolean vol =
            admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).values().stream()
                .flatMap(t -> t.partitions().stream())
                .allMatch(p -> p.isr().size() == 3);
        if (vol) {
          return;
        }
        Thread.sleep(250);
      }
    }
    throw new IllegalStateException("the replicas of " + topics + " did not catch up in " + binnen);
  }

  @Override
  public void close() {
    for (Process p : knopen) {
      if (p != null) {
        p.destroyForcibly();
      }
    }
    for (Process p : knopen) {
      try {
        if (p != null) {
          p.waitFor(30, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    TestEngine.verwijder(dir);
  }
}
