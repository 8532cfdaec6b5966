package nl.berichtenbox.api.web;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The web pages (contract §2.6, issue 8): the Leveranciersportaal for afnemers and the beheer page
 * for operators. Static HTML, CSS and JavaScript from the jar, read once at start (not on an
 * event loop) and served from memory; the pages call the JSON API with the key or token typed
 * in. Their Content-Security-Policy allows nothing but this origin: no external network.
 */
public final class WebPages {
  static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
          + "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
  private static final Map<String, String> FILES = Map.of(
      "leveranciersportaal.html", "text/html; charset=utf-8",
      "beheer.html", "text/html; charset=utf-8",
      "portaal.css", "text/css; charset=utf-8",
      "grafiek.js", "text/javascript; charset=utf-8",
      "portaal.js", "text/javascript; charset=utf-8",
      "leveranciersportaal.js", "text/javascript; charset=utf-8",
      "beheer.js", "text/javascript; charset=utf-8");

  private record Bestand(Buffer inhoud, String type) {}

  private final Map<String, Bestand> files;

  private WebPages(Map<String, Bestand> files) {
    this.files = files;
  }

  /** Reads the pages from the classpath. Blocking: call at start, off the event loop. */
  public static WebPages load() throws IOException {
    Map<String, Bestand> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : FILES.entrySet()) {
      try (InputStream in = WebPages.class.getResourceAsStream("/web/" + e.getKey())) {
        if (in == null) {
          throw new IOException("web/" + e.getKey() + " missing from the classpath");
        }
        out.put(e.getKey(), new Bestand(Buffer.buffer(in.readAllBytes()), e.getValue()));
      }
    }
    return new WebPages(Map.copyOf(out));
  }

  public void mount(Router router) {
    router.get("/leveranciersportaal").handler(ctx -> send(ctx, "leveranciersportaal.html"));
    router.get("/beheer").handler(ctx -> send(ctx, "beheer.html"));
    router.get("/web/:bestand").handler(ctx -> send(ctx, ctx.pathParam("bestand")));
  }

  private void send(RoutingContext ctx, String name) {
    Bestand b = files.get(name);
    if (b == null) {
      ctx.next(); // the router's 404 problem
      return;
    }
    ctx.response()
        .putHeader("Content-Type", b.type())
        .putHeader("Content-Security-Policy", CSP)
        .putHeader("Referrer-Policy", "no-referrer")
        .end(b.inhoud());
  }
}
