package nl.berichtenbox.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import nl.berichtenbox.engine.verwerking.VerwerkingsberichtPusher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/**
 * Receipts pushed to the afnemer's callbackUrl (§2.4), against a real HTTP receiver run here:
 * signed, in order, retried after failures, and recorded as undeliverable after the give-up time
 * (3 s in the test engine instead of 6 days).
 */
class PushIT {
  private final Api api = TestEngine.api();
  private HttpServer receiver;

  private record Delivery(int status, String signature, String body) {}

  private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
  private final AtomicInteger failFirst = new AtomicInteger();
  private volatile boolean alwaysFail;

  private String startReceiver() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/ontvang", ex -> {
      String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      int status = alwaysFail || failFirst.getAndDecrement() > 0 ? 503 : 204;
      deliveries.add(
          new Delivery(status, ex.getRequestHeaders().getFirst("X-Berichtenbox-Signature"), body));
      ex.sendResponseHeaders(status, -1);
      ex.close();
    });
    receiver.start();
    return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/ontvang";
  }

  @AfterEach
  void stop() {
    if (receiver != null) {
      receiver.stop(0);
    }
  }

  private record Registered(String oin, String key, String secret) {}

  private Registered register(String url) {
    String oin = String.format("%020d", ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE));
    JsonObject r = api.post(
            "/api/v1/beheer/afnemers",
            TestEngine.ADMIN,
            new JsonObject()
                .put("oin", oin)
                .put("naam", "Push " + oin.substring(14))
                .put("callbackUrl", url))
        .expect(201)
        .json();
    Registered a = new Registered(oin, r.getString("apiSleutel"), r.getString("callbackSecret"));
    // the secret is kept encrypted at rest (issue 9): the database holds neither it nor anything to
    // sign with
    try {
      String opgeslagen = TestEngine.server()
          .engine()
          .pool()
          .preparedQuery("SELECT callback_secret FROM afnemer WHERE oin = $1")
          .execute(Tuple.of(oin))
          .toCompletionStage()
          .toCompletableFuture()
          .get()
          .iterator()
          .next()
          .getString(0);
      Assertions.assertTrue(
          opgeslagen.startsWith("v1:") && !opgeslagen.contains(a.secret()), opgeslagen);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    api.put(
            "/api/v1/bericht-typen/ALG",
            a.key(),
            new JsonObject().put("omschrijving", "x").put("actief", true))
        .expect(201);
    return a;
  }

  private static List<Long> volgnummers(String body) {
    List<Long> out = new ArrayList<>();
    new JsonObject(body)
        .getJsonArray("verwerkingsberichten")
        .forEach(o -> out.add(((JsonObject) o).getLong("volgnummer")));
    return out;
  }

  @Test
  void receiptsArriveSignedInOrderAfterFailures() throws Exception {
    failFirst.set(2);
    Registered a = register(startReceiver());
    JsonArray berichten = new JsonArray();
    for (int i = 0; i < 150; i++) {
      berichten.add(Api.bericht(Api.newBsn()));
    }
    berichten.add(Api.bericht("123"));
    api.post("/api/v1/batches", a.key(), Api.batch(berichten)).expect(202);

    Api.await(
        "151 receipts delivered",
        () -> deliveries.stream()
                .filter(d -> d.status() == 204)
                .mapToInt(d -> volgnummers(d.body()).size())
                .sum()
            >= 151);
    assertTrue(
        deliveries.size() >= 4, "two failures, then at least two batches: " + deliveries.size());
    assertEquals(503, deliveries.get(0).status());
    assertEquals(503, deliveries.get(1).status());
    assertEquals(
        deliveries.get(0).body(),
        deliveries.get(2).body(),
        "the failed batch is sent again as it was");
    List<Long> delivered = new ArrayList<>();
    for (Delivery d : deliveries) {
      assertEquals(
          "sha256=" + VerwerkingsberichtPusher.hmac(a.secret(), Buffer.buffer(d.body())),
          d.signature());
      assertTrue(volgnummers(d.body()).size() <= 100);
      if (d.status() == 204) {
        delivered.addAll(volgnummers(d.body()));
      }
    }
    List<Long> feed = new ArrayList<>();
    api.get("/api/v1/verwerkingsberichten?limit=1000", a.key())
        .json()
        .getJsonArray("verwerkingsberichten")
        .forEach(o -> feed.add(((JsonObject) o).getLong("volgnummer")));
    assertEquals(feed, delivered, "every receipt once, in feed order");
    Api.awaitRounds("the pusher looking again", TestEngine.server().engine().pusher()::rounds);
    assertEquals(
        delivered.size(),
        deliveries.stream()
            .filter(d -> d.status() == 204)
            .mapToInt(d -> volgnummers(d.body()).size())
            .sum(),
        "nothing delivered twice");
  }

  @Test
  void afterTheGiveUpTimeReceiptsAreRecordedUndeliverableAndLaterOnesStillGo() throws Exception {
    alwaysFail = true;
    Registered a = register(startReceiver());
    api.post("/api/v1/berichten", a.key(), Api.bericht(Api.newBsn())).expect(202);
    Api.await(
        "given up",
        () -> TestEngine.server()
                .engine()
                .pool()
                .preparedQuery("SELECT count(*) FROM push_onbestelbaar WHERE oin = $1")
                .execute(Tuple.of(a.oin()))
                .toCompletionStage()
                .toCompletableFuture()
                .join()
                .iterator()
                .next()
                .getLong(0)
            == 1);
    int attempts = deliveries.size();
    assertTrue(attempts >= 3, "retried before giving up: " + attempts);
    // the receipt is still in the feed
    assertEquals(
        1,
        api.get("/api/v1/verwerkingsberichten", a.key())
            .json()
            .getJsonArray("verwerkingsberichten")
            .size());

    alwaysFail = false;
    JsonObject next = Api.bericht(Api.newBsn());
    api.post("/api/v1/berichten", a.key(), next).expect(202);
    Api.await(
        "the next receipt delivered", () -> deliveries.stream().anyMatch(d -> d.status() == 204));
    Delivery ok = deliveries.stream().filter(d -> d.status() == 204).findFirst().orElseThrow();
    JsonArray pushed = new JsonObject(ok.body()).getJsonArray("verwerkingsberichten");
    assertEquals(1, pushed.size());
    assertEquals(next.getString("berichtId"), pushed.getJsonObject(0).getString("berichtId"));
  }
}
