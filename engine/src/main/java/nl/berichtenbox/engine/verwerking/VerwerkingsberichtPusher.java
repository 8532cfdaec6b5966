package nl.berichtenbox.engine.verwerking;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.tracing.TracingPolicy;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import nl.berichtenbox.engine.metrics.EngineMetrics;
import nl.berichtenbox.engine.support.BackgroundLoop;
import nl.berichtenbox.engine.support.Component;
import nl.berichtenbox.engine.support.Secrets;
import nl.berichtenbox.engine.tracing.Tracing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes receipts to afnemers with a {@code callbackUrl} (contract §2.4): batches of up to 100 in
 * feed order, signed {@code X-Berichtenbox-Signature: sha256=<hex HMAC>}, one batch in flight per
 * afnemer so order is kept, retried with exponential back-off, and after {@code pushGiveUpAfter}
 * recorded as undeliverable and passed over (still readable from the feed). All state is in
 * {@code push_stand}; an afnemer is taken with a 60 s lease, so several processes share the work
 * and a crashed one's afnemers are picked up again when its lease runs out.
 */
public final class VerwerkingsberichtPusher implements Component {
  private static final Logger LOG = LoggerFactory.getLogger(VerwerkingsberichtPusher.class);
  private static final int BATCH = 100;
  private static final int PER_RONDE = 8;

  private static final String NIEUWE_AFNEMERS = """
      INSERT INTO push_stand (oin) SELECT oin FROM afnemer WHERE callback_url IS NOT NULL ON CONFLICT DO NOTHING""";

  private static final String CLAIM = """
      WITH kandidaat AS (
        SELECT p.oin FROM push_stand p JOIN afnemer a ON a.oin = p.oin
        WHERE a.actief AND a.callback_url IS NOT NULL AND p.volgende_poging <= now() AND p.bezig_tot < now()
          AND EXISTS (SELECT 1 FROM verwerkingsbericht v WHERE v.oin = p.oin AND v.volgnummer > p.volgnummer)
        ORDER BY p.volgende_poging
        LIMIT $1
        FOR UPDATE OF p SKIP LOCKED
      )
      UPDATE push_stand p SET bezig_tot = now() + interval '60 seconds'
      FROM kandidaat k, afnemer a
      WHERE p.oin = k.oin AND a.oin = k.oin
      RETURNING p.oin, p.volgnummer, p.pogingen, p.eerste_fout_op, a.callback_url, a.callback_secret""";

  private static final String GELUKT = """
      UPDATE push_stand SET volgnummer = $2, pogingen = 0, eerste_fout_op = NULL, laatste_fout = NULL,
        volgende_poging = now(), bezig_tot = '-infinity'
      WHERE oin = $1""";

  private static final String MISLUKT = """
      UPDATE push_stand SET pogingen = pogingen + 1, eerste_fout_op = coalesce(eerste_fout_op, now()),
        laatste_fout = $2, volgende_poging = now() + $3 * interval '1 millisecond', bezig_tot = '-infinity'
      WHERE oin = $1""";

  private static final String OPGEGEVEN = """
      WITH stand AS (
        UPDATE push_stand SET volgnummer = $3, pogingen = 0, eerste_fout_op = NULL, laatste_fout = NULL,
          volgende_poging = now(), bezig_tot = '-infinity'
        WHERE oin = $1
      )
      INSERT INTO push_onbestelbaar (oin, van_volgnummer, tot_volgnummer, pogingen, laatste_fout)
      VALUES ($1, $2, $3, $4, $5)""";

  private static final String LOSLATEN =
      "UPDATE push_stand SET bezig_tot = '-infinity' WHERE oin = $1";

  private final Pool pool;
  private final Duration basis;
  private final Duration max;
  private final Duration giveUpAfter;
  private final EngineMetrics metrics;
  private final HttpClient http;
  private final BackgroundLoop loop;
  private final Tracing tracing;
  private final Clock clock;
  private static final Logger REIS = Tracing.REIS;

  public VerwerkingsberichtPusher(
      Vertx vertx,
      Pool pool,
      Secrets geheimen,
      Duration basis,
      Duration max,
      Duration giveUpAfter,
      EngineMetrics metrics,
      Tracing tracing,
      Clock clock) {
    this.tracing = tracing;
    this.clock = clock;
    this.pool = pool;
    this.geheimen = geheimen;
    this.basis = basis;
    this.max = max;
    this.giveUpAfter = giveUpAfter;
    this.metrics = metrics;
    // the trace header is the engine's own (the receipts' trace, below), not one Vert.x would make
    this.http = vertx.createHttpClient(
        new HttpClientOptions()
            .setConnectTimeout(5_000)
            .setIdleTimeout(30)
            .setKeepAlive(true)
            .setTracingPolicy(TracingPolicy.IGNORE),
        new PoolOptions().setHttp1MaxSize(2));
    this.loop = new BackgroundLoop(
        vertx,
        "receipt push",
        Math.min(1000, Math.max(50, basis.toMillis())),
        this::round,
        e -> {});
    metrics.loopRounds("push", loop);
  }

  @Override
  public void start() {
    loop.start();
  }

  /** Rounds of the pusher's loop finished since start ({@link BackgroundLoop#rounds()}). */
  public long rounds() {
    return loop.rounds();
  }

  /** New receipts may be there; callable from any thread. */
  public void wakeUp() {
    loop.wakeUp();
  }

