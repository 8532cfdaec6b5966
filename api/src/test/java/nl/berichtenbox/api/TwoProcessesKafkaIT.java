package nl.berichtenbox.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import nl.berichtenbox.engine.kafka.KafkaIntake;
import nl.berichtenbox.engine.kafka.OutboxRelay;
import nl.berichtenbox.kafka.embedded.EmbeddedKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * Two engine processes on one PostgreSQL (a database of its own) and one Kafka broker (issue 5):
 * they share Kafka intake (a topic of four partitions), processing, both outbox relays and the
 * Abonnementservice worker; one is SIGKILLed part-way through 30 000 records. Afterwards every
 * record is stored and receipted once, every receipt and every notification is published, and
 * every Abonnementservice request was computed once.
 */
class TwoProcessesKafkaIT {
  private static final int RECORDS = 30_000;

  @Test
  void twoProcessesShareKafkaRelaysAndTheAbonnementserviceAndOneMayDie() throws Exception {
    TestEngine.server()
        .engine()
        .pool()
        .query("CREATE DATABASE twee_processen_kafka")
        .execute()
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    int pgPort = TestEngine.server().engine().database().connectOptions().getPort();
    String jdbc = "jdbc:postgresql://127.0.0.1:" + pgPort + "/twee_processen_kafka";
    try (EmbeddedKafka kafka = EmbeddedKafka.start(Files.createTempDirectory("bbx-kafka2"))) {
      List<Process> processes = new ArrayList<>();
      List<Api> apis = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        Map<String, String> env = new HashMap<>(EngineProcess.onTestDatabase(Map.of()));
        env.put(
            "BERICHTENBOX_DB_URL",
            "postgresql://postgres@127.0.0.1:" + pgPort + "/twee_processen_kafka");
        env.put("BERICHTENBOX_KAFKA_BOOTSTRAP", kafka.bootstrapServers());
        env.put("BERICHTENBOX_ABONNEMENTEN_VENSTER", "altijd");
        processes.add(EngineProcess.start(env, "kafka-" + i));
        apis.add(EngineProcess.api(env));
      }
      try (KafkaProducer<String, String> producer = AfnemerProducer.create(
          kafka.bootstrapServers(), Map.of(ProducerConfig.LINGER_MS_CONFIG, 5))) {
        for (Api api : apis) {
          EngineProcess.awaitReady(api);
        }
        Api overlever = apis.get(1);
        Api.Afnemer a = overlever.newAfnemer();
        List<String> burgers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          burgers.add(overlever.newBurger("twee-" + i + "@burger.test", true, a));
        }
        String topic = KafkaIntake.TOPIC_PREFIX + a.oin();
        try (Admin admin = Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
          admin
              .createTopics(List.of(new NewTopic(topic, 4, (short) 1)))
              .all()
              .get(30, TimeUnit.SECONDS);
        }

        // the Abonnementservice: six requests through both processes
        List<String> verzoeken = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
          verzoeken.add(apis.get(i % 2)
              .post(
                  "/api/v1/abonnementen/verzoeken", a.key(), new JsonObject().put("soort", "ALLES"))
              .expect(202)
              .json()
              .getString("id"));
        }
        Api.await(
            "six requests computed",
            () -> verzoeken.stream()
                .allMatch(id -> "GEREED"
                    .equals(overlever
                        .get("/api/v1/abonnementen/verzoeken/" + id, a.key())
                        .json()
                        .getString("status"))));

        for (int i = 0; i < RECORDS; i++) {
          JsonObject m = Api.bericht(burgers.get(i % burgers.size()));
          producer.send(new ProducerRecord<>(topic, m.getString("berichtId"), m.encode()));
        }
        producer.flush();
        Api.await(
            "a tenth of the records receipted before the kill",
            Duration.ofSeconds(60),
            () -> overlever.receiptCounts(a).size() >= RECORDS / 10,
            () -> overlever.receiptCounts(a).size() + " receipted");
        processes.get(0).destroyForcibly();
        int bijKill = overlever.receiptCounts(a).size();
        assertTrue(
            bijKill < RECORDS, "killed part-way: " + bijKill + " of " + RECORDS + " receipted");
        processes.get(0).waitFor(30, TimeUnit.SECONDS);
        for (int i = 0; i < 2; i++) {
          verzoeken.add(overlever
              .post(
                  "/api/v1/abonnementen/verzoeken", a.key(), new JsonObject().put("soort", "ALLES"))
              .expect(202)
              .json()
              .getString("id"));
        }

        Api.await(
            "every record receipted after the kill",
            Duration.ofSeconds(120),
            () -> overlever.receiptCounts(a).size() >= RECORDS,
            () -> overlever.receiptCounts(a).size() + " of " + RECORDS);
        Map<String, Integer> receipts = overlever.receiptCounts(a);
        assertEquals(RECORDS, receipts.size(), "every record stored after the kill");
        assertEquals(Set.of(1), new HashSet<>(receipts.values()), "each stored and receipted once");
        Api.await(
            "all eight requests computed",
            () -> verzoeken.stream()
                .allMatch(id -> "GEREED"
                    .equals(overlever
                        .get("/api/v1/abonnementen/verzoeken/" + id, a.key())
                        .json()
                        .getString("status"))));

        try (Connection db = DriverManager.getConnection(jdbc, "postgres", "")) {
          for (String id : verzoeken) {
            ResultSet r = db.createStatement()
                .executeQuery(
                    "SELECT pogingen, aantal FROM abonnement_verzoek WHERE id = '" + id + "'");
            assertTrue(r.next());
            assertEquals(1, r.getInt(1), "computed once: " + id);
            assertEquals(20, r.getLong(2), "every accepting citizen: " + id);
          }
          Set<Long> feed = new HashSet<>();
          ResultSet v = db.createStatement()
              .executeQuery(
                  "SELECT volgnummer FROM verwerkingsbericht WHERE oin = '" + a.oin() + "'");
          while (v.next()) {
            feed.add(v.getLong(1));
          }
          Set<Long> notificaties = new HashSet<>();
          ResultSet n = db.createStatement().executeQuery("SELECT id FROM notificatie");
          while (n.next()) {
            notificaties.add(n.getLong(1));
          }
          assertEquals(RECORDS, feed.size());
          assertTrue(notificaties.size() >= 20, "every citizen notified: " + notificaties.size());
          assertEquals(
              feed,
              published(
                  kafka,
                  List.of(OutboxRelay.VERWERKINGSBERICHTEN_PREFIX + a.oin()),
                  "volgnummer",
                  feed.size()),
              "every receipt published (at least once)");
          assertEquals(
              notificaties,
              published(kafka, List.of(OutboxRelay.NOTIFICATIES_TOPIC), "id", notificaties.size()),
              "every notification published (at least once)");
        }
      } finally {
        for (Process p : processes) {
          p.destroy();
          p.waitFor(30, TimeUnit.SECONDS);
        }
      }
    }
  }

  /** The numbers published on the topics, read until {@code expected} distinct ones or 60 s. */
  private static Set<Long> published(
      EmbeddedKafka kafka, List<String> topics, String field, int expected) {
    Set<Long> out = new HashSet<>();
    try (KafkaConsumer<String, String> c =
        ReceiptConsumer.create(kafka.bootstrapServers(), "test-" + System.nanoTime())) {
      c.subscribe(topics);
      long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (out.size() < expected && System.nanoTime() < end) {
        c.poll(Duration.ofMillis(200))
            .forEach(r -> out.add(new JsonObject(r.value()).getLong(field)));
      }
    }
    return out;
  }
}
