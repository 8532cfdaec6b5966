package nl.berichtenbox.engine.kafka;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import nl.berichtenbox.engine.support.BackgroundLoop;
import nl.berichtenbox.engine.support.Json;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes receipts to {@code berichtenbox.verwerkingsberichten.<OIN>} (key berichtId) from the
 * receipt table, which the processing transaction writes and so is the outbox. In feed order, with
 * an idempotent producer ({@code acks=all}); the position moves only after the broker acknowledged.
 * The position row is locked for the duration of a round, so one process relays at a time and
 * another takes over when it dies. A crash between sending and moving the position sends those
 * receipts again: at least once, never lost, never reordered per key (consumers may deduplicate
 * by volgnummer).
 */
public final class OntvangstbewijsRelay {
  public static final String TOPIC_PREFIX = "berichtenbox.verwerkingsberichten.";
  private static final int BATCH = 1000;

  private static final String POSITIE = """
      SELECT volgnummer FROM kafka_relay WHERE naam = 'verwerkingsberichten' FOR UPDATE SKIP LOCKED""";

  private static final String VOLGENDE = """
      SELECT volgnummer, oin, bericht_id, batch_id, status, verwerkings_code, tijdstip
      FROM verwerkingsbericht WHERE volgnummer > $1 ORDER BY volgnummer LIMIT $2""";

  private static final String VERDER = "UPDATE kafka_relay SET volgnummer = $1 WHERE naam = 'verwerkingsberichten'";

  private static final String[] STATUS = {"ONTVANGEN", "AFGELEVERD", "AFGEWEZEN"};

  private final Vertx vertx;
  private final Pool pool;
  private final KafkaProducer<String, String> producer;
  private final BackgroundLoop loop;

  public OntvangstbewijsRelay(Vertx vertx, Pool pool, String bootstrap) {
    this.vertx = vertx;
    this.pool = pool;
    this.producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5,
        ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(), new StringSerializer());
    this.loop = new BackgroundLoop(vertx, "receipt relay to Kafka", 500, this::ronde, e -> { });
  }

  public void start() {
    loop.start();
  }

  public void wakeUp() {
    loop.wakeUp();
  }

  private record Bewijs(long volgnummer, String oin, String berichtId, String json) {}

  private Future<Boolean> ronde() {
    return pool.withTransaction(conn -> conn.query(POSITIE).execute().compose(pos -> {
      if (pos.size() == 0) {
        return Future.succeededFuture(false); // another process relays now
      }
      long vanaf = pos.iterator().next().getLong(0);
      return conn.preparedQuery(VOLGENDE).execute(Tuple.of(vanaf, BATCH)).compose(rows -> {
        if (rows.size() == 0) {
          return Future.succeededFuture(false);
        }
        List<Bewijs> bewijzen = new ArrayList<>(rows.size());
        for (Row r : rows) {
          JsonObject o = new JsonObject().put("volgnummer", r.getLong(0)).put("berichtId", r.getString(2));
          if (r.getUUID(3) != null) {
            o.put("batchId", r.getUUID(3).toString());
          }
          o.put("status", STATUS[r.getShort(4)]).put("verwerkingsCode", r.getString(5))
              .put("tijdstip", Json.time(r.getOffsetDateTime(6)));
          bewijzen.add(new Bewijs(r.getLong(0), r.getString(1), r.getString(2), o.encode()));
        }
        long tot = bewijzen.get(bewijzen.size() - 1).volgnummer();
        // The producer's send and flush block: off the event loop.
        return vertx.<Void>executeBlocking(() -> {
          List<java.util.concurrent.Future<?>> acks = new ArrayList<>(bewijzen.size());
          for (Bewijs b : bewijzen) {
            acks.add(producer.send(new ProducerRecord<>(TOPIC_PREFIX + b.oin(), b.berichtId(), b.json())));
          }
          producer.flush();
          for (java.util.concurrent.Future<?> ack : acks) {
            ack.get(30, TimeUnit.SECONDS);
          }
          return null;
        }).compose(v -> conn.preparedQuery(VERDER).execute(Tuple.of(tot)))
            .map(v -> bewijzen.size() == BATCH);
      });
    }));
  }

  public Future<Void> stop() {
    return loop.stop().eventually(() -> vertx.executeBlocking(() -> {
      producer.close(java.time.Duration.ofSeconds(5));
      return null;
    }));
  }
}
