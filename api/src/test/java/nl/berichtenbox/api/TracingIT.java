package nl.berichtenbox.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import nl.berichtenbox.engine.config.EngineConfig;
import nl.berichtenbox.engine.kafka.OutboxRelay;
import nl.berichtenbox.engine.tracing.Tracing;
import nl.berichtenbox.kafka.embedded.EmbeddedKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Issue 20, traces: a message's W3C trace, from the afnemer's request, is on its receipt in the
 * feed, on the push (header and body) and on the Kafka record (header and value), and on its log
 * lines; with tracing on, one trace holds the HTTP request, the INSERT and the Kafka publish.
 */
class TracingIT {
  private static String hex(int bytes) {
    byte[] b = new byte[bytes];
    ThreadLocalRandom.current().nextBytes(b);
    b[0] |= 1;
    return HexFormat.of().formatHex(b);
  }

  @Test
  void oneTraceFromTheRequestToTheReceiptInFeedPushKafkaAndLogs() throws Exception {
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    OpenTelemetrySdk otel = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(spans))
            .build())
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build();
    List<String[]> pushes = new CopyOnWriteArrayList<>(); // traceparent header, body
    HttpServer ontvanger = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    ontvanger.createContext("/ontvang", ex -> {
      pushes.add(new String[] {
        ex.getRequestHeaders().getFirst("traceparent"),
        new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)
      });
      ex.sendResponseHeaders(204, -1);
      ex.close();
    });
    ontvanger.start();
    LoggerContext lc = (LoggerContext) LoggerFactory.getILoggerFactory();
    Level was = lc.getLogger("berichtenbox.bericht").getLevel();
    lc.getLogger("berichtenbox.bericht").setLevel(Level.DEBUG);
    PrintStream echt = System.out;
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    System.setOut(new PrintStream(log, true, StandardCharsets.UTF_8));
    try (EmbeddedKafka kafka = EmbeddedKafka.start(Files.createTempDirectory("bbx-kafka"))) {
      EngineConfig config = TestEngine.engineOnNewDatabase(
          "sporen", Map.of("BERICHTENBOX_KAFKA_BOOTSTRAP", kafka.bootstrapServers()));
      try (ApiServer engine = ApiServer.start(config, Clock.systemUTC(), Tracing.of(otel))) {
        Api api = TestEngine.api(engine);
        String oin =
            String.format("%020d", ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE));
        JsonObject r = api.post(
                "/api/v1/beheer/afnemers",
                TestEngine.ADMIN,
                new JsonObject()
                    .put("oin", oin)
                    .put("naam", "Tracing")
                    .put(
                        "callbackUrl",
                        "http://127.0.0.1:" + ontvanger.getAddress().getPort() + "/ontvang"))
            .expect(201)
            .json();
        Api.Afnemer a = new Api.Afnemer(oin, r.getString("apiSleutel"));
        api.put(
                "/api/v1/bericht-typen/ALG",
                a.key(),
                new JsonObject().put("omschrijving", "x").put("actief", true))
            .expect(201);
        String bsn =
            api.newBurger("burger@voorbeeld.nl", true, a); // an e-mail: a notification event too

        String trace = hex(16);
        String ouder = hex(8);
        JsonObject m = Api.bericht(bsn);
        Api.Resp resp = api.sendBytes(
                "POST",
                "/api/v1/berichten",
                a.key(),
                "application/json",
                m.encode().getBytes(StandardCharsets.UTF_8),
                "traceparent",
                "00-" + trace + "-" + ouder + "-01")
            .expect(202);
        assertTrue(
            resp.header("traceresponse").startsWith("00-" + trace + "-"),
            resp.header("traceresponse"));

        // the feed
        Api.await(
            "the receipt",
            () -> api.get("/api/v1/verwerkingsberichten", a.key())
                    .json()
                    .getJsonArray("verwerkingsberichten")
                    .size()
                == 1);
        JsonObject bewijs = api.get("/api/v1/verwerkingsberichten", a.key())
            .json()
            .getJsonArray("verwerkingsberichten")
            .getJsonObject(0);
        assertEquals(m.getString("berichtId"), bewijs.getString("berichtId"));
        assertEquals(trace, bewijs.getString("traceId"));
        // the push: header and body
        Api.await("the push", () -> !pushes.isEmpty());
        assertTrue(pushes.get(0)[0].startsWith("00-" + trace + "-"), pushes.get(0)[0]);
        assertEquals(
            trace,
            new JsonObject(pushes.get(0)[1])
                .getJsonArray("verwerkingsberichten")
                .getJsonObject(0)
                .getString("traceId"));
        // the Kafka record: header and value
        ConsumerRecord<String, String> record = null;
        ConsumerRecord<String, String> melding = null;
        try (KafkaConsumer<String, String> c =
            ReceiptConsumer.create(kafka.bootstrapServers(), "sporen")) {
          c.subscribe(List.of(
              OutboxRelay.VERWERKINGSBERICHTEN_PREFIX + oin, OutboxRelay.NOTIFICATIES_TOPIC));
          long eind = System.nanoTime() + Duration.ofSeconds(60).toNanos();
          while ((record == null || melding == null) && System.nanoTime() < eind) {
            for (ConsumerRecord<String, String> rec : c.poll(Duration.ofMillis(500))) {
              if (rec.topic().equals(OutboxRelay.NOTIFICATIES_TOPIC)) {
                melding = rec;
              } else {
                record = rec;
              }
            }
          }
        }
        assertNotNull(record, "the receipt on Kafka");
        assertNotNull(melding, "the notification event on Kafka");
        assertEquals(trace, new JsonObject(melding.value()).getString("traceId"), melding.value());
        assertTrue(new String(
                melding.headers().lastHeader("traceparent").value(), StandardCharsets.US_ASCII)
            .startsWith("00-" + trace + "-"));
        String kop = new String(
            record.headers().lastHeader("traceparent").value(), StandardCharsets.US_ASCII);
        assertTrue(kop.startsWith("00-" + trace + "-"), kop);
        assertEquals(trace, new JsonObject(record.value()).getString("traceId"));

        // the spans: one trace from the request through the INSERT, processing, publish and push
        // a span ends after its record is acknowledged: a consumer may have read the record before
        Set<String> verwacht = Set.of(
            "INSERT bericht",
            "berichtenbox verwerking",
            "POST callback",
            OutboxRelay.VERWERKINGSBERICHTEN_PREFIX + oin + " publish",
            OutboxRelay.NOTIFICATIES_TOPIC + " publish");
        Api.await(
            "the spans",
            () -> spans.getFinishedSpanItems().stream()
                    .filter(s -> s.getTraceId().equals(trace))
                    .map(SpanData::getName)
                    .collect(Collectors.toSet())
                    .containsAll(verwacht)
                && spans.getFinishedSpanItems().stream()
                    .anyMatch(s -> s.getTraceId().equals(trace) && s.getKind() == SpanKind.SERVER));
        List<SpanData> vanBericht = spans.getFinishedSpanItems().stream()
            .filter(s -> s.getTraceId().equals(trace))
            .toList();
        SpanData server = vanBericht.stream()
            .filter(s -> s.getKind() == SpanKind.SERVER)
            .findFirst()
            .orElseThrow();
        assertEquals(ouder, server.getParentSpanId(), "the caller's span is the parent");
        SpanData insert = vanBericht.stream()
            .filter(s -> s.getName().equals("INSERT bericht"))
            .findFirst()
            .orElseThrow();
        assertEquals(SpanKind.CLIENT, insert.getKind());
        assertEquals(
            "postgresql", insert.getAttributes().get(AttributeKey.stringKey("db.system.name")));
        assertEquals(server.getSpanId(), insert.getParentSpanId(), "the INSERT under the request");
        assertTrue(
            vanBericht.stream().anyMatch(s -> s.getName().equals("berichtenbox verwerking")),
            vanBericht.toString());
        // two publishes in this trace: the receipt's and the notification event's; the receipt's
        // here
        SpanData publish = vanBericht.stream()
            .filter(s -> s.getKind() == SpanKind.PRODUCER
                && s.getName().equals(OutboxRelay.VERWERKINGSBERICHTEN_PREFIX + oin + " publish"))
            .findFirst()
            .orElseThrow();
        assertEquals(
            "kafka", publish.getAttributes().get(AttributeKey.stringKey("messaging.system")));
        assertTrue(kop.contains(publish.getSpanId()), "the record's header is the publish span");
        SpanData meldingPublish = vanBericht.stream()
            .filter(s -> s.getKind() == SpanKind.PRODUCER
                && s.getName().equals(OutboxRelay.NOTIFICATIES_TOPIC + " publish"))
            .findFirst()
            .orElseThrow();
        assertTrue(
            new String(
                    melding.headers().lastHeader("traceparent").value(), StandardCharsets.US_ASCII)
                .contains(meldingPublish.getSpanId()),
            "the notification event's header is its publish span");
        assertTrue(vanBericht.stream()
            .anyMatch(s -> s.getName().equals("POST callback") && s.getKind() == SpanKind.CLIENT));
      }
    } finally {
      System.setOut(echt);
      lc.getLogger("berichtenbox.bericht").setLevel(was);
      ontvanger.stop(0);
      System.out.print(log.toString(StandardCharsets.UTF_8));
    }
    // the message's log lines name its trace
    List<String> regels = log.toString(StandardCharsets.UTF_8)
        .lines()
        .filter(l -> l.contains("\"logger\":\"berichtenbox.bericht\""))
        .toList();
    assertTrue(
        regels.stream().anyMatch(l -> l.contains("geparkeerd") && l.contains("\"trace_id\":\"")),
        regels.toString());
    assertTrue(regels.stream().anyMatch(l -> l.contains("afgeleverd")), regels.toString());
  }

  @Test
  void withTracingOffTheCallersTraceIsCarriedAndOneIsMadeWhenThereIsNone() {
    Api api = TestEngine.api();
    Api.Afnemer a = api.newAfnemer();
    String bsn = api.newBurger(a);
    String trace = hex(16);
    String gegeven = "00-" + trace + "-" + hex(8) + "-01";
    JsonObject met = Api.bericht(bsn);
    Api.Resp r1 = api.sendBytes(
            "POST",
            "/api/v1/berichten",
            a.key(),
            "application/json",
            met.encode().getBytes(StandardCharsets.UTF_8),
            "traceparent",
            gegeven)
        .expect(202);
    assertEquals(gegeven, r1.header("traceresponse"), "carried as it came");
    JsonObject zonder = Api.bericht(bsn);
    Api.Resp r2 = api.post("/api/v1/berichten", a.key(), zonder).expect(202);
    String gemaakt = r2.header("traceresponse");
    assertTrue(Tracing.isValid(gemaakt), gemaakt);
    JsonObject ongeldig = Api.bericht(bsn);
    Api.Resp r3 = api.sendBytes(
            "POST",
            "/api/v1/berichten",
            a.key(),
            "application/json",
            ongeldig.encode().getBytes(StandardCharsets.UTF_8),
            "traceparent",
            "00-" + "0".repeat(32) + "-" + hex(8) + "-01")
        .expect(202);
    assertTrue(
        Tracing.isValid(r3.header("traceresponse"))
            && !r3.header("traceresponse").contains("0".repeat(32)),
        "an invalid traceparent starts a new trace");
    Api.await(
        "three receipts",
        () -> api.get("/api/v1/verwerkingsberichten", a.key())
                .json()
                .getJsonArray("verwerkingsberichten")
                .size()
            == 3);
    JsonArray feed = api.get("/api/v1/verwerkingsberichten", a.key())
        .json()
        .getJsonArray("verwerkingsberichten");
    Map<String, String> perBericht = new HashMap<>();
    for (int i = 0; i < feed.size(); i++) {
      perBericht.put(
          feed.getJsonObject(i).getString("berichtId"), feed.getJsonObject(i).getString("traceId"));
    }
    assertEquals(trace, perBericht.get(met.getString("berichtId")));
    assertEquals(Tracing.traceId(gemaakt), perBericht.get(zonder.getString("berichtId")));
    assertEquals(
        Tracing.traceId(r3.header("traceresponse")),
        perBericht.get(ongeldig.getString("berichtId")));
  }

  @Test
  void theStandardOtelVariablesSendTheSpansByOtlp() throws Exception {
    List<byte[]> ontvangen = new CopyOnWriteArrayList<>();
    HttpServer collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    collector.createContext("/v1/traces", ex -> {
      ontvangen.add(ex.getRequestBody().readAllBytes());
      ex.getResponseHeaders().add("Content-Type", "application/x-protobuf");
      ex.sendResponseHeaders(200, 0);
      ex.close();
    });
    collector.start();
    Map<String, String> env = EngineProcess.onTestDatabase(Map.of(
        "OTEL_TRACES_EXPORTER", "otlp",
        "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf",
        "OTEL_EXPORTER_OTLP_ENDPOINT",
            "http://127.0.0.1:" + collector.getAddress().getPort(),
        "OTEL_BSP_SCHEDULE_DELAY", "200"));
    Process p = EngineProcess.start(env, "otlp");
    try {
      Api api = EngineProcess.api(env);
      EngineProcess.awaitReady(api);
      Api.Afnemer a = api.newAfnemer();
      String bsn = api.newBurger(a);
      String trace = hex(16);
      api.sendBytes(
              "POST",
              "/api/v1/berichten",
              a.key(),
              "application/json",
              Api.bericht(bsn).encode().getBytes(StandardCharsets.UTF_8),
              "traceparent",
              "00-" + trace + "-" + hex(8) + "-01")
          .expect(202);
      byte[] id = HexFormat.of().parseHex(trace);
      // the OTLP body is protobuf: the trace id is in it as its 16 bytes
      Api.await(
          "the trace at the collector",
          Duration.ofSeconds(30),
          () -> ontvangen.stream().anyMatch(b -> bevat(b, id)),
          () -> ontvangen.size() + " exports");
    } finally {
      p.destroy();
      p.waitFor(30, TimeUnit.SECONDS);
      collector.stop(0);
    }
  }

  private static boolean bevat(byte[] hooiberg, byte[] naald) {
    outer:
    for (int i = 0; i + naald.length <= hooiberg.length; i++) {
      for (int j = 0; j < naald.length; j++) {
        if (hooiberg[i + j] != naald[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
