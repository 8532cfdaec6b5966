package nl.berichtenbox.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nl.berichtenbox.api.http.CitizenJwt;
import nl.berichtenbox.engine.config.EngineConfig;
import nl.berichtenbox.engine.kafka.KafkaIntake;
import nl.berichtenbox.engine.kafka.OutboxRelay;
import nl.berichtenbox.engine.support.Pseudonym;
import nl.berichtenbox.kafka.embedded.EmbeddedKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/**
 * The Kafka face of intake (§2.2) on a real broker in this JVM: messages produced to the
 * afnemer's topic are parked and processed like REST ones, a record produced twice is stored
 * once, a poison record becomes a ValidatieFout receipt and does not block the partition, and a
 * new afnemer's topic is consumed without a restart.
 */
class KafkaIntakeIT {

  @Test
  void messagesOnTheAfnemersTopicArePickedUpOnceEach() throws Exception {
    Api first = TestEngine.api();
    try (EmbeddedKafka kafka = EmbeddedKafka.start(Files.createTempDirectory("bbx-kafka"))) {
      EngineConfig config =
          TestEngine.secondEngine(Map.of("BERICHTENBOX_KAFKA_BOOTSTRAP", kafka.bootstrapServers()));
      try (ApiServer engine = ApiServer.start(config);
          KafkaProducer<String, String> producer =
              AfnemerProducer.create(kafka.bootstrapServers())) {
        Api api =
            new Api("http://127.0.0.1:" + engine.port(), new CitizenJwt(TestEngine.JWT_SECRET));
        assertEquals("UP", api.get("/health/ready", null).expect(200).json().getString("kafka"));
        Api.Afnemer a = api.newAfnemer();
        String bsn = api.newBurger(a);
        String topic = KafkaIntake.TOPIC_PREFIX + a.oin();

        JsonObject m = Api.bericht(bsn);
        String id = m.getString("berichtId");
        // the producer's trace, as its OpenTelemetry instrumentation would set it, is the message's
        String spoor = "00-" + "4bf92f3577b34da6a3ce929d0e0e4736" + "-00f067aa0ba902b7-01";
        String spoorGif = "00-" + "0af7651916cd43dd8448eb211c80319c" + "-b7ad6b7169203331-01";
        producer
            .send(metSpoor(new ProducerRecord<>(topic, id, m.encode()), spoor))
            .get();
        producer
            .send(metSpoor(new ProducerRecord<>(topic, id, m.encode()), spoor))
            .get(); // re-delivered
        producer
            .send(metSpoor(new ProducerRecord<>(topic, "gif-1", "{dit is geen json"), spoorGif))
            .get();
        JsonObject na = Api.bericht(bsn);
        producer
            .send(metSpoor(
                new ProducerRecord<>(topic, na.getString("berichtId"), na.encode()),
                "00-" + "0".repeat(32) + "-b7ad6b7169203331-01"))
            .get(); // not a valid one: a trace of its own

        assertEquals("Verwerkt", api.awaitStatus(a, id, "AFGELEVERD").getString("verwerkingsCode"));
        api.awaitStatus(a, na.getString("berichtId"), "AFGELEVERD");
        Api.await(
            "three receipts",
            () -> api.get("/api/v1/verwerkingsberichten", a.key())
                    .json()
                    .getJsonArray("verwerkingsberichten")
                    .size()
                == 3);
        @SuppressWarnings("unchecked") // JsonArray.getList() is a raw List
        List<Object> receipts = api.get("/api/v1/verwerkingsberichten", a.key())
            .json()
            .getJsonArray("verwerkingsberichten")
            .getList();
        assertEquals(
            1,
            receipts.stream()
                .filter(o -> id.equals(((Map<?, ?>) o).get("berichtId")))
                .count(),
            "produced twice, stored and receipted once");
        Map<?, ?> gif = (Map<?, ?>) receipts.stream()
            .filter(o -> "gif-1".equals(((Map<?, ?>) o).get("berichtId")))
            .findFirst()
            .orElseThrow();
        assertEquals("AFGEWEZEN", gif.get("status"));
        assertEquals("ValidatieFout", gif.get("verwerkingsCode"));
        Map<Object, Object> traces = new HashMap<>();
        receipts.forEach(
            o -> traces.put(((Map<?, ?>) o).get("berichtId"), ((Map<?, ?>) o).get("traceId")));
        assertEquals(
            "4bf92f3577b34da6a3ce929d0e0e4736",
            traces.get(id),
            "the record's traceparent header is kept");
        assertEquals(
            "0af7651916cd43dd8448eb211c80319c", traces.get("gif-1"), "a refused record's too");
        String eigen = (String) traces.get(na.getString("berichtId"));
        assertTrue(
            eigen != null
                && eigen.matches("[0-9a-f]{32}")
                && !eigen.equals("0".repeat(32))
                && !traces.get(id).equals(eigen),
            "an invalid header starts a trace of its own: " + eigen);

        // the receipts are published too, in feed order, keyed by berichtId
        List<Long> feed = receipts.stream()
            .map(o -> ((Number) ((Map<?, ?>) o).get("volgnummer")).longValue())
            .toList();
        List<Long> published = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        Map<Integer, List<Long>> perPartition = new HashMap<>();
        try (KafkaConsumer<String, String> c =
            ReceiptConsumer.create(kafka.bootstrapServers(), "test-" + a.oin())) {
          c.subscribe(List.of(OutboxRelay.VERWERKINGSBERICHTEN_PREFIX + a.oin()));
          long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
          while (published.size() < 3 && System.nanoTime() < end) {
            for (var rec : c.poll(Duration.ofMillis(200))) {
              long v = new JsonObject(rec.value()).getLong("volgnummer");
              assertEquals(traces.get(rec.key()), new JsonObject(rec.value()).getString("traceId"));
              published.add(v);
              keys.add(rec.key());
              perPartition
                  .computeIfAbsent(rec.partition(), p -> new ArrayList<>())
                  .add(v);
            }
          }
        }
        // Kafka keeps order per partition (per key), not across a topic's partitions
        assertEquals(feed, published.stream().sorted().toList(), "every receipt published once");
        perPartition
            .values()
            .forEach(
                l -> assertEquals(l.stream().sorted().toList(), l, "in feed order per partition"));
        assertEquals(
            List.of(id, "gif-1", na.getString("berichtId")).stream().sorted().toList(),
            keys.stream().sorted().toList());

        // a new afnemer's topic, created after the engine started
        Api.Afnemer b = api.newAfnemer();
        JsonObject vanB = Api.bericht(api.newBurger(b));
        producer
            .send(new ProducerRecord<>(
                KafkaIntake.TOPIC_PREFIX + b.oin(), vanB.getString("berichtId"), vanB.encode()))
            .get();
        api.awaitStatus(b, vanB.getString("berichtId"), "AFGELEVERD");
        first.get("/api/v1/berichten/" + vanB.getString("berichtId"), b.key()).expect(200);
      }
    }
  }

