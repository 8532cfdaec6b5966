package nl.berichtenbox.api;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import nl.berichtenbox.api.afnemer.AfnemerRoutes;
import nl.berichtenbox.api.beheer.BeheerRoutes;
import nl.berichtenbox.api.burger.BerichtenboxRoutes;
import nl.berichtenbox.api.http.Auth;
import nl.berichtenbox.api.http.CitizenJwt;
import nl.berichtenbox.api.http.ConnectionCap;
import nl.berichtenbox.api.http.HttpTimings;
import nl.berichtenbox.api.http.Problems;
import nl.berichtenbox.api.http.ReadTimeouts;
import nl.berichtenbox.api.http.RouteTable;
import nl.berichtenbox.api.ops.OperationsRoutes;
import nl.berichtenbox.api.web.WebPages;
import nl.berichtenbox.engine.Engine;
import nl.berichtenbox.engine.config.EngineConfig;
import nl.berichtenbox.engine.domain.ClientErrorException;
import nl.berichtenbox.engine.domain.InvalidParam;
import nl.berichtenbox.engine.metrics.EngineMetrics;

/**
 * One HTTP server instance per event loop (the TechEmpower pattern): its own router, its own
 * intake and group committer, so the hot path never crosses threads.
 */
public final class HttpVerticle extends VerticleBase {
  public static final String API_VERSION = "1.0.0";

  private final int port;
  private final Engine engine;
  private final Buffer openApi;
  private final WebPages pages;
  private final RouteTable table;
  private final HttpTimings timings;
  private HttpServer server;
  private long responseTimeoutMs;
  private ConnectionCap connectionCap;

  /** {@code port} negative: a port the system picks, shared by every instance asking the same ({@link #actualPort()}). */
  public HttpVerticle(Engine engine, Buffer openApi, WebPages pages, int port) {
    this.engine = engine;
    this.port = port;
    this.openApi = openApi;
    this.pages = pages;
    this.timings = new HttpTimings(engine.metrics().httpServer);
    this.table = new RouteTable(timings);
  }

  /** The port this verticle's server listens on (the one picked, where 0 was asked). */
  public int actualPort() {
    return server.actualPort();
  }

  /** The routes this verticle serves; the same for every instance. */
  public RouteTable routes() {
    return table;
  }

  @Override
  public Future<?> start() {
    EngineConfig config = engine.config();
    // this event loop's queries take the request pool, so a request finds a connection on its own
    // loop (a connection of another loop costs a task and a wake-up each way)
    engine.servesRequests();
    responseTimeoutMs = Math.max(1, config.httpResponseTimeout().toMillis());
    connectionCap = new ConnectionCap(
        vertx,
        config.maxConnections(),
        config.httpHeadTimeout(),
        engine.metrics().httpConnections,
        engine.metrics().httpConnectionsRefused);
    Router router = router(config);
    HttpServerOptions options = new HttpServerOptions()
        .setPort(port)
        .setHost(config.httpHost())
        .setIdleTimeout(60)
        .setMaxHeaderSize(16 * 1024)
        .setMaxInitialLineLength(8 * 1024)
        .setTcpNoDelay(true)
        .setHttp2ClearTextEnabled(
            false) // see ReadTimeouts: the head of a request must be timed from its first byte
        .setCompressionSupported(true);
    if (config.tlsCert() != null) {
      Tls.configure(options, config);
    }
    var readTimeouts = new ReadTimeouts(
        config.httpHeadTimeout(),
        config.httpBodyTimeout(),
        config.httpBodyMinRate(),
        engine.metrics().httpTraagGesloten);
    server = vertx
        .createHttpServer(options)
        .connectionHandler(c -> {
          connectionCap.install(c);
          readTimeouts.install(c);
        })
        .requestHandler(router);
    return server.listen();
  }

