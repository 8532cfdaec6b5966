package nl.berichtenbox.api.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.TimeUnit;
import nl.berichtenbox.engine.metrics.Emmers;

/**
 * HTTP answer times as one Prometheus histogram, {@code berichtenbox_http_server_seconds}, by face,
 * method, route template (as in the OpenAPI document, never the raw path: that would be a series
 * per message id) and status class. The timers of a route are made once, when it is registered or
 * first answers with a status class; a request finds them through {@link Meting}.
 */
public final class HttpMetingen {
  static final String SLEUTEL = "bbx.meting";
  private static final String NAAM = "berichtenbox.http.server";

  private final MeterRegistry registry;
  private final Route afnemerOnbekend;
  private final Route burgerOnbekend;
  private final Route overig;

  public HttpMetingen(MeterRegistry registry) {
    this.registry = registry;
    this.afnemerOnbekend = new Route("afnemer", "-", "(geen route)");
    this.burgerOnbekend = new Route("burger", "-", "(geen route)");
    this.overig = new Route("overig", "-", "(geen route)");
  }

  /** The face a path belongs to, by its prefix (how an operator splits the service's figures). */
  public static String face(String path) {
    if (path.startsWith("/api/v1/berichtenbox")) {
      return "burger";
    } else if (path.startsWith("/api/v1/beheer")) {
      return "beheer";
    } else if (path.startsWith("/api/v1/")) {
      return "afnemer";
    } else if (path.startsWith("/health") || path.equals("/metrics")) {
      return "ops";
    }
    return "web";
  }

  Route route(String method, String template) {
    return new Route(face(template), method, template);
  }

  /** Starts measuring a request: until a route claims it, it counts as its face's "(geen route)". */
  public Meting begin(RoutingContext ctx, long beginNanos) {
    String path = ctx.request().path();
    Route r = path.startsWith("/api/v1/berichtenbox") ? burgerOnbekend : path.startsWith("/api/v1/") ? afnemerOnbekend : overig;
    Meting m = new Meting(r, beginNanos);
    ctx.put(SLEUTEL, m);
    return m;
  }

  /** One route's timers, one per status class, made when first needed. */
  public final class Route {
    private final String face;
    private final String method;
    private final String template;
    private final Timer[] perKlasse = new Timer[6];

    Route(String face, String method, String template) {
      this.face = face;
      this.method = method;
      this.template = template;
    }

    void record(int status, long nanos) {
      int k = status >= 100 && status < 600 ? status / 100 : 5;
      Timer t = perKlasse[k];
      if (t == null) {
        // a race here makes the same timer twice: Micrometer hands back the one registered
        t = Timer.builder(NAAM).description("HTTP requests, arrival to response written, by face, method, route and status class")
            .tags("face", face, "method", method, "route", template, "status", k + "xx")
            .serviceLevelObjectives(Emmers.HTTP).register(registry);
        perKlasse[k] = t;
      }
      t.record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  /** A request being measured: the route that served it, once known. */
  public static final class Meting {
    Route route;
    private final long begin;

    Meting(Route route, long begin) {
      this.route = route;
      this.begin = begin;
    }

    public void klaar(int status, long nuNanos) {
      route.record(status, nuNanos - begin);
    }
  }
}