  private record Position(
      String oin,
      long volgnummer,
      int pogingen,
      OffsetDateTime eersteFout,
      String url,
      String secret) {}

  private final Secrets geheimen;

  private Future<Boolean> round() {
    return pool.query(NIEUWE_AFNEMERS)
        .execute()
        .compose(v -> pool.preparedQuery(CLAIM).execute(Tuple.of(PER_RONDE)))
        .compose(rows -> {
          List<Future<Void>> pushes = new ArrayList<>();
          for (Row r : rows) {
            pushes.add(push(new Position(
                r.getString(0),
                r.getLong(1),
                r.getInteger(2),
                r.getOffsetDateTime(3),
                r.getString(4),
                r.getString(5))));
          }
          return Future.join(pushes).map(v -> rows.size() == PER_RONDE);
        });
  }

  private Future<Void> push(Position s) {
    return pool.preparedQuery(Verwerkingsberichten.FEED)
        .execute(Tuple.of(s.oin(), s.volgnummer(), BATCH))
        .compose(rows -> {
          if (rows.size() == 0) {
            return pool.preparedQuery(LOSLATEN).execute(Tuple.of(s.oin())).<Void>mapEmpty();
          }
          JsonArray arr = new JsonArray();
          long eerste = -1;
          long last = -1;
          OffsetDateTime oudste = null;
          String spoor = null;
          for (Row r : rows) {
            last = r.getLong(0);
            if (eerste < 0) {
              eerste = last;
              oudste = r.getOffsetDateTime(5);
            }
            if (spoor == null) {
              spoor = r.getString(6);
            }
            arr.add(Verwerkingsberichten.verwerkingsbericht(r));
          }
          Buffer body = new JsonObject().put("verwerkingsberichten", arr).toBuffer();
          long from = eerste;
          long until = last;
          int aantal = rows.size();
          OffsetDateTime geschreven = oudste;
          // one POST carries many receipts, each with its traceId in the body; the header names the
          // trace of the first that has one (a client span of it when tracing is on)
          Span span = tracing.begin(
              "POST callback",
              SpanKind.CLIENT,
              spoor,
              Attributes.of(
                  AttributeKey.longKey("berichtenbox.verwerkingsberichten.aantal"), (long) aantal));
          String header = Tracing.propagate(span, spoor);
          return post(s, body, header)
              .andThen(ar -> span.end())
              .compose(
                  status -> {
                    if (status >= 200 && status < 300) {
                      metrics.pushAfgeleverd.add(aantal);
                      if (geschreven != null) {
                        metrics.pushVertraging.record(
                            Duration.between(geschreven.toInstant(), clock.instant()));
                      }
                      if (REIS.isDebugEnabled()) {
                        for (Object e : arr) {
                          JsonObject v = (JsonObject) e;
                          REIS.atDebug()
                              .addKeyValue("berichtId", v.getString("berichtId"))
                              .addKeyValue("oin", s.oin())
                              .addKeyValue("volgnummer", v.getLong("volgnummer"))
                              .addKeyValue("trace_id", v.getString("traceId"))
                              .log("verwerkingsbericht afgeleverd aan de callbackUrl");
                        }
                      }
                      return pool.preparedQuery(GELUKT)
                          .execute(Tuple.of(s.oin(), until))
                          .<Void>mapEmpty();
                    }
                    return failed(s, from, until, aantal, "HTTP " + status);
                  },
                  e -> failed(
                      s,
                      from,
                      until,
                      aantal,
                      e.getClass().getSimpleName() + ": " + e.getMessage()));
        });
  }

  private Future<Void> failed(Position s, long from, long until, int aantal, String failure) {
    metrics.pushMislukt.increment();
    Instant now = clock.instant();
    Instant since = s.eersteFout() == null ? now : s.eersteFout().toInstant();
    if (Duration.between(since, now).compareTo(giveUpAfter) >= 0) {
      metrics.pushOnbestelbaar.add(aantal);
      LOG.warn(
          "receipts {}..{} for afnemer {} undeliverable after {} attempts: {}",
          from,
          until,
          s.oin(),
          s.pogingen() + 1,
          failure);
      return pool.preparedQuery(OPGEGEVEN)
          .execute(Tuple.of(s.oin(), from, until, s.pogingen() + 1, failure))
          .mapEmpty();
    }
    long wachtMs = Math.min(max.toMillis(), basis.toMillis() << Math.min(20, s.pogingen()));
    return pool.preparedQuery(MISLUKT)
        .execute(Tuple.of(s.oin(), failure, wachtMs))
        .mapEmpty();
  }

  private Future<Integer> post(Position s, Buffer body, String traceparent) {
    RequestOptions o;
    try {
      o = new RequestOptions()
          .setMethod(HttpMethod.POST)
          .setAbsoluteURI(s.url())
          .setIdleTimeout(30_000)
          .putHeader("Content-Type", "application/json")
          .putHeader(
              "X-Berichtenbox-Signature", "sha256=" + hmac(geheimen.decrypt(s.secret()), body));
      if (traceparent != null) {
        o.putHeader("traceparent", traceparent);
      }
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return http.request(o)
        .compose(req -> req.send(body))
        .compose(res -> res.body().map(b -> res.statusCode()));
  }

  /** Hex HMAC-SHA256 of the body with the afnemer's callback secret. */
  public static String hmac(String secret, Buffer body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body.getBytes()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public Future<Void> stop() {
    return loop.stop();
  }
}
