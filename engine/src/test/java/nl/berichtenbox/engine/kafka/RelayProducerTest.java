package nl.berichtenbox.engine.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownProducerIdException;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/** Which failures replace the relays' producer (the broker side is in the api module's KafkaRelayProducerIT). */
class RelayProducerTest {
  private final LongAdder vervangen = new LongAdder();
  private final RelayProducer producent = new RelayProducer(MockProducer::new, vervangen);

  @Test
  void aTimeoutKeepsTheProducer() {
    Producer<String, String> p = producent.current();
    producent.afterFailure(p, new ExecutionException(new TimeoutException("broker away")));
    producent.afterFailure(p, new java.util.concurrent.TimeoutException());
    assertSame(p, producent.current());
    assertEquals(0, vervangen.sum());
    assertFalse(((MockProducer<String, String>) p).closed());
  }

  @Test
  void aSequenceErrorAnywhereInTheCausesReplacesItOnce() {
    Producer<String, String> p = producent.current();
    producent.afterFailure(
        p, new ExecutionException(new OutOfOrderSequenceException("expected 175")));
    Producer<String, String> q = producent.current();
    assertNotSame(p, q);
    assertTrue(((MockProducer<String, String>) p).closed());
    assertEquals(1, vervangen.sum());
    // the other relay, still on the old producer, fails too: the new one stays
    producent.afterFailure(
        p, new KafkaException("failed", new UnknownProducerIdException("unknown")));
    assertSame(q, producent.current());
    assertEquals(1, vervangen.sum());
  }

  @Test
  void closedItMakesNoNewProducer() {
    MockProducer<String, String> p = (MockProducer<String, String>) producent.current();
    producent.close(Duration.ZERO);
    assertTrue(p.closed());
    Assertions.assertThrows(IllegalStateException.class, producent::current);
  }
}
