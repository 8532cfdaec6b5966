package nl.berichtenbox.api.http;

import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import nl.berichtenbox.engine.metrics.BucketHistogram;

/**
 * HTTP answer times as one Prometheus histogram, {@code berichtenbox_http_server_seconds}, by face,
 * method, route template (as in the OpenAPI document, never the raw path: that would be a series
 * per message id) and status class. A route's series are looked up once per status class and kept;
 * a request finds its route's through {@link Timing}.
 */
public final class HttpTimings {
  static final String KEY = "bbx.meting";

  private static final List<String> FACES = List.of("burger", "beheer", "afnemer", "ops", "web");

  private final BucketHistogram histogram;
  /** Per face, the requests no route of the API's table took (404s, the web pages). */
  private final Map<String, Route> withoutRoute = new HashMap<>();

  public HttpTimings(BucketHistogram histogram) {
    this.histogram = histogram;
    for (String f : FACES) {
      withoutRoute.put(f, new Route(f, "-", "(geen route)"));
    }
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
  public Timing begin(RoutingContext ctx, long beginNanos) {
    Timing m = new Timing(withoutRoute.get(face(ctx.request().path())), beginNanos);
    ctx.put(KEY, m);
    return m;
  }

  /** One route's series, one per status class, looked up when first needed. */
  public final class Route {
    private final String face;
    private final String method;
    private final String template;
    private final BucketHistogram.Series[] perKlasse = new BucketHistogram.Series[6];

    Route(String face, String method, String template) {
      this.face = face;
      this.method = method;
      this.template = template;
    }

    void record(int status, long nanos) {
      int k = status >= 100 && status < 600 ? status / 100 : 5;
      var t = perKlasse[k];
      if (t == null) {
        // a route's series are made on its event loop: one verticle's table, one thread
        t = histogram.series(face, method, template, k + "xx");
        perKlasse[k] = t;
      }
      t.recordNanos(nanos);
    }
  }

  /** A request being measured: the route that served it, once known. */
  public static final class Timing {
    Route route;
    private final long begin;

    Timing(Route route, long begin) {
      this.route = route;
      this.begin = begin;
    }

    public void done(int status, long nuNanos) {
      route.record(status, nuNanos - begin);
    }
  }
}
