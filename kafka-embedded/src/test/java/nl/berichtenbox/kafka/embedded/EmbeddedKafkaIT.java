package nl.berichtenbox.kafka.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaIT {
  @Test
  void aRecordProducedIsConsumed(@TempDir Path dir) throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
      try (KafkaProducer<String, String> p = new KafkaProducer<>(
          Map.of(
              ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
              kafka.bootstrapServers(),
              ProducerConfig.ACKS_CONFIG,
              "all"),
          new StringSerializer(),
          new StringSerializer())) {
        p.send(new ProducerRecord<>("proef", "k", "hallo")).get();
      }
      try (KafkaConsumer<String, String> c = new KafkaConsumer<>(
          Map.of(
              ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
              kafka.bootstrapServers(),
              ConsumerConfig.GROUP_ID_CONFIG,
              "g",
              ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
              "earliest"),
          new StringDeserializer(),
          new StringDeserializer())) {
        c.subscribe(List.of("proef"));
        ConsumerRecords<String, String> rs = ConsumerRecords.empty();
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (rs.isEmpty() && System.nanoTime() < end) {
          rs = c.poll(Duration.ofMillis(200));
        }
        assertEquals("hallo", rs.iterator().next().value());
      }
    }
  }
}