  /**
   * Back-pressure and notification events: with at most 200 records in flight, 3 000 produced
   * records make the consumer pause (never more than 200 handed over and uncommitted) and are all
   * stored once; a citizen with e-mail on gets a notification event on berichtenbox.notificaties,
   * keyed by their pseudonym, without their BSN.
   */
  @Test
  void consumptionPausesAtTheInFlightLimitAndNotificationsArePublished() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(Files.createTempDirectory("bbx-kafka"))) {
      EngineConfig config = TestEngine.secondEngine(Map.of(
          "BERICHTENBOX_KAFKA_BOOTSTRAP",
          kafka.bootstrapServers(),
          "BERICHTENBOX_KAFKA_MAX_IN_FLIGHT",
          "200"));
      try (ApiServer engine = ApiServer.start(config);
          KafkaProducer<String, String> producer = AfnemerProducer.create(
              kafka.bootstrapServers(), Map.of(ProducerConfig.LINGER_MS_CONFIG, 5))) {
        Api api =
            new Api("http://127.0.0.1:" + engine.port(), new CitizenJwt(TestEngine.JWT_SECRET));
        Api.Afnemer a = api.newAfnemer();
        List<String> burgers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
          burgers.add(api.newBurger(a));
        }
        String metMail = api.newBurger("kafka@burger.test", true, a);
        String topic = KafkaIntake.TOPIC_PREFIX + a.oin();
        // prime: the pattern subscription finds the new topic within seconds
        JsonObject eerste = Api.bericht(metMail);
        producer
            .send(new ProducerRecord<>(topic, eerste.getString("berichtId"), eerste.encode()))
            .get();
        api.awaitStatus(a, eerste.getString("berichtId"), "AFGELEVERD");
        for (int i = 0; i < 3000; i++) {
          JsonObject m = Api.bericht(burgers.get(i % burgers.size()));
          producer.send(new ProducerRecord<>(topic, m.getString("berichtId"), m.encode()));
        }
        producer.flush();
        Api.await("3 001 receipts", () -> api.receiptCounts(a).size() == 3001);
        assertEquals(Set.of(1), new HashSet<>(api.receiptCounts(a).values()), "each stored once");
        var metrics = engine.engine().metrics();
        Assertions.assertTrue(metrics.kafkaPauzes.sum() > 0, "consumption paused");
        Assertions.assertTrue(
            metrics.kafkaInFlightPiek.get() <= 200,
            "in flight at most the limit: " + metrics.kafkaInFlightPiek.get());

        String pseudoniem = new Pseudonym(TestEngine.JWT_SECRET).of(metMail);
        try (KafkaConsumer<String, String> c =
            ReceiptConsumer.create(kafka.bootstrapServers(), "test-notificaties")) {
          c.subscribe(List.of(OutboxRelay.NOTIFICATIES_TOPIC));
          List<ConsumerRecord<String, String>> events = new ArrayList<>();
          long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
          while (events.stream().noneMatch(e -> pseudoniem.equals(e.key()))
              && System.nanoTime() < end) {
            c.poll(Duration.ofMillis(200)).forEach(events::add);
          }
          var event = events.stream()
              .filter(e -> pseudoniem.equals(e.key()))
              .findFirst()
              .orElseThrow();
          JsonObject v = new JsonObject(event.value());
          assertEquals("NIEUW_BERICHT", v.getString("soort"));
          assertEquals(pseudoniem, v.getString("burger"));
          Assertions.assertFalse(event.value().contains(metMail), "no BSN in the event");
          assertEquals(
              1,
              events.stream().filter(e -> pseudoniem.equals(e.key())).count(),
              "one event per e-mail");
        }
      }
    }
  }

  private static ProducerRecord<String, String> metSpoor(
      ProducerRecord<String, String> r, String traceparent) {
    r.headers().add("traceparent", traceparent.getBytes(StandardCharsets.US_ASCII));
    return r;
  }
}
