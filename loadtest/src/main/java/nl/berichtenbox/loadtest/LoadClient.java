package nl.berichtenbox.loadtest;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongFunction;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.HdrHistogram.Histogram;

/** What every load scenario needs: an HTTP client on one event loop, citizen tokens, percentiles. */
public final class LoadClient implements AutoCloseable {
  final Vertx vertx = Vertx.vertx();
  final Context context = vertx.getOrCreateContext();
  final HttpClient client;

  /** An answer: its status, body and {@code Retry-After} (null when it has none). */
  record Resp(int status, Buffer body, String retryAfter) {}

  /** Why requests failed without an answer (status -1), over the whole process: cause and count. */
  final ConcurrentHashMap<String, LongAdder> failures = new ConcurrentHashMap<>();

  LoadClient(String url, int connections) {
    this(url, connections, -1);
  }

  /** The causes of status -1 (no answer) and their counts, over the whole process (warm-ups too). */
  JsonObject failuresJson() {
    JsonObject f = new JsonObject();
    failures.forEach((cause, n) -> f.put(cause, n.sum()));
    return f;
  }

  /** With {@code maxWaiting} requests at most waiting for a connection (-1: no bound); past it a request fails at once. */
  LoadClient(String url, int connections, int maxWaiting) {
    URI u = URI.create(url);
    // an idle connection is dropped after 30 s, before the engine's 60 s idle timeout: with both
    // at 60 s (Vert.x's default) a request could go out on a connection the engine was closing
    // ("Connection was closed": 21 in the overload tool's first run, none since)
    client = vertx.createHttpClient(
        new HttpClientOptions()
            .setKeepAlive(true)
            .setKeepAliveTimeout(30)
            .setTcpNoDelay(true)
            .setDefaultHost(u.getHost())
            .setDefaultPort(u.getPort()),
        new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(maxWaiting));
  }

  static Map<String, String> args(String[] argv) {
    Map<String, String> args = new LinkedHashMap<>();
    for (String a : argv) {
      int eq = a.indexOf('=');
      args.put(a.substring(2, eq), a.substring(eq + 1));
    }
    return args;
  }

  /** Call from the client's event loop (the open-model timer runs there). */
  Future<Resp> call(HttpMethod m, String path, String token, String body) {
    RequestOptions o = new RequestOptions().setMethod(m).setURI(path);
    if (token != null) {
      o.putHeader("Authorization", "Bearer " + token);
    }
    if (body != null) {
      o.putHeader("Content-Type", "application/json");
    }
    return client
        .request(o)
        .compose(req -> body == null ? req.send() : req.send(body))
        .compose(res ->
            res.body().map(b -> new Resp(res.statusCode(), b, res.getHeader("Retry-After"))));
  }

  /** What is told of each completed request: its index, nanoseconds since it was due, its status (-1: failed). */
  interface Outcome {
    void record(long index, long tookNanos, int status);
  }