  private Router router(EngineConfig config) {
    Router router = Router.router(vertx);
    EngineMetrics metrics = engine.metrics();
    router.route().handler(ctx -> conventions(ctx, metrics));
    Auth auth = new Auth(
        engine.afnemers(),
        config.adminToken(),
        new CitizenJwt(config.portalJwtSecret()),
        engine.bezoekers()::bezoek,
        engine.clock());
    new BerichtenboxRoutes(
            engine.berichtenboxen(),
            engine.boxBerichten(),
            engine.meelezers(),
            engine.gebeurtenissen())
        .mount(router, Router.router(vertx), table, auth);
    new AfnemerRoutes(
            engine.newIntake(),
            engine.verwerkingsberichten(),
            engine.afnemers(),
            engine.validatieservice(),
            engine.rapportages(),
            engine.abonnementservice(),
            engine.rateLimiter(),
            engine.tracing(),
            config.maxBodyBytes(),
            config.maxBatchBodyBytes())
        .mount(router, table, auth);
    new BeheerRoutes(
            engine.afnemers(),
            engine.incidenten(),
            engine.onderhoudsKalender(),
            engine.slaRapportage(),
            engine.clock())
        .mount(router, table, auth);
    new OperationsRoutes(engine.readiness(), metrics, openApi).mount(router, table);
    pages.mount(router);

    router.route().failureHandler(this::failure);
    router.errorHandler(
        404, ctx -> Problems.send(ctx, 404, "Niet gevonden", "deze route bestaat niet"));
    router.errorHandler(405, this::methodNotAllowed);
    router.errorHandler(
        413, ctx -> Problems.send(ctx, 413, "Te groot", "de body is groter dan toegestaan"));
    router.errorHandler(
        415, ctx -> Problems.send(ctx, 415, "Mediatype niet ondersteund", "verkeerd Content-Type"));
    router.errorHandler(
        500,
        ctx -> Problems.fail(
            ctx, ctx.failure() == null ? new IllegalStateException() : ctx.failure()));
    return router;
  }

  private void conventions(RoutingContext ctx, EngineMetrics metrics) {
    HttpServerResponse res = ctx.response();
    res.putHeader("API-Version", API_VERSION)
        .putHeader("Cache-Control", "no-store")
        .putHeader("Content-Security-Policy", "frame-ancestors 'none'")
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("X-Frame-Options", "DENY");
    if (ctx.request().isSSL()) {
      res.putHeader("Strict-Transport-Security", "max-age=31536000");
    }
    metrics.httpRequests.increment();
    String path = ctx.request().path();
    // an event stream lasts as long as its token: not a request in flight (20 000 streams would
    // shed everyone), and no answer time (its lifetime would be the face's p99.9)
    boolean stroom = path.equals(BerichtenboxRoutes.GEBEURTENISSEN);
    int inFlight = stroom ? metrics.httpInFlight.get() : metrics.httpInFlight.incrementAndGet();
    // bodies are buffered until they are parsed and committed: count their bytes, so that large
    // messages (100 kB attachments) shed before they fill the heap, not at a request count
    long bodyBytes = contentLength(ctx);
    long bytesInFlight = metrics.httpBodyBytesInFlight.addAndGet(bodyBytes);
    long begin = System.nanoTime();
    boolean presentatie = !stroom && path.startsWith("/api/v1/berichtenbox");
    var timing = timings.begin(ctx, begin);
    long deadline = vertx.setTimer(responseTimeoutMs, id -> antwoordDeadline(ctx, metrics));
    ctx.addEndHandler(v -> {
      vertx.cancelTimer(deadline);
      if (!stroom) {
        metrics.httpInFlight.decrementAndGet();
      }
      metrics.httpBodyBytesInFlight.addAndGet(-bodyBytes);
      long end = System.nanoTime();
      int s = res.getStatusCode();
      if (!stroom || s != 200) {
        timing.done(s, end);
      }
      if (presentatie) {
        metrics.presentatie.recordNanos(end - begin); // the SLA's presentation response time
      }
      if (s >= 500) {
        metrics.http5xx.increment();
      } else if (s >= 400) {
        metrics.http4xx.increment();
      }
    });
    // a connection opened past the cap serves one request and is closed: health and metrics are
    // answered (an operator must see what happens), the rest 503 with Retry-After
    HttpConnection connection = ctx.request().connection();
    if (connectionCap.refuses(connection)) {
      if (ctx.request().version() == HttpVersion.HTTP_2) {
        ctx.addEndHandler(v -> connection.shutdown());
      } else {
        res.putHeader("Connection", "close");
      }
      if (!path.startsWith("/health") && !path.equals("/metrics")) {
        shed(
            ctx,
            metrics,
            1,
            "de engine heeft al zoveel verbindingen open als hij toelaat; probeer het zo opnieuw, "
                + "en gebruik verbindingen opnieuw");
        return;
      }
    }
    if (path.length() > 1 && path.endsWith("/")) {
      Problems.send(ctx, 404, "Niet gevonden", "paden eindigen niet op een slash");
      return;
    }
    // a query parameter given twice is ambiguous (which one counts?): refused, as is a query that
    // does not decode
    String query = ctx.request().query();
    if (query != null && !query.isEmpty()) {
      try {
        MultiMap params = ctx.queryParams();
        for (String name : params.names()) {
          if (params.getAll(name).size() > 1) {
            Problems.fail(
                ctx,
                ClientErrorException.badRequest(
                    "ongeldige queryparameters",
                    List.of(new InvalidParam(name, "komt meer dan eens voor"))));
            return;
          }
        }
      } catch (RuntimeException e) {
        Problems.send(ctx, 400, "Ongeldige query", "de query is niet goed gecodeerd");
        return;
      }
    }
    // a draining process takes no new work; /health answers for itself (ready: 503, with the
    // reason)
    if (engine.readiness().refusesNewRequests() && !path.startsWith("/health")) {
      res.putHeader("Retry-After", "1").putHeader("Connection", "close");
      Problems.send(ctx, 503, "Tijdelijk niet beschikbaar", "de engine wordt afgesloten");
      return;
    }
    // A data directory short of space takes no writes (PostgreSQL would fail on them, or worse, on
    // its WAL); reads, the citizen's mailbox, go on
    if (engine.readiness().diskFull()
        && ctx.request().method() != HttpMethod.GET
        && ctx.request().method() != HttpMethod.HEAD
        && !path.startsWith("/health")) {
      shed(ctx, metrics, 30, "de engine heeft geen schijfruimte meer; probeer het later opnieuw");
      return;
    }
    // Overload guard: shed at once rather than let every request's latency grow without bound.
    // Health and metrics stay answerable so operators can see what happens.
    if ((inFlight > engine.config().maxRequestsInFlight()
            || bytesInFlight > engine.config().maxBodyBytesInFlight())
        && !path.startsWith("/health")
        && !path.equals("/metrics")) {
      shed(ctx, metrics, 1, "de engine is overbelast; probeer het zo opnieuw");
      return;
    }
    ctx.next();
  }

