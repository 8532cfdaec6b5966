package nl.berichtenbox.api.http;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import nl.berichtenbox.engine.domain.ClientErrorException;
import nl.berichtenbox.engine.domain.InvalidParam;
import nl.berichtenbox.engine.domain.ServerErrorException;
import nl.berichtenbox.engine.store.Database;
import nl.berichtenbox.engine.support.Logs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Renders every failure as application/problem+json (RFC 9457), per contract §0. */
public final class Problems {
  private static final Logger LOG = LoggerFactory.getLogger(Problems.class);
  public static final String PROBLEM_JSON = "application/problem+json";

  private Problems() {}

  public static void send(RoutingContext ctx, int status, String title, String detail) {
    send(
        ctx,
        new JsonObject()
            .put("type", type(status))
            .put("title", title)
            .put("status", status)
            .put("detail", detail));
  }

  public static void send(RoutingContext ctx, JsonObject problem) {
    if (ctx.response().ended() || ctx.response().headWritten()) {
      return;
    }
    ctx.response()
        .setStatusCode(problem.getInteger("status"))
        .putHeader("Content-Type", PROBLEM_JSON)
        .end(problem.toBuffer());
  }

  /**
   * 503s come in floods when the engine sheds load: a line for each (270 000 in a minute of the
   * overload scenario) made logging part of the overload. One line per 10 s, saying how many more
   * there were; the counters on /metrics have them all.
   */
  private static final class Samengevat {
    private static final long INTERVAL = TimeUnit.SECONDS.toNanos(10);
    private final AtomicLong volgende = new AtomicLong(System.nanoTime());
    private final AtomicLong overgeslagen = new AtomicLong();

    void warn(String format, Object... args) {
      long now = System.nanoTime();
      long v = volgende.get();
      if (now - v >= 0 && volgende.compareAndSet(v, now + INTERVAL)) {
        long n = overgeslagen.getAndSet(0);
        LOG.warn(
            n > 0 ? format + " (and " + n + " more such 503s since the last line)" : format, args);
      } else {
        overgeslagen.incrementAndGet();
      }
    }
  }

  private static final Samengevat SHED_LOG = new Samengevat();

  /** Maps any failure to its problem: typed failures carry their status, the rest are 500. */
  public static void fail(RoutingContext ctx, Throwable t) {
    if (t instanceof ClientErrorException e) {
      JsonObject p = new JsonObject()
          .put("type", type(e.status()))
          .put("title", e.title())
          .put("status", e.status())
          .put("detail", e.getMessage());
      if (e.verwerkingsCode() != null) {
        p.put("verwerkingsCode", e.verwerkingsCode().name());
      }
      if (!e.invalidParams().isEmpty()) {
        p.put("invalidParams", invalidParams(e.invalidParams()));
      }
      if (e.retryAfterSeconds() != null) {
        ctx.response().putHeader("Retry-After", Long.toString(e.retryAfterSeconds()));
      }
      send(ctx, p);
    } else if (t instanceof ServerErrorException e) {
      Object[] args = {
        ctx.request().method(),
        ctx.normalizedPath(),
        e.getMessage(),
        e.getCause() == null ? "-" : Logs.safe(e.getCause())
      };
      if (e.status() == 503) {
        SHED_LOG.warn("{} {}: {} ({})", args);
      } else {
        LOG.warn("{} {}: {} ({})", args);
      }
      if (e.retryAfterSeconds() != null) {
        ctx.response().putHeader("Retry-After", Long.toString(e.retryAfterSeconds()));
      }
      send(
          ctx,
          e.status(),
          e.status() == 503 ? "Tijdelijk niet beschikbaar" : "Interne fout",
          e.getMessage());
    } else if (t instanceof DecodeException) {
      send(ctx, 400, "Ongeldige JSON", "de body is geen geldige JSON");
    } else if (Database.unreachable(t)) {
      // the database pool is saturated (a cold start, a burst) or the database is away: overload,
      // not a defect; the client may retry in a moment
      SHED_LOG.warn("{} {} shed: {}", ctx.request().method(), ctx.normalizedPath(), Logs.safe(t));
      ctx.response().putHeader("Retry-After", "1");
      send(
          ctx,
          503,
          "Tijdelijk niet beschikbaar",
          "de engine is overbelast; probeer het zo opnieuw");
    } else {
      LOG.error("{} {} failed: {}", ctx.request().method(), ctx.normalizedPath(), Logs.safe(t));
      send(ctx, 500, "Interne fout", "er ging iets mis aan onze kant");
    }
  }

  public static JsonArray invalidParams(Iterable<InvalidParam> params) {
    JsonArray arr = new JsonArray();
    for (InvalidParam p : params) {
      arr.add(new JsonObject().put("name", p.name()).put("reason", p.reason()));
    }
    return arr;
  }

  static String type(int status) {
    return switch (status) {
      case 400 -> "https://berichtenbox.nl/problemen/ongeldige-invoer";
      case 401 -> "https://berichtenbox.nl/problemen/niet-geauthenticeerd";
      case 403 -> "https://berichtenbox.nl/problemen/geen-toegang";
      case 404 -> "https://berichtenbox.nl/problemen/niet-gevonden";
      case 405 -> "https://berichtenbox.nl/problemen/methode-niet-toegestaan";
      case 409 -> "https://berichtenbox.nl/problemen/conflict";
      case 410 -> "https://berichtenbox.nl/problemen/verwijderd";
      case 413 -> "https://berichtenbox.nl/problemen/te-groot";
      case 415 -> "https://berichtenbox.nl/problemen/mediatype-niet-ondersteund";
      case 429 -> "https://berichtenbox.nl/problemen/te-veel-verzoeken";
      case 503 -> "https://berichtenbox.nl/problemen/niet-beschikbaar";
      default -> "https://berichtenbox.nl/problemen/fout";
    };
  }
}
