package nl.berichtenbox.engine.kafka;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import nl.berichtenbox.engine.afnemers.Afnemer;
import nl.berichtenbox.engine.afnemers.Afnemers;
import nl.berichtenbox.engine.intake.Intake;
import nl.berichtenbox.engine.metrics.EngineMetrics;
import nl.berichtenbox.engine.support.Component;
import nl.berichtenbox.engine.support.Logs;
import nl.berichtenbox.engine.tracing.Tracing;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
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
 * receipt (ValidatieFout) under its key and never blocks its partition.
 *
 * <p>Polls are pipelined: while one poll's records are being stored the consumer polls the next,
 * up to {@code kafkaMaxInFlight} records handed over and not yet committed; past that it pauses
 * its partitions (and keeps polling, so it stays in the group) until commits bring the count
 * down. Offsets are committed in poll order, only for the polls whose records are all durable:
 * a slow database slows consumption instead of growing memory. When storing fails, the consumer
 * goes back to the first uncommitted offset of each partition and tries again; records stored
 * twice that way are idempotent replays.
 */
public final class KafkaIntake implements AutoCloseable, Component {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaIntake.class);
  public static final String TOPIC_PREFIX = "berichtenbox.berichten.";
  private static final Pattern TOPICS = Pattern.compile(Pattern.quote(TOPIC_PREFIX) + "\\d{20}");

  private final KafkaConsumer<String, String> consumer;
  private final Context context;
  private final Intake intake;
  private final Afnemers afnemers;
  private final Thread thread;
  private final EngineMetrics metrics;
  private final int maxInFlight;
  private final int maxPoll;
  private volatile boolean running = true;
  // consumer thread only
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();
  private int inFlight;
  private boolean paused;

  /** One poll handed to intake: where each partition's records start and end, and when they are durable. */
  private record Pending(
      Map<TopicPartition, Long> first,
      Map<TopicPartition, OffsetAndMetadata> next,
      int count,
      CompletableFuture<Void> done) {}

  public KafkaIntake(
      Vertx vertx,
      String bootstrap,
      Supplier<Intake> intakeOnContext,
      Afnemers afnemers,
      int maxInFlight,
      EngineMetrics metrics) {
    this.afnemers = afnemers;
    this.metrics = metrics;
    this.maxInFlight = maxInFlight;
    this.maxPoll = Math.max(1, Math.min(500, maxInFlight / 4));
    this.context = vertx.getOrCreateContext();
    Promise<Intake> made = Promise.promise();
    context.runOnContext(v -> made.complete(intakeOnContext.get()));
    try {
      this.intake =
          made.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "berichtenbox-intake");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPoll);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 2_000); // find new afnemers' topics quickly
    // a killed process's partitions go to the others after 10 s, not Kafka's default 45 s
    props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
    props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 3_000);
    this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    this.thread = new Thread(this::run, "kafka-intake");
  }

  @Override
  public void start() {
    consumer.subscribe(TOPICS, new ConsumerRebalanceListener() {
      @Override
      public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        // commit what is durable before the partitions go to another process
        drain();
      }

      @Override
      public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        paused = false; // a new assignment starts unpaused
      }
    });
    thread.start();
  }

  private void run() {
    try {
      while (running) {
        ConsumerRecords<String, String> records =
            consumer.poll(Duration.ofMillis(pending.isEmpty() ? 500 : 5));
        if (!records.isEmpty()) {
          pending.add(
              new Pending(firstOffsets(records), offsets(records), records.count(), park(records)));
          inFlight += records.count();
          metrics.kafkaInFlightPiek.accumulateAndGet(inFlight, Math::max);
        }
        if (!settle()) {
          rewind();
          Thread.sleep(1_000);
        }
        metrics.kafkaInFlight.set(inFlight);
        lag();
        boolean full = inFlight + maxPoll > maxInFlight;
        if (full && !paused) {
          consumer.pause(consumer.assignment());
          paused = true;
          metrics.kafkaPauzes.increment();
        } else if (!full && paused) {
          consumer.resume(consumer.paused());
          paused = false;
        }
      }
    } catch (WakeupException e) {
      // stopping
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      try {
        drain();
      } finally {
        consumer.close();
      }
    }
  }

  private long lagRead;

  /**
   * The consumer's own figure of how far it is behind (records-lag-max over its partitions), read
   * once a second on its thread (the client is not thread-safe, and the map it gives is rebuilt).
   */
  private void lag() {
    long now = System.nanoTime();
    if (now - lagRead < 1_000_000_000L) {
      return;
    }
    lagRead = now;
    for (var e : consumer.metrics().entrySet()) {
      var metricName = e.getKey();
      if ("records-lag-max".equals(metricName.name())
          && "consumer-fetch-manager-metrics".equals(metricName.group())
          && !metricName.tags().containsKey("topic")) {
        Object v = e.getValue().metricValue();
        double d = v instanceof Number n ? n.doubleValue() : Double.NaN;
        metrics.kafkaConsumentAchterstand.set(Double.isNaN(d) || d < 0 ? -1 : (long) d);
        return;
      }
    }
  }

  /**
   * Commits the offsets of the oldest polls whose records are durable, in poll order; false when
   * the oldest unfinished poll failed.
   */
  private boolean settle() {
    Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
    boolean ok = true;
    while (!pending.isEmpty() && pending.peek().done().isDone()) {
      if (pending.peek().done().isCompletedExceptionally()) {
        ok = false;
        break;
      }
      Pending p = pending.poll();
      inFlight -= p.count();
      commit.putAll(p.next());
    }
    if (!commit.isEmpty()) {
      try {
        consumer.commitSync(commit);
      } catch (WakeupException e) {
        throw e;
      } catch (RuntimeException e) {
        // e.g. the partitions moved to another process: it re-reads from the last commit (replays)
        LOG.warn("Kafka intake offsets not committed: {}", Logs.safe(e));
      }
    }
    return ok;
  }

  /** Storing failed: wait for the rest under way, then read again from the first uncommitted offsets. */
  private void rewind() {
    Map<TopicPartition, Long> from = new HashMap<>();
    Throwable cause = null;
    for (Pending p : pending) {
      p.first().forEach((tp, off) -> from.merge(tp, off, Math::min));
      try {
        p.done().get(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        cause = cause == null ? e : cause;
      }
    }
    LOG.warn(
        "Kafka intake could not park {} records, reading them again: {}",
        inFlight,
        cause == null ? "" : Logs.safe(cause));
    pending.clear();
    inFlight = 0;
    for (Map.Entry<TopicPartition, Long> e : from.entrySet()) {
      if (consumer.assignment().contains(e.getKey())) {
        consumer.seek(e.getKey(), e.getValue());
      }
    }
  }

  /** Waits for everything under way and commits what became durable; on stop and before a rebalance. */
  private void drain() {
    for (Pending p : pending) {
      try {
        p.done().get(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        break; // settle stops at the first failed poll; its records are read again
      }
    }
    settle();
    if (!pending.isEmpty()) {
      rewind();
    }
  }

  /** Hands one poll's records to intake, per afnemer one unit; completes when they are committed. */
  private CompletableFuture<Void> park(ConsumerRecords<String, String> records) {
    Map<String, List<ConsumerRecord<String, String>>> perOin = new LinkedHashMap<>();
    for (ConsumerRecord<String, String> r : records) {
      perOin
          .computeIfAbsent(r.topic().substring(TOPIC_PREFIX.length()), k -> new ArrayList<>())
          .add(r);
    }
    List<Future<?>> writes = new ArrayList<>();
    for (Map.Entry<String, List<ConsumerRecord<String, String>>> e : perOin.entrySet()) {
      String oin = e.getKey();
      List<Object> values = new ArrayList<>();
      List<String> keys = new ArrayList<>();
      List<String> tracing = new ArrayList<>();
      for (ConsumerRecord<String, String> r : e.getValue()) {
        values.add(message(r));
        keys.add(r.key());
        tracing.add(traceparent(r));
      }
      Promise<Object> done = Promise.promise();
      context.runOnContext(v -> afnemers
          .byOin(oin)
          .compose((Afnemer a) -> {
            if (a == null) {
              LOG.warn(
                  "{} records on the topic of unknown or inactive afnemer {} skipped",
                  values.size(),
                  oin);
              return Future.succeededFuture();
            }
            return intake.berichten(oin, values, keys, tracing);
          })
          .onComplete(ar -> {
            if (ar.succeeded()) {
              done.complete();
            } else {
              done.fail(ar.cause());
            }
          }));
      writes.add(done.future());
    }
    return Future.all(writes).<Void>mapEmpty().toCompletionStage().toCompletableFuture();
  }

  private static Map<TopicPartition, Long> firstOffsets(ConsumerRecords<String, String> records) {
    Map<TopicPartition, Long> out = new HashMap<>();
    for (TopicPartition tp : records.partitions()) {
      out.put(tp, records.records(tp).get(0).offset());
    }
    return out;
  }

  /**
   * The record's W3C {@code traceparent} header (as the producer's OpenTelemetry instrumentation
   * sets it) when valid, else null: the message then starts a trace of its own.
   */
  private static String traceparent(ConsumerRecord<String, String> r) {
    var h = r.headers().lastHeader("traceparent");
    if (h == null || h.value() == null || h.value().length != 55) {
      return null;
    }
    String s = new String(h.value(), StandardCharsets.US_ASCII);
    return Tracing.isValid(s) ? s : null;
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

  private static Map<TopicPartition, OffsetAndMetadata> offsets(
      ConsumerRecords<String, String> records) {
    Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
    for (TopicPartition tp : records.partitions()) {
      List<ConsumerRecord<String, String>> rs = records.records(tp);
      out.put(tp, new OffsetAndMetadata(rs.get(rs.size() - 1).offset() + 1));
    }
    return out;
  }

  /** {@link #close()} on a worker thread: it waits for the consumer's thread to commit and end. */
  @Override
  public Future<Void> stop() {
    return context
        .owner()
        .executeBlocking(
            () -> {
              close();
              return null;
            },
            false);
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
