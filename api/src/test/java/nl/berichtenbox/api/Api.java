package nl.berichtenbox.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import nl.berichtenbox.api.http.CitizenJwt;

/** A small HTTP client for tests: real requests to the running engine, answers as JSON. */
public final class Api {
  public final String base;
  public final CitizenJwt jwt;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Clock clock;

  public Api(String base, CitizenJwt jwt) {
    this(base, jwt, Clock.systemUTC());
  }

  /** Citizen tokens issued by {@code clock}: the engine's, when a test moves it. */
  public Api(String base, CitizenJwt jwt, Clock clock) {
    this.base = base;
    this.jwt = jwt;
    this.clock = clock;
  }

  public record Resp(int status, HttpResponse<String> raw) {
    public JsonObject json() {
      return new JsonObject(raw.body());
    }

    public String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }

    public Resp expect(int expected) {
      assertEquals(
          expected,
          status,
          () -> "status of " + raw.request().method() + " " + raw.request().uri() + ", body: "
              + raw.body());
      return this;
    }

    /** The names in a problem's invalidParams. */
    public List<String> invalidNames() {
      JsonArray arr = json().getJsonArray("invalidParams", new JsonArray());
      List<String> out = new ArrayList<>();
      for (int i = 0; i < arr.size(); i++) {
        out.add(arr.getJsonObject(i).getString("name"));
      }
      return out;
    }
  }

  public Resp send(String method, String path, String token, String contentType, String body) {
    return sendWith(method, path, token, contentType, body);
  }

  /** As {@link #send}, with extra headers (name, value, ...). */
  public Resp sendWith(
      String method,
      String path,
      String token,
      String contentType,
      String body,
      String... headers) {
    return exchange(
        method,
        path,
        token,
        contentType,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body),
        headers);
  }

  /** As {@link #send}, with raw bytes (invalid UTF-8, huge bodies) and extra headers (name, value, ...). */
  public Resp sendBytes(
      String method,
      String path,
      String token,
      String contentType,
      byte[] body,
      String... headers) {
    return exchange(
        method, path, token, contentType, HttpRequest.BodyPublishers.ofByteArray(body), headers);
  }

  /** As {@link #sendBytes}, without a declared length: the body goes chunked. */
  public Resp sendChunked(
      String method, String path, String token, String contentType, byte[] body) {
    // a publisher of unknown length (-1): the JDK client sends Transfer-Encoding: chunked
    return exchange(
        method,
        path,
        token,
        contentType,
        HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofByteArray(body)));
  }

  private Resp exchange(
      String method,
      String path,
      String token,
      String contentType,
      HttpRequest.BodyPublisher body,
      String... headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    b.method(method, body);
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Resp(r.statusCode(), r);
    } catch (InterruptedException e) {
      // the caller's loop must still see it: PostgresFailoverIT's readiness poller, interrupted
      // during a request, polled on for ever and hung CI
      Thread.currentThread().interrupt();
      throw new IllegalStateException(method + " " + path + " interrupted", e);
    } catch (IOException e) {
      throw new IllegalStateException(method + " " + path + " failed", e);
    }
  }

  public Resp get(String path, String token) {
    return send("GET", path, token, null, null);
  }

  public Resp post(String path, String token, JsonObject body) {
    return send("POST", path, token, "application/json", body.encode());
  }

  public Resp put(String path, String token, JsonObject body) {
    return send("PUT", path, token, "application/json", body.encode());
  }

  // --- fixtures ---

  /** A registered afnemer with a fresh OIN, its key, and an active berichtType "ALG". */
  public record Afnemer(String oin, String key) {}

  public Afnemer newAfnemer() {
    return newAfnemer(new JsonObject());
  }

  /** As {@link #newAfnemer()}, registered with these fields as well (testmodus, callbackUrl, ...). */
  public Afnemer newAfnemer(JsonObject velden) {
    String oin = newOin();
    Resp r = post(
            "/api/v1/beheer/afnemers",
            TestEngine.ADMIN,
            velden.copy().put("oin", oin).put("naam", "Afnemer " + oin.substring(12)))
        .expect(201);
    Afnemer a = new Afnemer(oin, r.json().getString("apiSleutel"));
    put(
            "/api/v1/bericht-typen/ALG",
            a.key(),
            new JsonObject().put("omschrijving", "Algemeen").put("actief", true))
        .expect(201);
    return a;
  }

  /** A random OIN (20 digits). */
  public static String newOin() {
    return String.format("%020d", ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE));
  }

  /** A random BSN that passes the elfproef. */
  public static String newBsn() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    while (true) {
      int[] d = new int[9];
      int sum = 0;
      d[0] = 1 + r.nextInt(9);
      for (int i = 0; i < 8; i++) {
        if (i > 0) {
          d[i] = r.nextInt(10);
        }
        sum += d[i] * (9 - i);
      }
      int last = sum % 11;
      if (last == 10) {
        continue;
      }
      d[8] = last;
      StringBuilder sb = new StringBuilder();
      for (int x : d) {
        sb.append(x);
      }
      return sb.toString();
    }
  }

  public String burgerToken(String bsn) {
    return jwt.issue(bsn, clock.instant().getEpochSecond() + 3600);
  }

  /** A citizen with an active box that accepts messages of the given afnemers. */
  public String newBurger(Afnemer... accepts) {
    return newBurger(null, false, accepts);
  }

  /** As {@link #newBurger(Afnemer...)}, with an e-mail address (may be null) and notifications on or off. */
  public String newBurger(String email, boolean notificatiesAan, Afnemer... accepts) {
    String bsn = newBsn();
    String tok = burgerToken(bsn);
    JsonObject box = new JsonObject();
    if (email != null) {
      box.put("email", email).put("notificatiesAan", notificatiesAan);
    }
    put("/api/v1/berichtenbox", tok, box).expect(200);
    for (Afnemer a : accepts) {
      put(
              "/api/v1/berichtenbox/voorkeuren/" + a.oin(),
              tok,
              new JsonObject().put("berichtenOntvangen", true))
          .expect(200);
    }
    return bsn;
  }

  public static JsonObject bericht(String bsn) {
    return new JsonObject()
        .put("berichtId", UUID.randomUUID().toString())
        .put("berichtType", "ALG")
        .put("bsn", bsn)
        .put("onderwerp", "Uw aanslag 2026")
        .put("berichtTekst", "Zie de bijlage.");
  }

  public static JsonObject pdfBijlage(int volgorde, int bytes) {
    byte[] b = new byte[bytes];
    System.arraycopy("%PDF-1.7\n".getBytes(), 0, b, 0, 9);
    return new JsonObject()
        .put("omschrijving", "Bijlage " + volgorde)
        .put("volgorde", volgorde)
        .put("mediaType", "application/pdf")
        .put("inhoud", Base64.getEncoder().encodeToString(b));
  }

  public static JsonObject batch(JsonArray berichten) {
    return new JsonObject()
        .put("batchId", UUID.randomUUID().toString())
        .put("aanmaakDatum", Instant.now().toString())
        .put("berichten", berichten);
  }

  /**
   * Sends {@code batches} batches of {@code perBatch} messages to {@code bsn}, waits until each has
   * its receipt, and returns their berichtIds.
   */
  public List<String> stuurBatches(Afnemer a, String bsn, int batches, int perBatch) {
    List<String> ids = new ArrayList<>();
    for (int b = 0; b < batches; b++) {
      JsonArray berichten = new JsonArray();
      for (int i = 0; i < perBatch; i++) {
        JsonObject m = bericht(bsn);
        ids.add(m.getString("berichtId"));
        berichten.add(m);
      }
      post("/api/v1/batches", a.key(), batch(berichten)).expect(202);
    }
    await(ids.size() + " receipts", () -> receiptCounts(a).keySet().containsAll(ids));
    return ids;
  }

  /** {@code n} new citizens with an active box that accepts {@code a}. */
  public List<String> newBurgers(Afnemer a, int n) {
    List<String> bsns = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      bsns.add(newBurger(a));
    }
    return bsns;
  }

  /** Each of {@code ids} is delivered and has exactly one receipt in the afnemer's feed. */
  public void elkAfgeleverdMetEenOntvangstbewijs(Afnemer a, Collection<String> ids) {
    Map<String, Integer> receipts = receiptCounts(a);
    for (String id : ids) {
      assertEquals(1, receipts.getOrDefault(id, 0), "receipt of " + id);
      assertEquals(
          "AFGELEVERD",
          get("/api/v1/berichten/" + id, a.key()).expect(200).json().getString("status"));
    }
  }

  /** The afnemer's whole receipt feed, as the number of receipts per berichtId. */
  public Map<String, Integer> receiptCounts(Afnemer a) {
    Map<String, Integer> out = new HashMap<>();
    long vanaf = 0;
    while (true) {
      JsonObject page =
          get("/api/v1/verwerkingsberichten?limit=1000&vanaf=" + vanaf, a.key()).json();
      JsonArray arr = page.getJsonArray("verwerkingsberichten");
      if (arr.isEmpty()) {
        return out;
      }
      arr.forEach(o -> out.merge(((JsonObject) o).getString("berichtId"), 1, Integer::sum));
      vanaf = page.getLong("volgende");
    }
  }

  /** Waits until the condition holds; processing is asynchronous. */
  public static void await(String what, BooleanSupplier condition) {
    await(what, Duration.ofSeconds(20), condition, () -> "");
  }

  /**
   * As {@link #await(String, BooleanSupplier)}, for longer work (a restart, a lease running out,
   * a consumer group rebalancing); on a time-out the message adds {@code stand}, what the test
   * can say about where things are.
   */
  public static void await(
      String what, Duration timeout, BooleanSupplier condition, Supplier<String> stand) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return;
      }
      try {
        Thread.sleep(timeout.compareTo(Duration.ofSeconds(60)) > 0 ? 500 : 25);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    String s = stand.get();
    fail("timed out waiting for " + what + (s.isEmpty() ? "" : ": " + s));
  }

  /**
   * Waits until each background loop has finished two rounds more than now, so that one whole round
   * of each ran after this call ({@code BackgroundLoop.rounds()}): "nothing more came" said after the
   * engine looked again, not after a guessed time.
   */
  public static void awaitRounds(String what, List<LongSupplier> loops) {
    long[] from = loops.stream().mapToLong(LongSupplier::getAsLong).toArray();
    await(
        what,
        Duration.ofSeconds(30),
        () -> {
          for (int i = 0; i < from.length; i++) {
            if (loops.get(i).getAsLong() < from[i] + 2) {
              return false;
            }
          }
          return true;
        },
        () -> "");
  }

  public static void awaitRounds(String what, LongSupplier loop) {
    awaitRounds(what, List.of(loop));
  }

  public JsonObject awaitStatus(Afnemer a, String berichtId, String status) {
    JsonObject[] last = new JsonObject[1];
    await("status " + status + " of " + berichtId, () -> {
      Resp r = get("/api/v1/berichten/" + berichtId, a.key());
      last[0] = r.status() == 200 ? r.json() : null;
      return last[0] != null && status.equals(last[0].getString("status"));
    });
    assertTrue(last[0] != null);
    return last[0];
  }
}
