package nl.berichtenbox.api.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.PlatformHandler;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Every route the API serves, recorded as it is registered: the source of the 405 Allow header
 * and of the test that every route is in the OpenAPI document.
 */
public final class RouteTable {
  /** A registered route, its path in OpenAPI form ({name}). */
  public record Entry(HttpMethod method, String path, Pattern regex) {}

  private final List<Entry> entries = new ArrayList<>();
  private final HttpTimings timings;

  /** {@code timings} null: routes not measured (a table for reading only). */
  public RouteTable(HttpTimings timings) {
    this.timings = timings;
  }

  @SafeVarargs
  public final void add(
      Router router, HttpMethod method, String vertxPath, Handler<RoutingContext>... handlers) {
    register(router, method, openApi(vertxPath), vertxPath, handlers);
    record(method, vertxPath);
  }

  /**
   * A route outside the API's document (health, metrics): measured like the others, not listed.
   */
  @SafeVarargs
  public final void addUndocumented(
      Router router, HttpMethod method, String path, Handler<RoutingContext>... handlers) {
    register(router, method, path, path, handlers);
  }

  /**
   * A route of a face mounted as a sub-router at {@code prefix} ({@link #mount}): registered
   * relative to it ("/" for the prefix itself), recorded in full.
   */
  @SafeVarargs
  public final void add(
      Router sub,
      String prefix,
      HttpMethod method,
      String relative,
      Handler<RoutingContext>... handlers) {
    String full = "/".equals(relative) ? prefix : prefix + relative;
    register(sub, method, openApi(full), relative, handlers);
    record(method, full);
  }

  @SafeVarargs
  private void register(
      Router router,
      HttpMethod method,
      String template,
      String path,
      Handler<RoutingContext>... handlers) {
    var route = router.route(method, path);
    boolean benoemd = timings == null;
    for (Handler<RoutingContext> h : handlers) {
      if (!benoemd && !(h instanceof BodyHandler) && !(h instanceof PlatformHandler)) {
        // the first handler of the route's own (Vert.x puts body handlers before any) names it for
        // the answer-time histogram
        HttpTimings.Route measured = timings.route(method.name(), template);
        Handler<RoutingContext> eigen = h;
        h = ctx -> {
          HttpTimings.Timing m = ctx.get(HttpTimings.KEY);
          if (m != null) {
            m.route = measured;
          }
          eigen.handle(ctx);
        };
        benoemd = true;
      }
      route.handler(h);
    }
  }

  /**
   * Mounts {@code sub} at {@code prefix}: a request elsewhere passes it with one prefix test. Vert.x
   * tests a request against each route in turn, and each route with a path parameter by a regular
   * expression of its own (a Matcher a route a request: with the afnemer and beheer routes before
   * them, 8 % of a portal request's allocation).
   */
  public static void mount(Router router, String prefix, Router sub) {
    router.route(prefix + "*").subRouter(sub);
  }

  private static String openApi(String vertxPath) {
    return vertxPath.replaceAll(":([A-Za-z]+)", "{$1}");
  }

  private void record(HttpMethod method, String vertxPath) {
    String openApi = openApi(vertxPath);
    String regex = "^" + vertxPath.replaceAll(":[A-Za-z]+", "[^/]+").replace(".", "\\.") + "$";
    entries.add(new Entry(method, openApi, Pattern.compile(regex)));
  }

  public List<Entry> entries() {
    return List.copyOf(entries);
  }

  /** The methods allowed on a concrete path; empty when no route has that path. */
  public Set<String> allowed(String path) {
    Set<String> out = new LinkedHashSet<>();
    for (Entry e : entries) {
      if (e.regex().matcher(path).matches()) {
        out.add(e.method().name());
      }
    }
    return out;
  }
}
