package nl.berichtenbox.api;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * An afnemer's producer on the intake topic, as the contract (§2.2) asks one to be: every replica
 * acknowledges (acks=all), idempotent (a retry never writes a record twice), keyed by berichtId.
 */
final class AfnemerProducer {
  private AfnemerProducer() {}

  static KafkaProducer<String, String> create(String bootstrap) {
    return create(bootstrap, Map.of());
  }

  /** With {@code settings} added or overriding (a linger, a delivery time-out). */
  static KafkaProducer<String, String> create(String bootstrap, Map<String, Object> settings) {
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.putAll(settings);
    return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
  }
}
