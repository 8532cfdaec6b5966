package nl.berichtenbox.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import nl.berichtenbox.engine.config.EngineConfig;
import nl.berichtenbox.engine.kafka.KafkaIntake;
import nl.berichtenbox.engine.kafka.OutboxRelay;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * The Kafka broker-loss drill: three nodes as processes of their own (replication factor 3,
 * {@code min.insync.replicas} 2), an afnemer producing to its topic at a steady rate with
 * {@code acks=all}, the engine taking it in and publishing receipts and notification events.
 * One node is killed with SIGKILL and comes back; then the controller; then two at once, when
 * Kafka can take no write: intake over Kafka pauses, REST intake goes on. When they return,
 * everything goes on. Proven: every record the broker acknowledged is stored once and receipted
 * once; every stored message has its receipt on Kafka, every notification its event. Measured
 * (target/kafka-cluster-meting.json), per phase: the longest wait for the broker's
 * acknowledgement, and the longest and p99 time from sending a record to its receipt on Kafka.
 */
class KafkaClusterIT {
  private static final int PER_SECONDE = 100;

  @Test
  void brokersLostOneAtATimeAndTwoAtOnceLoseNothingAndStoreNothingTwice() throws Exception {
    try (KafkaCluster kafka = new KafkaCluster()) {
      EngineConfig config = TestEngine.engineOnNewDatabase(
          "kafkacluster",
          Map.of(
              "BERICHTENBOX_KAFKA_BOOTSTRAP",
              kafka.bootstrap(),
              "BERICHTENBOX_HTTP_INSTANCES",
              "2"));
      try (ApiServer engine = ApiServer.start(config)) {
        Api api = TestEngine.api(engine);
        Api.Afnemer a = api.newAfnemer();
        List<String> bsns = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
          bsns.add(api.newBurger("burger" + i + "@example.nl", true, a));
        }
        String topic = KafkaIntake.TOPIC_PREFIX + a.oin();
        String receipts = OutboxRelay.VERWERKINGSBERICHTEN_PREFIX + a.oin();
        try (var admin = kafka.admin()) {
          admin
              .createTopics(List.of(
                  new NewTopic(topic, 3, (short) 3).configs(Map.of("min.insync.replicas", "2")),
                  new NewTopic(receipts, 3, (short) 3).configs(Map.of("min.insync.replicas", "2"))))
              .all()
              .get(60, TimeUnit.SECONDS);
        }

        Map<String, Long> verstuurd = new ConcurrentHashMap<>(); // berichtId -> sent at (ms)
        Map<String, Long> bevestigd =
            new ConcurrentHashMap<>(); // berichtId -> acknowledged at (ms)
        Map<String, Long> bewijsGezien =
            new ConcurrentHashMap<>(); // berichtId -> its receipt first seen (ms)
        Map<String, Integer> bewijzen = new ConcurrentHashMap<>();
        Set<Long> notificatieEvents = ConcurrentHashMap.newKeySet();
        long begin = System.nanoTime();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicBoolean lezerStop = new AtomicBoolean();
        AtomicBoolean produceren = new AtomicBoolean(true);
        Thread producent = new Thread(
            () -> {
              try (KafkaProducer<String, String> p = AfnemerProducer.create(
                  kafka.bootstrap(), Map.of(ProducerConfig.LINGER_MS_CONFIG, 2))) {
                while (!stop.get()) {
                  if (produceren.get()) {
                    JsonObject m =
                        Api.bericht(bsns.get(ThreadLocalRandom.current().nextInt(bsns.size())));
                    String id = m.getString("berichtId");
                    verstuurd.put(id, ms(begin));
                    p.send(new ProducerRecord<>(topic, id, m.encode()), (md, e) -> {
                      if (e == null) {
                        bevestigd.put(id, ms(begin));
                      }
                    });
                  }
                  Thread.sleep(1000 / PER_SECONDE);
                }
                p.flush();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "afnemer-producent");
        Thread lezer = new Thread(
            () -> {
              try (KafkaConsumer<String, String> c =
                  ReceiptConsumer.create(kafka.bootstrap(), "drill-" + a.oin())) {
                c.subscribe(List.of(receipts, OutboxRelay.NOTIFICATIES_TOPIC));
                while (!lezerStop.get()) {
                  for (var rec : c.poll(Duration.ofMillis(200))) {
                    JsonObject v = new JsonObject(rec.value());
                    if (rec.topic().equals(receipts)) {
                      bewijsGezien.putIfAbsent(v.getString("berichtId"), ms(begin));
                      bewijzen.merge(v.getString("berichtId"), 1, Integer::sum);
                    } else {
                      notificatieEvents.add(v.getLong("id"));
                    }
                  }
                }
              }
            },
            "drill-lezer");
        producent.start();
        lezer.start();

        JsonObject meting = new JsonObject();
        Thread.sleep(8_000);
        meting.put(
            "rustig", stilstand(verstuurd, bevestigd, bewijsGezien, ms(begin) - 6_000, ms(begin)));

        // one node lost (not the controller), then back
        int controller = kafka.controller();
        int een = controller == 1 ? 2 : 1;
        long t = ms(begin);
        kafka.kill(een);
        Thread.sleep(12_000);
        meting.put("eenKnoopWeg", stilstand(verstuurd, bevestigd, bewijsGezien, t, ms(begin)));
        kafka.start(een);
        kafka.wachtOpVolledigeIsr(List.of(topic, receipts), Duration.ofSeconds(120));

        // the controller lost, then back
        controller = kafka.controller();
        t = ms(begin);
        kafka.kill(controller);
        Thread.sleep(12_000);
        meting.put(
            "controllerWeg",
            stilstand(verstuurd, bevestigd, bewijsGezien, t, ms(begin))
                .put("controller", controller));
        kafka.start(controller);
        kafka.wachtOpVolledigeIsr(List.of(topic, receipts), Duration.ofSeconds(120));

        // two lost at once: Kafka takes no write (min.insync.replicas 2); REST intake goes on
        controller = kafka.controller();
        int[] weg = controller == 3
            ? new int[] {1, 2}
            : controller == 2 ? new int[] {1, 3} : new int[] {2, 3};
        int bevestigdVoor = bevestigd.size();
        kafka.kill(weg[0]);
        kafka.kill(weg[1]);
        Thread.sleep(3_000);
        int bevestigdBijTweeWeg = bevestigd.size();
        List<String> viaRest = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          JsonObject m = Api.bericht(bsns.get(i % bsns.size()));
          api.post("/api/v1/berichten", a.key(), m).expect(202);
          viaRest.add(m.getString("berichtId"));
        }
        for (String id : viaRest) {
          api.awaitStatus(a, id, "AFGELEVERD");
        }
        Thread.sleep(5_000);
        int bevestigdNaTweeWeg = bevestigd.size();
        assertTrue(
            bevestigdNaTweeWeg - bevestigdBijTweeWeg <= 5 * PER_SECONDE / 100,
            "with two nodes gone Kafka took no writes: " + bevestigdBijTweeWeg + " -> "
                + bevestigdNaTweeWeg);
        assertEquals(
            200,
            api.get("/health/ready", null).status(),
            "one node answers: the engine is ready for REST");
        produceren.set(false);
        kafka.start(weg[0]);
        kafka.start(weg[1]);
        produceren.set(true);
        kafka.wachtOpVolledigeIsr(List.of(topic, receipts), Duration.ofSeconds(120));
        Thread.sleep(5_000);
        stop.set(true);
        producent.join(60_000);

        // every record Kafka acknowledged is stored once, and every stored message has its receipt
        // on Kafka
        Set<String> verwacht = new HashSet<>(bevestigd.keySet());
        verwacht.addAll(viaRest);
        // (stored twice cannot be: (oin, bericht_id) is unique; receipted twice can, and is checked
        // below)
        // the last records acknowledged may still be on their way in (the intake's consumer fetches
        // after the broker acknowledged them): stored within a minute, or lost
        String jdbc = config.dbUrl().replace("postgresql://postgres@", "jdbc:postgresql://");
        Set<String> kwijt = new HashSet<>(verwacht);
        Set<String> nu;
        long tot = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
          nu = TestEngine.opgeslagen(jdbc, a.oin());
          kwijt.removeAll(nu);
          if (kwijt.isEmpty() || System.nanoTime() > tot) {
            break;
          }
          Thread.sleep(500);
        }
        assertEquals(Set.of(), kwijt, "acknowledged by Kafka (or answered 202) and not stored");
        Set<String> opgeslagen = nu;
        Api.await(
            "a receipt on Kafka for each of the " + opgeslagen.size() + " stored messages",
            Duration.ofSeconds(180),
            () -> bewijsGezien.keySet().containsAll(opgeslagen),
            () -> bewijsGezien.size() + " receipts seen of " + opgeslagen.size());
        Set<Long> notificaties = notificatieIds(config);
        assertTrue(!notificaties.isEmpty(), "the citizens with e-mail got notifications");
        Api.await(
            "an event for each of the " + notificaties.size() + " notifications",
            Duration.ofSeconds(60),
            () -> notificatieEvents.containsAll(notificaties),
            () -> notificatieEvents.size() + " events seen");
        lezerStop.set(true);
        lezer.join(30_000);
        assertTrue(
            api.receiptCounts(a).values().stream().allMatch(n -> n == 1),
            "a message receipted twice");

        meting
            .put("bevestigdDoorKafka", bevestigd.size())
            .put("bevestigdVoorTweeWeg", bevestigdVoor)
            .put("viaRestTerwijlTweeWeg", viaRest.size())
            .put("opgeslagen", opgeslagen.size())
            .put(
                "ontvangstbewijzenOpKafkaDubbel",
                bewijzen.values().stream().filter(n -> n > 1).count())
            .put("notificatieEvents", notificaties.size());
        Files.writeString(Path.of("target", "kafka-cluster-meting.json"), meting.encodePrettily());
        System.out.println("kafka cluster drill: " + meting.encode());
      }
    }
  }

  private static long ms(long begin) {
    return (System.nanoTime() - begin) / 1_000_000;
  }

  /**
   * For the records sent between two moments and acknowledged: how many, the longest wait for the
   * broker's acknowledgement, and the longest and the p99 time from sending to their receipt on
   * Kafka (what an afnemer waits; -1 when not all arrived).
   */
  private static JsonObject stilstand(
      Map<String, Long> verstuurd,
      Map<String, Long> bevestigd,
      Map<String, Long> gezien,
      long van,
      long tot)
      throws InterruptedException {
    List<String> ids = verstuurd.entrySet().stream()
        .filter(e -> e.getValue() >= van && e.getValue() < tot && bevestigd.containsKey(e.getKey()))
        .map(Map.Entry::getKey)
        .toList();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!gezien.keySet().containsAll(ids) && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    List<Long> wacht = new ArrayList<>();
    long langsteBevestiging = 0;
    for (String id : ids) {
      Long g = gezien.get(id);
      wacht.add(g == null ? Long.MAX_VALUE : g - verstuurd.get(id));
      langsteBevestiging = Math.max(langsteBevestiging, bevestigd.get(id) - verstuurd.get(id));
    }
    wacht.sort(null);
    long max = wacht.isEmpty() ? 0 : wacht.get(wacht.size() - 1);
    return new JsonObject()
        .put("bevestigd", ids.size())
        .put("langsteMsTotBevestiging", langsteBevestiging)
        .put("langsteMsTotOntvangstbewijs", max == Long.MAX_VALUE ? -1 : max)
        .put(
            "p99MsTotOntvangstbewijs",
            wacht.isEmpty() ? 0 : wacht.get((int) Math.min(wacht.size() - 1, wacht.size() * 0.99)));
  }

  private static Connection db(EngineConfig config) throws Exception {
    String url = config.dbUrl().replace("postgresql://postgres@", "jdbc:postgresql://");
    return DriverManager.getConnection(url, "postgres", "");
  }

  private static Set<Long> notificatieIds(EngineConfig config) throws Exception {
    Set<Long> ids = new HashSet<>();
    try (Connection c = db(config);
        var s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT id FROM notificatie")) {
      while (r.next()) {
        ids.add(r.getLong(1));
      }
    }
    return ids;
  }
}
