package nl.berichtenbox.loadtest;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Intake through Kafka: produces 2 KB messages to the afnemer's topic at a fixed rate (or as fast
 * as the producer goes, rate 0), then reads back from the receipts how fast they were stored and
 * processed (each given its receipt) and the lag from production to delivery in the box (p50/p99
 * over a sample of 2 000).
 *
 * <pre>
 * java -cp loadtest/target/loadtest.jar nl.berichtenbox.loadtest.KafkaLoad --url=http://localhost:8080 \
 *      --admin=TOKEN --jwt=SECRET --bootstrap=127.0.0.1:9092 --count=60000 --rate=2000
 * </pre>
 */
public final class KafkaLoad {
  public static void main(String[] argv) throws Exception {
    Map<String, String> args = LoadClient.args(argv);
    try (LoadClient http = new LoadClient(args.getOrDefault("url", "http://localhost:8080"), 16)) {
      run(http, args);
    }
  }

  private static void run(LoadClient http, Map<String, String> args) throws Exception {
    int count = Integer.parseInt(args.getOrDefault("count", "60000"));
    int rate = Integer.parseInt(args.getOrDefault("rate", "2000"));
    LoadClient.Afnemer a = http.setup(args.get("admin"), args.get("jwt"), 200);
    String topic = "berichtenbox.berichten." + a.oin();
    String[] ids = new String[count];
    long[] sentAtMillis = new long[count];
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            args.get("bootstrap"),
            ProducerConfig.ACKS_CONFIG,
            "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
            true,
            ProducerConfig.LINGER_MS_CONFIG,
            5),
        new StringSerializer(),
        new StringSerializer())) {
      // A new afnemer's topic is found by the engine's pattern subscription within seconds; prime
      // it first, so the figures are of steady state, not of topic discovery.
      String eerste = UUID.randomUUID().toString();
      producer
          .send(new ProducerRecord<>(
              topic, eerste, LoadClient.bericht(eerste, a.bsns().get(0))))
          .get();
      long primeDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (http.blocking(HttpMethod.GET, "/api/v1/berichten/" + eerste, a.key(), null)
                  .status()
              != 200
          && System.nanoTime() < primeDeadline) {
        Thread.sleep(100);
      }
      long start = System.nanoTime();
      for (int i = 0; i < count; i++) {
        if (rate > 0) {
          long due = start + (long) i * 1_000_000_000L / rate;
          while (System.nanoTime() < due) {
            Thread.onSpinWait();
          }
        }
        ids[i] = UUID.randomUUID().toString();
        sentAtMillis[i] = System.currentTimeMillis();
        producer.send(new ProducerRecord<>(
            topic, ids[i], LoadClient.bericht(ids[i], a.bsns().get(i % a.bsns().size()))));
      }
      producer.flush();
    }

    // wait for the last one, then sample
    JsonObject last;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(600);
    do {
      Thread.sleep(200);
      last = new JsonObject(
          http.blocking(HttpMethod.GET, "/api/v1/berichten/" + ids[count - 1], a.key(), null)
              .body());
    } while (!last.containsKey("verwerktOp") && System.nanoTime() < deadline);
    JsonObject first =
        new JsonObject(http.blocking(HttpMethod.GET, "/api/v1/berichten/" + ids[0], a.key(), null)
            .body());
    double storedSeconds = (Instant.parse(last.getString("ontvangenOp")).toEpochMilli()
            - Instant.parse(first.getString("ontvangenOp")).toEpochMilli())
        / 1000.0;
    // processed: the first stored to the last given its receipt (an afnemer's receipts are written
    // in the order its messages came, so the last message's is the last)
    double processedSeconds = last.containsKey("verwerktOp")
        ? (Instant.parse(last.getString("verwerktOp")).toEpochMilli()
                - Instant.parse(first.getString("ontvangenOp")).toEpochMilli())
            / 1000.0
        : Double.NaN;

    Histogram lag = new Histogram(TimeUnit.HOURS.toMillis(1), 3);
    List<Integer> sample = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      sample.add(i);
    }
    Collections.shuffle(sample);
    for (int i : sample.subList(0, Math.min(2000, count))) {
      JsonObject s =
          new JsonObject(http.blocking(HttpMethod.GET, "/api/v1/berichten/" + ids[i], a.key(), null)
              .body());
      lag.recordValue(
          Math.max(0, Instant.parse(s.getString("verwerktOp")).toEpochMilli() - sentAtMillis[i]));
    }
    JsonObject result = new JsonObject()
        .put("scenario", "kafka-intake")
        .put("count", count)
        .put("offeredRate", rate)
        .put("storedPerSecond", LoadClient.round((count - 1) / Math.max(0.001, storedSeconds)))
        .put(
            "processedPerSecond",
            Double.isNaN(processedSeconds)
                ? null
                : LoadClient.round(count / Math.max(0.001, processedSeconds)))
        .put("allProcessed", last.containsKey("verwerktOp"))
        .put("producedToDeliveredMs", LoadClient.percentiles(lag, 1));
    System.out.println(result.encodePrettily());
    if (args.containsKey("out")) {
      Files.writeString(Path.of(args.get("out")), result.encodePrettily());
    }
  }
}
