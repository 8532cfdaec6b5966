package nl.berichtenbox.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import nl.berichtenbox.engine.kafka.KafkaIntake;
import nl.berichtenbox.engine.kafka.OutboxRelay;
import nl.berichtenbox.kafka.embedded.EmbeddedKafka;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * The Kafka broker restarted under load: an afnemer produces steadily to the engine's topic, the
 * broker goes away for 10 s and comes back on the same log. Meanwhile the engine says it is not
 * ready and still takes messages over HTTP; afterwards it reconnects by itself, and every record
 * the broker acknowledged is stored and receipted exactly once and its receipt published.
 */
class KafkaHerstartIT {

  @Test
  void brokerRestartedUnderLoadNothingAcknowledgedIsLostOrDoubled() throws Exception {
    EmbeddedKafka kafka = EmbeddedKafka.start(Files.createTempDirectory("bbx-kafka-herstart"));
    AtomicReference<EmbeddedKafka> herstart = new AtomicReference<>();
    Process engine = null;
    try {
      Map<String, String> env = EngineProcess.onNewDatabase(
          "kafka_herstart", Map.of("BERICHTENBOX_KAFKA_BOOTSTRAP", kafka.bootstrapServers()));
      Api api = EngineProcess.api(env);
      engine = EngineProcess.start(env, "kafka-herstart");
      EngineProcess.awaitReady(api);
      Api.Afnemer a = api.newAfnemer();
      String bsn = api.newBurger(a);

      Set<String> acked = ConcurrentHashMap.newKeySet();
      AtomicInteger failed = new AtomicInteger();
      AtomicBoolean stop = new AtomicBoolean();
      Thread producer = new Thread(() -> {
        // the afnemer's side: idempotent, retrying until the broker is back (within two minutes)
        try (KafkaProducer<String, String> p = AfnemerProducer.create(
            kafka.bootstrapServers(),
            Map.of(
                ProducerConfig.LINGER_MS_CONFIG,
                5,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                120_000,
                ProducerConfig.MAX_BLOCK_MS_CONFIG,
                120_000))) {
          while (!stop.get()) {
            JsonObject m = Api.bericht(bsn);
            String id = m.getString("berichtId");
            p.send(
                new ProducerRecord<>(KafkaIntake.TOPIC_PREFIX + a.oin(), id, m.encode()),
                (md, e) -> {
                  if (e == null) {
                    acked.add(id);
                  } else {
                    failed.incrementAndGet();
                  }
                });
            Thread.sleep(5); // about 200 records a second
          }
          p.flush();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      producer.start();
      Api.await("records flowing", () -> acked.size() >= 500);

      // the broker goes away: clean stop, 10 s gone, back on the same log and ports
      Thread restart = new Thread(() -> {
        try {
          herstart.set(kafka.restart(Duration.ofSeconds(10)));
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      restart.start();
      Api.await(
          "not ready without the broker", () -> api.get("/health/ready", null).status() == 503);
      // HTTP intake does not need the broker
      api.post("/api/v1/berichten", a.key(), Api.bericht(bsn)).expect(202);
      restart.join(120_000);
      assertTrue(herstart.get() != null, "the broker came back");
      Api.await("ready again", () -> api.get("/health/ready", null).status() == 200);
      int naHerstart = acked.size();
      Api.await("records flowing again", () -> acked.size() >= naHerstart + 300);
      stop.set(true);
      producer.join(150_000);
      assertEquals(0, failed.get(), "every record was acknowledged in the end");

      Map<String, Integer> receipts = new ConcurrentHashMap<>();
      Api.await(
          "every acknowledged record receipted",
          Duration.ofSeconds(120),
          () -> {
            receipts.clear();
            receipts.putAll(api.receiptCounts(a));
            return receipts.keySet().containsAll(acked);
          },
          () -> receipts.size() + " receipted of " + acked.size() + " acknowledged");
      receipts.forEach((id, n) -> assertEquals(1, n, "receipts for " + id));

      // and the receipts of the Kafka records reach the afnemer's receipt topic
      Set<String> published = new HashSet<>();
      try (KafkaConsumer<String, String> c =
          ReceiptConsumer.create(herstart.get().bootstrapServers(), "check-" + a.oin())) {
        c.subscribe(List.of(OutboxRelay.VERWERKINGSBERICHTEN_PREFIX + a.oin()));
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!published.containsAll(acked) && System.nanoTime() < end) {
          c.poll(Duration.ofMillis(500)).forEach(r -> published.add(r.key()));
        }
      }
      assertTrue(
          published.containsAll(acked), "published " + published.size() + " of " + acked.size());
    } finally {
      if (engine != null) {
        engine.destroy();
        engine.waitFor(30, TimeUnit.SECONDS);
      }
      (herstart.get() != null ? herstart.get() : kafka).close();
    }
  }
}
