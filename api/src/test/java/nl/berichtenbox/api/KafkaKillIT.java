package nl.berichtenbox.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import nl.berichtenbox.engine.kafka.KafkaIntake;
import nl.berichtenbox.engine.kafka.OutboxRelay;
import nl.berichtenbox.kafka.embedded.EmbeddedKafka;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * The Kafka path under SIGKILL: the engine consuming a topic is killed while it works through
 * it, and started again. Offsets are committed only after the database commit, so what was not
 * committed is consumed again, and idempotency makes the second time harmless: every message
 * produced is stored and receipted exactly once.
 */
class KafkaKillIT {

  @Test
  void killedWhileConsumingEveryMessageEndsUpOnce() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(Files.createTempDirectory("bbx-kafka-kill"))) {
      // a database of its own: the relays publish this test's receipts, not every other test's
      // first
      Map<String, String> env1 = EngineProcess.onNewDatabase(
          "kafka_kill", Map.of("BERICHTENBOX_KAFKA_BOOTSTRAP", kafka.bootstrapServers()));
      Api api = EngineProcess.api(env1);
      Process first = EngineProcess.start(env1, "kafka-kill-1");
      EngineProcess.awaitReady(api);
      Api shared = api;
      Api.Afnemer a = api.newAfnemer();
      String bsn = api.newBurger(a);
      String dbUrl = "jdbc:" + env1.get("BERICHTENBOX_DB_URL").replace("postgres@", "");
      List<String> ids = new ArrayList<>();
      try (KafkaProducer<String, String> producer = AfnemerProducer.create(
          kafka.bootstrapServers(), Map.of(ProducerConfig.LINGER_MS_CONFIG, 5))) {
        for (int i = 0; i < 50_000; i++) {
          JsonObject m = Api.bericht(bsn);
          ids.add(m.getString("berichtId"));
          producer.send(new ProducerRecord<>(
              KafkaIntake.TOPIC_PREFIX + a.oin(), m.getString("berichtId"), m.encode()));
        }
        producer.flush();
      }
      // kill it while it is part way through the topic
      Api.await("consumption under way", () -> stored(dbUrl, a, ids.get(1_000)));
      first.destroyForcibly();
      first.waitFor(30, TimeUnit.SECONDS);
      assertTrue(
          !stored(dbUrl, a, ids.get(ids.size() - 1)), "killed before it consumed everything");

      Process second = EngineProcess.start(env1, "kafka-kill-2");
      try {
        EngineProcess.awaitReady(api);
        Map<String, Integer> receipts = new ConcurrentHashMap<>();
        Api.await(
            "every produced message receipted",
            Duration.ofSeconds(180),
            () -> {
              receipts.clear();
              receipts.putAll(shared.receiptCounts(a));
              return receipts.size() >= ids.size();
            },
            () -> receipts.size() + " of " + ids.size() + " receipted");
        assertEquals(ids.size(), receipts.size());
        receipts.forEach((id, n) -> assertEquals(1, n, "receipts for " + id));
        assertTrue(receipts.keySet().containsAll(ids));

        // the relay was killed too: every receipt still reaches Kafka (at least once), in order per
        // partition
        Set<String> published = new HashSet<>();
        Map<Integer, List<Long>> perPartition = new HashMap<>();
        try (KafkaConsumer<String, String> c =
            ReceiptConsumer.create(kafka.bootstrapServers(), "check-" + a.oin())) {
          c.subscribe(List.of(OutboxRelay.VERWERKINGSBERICHTEN_PREFIX + a.oin()));
          long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
          while (published.size() < ids.size() && System.nanoTime() < end) {
            for (var rec : c.poll(Duration.ofMillis(500))) {
              published.add(rec.key());
              perPartition
                  .computeIfAbsent(rec.partition(), x -> new ArrayList<>())
                  .add(new JsonObject(rec.value()).getLong("volgnummer"));
            }
          }
        }
        assertTrue(
            published.containsAll(ids), "published " + published.size() + " of " + ids.size());
        perPartition.values().forEach(l -> {
          List<Long> distinct = l.stream().distinct().toList();
          assertEquals(
              distinct.stream().sorted().toList(),
              distinct,
              "a re-sent receipt never overtakes a later one");
        });
      } finally {
        second.destroy();
        second.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  /** Read from the database itself: the engine may be dead when this is asked. */
  private static boolean stored(String dbUrl, Api.Afnemer a, String id) {
    try (Connection c = DriverManager.getConnection(dbUrl, "postgres", "");
        PreparedStatement st =
            c.prepareStatement("SELECT 1 FROM bericht WHERE oin = ? AND bericht_id = ?::uuid")) {
      st.setString(1, a.oin());
      st.setString(2, id);
      try (ResultSet r = st.executeQuery()) {
        return r.next();
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
