package nl.berichtenbox.engine.kafka;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import nl.berichtenbox.engine.afnemers.Afnemer;
import nl.berichtenbox.engine.afnemers.Afnemers;
import nl.berichtenbox.engine.intake.Intake;
import nl.berichtenbox.engine.support.Logs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka face of intake (contract §2.2): consumes {@code berichtenbox.berichten.<OIN>} by
 * pattern (a new afnemer's topic is picked up without a restart), validates and parks each poll's
 * records through the same group commit as REST (same rules, same idempotency), and commits the
 * offsets only after the database commit. A record that is no message becomes an AFGEWEZEN
 * receipt (ValidatieFout) under its key and never blocks its partition. One poll is in flight at
 * a time, so a slow database slows consumption instead of growing memory.
 */
public final class KafkaIntake implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaIntake.class);
  public static final String TOPIC_PREFIX = "berichtenbox.berichten.";
  private static final Pattern TOPICS = Pattern.compile(Pattern.quote(TOPIC_PREFIX) + "\\d{20}");

  private final KafkaConsumer<String, String> consumer;
  private final Context context;
  private final Intake intake;
  private final Afnemers afnemers;
  private final Thread thread;
  private volatile boolean running = true;

  public KafkaIntake(Vertx vertx, String bootstrap, Supplier<Intake> intakeOnContext, Afnemers afnemers) {
    this.afnemers = afnemers;
    this.context = vertx.getOrCreateContext();
    Promise<Intake> made = Promise.promise();
    context.runOnContext(v -> made.complete(intakeOnContext.get()));
    try {
      this.intake = made.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "berichtenbox-intake");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 2_000); // find new afnemers' topics quickly
    // a killed process's partitions go to the others after 10 s, not Kafka's default 45 s
    props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
    props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 3_000);
    this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    this.thread = new Thread(this::run, "kafka-intake");
  }

  public void start() {
    consumer.subscribe(TOPICS);
    thread.start();
  }

  private void run() {
    try {
      while (running) {
        ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(500));
        if (records.isEmpty()) {
          continue;
        }
        try {
          park(records);
          consumer.commitSync(offsets(records));
        } catch (WakeupException e) {
          throw e;
        } catch (Exception e) {
          // Not committed: go back to the first record of this poll and try again shortly.
          LOG.warn("Kafka intake could not park {} records, retrying: {}", records.count(), Logs.safe(e));
          for (TopicPartition tp : records.partitions()) {
            consumer.seek(tp, records.records(tp).get(0).offset());
          }
          Thread.sleep(1_000);
        }
      }
    } catch (WakeupException e) {
      // stopping
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      consumer.close();
    }
  }

  /** Parks one poll's records, per afnemer one unit, and waits for the commit. */
  private void park(ConsumerRecords<String, String> records) throws Exception {
    Map<String, List<ConsumerRecord<String, String>>> perOin = new LinkedHashMap<>();
    for (ConsumerRecord<String, String> r : records) {
      perOin.computeIfAbsent(r.topic().substring(TOPIC_PREFIX.length()), k -> new ArrayList<>()).add(r);
    }
    List<Future<?>> writes = new ArrayList<>();
    for (Map.Entry<String, List<ConsumerRecord<String, String>>> e : perOin.entrySet()) {
      String oin = e.getKey();
      List<Object> values = new ArrayList<>();
      List<String> keys = new ArrayList<>();
      for (ConsumerRecord<String, String> r : e.getValue()) {
        values.add(message(r));
        keys.add(r.key());
      }
      Promise<Object> done = Promise.promise();
      context.runOnContext(v -> afnemers.byOin(oin).compose((Afnemer a) -> {
        if (a == null) {
          LOG.warn("{} records on the topic of unknown or inactive afnemer {} skipped", values.size(), oin);
          return Future.succeededFuture();
        }
        return intake.berichten(oin, values, keys);
      }).onComplete(ar -> {
        if (ar.succeeded()) {
          done.complete();
        } else {
          done.fail(ar.cause());
        }
      }));
      writes.add(done.future());
    }
    Future.all(writes).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /** The value as a JSON object, or null when it is none (refused under the record's key). */
  private static Object message(ConsumerRecord<String, String> r) {
    if (r.value() == null) {
      return null;
    }
    try {
      return new JsonObject(r.value());
    } catch (DecodeException | ClassCastException e) {
      return null;
    }
  }

  private static Map<TopicPartition, OffsetAndMetadata> offsets(ConsumerRecords<String, String> records) {
    Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
    for (TopicPartition tp : records.partitions()) {
      List<ConsumerRecord<String, String>> rs = records.records(tp);
      out.put(tp, new OffsetAndMetadata(rs.get(rs.size() - 1).offset() + 1));
    }
    return out;
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
