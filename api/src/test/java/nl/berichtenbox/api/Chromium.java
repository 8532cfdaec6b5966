package nl.berichtenbox.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real headless Chromium (Debian's {@code chromium}) driven over the DevTools protocol with the
 * JDK's own WebSocket client: navigate, evaluate JavaScript in the page, take a screenshot. Small
 * on purpose; no WebDriver, no npm.
 */
final class Chromium implements AutoCloseable {
  private final Process proces;
  private final Path profiel;
  private final WebSocket ws;
  private final AtomicInteger volgnummer = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonObject>> wachtend = new ConcurrentHashMap<>();
  private final LinkedBlockingQueue<JsonObject> gebeurtenissen = new LinkedBlockingQueue<>();

  /** The browser to use: {@code CHROMIUM} or Debian's path; null when there is none. */
  static Path binary() {
    String env = System.getenv("CHROMIUM");
    for (String p :
        env != null ? List.of(env) : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser")) {
      if (Files.isExecutable(Path.of(p))) {
        return Path.of(p);
      }
    }
    return null;
  }

  private Chromium(Process proces, Path profiel, WebSocket ws) {
    this.proces = proces;
    this.profiel = profiel;
    this.ws = ws;
  }

  static Chromium start() throws Exception {
    Path profiel = Files.createTempDirectory("bbx-chromium");
    // the flags keep a headless Chromium off the network (no background or component traffic)
    Process p = new ProcessBuilder(
            binary().toString(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--disable-extensions",
            "--hide-scrollbars",
            "--window-size=1280,1800",
            "--remote-debugging-port=0",
            "--remote-allow-origins=*",
            "--user-data-dir=" + profiel,
            "about:blank")
        .redirectErrorStream(true)
        .redirectOutput(profiel.resolve("chromium.log").toFile())
        .start();
    Path poortBestand = profiel.resolve("DevToolsActivePort");
    long tot = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!Files.exists(poortBestand) || Files.readAllLines(poortBestand).size() < 2) {
      if (!p.isAlive() || System.nanoTime() > tot) {
        p.destroyForcibly();
        throw new IOException(
            "Chromium did not start: " + Files.readString(profiel.resolve("chromium.log")));
      }
      Thread.sleep(50);
    }
    int poort = Integer.parseInt(Files.readAllLines(poortBestand).get(0).trim());
    HttpClient http = HttpClient.newHttpClient();
    String lijst = http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + poort + "/json/list"))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
    String url = new JsonArray(lijst)
        .stream()
            .map(o -> (JsonObject) o)
            .filter(o -> "page".equals(o.getString("type")))
            .findFirst()
            .orElseThrow()
            .getString("webSocketDebuggerUrl");
    Chromium[] self = new Chromium[1];
    WebSocket ws = http.newWebSocketBuilder()
        .buildAsync(URI.create(url), new WebSocket.Listener() {
          private final StringBuilder deel = new StringBuilder();

          @Override
          public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
            deel.append(data);
            if (last) {
              JsonObject m = new JsonObject(deel.toString());
              deel.setLength(0);
              self[0].ontvang(m);
            }
            w.request(1);
            return null;
          }
        })
        .get(10, TimeUnit.SECONDS);
    Chromium c = new Chromium(p, profiel, ws);
    self[0] = c;
    c.stuur("Page.enable", new JsonObject());
    c.stuur("Runtime.enable", new JsonObject());
    return c;
  }

  private void ontvang(JsonObject m) {
    Integer id = m.getInteger("id");
    if (id != null) {
      CompletableFuture<JsonObject> f = wachtend.remove(id);
      if (f != null) {
        f.complete(m);
      }
    } else {
      gebeurtenissen.add(m);
    }
  }

  JsonObject stuur(String methode, JsonObject params) throws Exception {
    int id = volgnummer.incrementAndGet();
    CompletableFuture<JsonObject> f = new CompletableFuture<>();
    wachtend.put(id, f);
    ws.sendText(
            new JsonObject()
                .put("id", id)
                .put("method", methode)
                .put("params", params)
                .encode(),
            true)
        .get(10, TimeUnit.SECONDS);
    JsonObject antwoord = f.get(30, TimeUnit.SECONDS);
    if (antwoord.containsKey("error")) {
      throw new IllegalStateException(methode + ": " + antwoord.getJsonObject("error"));
    }
    return antwoord.getJsonObject("result");
  }

  /** Opens a page and waits for its load event. */
  void open(String url) throws Exception {
    gebeurtenissen.clear();
    stuur("Page.navigate", new JsonObject().put("url", url));
    long tot = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < tot) {
      JsonObject e = gebeurtenissen.poll(1, TimeUnit.SECONDS);
      if (e != null && "Page.loadEventFired".equals(e.getString("method"))) {
        return;
      }
    }
    throw new IllegalStateException("page did not load: " + url);
  }

  /** The value of a JavaScript expression in the page (promises awaited); a thrown error fails. */
  Object js(String expressie) throws Exception {
    JsonObject r = stuur(
        "Runtime.evaluate",
        new JsonObject()
            .put("expression", expressie)
            .put("awaitPromise", true)
            .put("returnByValue", true));
    if (r.containsKey("exceptionDetails")) {
      throw new IllegalStateException(
          "JavaScript failed: " + r.getJsonObject("exceptionDetails").encode());
    }
    return r.getJsonObject("result").getValue("value");
  }

  /** Waits until the expression is true in the page. */
  void wachtOp(String expressie, Duration max) throws Exception {
    long tot = System.nanoTime() + max.toNanos();
    while (System.nanoTime() < tot) {
      if (Boolean.TRUE.equals(js("Boolean(" + expressie + ")"))) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("not true within " + max + ": " + expressie + "; page text: "
        + js("document.body.innerText"));
  }

  /** Console errors and failed requests the page reported (Runtime.exceptionThrown, Log entries). */
  List<JsonObject> fouten() {
    return gebeurtenissen.stream()
        .filter(e -> "Runtime.exceptionThrown".equals(e.getString("method"))
            || ("Runtime.consoleAPICalled".equals(e.getString("method"))
                && "error".equals(e.getJsonObject("params").getString("type"))))
        .toList();
  }

  /** A PNG of the whole page. */
  byte[] schermafdruk() throws Exception {
    JsonObject r = stuur(
        "Page.captureScreenshot",
        new JsonObject().put("format", "png").put("captureBeyondViewport", true));
    return Base64.getDecoder().decode(r.getString("data"));
  }

  @Override
  public void close() throws Exception {
    ws.abort();
    // Chromium's own children (renderer, network service) write in the profile after the browser
    // process is gone: wait for them too before the profile is removed
    List<ProcessHandle> kinderen = proces.descendants().toList();
    proces.destroy();
    if (!proces.waitFor(10, TimeUnit.SECONDS)) {
      proces.destroyForcibly();
    }
    for (ProcessHandle k : kinderen) {
      try {
        k.onExit().get(10, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        k.destroyForcibly();
      }
    }
    try (var s = Files.walk(profiel)) {
      s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // a file that went while the profile was walked, or a temporary profile left behind: not the
      // test's business
    }
  }
}