  /**
   * The open arrival model: request i is due at start + i / rate, whatever the server does; a 1 ms
   * timer on the event loop sends every request that is due. Completes when all have answered.
   */
  CompletableFuture<Void> offer(
      int rate, long total, LongFunction<Future<Resp>> send, Outcome outcome) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    AtomicLong completed = new AtomicLong();
    long interval = 1_000_000_000L / rate;
    long[] sent = {0};
    long start = System.nanoTime();
    context.runOnContext(v -> vertx.setPeriodic(1, id -> {
      long now = System.nanoTime();
      while (sent[0] < total && start + sent[0] * interval <= now) {
        long i = sent[0]++;
        long due = start + i * interval;
        send.apply(i).onComplete(ar -> {
          if (ar.failed()) {
            failures
                .computeIfAbsent(
                    ar.cause().getClass().getSimpleName() + ": " + ar.cause().getMessage(),
                    k -> new LongAdder())
                .increment();
          }
          outcome.record(
              i, System.nanoTime() - due, ar.succeeded() ? ar.result().status() : -1);
          if (completed.incrementAndGet() == total) {
            done.complete(null);
          }
        });
      }
      if (sent[0] >= total) {
        vertx.cancelTimer(id);
      }
    }));
    return done;
  }

  /** A request from the main thread, issued on the event loop: a response must never race its body handler. */
  Resp blocking(HttpMethod m, String path, String token, String body) throws Exception {
    Promise<Resp> p = Promise.promise();
    context.runOnContext(v -> call(m, path, token, body).onComplete(p));
    return p.future().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /** A registered afnemer with berichtType LOAD and citizens whose boxes accept it. */
  record Afnemer(String oin, String key, List<String> bsns) {}

  Afnemer setup(String admin, String jwtSecret, int citizens) throws Exception {
    return setup(admin, jwtSecret, citizens, false);
  }

  /**
   * As {@link #setup(String, String, int)}; with {@code email}, every citizen has an e-mail address
   * ({@code <bsn>@load.test}) and notifications on. Citizens are made 32 at a time.
   */
  Afnemer setup(String admin, String jwtSecret, int citizens, boolean email) throws Exception {
    String oin = String.format("%020d", ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE));
    Resp created = blocking(
        HttpMethod.POST,
        "/api/v1/beheer/afnemers",
        admin,
        new JsonObject()
            .put("oin", oin)
            .put("naam", "Load " + oin.substring(14))
            .encode());
    if (created.status() != 201) {
      throw new IllegalStateException(
          "creating the afnemer: " + created.status() + " " + created.body());
    }
    String key = new JsonObject(created.body()).getString("apiSleutel");
    blocking(
        HttpMethod.PUT,
        "/api/v1/bericht-typen/LOAD",
        key,
        "{\"omschrijving\":\"load\",\"actief\":true}");
    Set<String> distinct = new LinkedHashSet<>();
    while (distinct.size() < citizens) {
      String b = bsn();
      // distinct: two "citizens" with one BSN would share a box; and none of the seeded store's
      // (they start 1000…), whose boxes and queued e-mails a test would otherwise take over
      if (!b.startsWith("10")) {
        distinct.add(b);
      }
    }
    List<String> bsns = new ArrayList<>(distinct);
    CompletableFuture<Void> done = new CompletableFuture<>();
    AtomicLong next = new AtomicLong();
    AtomicLong finished = new AtomicLong();
    Runnable[] one = new Runnable[1];
    one[0] = () -> {
      long i = next.getAndIncrement();
      if (i >= citizens) {
        return;
      }
      String bsn = bsns.get((int) i);
      String tok = jwt(jwtSecret, bsn);
      String box = email ? "{\"email\":\"" + bsn + "@load.test\",\"notificatiesAan\":true}" : "{}";
      call(HttpMethod.PUT, "/api/v1/berichtenbox", tok, box)
          .compose(r -> call(
              HttpMethod.PUT,
              "/api/v1/berichtenbox/voorkeuren/" + oin,
              tok,
              "{\"berichtenOntvangen\":true}"))
          .onComplete(ar -> {
            if (ar.failed() || ar.result().status() != 200) {
              done.completeExceptionally(new IllegalStateException("citizen setup failed: "
                  + (ar.failed()
                      ? ar.cause()
                      : ar.result().status() + " " + ar.result().body())));
            } else if (finished.incrementAndGet() == citizens) {
              done.complete(null);
            } else {
              one[0].run();
            }
          });
    };
    if (citizens == 0) {
      done.complete(null);
    }
    context.runOnContext(v -> {
      for (int k = 0; k < 32; k++) {
        one[0].run();
      }
    });
    done.get(30, TimeUnit.MINUTES);
    return new Afnemer(oin, key, bsns);
  }

  static String bsn() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    while (true) {
      int[] d = new int[9];
      int sum = 0;
      for (int i = 0; i < 8; i++) {
        d[i] = i == 0 ? 1 + r.nextInt(9) : r.nextInt(10);
        sum += d[i] * (9 - i);
      }
      if (sum % 11 == 10) {
        continue;
      }
      d[8] = sum % 11;
      StringBuilder sb = new StringBuilder();
      for (int x : d) {
        sb.append(x);
      }
      return sb.toString();
    }
  }

  /** The text of every load message: with the other fields, a message of about 2 KB. */
  public static final String TEKST = "Geachte heer/mevrouw, ".repeat(90).substring(0, 1880);

  /** A message of about 2 KB for the given citizen (built once per message, nothing else). */
  static String bericht(String berichtId, String bsn) {
    return "{\"berichtId\":\"" + berichtId + "\",\"berichtType\":\"LOAD\",\"bsn\":\"" + bsn
        + "\",\"onderwerp\":\"Uw aanslag inkomstenbelasting\",\"berichtTekst\":\"" + TEKST + "\"}";
  }

  /**
   * A citizen's token as the portal's identity provider would sign it. Written here, not taken from
   * the api module's CitizenJwt: the generator is a client and builds on the engine module only, and
   * a token the server's own code wrote would not test the server's reading of one.
   */
  public static String jwt(String secret, String bsn) {
    return jwt(secret, bsn, Instant.now().getEpochSecond() + 7200);
  }

  /** A citizen's token that expires at {@code exp} (epoch seconds). */
  public static String jwt(String secret, String bsn, long exp) {
    try {
      Base64.Encoder e = Base64.getUrlEncoder().withoutPadding();
      String h =
          e.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
      String p = e.encodeToString(
          ("{\"sub\":\"" + bsn + "\",\"exp\":" + exp + "}").getBytes(StandardCharsets.UTF_8));
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return h + "." + p + "."
          + e.encodeToString(mac.doFinal((h + "." + p).getBytes(StandardCharsets.US_ASCII)));
    } catch (Exception ex) {
      throw new IllegalStateException(ex);
    }
  }

  static JsonObject percentiles(Histogram h, double unit) {
    JsonObject o = new JsonObject();
    for (double p : new double[] {50, 90, 99, 99.9}) {
      o.put(
          "p" + (p == 99.9 ? "99.9" : String.valueOf((int) p)),
          round(h.getValueAtPercentile(p) / unit));
    }
    return o.put("max", round(h.getMaxValue() / unit)).put("count", h.getTotalCount());
  }

  static double round(double d) {
    return Math.round(d * 100) / 100.0;
  }

  @Override
  public void close() {
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("the load client did not close", e);
    }
  }
}
