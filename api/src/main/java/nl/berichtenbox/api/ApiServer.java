package nl.berichtenbox.api;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import nl.berichtenbox.api.web.WebPages;
import nl.berichtenbox.engine.Engine;
import nl.berichtenbox.engine.config.EngineConfig;
import nl.berichtenbox.engine.tracing.Tracing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** Starts the engine and its HTTP faces; stops them gracefully. Blocking; for the launcher and tests. */
public final class ApiServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);

  private final Engine engine;
  private final List<String> deployments = new ArrayList<>();
  private final List<HttpVerticle> verticles = new ArrayList<>();
  private volatile boolean closed;

  private ApiServer(Engine engine) {
    this.engine = engine;
  }

  public static ApiServer start(EngineConfig config) throws Exception {
    return start(config, Clock.systemUTC());
  }

  /** With the clock the notifier reads (see {@link Engine#start(EngineConfig, java.time.Clock)}). */
  public static ApiServer start(EngineConfig config, Clock clock) throws Exception {
    return start(config, clock, Tracing.off());
  }

  /** With tracing: spans to the OpenTelemetry SDK {@code tracing} holds ({@link nl.berichtenbox.engine.tracing.Tracing}). */
  public static ApiServer start(EngineConfig config, Clock clock, Tracing tracing)
      throws Exception {
    Engine engine = Engine.start(config, clock, tracing);
    ApiServer server = new ApiServer(engine);
    try {
      Buffer openApi = openApiJson();
      WebPages pages = WebPages.load();
      // port 0: one port from the system that every instance shares (Vert.x shares a random port
      // among the servers that ask for the same negative port; with 0 each would get its own)
      int port = config.httpPort() == 0 ? -1 : config.httpPort();
      for (int i = 0; i < config.httpInstances(); i++) {
        HttpVerticle v = new HttpVerticle(engine, openApi, pages, port);
        server.verticles.add(v);
        server.deployments.add(engine
            .vertx()
            .deployVerticle(v, new DeploymentOptions())
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS));
      }
    } catch (Exception e) {
      server.close();
      throw e;
    }
    return server;
  }

  /** The OpenAPI document, kept as YAML in the jar for readability and served as JSON. */
  @SuppressWarnings("unchecked")
  public static Buffer openApiJson() throws IOException {
    try (InputStream in = ApiServer.class.getResourceAsStream("/openapi.yaml")) {
      if (in == null) {
        throw new IOException("openapi.yaml missing from the classpath");
      }
      Object doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
      return new JsonObject((Map<String, Object>) stringKeys(doc)).toBuffer();
    }
  }

  /** YAML reads response codes as numbers; JSON keys are strings. */
  private static Object stringKeys(Object v) {
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, val) -> out.put(String.valueOf(k), stringKeys(val)));
      return out;
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      l.forEach(x -> out.add(stringKeys(x)));
      return out;
    }
    return v;
  }

  public Engine engine() {
    return engine;
  }

  /** The HTTP port served (the one the system picked where the configuration said 0). */
  public int port() {
    return verticles.get(0).actualPort();
  }

  public HttpVerticle firstVerticle() {
    return verticles.get(0);
  }

  /**
   * Graceful: readiness goes false; requests are still served for {@code drainDelay} (a
   * balancer's health check moves clients away meanwhile); then new requests get 503, in-flight
   * ones finish, and all stops.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    engine.drain();
    long wait = engine.config().drainDelay().toMillis();
    if (wait > 0) {
      LOG.info("not ready; serving {} ms more before refusing new requests", wait);
      try {
        Thread.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    engine.refuseNewRequests();
    for (String id : deployments) {
      try {
        engine
            .vertx()
            .undeploy(id)
            .toCompletionStage()
            .toCompletableFuture()
            .get(engine.config().shutdownTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        LOG.warn("HTTP server did not stop cleanly: {}", e.toString());
      }
    }
    engine.close();
  }
}