  /** Answers 503 with Retry-After and counts it as shed (the overload guard, the disk, the connection cap). */
  private static void shed(
      RoutingContext ctx, EngineMetrics metrics, int retryAfterSeconds, String detail) {
    metrics.httpShed.increment();
    ctx.response().putHeader("Retry-After", Integer.toString(retryAfterSeconds));
    Problems.send(ctx, 503, "Tijdelijk niet beschikbaar", detail);
  }

  /**
   * No answer within the deadline although the request has arrived whole: the work under it waits on
   * the database (a commit waiting for a synchronous standby that is away, a lost primary). Answer
   * 503 rather than hold the client for ever; what the work does later is not undone, so the
   * client's retry may find it done (an idempotent replay). A body still arriving is the read
   * timeouts' business; an answer already being streamed is left alone.
   */
  private void antwoordDeadline(RoutingContext ctx, EngineMetrics metrics) {
    HttpServerResponse res = ctx.response();
    if (res.ended() || res.headWritten()) {
      return;
    }
    if (!ctx.request().isEnded()) {
      vertx.setTimer(responseTimeoutMs, id -> antwoordDeadline(ctx, metrics));
      return;
    }
    metrics.httpTeLaat.increment();
    res.putHeader("Retry-After", "1");
    Problems.send(
        ctx,
        503,
        "Tijdelijk niet beschikbaar",
        "de database antwoordde niet op tijd; wat u stuurde kan alsnog verwerkt zijn: probeer het zo opnieuw");
  }

  private static long contentLength(RoutingContext ctx) {
    String v = ctx.request().getHeader("Content-Length");
    if (v == null) {
      return 0; // chunked: NDJSON is streamed, not held; other bodies stop at maxBodyBytes
    }
    try {
      return Math.max(0, Long.parseLong(v.trim()));
    } catch (NumberFormatException e) {
      return 0; // the HTTP codec refuses it anyway
    }
  }

  private void methodNotAllowed(RoutingContext ctx) {
    Set<String> allowed = table.allowed(ctx.request().path());
    if (allowed.isEmpty()) {
      Problems.send(ctx, 404, "Niet gevonden", "deze route bestaat niet");
      return;
    }
    ctx.response().putHeader("Allow", String.join(", ", allowed));
    Problems.send(
        ctx,
        405,
        "Methode niet toegestaan",
        ctx.request().method() + " kan hier niet; wel: " + String.join(", ", allowed));
  }

  private void failure(RoutingContext ctx) {
    if (ctx.failure() != null) {
      Problems.fail(ctx, ctx.failure());
      return;
    }
    switch (ctx.statusCode()) {
      case 404 -> Problems.send(ctx, 404, "Niet gevonden", "deze route bestaat niet");
      case 405 -> methodNotAllowed(ctx);
      case 413 -> Problems.send(ctx, 413, "Te groot", "de body is groter dan toegestaan");
      case 415 -> Problems.send(ctx, 415, "Mediatype niet ondersteund", "verkeerd Content-Type");
      case 400 -> Problems.send(ctx, 400, "Ongeldige invoer", "het verzoek is ongeldig");
      default -> Problems.send(ctx, 500, "Interne fout", "er ging iets mis aan onze kant");
    }
  }

  @Override
  public Future<?> stop() {
    if (server == null) {
      return Future.succeededFuture();
    }
    Promise<Void> p = Promise.promise();
    server
        .shutdown(engine.config().shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .onComplete(ar -> p.complete());
    return p.future();
  }
}
