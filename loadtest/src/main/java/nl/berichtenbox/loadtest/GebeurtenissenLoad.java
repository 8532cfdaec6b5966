package nl.berichtenbox.loadtest;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import nl.berichtenbox.engine.store.Seeder;

/**
 * Holds open event streams (contract §7.2) of many citizens of a seeded store while other load runs:
 * opens {@code --stromen} streams, one per citizen from the {@code --vanaf}-th seeded one, at
 * {@code --rate} a second, keeps them until
 * the file {@code --tot} exists (or {@code --seconds} passed), and reports how many opened, what
 * else was answered (a 503 is tried again after its Retry-After, up to 5 times: each answer is
 * counted), and the events and comment lines they received.
 *
 * <pre>
 * java -cp loadtest/target/loadtest.jar nl.berichtenbox.loadtest.GebeurtenissenLoad --url=http://localhost:8080 \
 *      --jwt=SECRET --stromen=10000 --rate=2000 [--vanaf=0] [--burgers=20000] [--tot=/tmp/stop] [--out=result.json]
 * </pre>
 */
public final class GebeurtenissenLoad {
  public static void main(String[] argv) throws Exception {
    Map<String, String> args = LoadClient.args(argv);
    URI url = URI.create(args.getOrDefault("url", "http://localhost:8080"));
    String secret = args.get("jwt");
    int stromen = Integer.parseInt(args.getOrDefault("stromen", "20000"));
    int rate = Integer.parseInt(args.getOrDefault("rate", "2000"));
    int burgers = Integer.parseInt(args.getOrDefault("burgers", "100000"));
    int seconds = Integer.parseInt(args.getOrDefault("seconds", "600"));
    Path tot = args.containsKey("tot") ? Path.of(args.get("tot")) : null;
    int vanaf = Integer.parseInt(args.getOrDefault("vanaf", "0"));
    String[] bsns = Seeder.bsns(burgers);
    if (stromen > burgers * 5L) {
      throw new IllegalArgumentException("at most 5 streams per citizen: raise --burgers");
    }

    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    HttpClient client = vertx.createHttpClient(
        new HttpClientOptions()
            .setDefaultHost(url.getHost())
            .setDefaultPort(url.getPort())
            .setKeepAlive(true)
            .setConnectTimeout(10_000),
        new PoolOptions().setHttp1MaxSize(stromen + 16));
    AtomicLong open = new AtomicLong();
    AtomicLong events = new AtomicLong();
    AtomicLong comments = new AtomicLong();
    AtomicLong bytes = new AtomicLong();
    AtomicLong ended = new AtomicLong();
    Map<String, AtomicLong> answers = new ConcurrentHashMap<>();
    CountDownLatch begonnen = new CountDownLatch(stromen);
    long exp = Instant.now().getEpochSecond() + seconds + 600;
    long start = System.nanoTime();
    // every request is made on the client's event loop: chained from this thread, a response
    // whose handler was set late would lose its first bytes
    Context context = vertx.getOrCreateContext();
    Tellers tellers = new Tellers(open, events, comments, bytes, ended, answers, begonnen);
    for (int i = 0; i < stromen; i++) {
      long due = start + TimeUnit.SECONDS.toNanos(1) * i / rate;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      String token = LoadClient.jwt(secret, bsns[(vanaf + i) % burgers], exp);
      context.runOnContext(v -> open(vertx, client, token, tellers, 0));
    }
    begonnen.await(120, TimeUnit.SECONDS);
    double openSeconds = (System.nanoTime() - start) / 1e9;
    System.err.printf("%d of %d streams open in %.1f s%n", open.get(), stromen, openSeconds);
    if (args.containsKey("gereed")) {
      Files.writeString(Path.of(args.get("gereed")), open.get() + "\n");
    }
    long einde = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < einde && (tot == null || !Files.exists(tot))) {
      Thread.sleep(200);
    }
    JsonObject answered = new JsonObject();
    answers.forEach((k, v) -> answered.put(k, v.get()));
    JsonObject result = new JsonObject()
        .put("scenario", "gebeurtenissen")
        .put("streams", stromen)
        .put("open", open.get())
        .put("openSeconds", LoadClient.round(openSeconds))
        .put("answers", answered)
        .put("endedWhileHeld", ended.get())
        .put("events", events.get())
        .put("comments", comments.get())
        .put("bytes", bytes.get());
    System.out.println(result.encodePrettily());
    if (args.containsKey("out")) {
      Files.writeString(Path.of(args.get("out")), result.encodePrettily());
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private record Tellers(
      AtomicLong open,
      AtomicLong events,
      AtomicLong comments,
      AtomicLong bytes,
      AtomicLong ended,
      Map<String, AtomicLong> answers,
      CountDownLatch begonnen) {
    void answer(String k) {
      answers.computeIfAbsent(k, x -> new AtomicLong()).incrementAndGet();
    }
  }

  /**
   * Opens one stream; a 503 (the engine shedding a burst of openings) is tried again after its
   * Retry-After, up to 5 times, as a portal reconnecting would. Every answer is counted.
   */
  private static void open(Vertx vertx, HttpClient client, String token, Tellers t, int poging) {
    client
        .request(new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setURI("/api/v1/berichtenbox/gebeurtenissen")
            .putHeader("Accept", "text/event-stream")
            .putHeader("Authorization", "Bearer " + token))
        .compose(req -> req.send())
        .onComplete(ar -> {
          if (ar.failed()) {
            t.answer(ar.cause().getClass().getSimpleName());
            t.begonnen().countDown();
            return;
          }
          var res = ar.result();
          t.answer(String.valueOf(res.statusCode()));
          if (res.statusCode() == 503 && poging < 5) {
            String ra = res.getHeader("Retry-After");
            long ms = 1000L * (ra == null ? 1 : Math.max(1, Long.parseLong(ra.trim())));
            res.body()
                .onComplete(
                    x -> vertx.setTimer(ms, id -> open(vertx, client, token, t, poging + 1)));
            return;
          }
          if (res.statusCode() == 200) {
            t.open().incrementAndGet();
          }
          t.begonnen().countDown();
          res.handler(b -> {
            t.bytes().addAndGet(b.length());
            String s = b.toString();
            int from = 0;
            while ((from = s.indexOf("event: ", from)) >= 0) {
              t.events().incrementAndGet();
              from += 7;
            }
            if (s.startsWith(":") || s.contains("\n:")) {
              t.comments().incrementAndGet();
            }
          });
          res.endHandler(v -> t.ended().incrementAndGet());
          res.exceptionHandler(e -> t.ended().incrementAndGet());
        });
  }
}
