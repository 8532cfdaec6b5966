package nl.berichtenbox.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import nl.berichtenbox.engine.Engine;
import nl.berichtenbox.engine.kafka.OutboxRelay;
import nl.berichtenbox.engine.kafka.RelayProducer;
import nl.berichtenbox.kafka.embedded.EmbeddedKafka;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The receipt relay with a producer stuck as one was in CI (every send to a partition answered
 * {@code OutOfOrderSequenceException}): the relay replaces it and every receipt reaches the real
 * broker. Without the replacement none of the 300 receipts was published in the 60 s.
 */
class KafkaRelayProducerIT {
  private static final String OIN = "00000009111111111111";
  private static final int AANTAL = 300;

  /** A real producer on the real broker whose sends all fail as the stuck one's did. */
  static final class Vastgelopen extends KafkaProducer<String, String> {
    final AtomicInteger pogingen = new AtomicInteger();
    volatile boolean gesloten;

    Vastgelopen(Map<String, Object> props) {
      super(props, new StringSerializer(), new StringSerializer());
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<String, String> record, Callback callback) {
      pogingen.incrementAndGet();
      return CompletableFuture.failedFuture(new OutOfOrderSequenceException(
          "Out of order sequence number for producer 1 at offset 0 in partition " + record.topic()
              + "-0: 0 (incoming seq. number), 175 (current end sequence number)"));
    }

    @Override
    public void close(Duration timeout) {
      gesloten = true;
      super.close(timeout);
    }
  }

  @Test
  void aProducerStuckOnOutOfOrderSequenceIsReplacedAndEveryReceiptPublished() throws Exception {
    EmbeddedKafka kafka = EmbeddedKafka.start(Files.createTempDirectory("bbx-kafka-producent"));
    try (Engine engine =
        Engine.start(TestEngine.engineOnNewDatabase("kafka_producent", Map.of()))) {
      engine
          .pool()
          .query(
              "INSERT INTO verwerkingsbericht (oin, bericht_id, status, verwerkings_code, tijdstip) "
                  + "SELECT '" + OIN + "', 'b-' || g, 1, 'Verwerkt', now() FROM generate_series(1, "
                  + AANTAL + ") g")
          .execute()
          .toCompletionStage()
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS);

      Map<String, Object> props = new HashMap<>(Map.of(
          ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
          kafka.bootstrapServers(),
          ProducerConfig.ACKS_CONFIG,
          "all",
          ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
          true));
      List<Vastgelopen> vast = new CopyOnWriteArrayList<>();
      AtomicInteger gemaakt = new AtomicInteger();
      LongAdder vervangen = new LongAdder();
      RelayProducer producent = new RelayProducer(
          () -> {
            if (gemaakt.getAndIncrement() == 0) {
              Vastgelopen v = new Vastgelopen(props);
              vast.add(v);
              return v;
            }
            return (Producer<String, String>)
                new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
          },
          vervangen);
      OutboxRelay relay = OutboxRelay.verwerkingsberichten(
          engine.vertx(),
          engine.pool(),
          producent,
          engine.metrics(),
          engine.tracing(),
          engine.clock());
      relay.start();
      try {
        Set<String> gepubliceerd = new HashSet<>();
        try (KafkaConsumer<String, String> c =
            ReceiptConsumer.create(kafka.bootstrapServers(), "check-producent")) {
          c.subscribe(List.of(OutboxRelay.VERWERKINGSBERICHTEN_PREFIX + OIN));
          long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
          while (gepubliceerd.size() < AANTAL && System.nanoTime() < end) {
            c.poll(Duration.ofMillis(500)).forEach(r -> gepubliceerd.add(r.key()));
          }
        }
        assertEquals(AANTAL, gepubliceerd.size(), "receipts published");
        for (int i = 1; i <= AANTAL; i++) {
          assertTrue(gepubliceerd.contains("b-" + i), "receipt b-" + i);
        }
        assertTrue(vast.get(0).pogingen.get() > 0, "the stuck producer was tried");
        assertTrue(vast.get(0).gesloten, "the stuck producer was closed");
        assertEquals(1, vervangen.sum(), "replaced once");
        assertEquals(2, gemaakt.get(), "one new producer");
      } finally {
        relay.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        producent.close(Duration.ofSeconds(5));
      }
    } finally {
      kafka.close();
    }
  }
}
