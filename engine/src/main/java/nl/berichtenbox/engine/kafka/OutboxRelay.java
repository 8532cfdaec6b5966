package nl.berichtenbox.engine.kafka;

import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import nl.berichtenbox.engine.domain.BerichtStatus;
import nl.berichtenbox.engine.metrics.EngineMetrics;
import nl.berichtenbox.engine.notificaties.NotificatieWachtrij;
import nl.berichtenbox.engine.support.BackgroundLoop;
import nl.berichtenbox.engine.support.Component;
import nl.berichtenbox.engine.support.Json;
import nl.berichtenbox.engine.support.Pseudonym;
import nl.berichtenbox.engine.tracing.Tracing;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes an outbox table to Kafka: rows that the processing transaction wrote, in the order
 * of their number, with an idempotent producer ({@code acks=all}); the stream's position in
 * {@code kafka_relay} moves only after the broker acknowledged. The position row is locked for
 * the duration of a round, so one process relays a stream at a time and another takes over when
 * it dies. A crash between sending and moving the position sends those rows again: at least
 * once, never lost, never reordered per key (consumers may deduplicate by the number).
 *
 * <p>Two streams: receipts to {@code berichtenbox.verwerkingsberichten.<OIN>} (key berichtId) and
 * notification events to {@code berichtenbox.notificaties} (key the citizen's pseudonym). Their
 * numbers are handed out under the processing lock, so they commit in number order and the
 * relay never passes a row that commits late.
 */
public final class OutboxRelay implements Component {
  public static final String VERWERKINGSBERICHTEN_PREFIX = "berichtenbox.verwerkingsberichten.";
  public static final String NOTIFICATIES_TOPIC = "berichtenbox.notificaties";
  private static final int BATCH = 1000;

  private static final String POSITIE =
      "SELECT volgnummer FROM kafka_relay WHERE naam = $1 FOR UPDATE SKIP LOCKED";
  private static final String VERDER = "UPDATE kafka_relay SET volgnummer = $2 WHERE naam = $1";

  private static final String VERWERKINGSBERICHTEN = """
      SELECT volgnummer, oin, bericht_id, batch_id, status, verwerkings_code, tijdstip, traceparent
      FROM verwerkingsbericht WHERE volgnummer > $1 ORDER BY volgnummer LIMIT $2""";

  private static final String NOTIFICATIES = """
      SELECT id, bsn, soort, aangemaakt_op, traceparent FROM notificatie WHERE id > $1 ORDER BY id LIMIT $2""";

  /** One row as a Kafka record, with its number in the outbox. */
  private record Uitgaand(
      long nummer,
      String topic,
      String key,
      String value,
      OffsetDateTime moment,
      String traceparent) {}

  private final Vertx vertx;
  private final Pool pool;
  private final RelayProducer relayProducer;
  private final Clock clock;
  private final String relayName;
  private final String sql;
  private final Function<Row, Uitgaand> record;
  private final BackgroundLoop loop;
  private final Timer delay;
  private final Tracing tracing;

  private OutboxRelay(
      Vertx vertx,
      Pool pool,
      RelayProducer relayProducer,
      String relayName,
      String sql,
      Function<Row, Uitgaand> record,
      Timer delay,
      Tracing tracing,
      Clock clock) {
    this.delay = delay;
    this.clock = clock;
    this.tracing = tracing;
    this.vertx = vertx;
    this.pool = pool;
    this.relayProducer = relayProducer;
    this.relayName = relayName;
    this.sql = sql;
    this.record = record;
    this.loop = new BackgroundLoop(vertx, relayName + " relay to Kafka", 500, this::round, e -> {});
  }

  /** The producer both streams share (thread-safe); closed by the caller after both relays stopped. */
  public static RelayProducer producer(String bootstrap, LongAdder vervangen) {
    return new RelayProducer(
        () -> new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                true,
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION,
                5,
                ProducerConfig.LINGER_MS_CONFIG,
                5),
            new StringSerializer(),
            new StringSerializer()),
        vervangen);
  }

  /** Receipts, as the feed gives them (§2.4), keyed by berichtId. */
  public static OutboxRelay verwerkingsberichten(
      Vertx vertx,
      Pool pool,
      RelayProducer relayProducer,
      EngineMetrics metrics,
      Tracing tracing,
      Clock clock) {
    return new OutboxRelay(
        vertx,
        pool,
        relayProducer,
        "verwerkingsberichten",
        VERWERKINGSBERICHTEN,
        r -> {
          JsonObject o =
              new JsonObject().put("volgnummer", r.getLong(0)).put("berichtId", r.getString(2));
          if (r.getUUID(3) != null) {
            o.put("batchId", r.getUUID(3).toString());
          }
          o.put("status", BerichtStatus.van(r.getShort(4)).name())
              .put("verwerkingsCode", r.getString(5))
              .put("tijdstip", Json.time(r.getOffsetDateTime(6)));
          String traceId = Tracing.traceId(r.getString(7));
          if (traceId != null) {
            o.put("traceId", traceId);
          }
          return new Uitgaand(
              r.getLong(0),
              VERWERKINGSBERICHTEN_PREFIX + r.getString(1),
              r.getString(2),
              o.encode(),
              r.getOffsetDateTime(6),
              r.getString(7));
        },
        metrics.kafkaRelayVerwerkingsberichten,
        tracing,
        clock);
  }

  /**
   * A notification queued for a citizen: {@code {id, soort: NIEUW_BERICHT | HERINNERING,
   * burger: <pseudonym>, tijdstip}}, keyed by the pseudonym, so events of one citizen stay in
   * order. The BSN never leaves: the pseudonym is an HMAC of it under a key only the engine (and
   * whoever holds the portal secret) can compute.
   */
  public static OutboxRelay notificaties(
      Vertx vertx,
      Pool pool,
      RelayProducer relayProducer,
      Pseudonym pseudoniem,
      EngineMetrics metrics,
      Tracing tracing,
      Clock clock) {
    return new OutboxRelay(
        vertx,
        pool,
        relayProducer,
        "notificaties",
        NOTIFICATIES,
        r -> {
          String burger = pseudoniem.of(r.getString(1));
          JsonObject o = new JsonObject()
              .put("id", r.getLong(0))
              .put("soort", NotificatieWachtrij.soortNaam(r.getShort(2)))
              .put("burger", burger)
              .put("tijdstip", Json.time(r.getOffsetDateTime(3)));
          // the trace of the first message the event tells of (a reminder has none)
          String traceId = Tracing.traceId(r.getString(4));
          if (traceId != null) {
            o.put("traceId", traceId);
          }
          return new Uitgaand(
              r.getLong(0),
              NOTIFICATIES_TOPIC,
              burger,
              o.encode(),
              r.getOffsetDateTime(3),
              r.getString(4));
        },
        metrics.kafkaRelayNotificaties,
        tracing,
        clock);
  }

  @Override
  public void start() {
    loop.start();
  }

  public void wakeUp() {
    loop.wakeUp();
  }

  private Future<Boolean> round() {
    return pool.withTransaction(conn -> conn.preparedQuery(POSITIE)
        .execute(Tuple.of(relayName))
        .compose(pos -> {
          if (pos.size() == 0) {
            return Future.succeededFuture(false); // another process relays now
          }
          long vanaf = pos.iterator().next().getLong(0);
          return conn.preparedQuery(sql).execute(Tuple.of(vanaf, BATCH)).compose(rows -> {
            if (rows.size() == 0) {
              return Future.succeededFuture(false);
            }
            List<Uitgaand> uit = new ArrayList<>(rows.size());
            for (Row r : rows) {
              uit.add(record.apply(r));
            }
            long until = uit.get(uit.size() - 1).nummer();
            // The producer's send and flush block: off the event loop.
            return vertx
                .<Void>executeBlocking(() -> {
                  Producer<String, String> producer = relayProducer.current();
                  try {
                    List<java.util.concurrent.Future<?>> acks = new ArrayList<>(uit.size());
                    List<Span> spans = new ArrayList<>();
                    for (Uitgaand u : uit) {
                      ProducerRecord<String, String> pr =
                          new ProducerRecord<>(u.topic(), u.key(), u.value());
                      if (u.traceparent() != null) {
                        // the record names the trace of the message it answers (a producer span of
                        // it when tracing is on)
                        Span span = tracing.begin(
                            u.topic() + " publish",
                            SpanKind.PRODUCER,
                            u.traceparent(),
                            Attributes.of(
                                AttributeKey.stringKey("messaging.system"),
                                "kafka",
                                AttributeKey.stringKey("messaging.destination.name"),
                                u.topic()));
                        spans.add(span);
                        pr.headers()
                            .add(
                                "traceparent",
                                Tracing.propagate(span, u.traceparent())
                                    .getBytes(StandardCharsets.US_ASCII));
                      }
                      acks.add(producer.send(pr));
                    }
                    producer.flush();
                    try {
                      for (java.util.concurrent.Future<?> ack : acks) {
                        ack.get(30, TimeUnit.SECONDS);
                      }
                    } finally {
                      spans.forEach(Span::end);
                    }
                    // written to acknowledged, for the oldest of the round (the others waited less)
                    if (uit.get(0).moment() != null) {
                      delay.record(
                          Duration.between(uit.get(0).moment().toInstant(), clock.instant()));
                    }
                  } catch (Exception e) {
                    relayProducer.afterFailure(producer, e);
                    throw e;
                  }
                  return null;
                })
                .compose(v -> conn.preparedQuery(VERDER).execute(Tuple.of(relayName, until)))
                .map(v -> uit.size() == BATCH);
          });
        }));
  }

  /** Takes no new rounds; completes when the round under way has finished. */
  @Override
  public Future<Void> stop() {
    return loop.stop();
  }
}
