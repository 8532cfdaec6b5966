package nl.berichtenbox.engine.kafka;

import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relays' shared producer, replaced by a new one when a send fails on the producer's
 * sequence or epoch. An idempotent producer can stay stuck after a fault: the broker can answer
 * one partition with {@code OutOfOrderSequenceException} on every send (expecting a sequence the
 * producer has moved past), and the relay never gets past it. Kafka's javadoc allows going on with the
 * same producer; Spring Kafka closes it on that error (spring-kafka #1441), and so do we: a new
 * producer has a new producer id and starts its sequences afresh. The rows of the failed round
 * are sent again (the position did not move), so nothing is lost; at least once, as before.
 * Other failures (a broker away, a timeout) keep the producer: a new one would first have to
 * fetch metadata from a broker that is not there, and its sends would block on that.
 */
public final class RelayProducer {
  private static final Logger LOG = LoggerFactory.getLogger(RelayProducer.class);

  private final Supplier<Producer<String, String>> factory;
  private final LongAdder replacements;
  private Producer<String, String> producer;
  private boolean gesloten;

  /** {@code replacements} counts the replacements (the metric berichtenbox_kafka_producent_vervangen_total). */
  public RelayProducer(Supplier<Producer<String, String>> factory, LongAdder replacements) {
    this.factory = factory;
    this.replacements = replacements;
  }

  /** The producer to send with now (made on first use: its constructor may block, so call off the event loop). */
  public synchronized Producer<String, String> current() {
    if (gesloten) {
      throw new IllegalStateException("the Kafka producer is closed (the engine is stopping)");
    }
    if (producer == null) {
      producer = factory.get();
    }
    return producer;
  }

  /**
   * Told of a failed round of {@code producer}: replaces it when the failure is one of its
   * sequence or epoch (anywhere in the cause chain). Blocking (the old producer is closed).
   */
  public void afterFailure(Producer<String, String> producer, Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof OutOfOrderSequenceException
          || t instanceof InvalidProducerEpochException
          || t instanceof ProducerFencedException) {
        replace(producer, t);
        return;
      }
    }
  }

  /**
   * Replaces {@code mislukt}; a no-op when another relay replaced it already (both relays share
   * it). Blocking (the old producer is closed).
   */
  private void replace(Producer<String, String> mislukt, Throwable cause) {
    synchronized (this) {
      if (producer != mislukt) {
        return;
      }
      producer = null;
    }
    replacements.increment();
    LOG.warn(
        "Kafka producer replaced after a send failed on its sequence or epoch: {}",
        cause.toString());
    try {
      mislukt.close(Duration.ZERO); // what it still holds is sent again by the next round
    } catch (RuntimeException e) {
      LOG.debug("closing the failed producer: {}", e.toString());
    }
  }

  /** Closes the current producer (at shutdown, after the relays stopped). */
  public void close(Duration wait) {
    Producer<String, String> p;
    synchronized (this) {
      p = producer;
      producer = null;
      gesloten = true;
    }
    if (p != null) {
      p.close(wait);
    }
  }
}
