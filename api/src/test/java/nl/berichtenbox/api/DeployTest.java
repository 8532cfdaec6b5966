package nl.berichtenbox.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import nl.berichtenbox.engine.berichtenbox.Gebeurtenissen;
import nl.berichtenbox.engine.config.ConfigLoader;
import nl.berichtenbox.engine.config.EngineConfig;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The files in deploy/ were not run here (no container engine, no cluster): this validates them
 * against the engine itself. Every engine setting they give exists and is accepted by the engine's
 * own configuration loader; the probes are the engine's; the grace periods cover the drain; the
 * balancer's check takes an engine out before it refuses; the user is the image's.
 */
class DeployTest {
  private static final Path DEPLOY = Path.of("..", "deploy");

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> yaml(Path p) throws Exception {
    List<Map<String, Object>> docs = new ArrayList<>();
    try (InputStream in = Files.newInputStream(p)) {
      for (Object d : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(in)) {
        docs.add((Map<String, Object>) d);
      }
    }
    return docs;
  }

  @SuppressWarnings("unchecked")
  private static <T> T pad(Object o, String... keys) {
    for (String k : keys) {
      o = ((Map<String, Object>) o).get(k);
    }
    return (T) o;
  }

  /** The engine's configuration from these settings, as it would load them (placeholders filled in). */
  private static EngineConfig laad(Map<String, String> env) throws Exception {
    Path ca = Files.createTempFile("db-ca", ".crt");
    Map<String, String> e = new HashMap<>();
    env.forEach((k, v) -> e.put(
        k,
        v.replaceAll(
                "\\$\\{[A-Z_]+:\\?}|\\$\\([A-Z_]+\\)", "geheim0123456789abcdef0123456789geheim")
            .replace("/etc/berichtenbox/db-ca/ca.crt", ca.toString())));
    for (String k : e.keySet()) {
      assertTrue(
          ConfigLoader.SETTINGS.stream().anyMatch(s -> s.env().equals(k)),
          k + " is not a setting of the engine");
    }
    return ConfigLoader.load(List.of(), e);
  }

  private static Map<String, String> alsTekst(Map<String, Object> m) {
    Map<String, String> out = new HashMap<>();
    m.forEach((k, v) -> out.put(k, String.valueOf(v)));
    return out;
  }

  private static String imageUser() throws Exception {
    Matcher m =
        Pattern.compile("<user>(\\d+):(\\d+)</user>").matcher(Files.readString(Path.of("pom.xml")));
    assertTrue(m.find(), "the image profile names its user");
    return m.group(1);
  }

  @Test
  @SuppressWarnings("unchecked") // YAML's documents are untyped maps and lists
  void kubernetesEnginesHaveTheEnginesProbesAndAGracePeriodThatCoversTheDrain() throws Exception {
    List<Map<String, Object>> docs = yaml(DEPLOY.resolve("kubernetes/engine.yaml"));
    Map<String, Object> configMap =
        docs.stream().filter(d -> "ConfigMap".equals(d.get("kind"))).findFirst().orElseThrow();
    Map<String, Object> deployment = soort(docs, "Deployment", "berichtenbox");
    Map<String, Object> pod = pad(deployment, "spec", "template", "spec");
    Map<String, Object> c = ((List<Map<String, Object>>) pad(pod, "containers")).get(0);
    Map<String, String> env = alsTekst(pad(configMap, "data"));
    for (Map<String, Object> e : (List<Map<String, Object>>) c.get("env")) {
      if (((String) e.get("name")).startsWith("BERICHTENBOX_")) {
        env.put(
            (String) e.get("name"),
            e.containsKey("value")
                ? (String) e.get("value")
                : "geheim0123456789abcdef0123456789geheim");
      }
    }
    EngineConfig config = laad(env);
    assertTrue(
        config.dbUrl() != null && config.kafkaBootstrap() != null,
        "an external database and Kafka");

    Map<String, Object> ready = pad(c, "readinessProbe");
    Map<String, Object> live = pad(c, "livenessProbe");
    assertEquals("/health/ready", pad(ready, "httpGet", "path"));
    assertEquals("/health/live", pad(live, "httpGet", "path"));
    Map<String, Object> poort = ((List<Map<String, Object>>) c.get("ports")).get(0);
    assertEquals(pad(ready, "httpGet", "port"), poort.get("name"));
    assertEquals(config.httpPort(), poort.get("containerPort"));
    // the kubelet marks it unready within period × threshold; it must still serve by then
    long uitRotatie =
        ((Integer) ready.get("periodSeconds")) * ((Integer) ready.get("failureThreshold")) * 1000L;
    assertTrue(
        uitRotatie <= config.drainDelay().toMillis(),
        "out of rotation after " + uitRotatie + " ms, but the engine refuses after "
            + config.drainDelay());
    long grace = ((Integer) pod.get("terminationGracePeriodSeconds")) * 1000L;
    assertTrue(
        grace >= config.drainDelay().plus(config.shutdownTimeout()).toMillis() + 2000,
        "grace " + grace + " ms does not cover the drain");
    assertEquals(imageUser(), Objects.toString(pad(pod, "securityContext", "runAsUser")));
    assertEquals(Boolean.TRUE, pad(pod, "securityContext", "runAsNonRoot"));
  }

  /**
   * The event streams on engines of their own, as in compose: a second Deployment whose pod is the
   * portal engines' own but for its labels (so the checks above hold for it too, and the two cannot
   * drift), an Ingress that sends it the contract's path and nothing else, and a read timeout the
   * streams' quiet between two comments does not reach.
   */
  @Test
  @SuppressWarnings("unchecked") // YAML's documents are untyped maps and lists
  void kubernetesSendsTheEventStreamsToEnginesOfTheirOwn() throws Exception {
    List<Map<String, Object>> docs = yaml(DEPLOY.resolve("kubernetes/engine.yaml"));
    Map<String, Object> portaal = soort(docs, "Deployment", "berichtenbox");
    Map<String, Object> stromen = soort(docs, "Deployment", "berichtenbox-stromen");
    Map<String, Object> podPortaal = new HashMap<>(pad(portaal, "spec", "template", "spec"));
    Map<String, Object> podStromen = new HashMap<>(pad(stromen, "spec", "template", "spec"));
    Map<String, Object> labelsPortaal = pad(portaal, "spec", "template", "metadata", "labels");
    Map<String, Object> labelsStromen = pad(stromen, "spec", "template", "metadata", "labels");
    assertEquals(
        Objects.toString(podPortaal.remove("topologySpreadConstraints"))
            .replace(labelsPortaal.toString(), labelsStromen.toString()),
        Objects.toString(podStromen.remove("topologySpreadConstraints")));
    assertEquals(podPortaal, podStromen, "the stream engines' pod is the portal engines' own");
    assertEquals(labelsPortaal, pad(portaal, "spec", "selector", "matchLabels"));
    assertEquals(labelsStromen, pad(stromen, "spec", "selector", "matchLabels"));
    assertTrue(!labelsPortaal.equals(labelsStromen), "told apart by their labels");

    // each Service selects its own Deployment's pods only
    Map<String, Object> svcPortaal = soort(docs, "Service", "berichtenbox");
    Map<String, Object> svcStromen = soort(docs, "Service", "berichtenbox-stromen");
    assertEquals(labelsPortaal, pad(svcPortaal, "spec", "selector"));
    assertEquals(labelsStromen, pad(svcStromen, "spec", "selector"));

    Map<String, Object> ingress = soort(docs, "Ingress", "berichtenbox");
    Map<String, String> naarService = new HashMap<>();
    for (Map<String, Object> regel : (List<Map<String, Object>>) pad(ingress, "spec", "rules")) {
      for (Map<String, Object> p : (List<Map<String, Object>>) pad(regel, "http", "paths")) {
        naarService.put(
            p.get("pathType") + " " + p.get("path"), pad(p, "backend", "service", "name"));
      }
    }
    assertEquals(
        Map.of(
            "Exact /api/v1/berichtenbox/gebeurtenissen", "berichtenbox-stromen",
            "Prefix /", "berichtenbox"),
        naarService);
    Map<String, Object> annotaties = pad(ingress, "metadata", "annotations");
    long leesTimeout =
        Long.parseLong((String) annotaties.get("nginx.ingress.kubernetes.io/proxy-read-timeout"));
    assertTrue(
        leesTimeout * 1000 > 2 * Gebeurtenissen.COMMENTAAR_MS,
        "the Ingress would cut a quiet stream after " + leesTimeout + " s");
  }

  private static Map<String, Object> soort(
      List<Map<String, Object>> docs, String kind, String naam) {
    return docs.stream()
        .filter(d -> kind.equals(d.get("kind")) && naam.equals(pad(d, "metadata", "name")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " " + naam));
  }

  @Test
  void composeEnginesAndTheBalancerFitTheDrain() throws Exception {
    Map<String, Object> compose = yaml(DEPLOY.resolve("compose/compose.yaml")).get(0);
    for (String naam : List.of("engine1", "engine2", "stromen1", "stromen2")) {
      Map<String, Object> engine = pad(compose, "services", naam);
      EngineConfig config = laad(alsTekst(pad(engine, "environment")));
      assertTrue(config.dbUrl().contains("target_session_attrs=read-write"), "follows the primary");
      Duration grace =
          Duration.parse("PT" + ((String) engine.get("stop_grace_period")).toUpperCase());
      assertTrue(
          grace.compareTo(config.drainDelay().plus(config.shutdownTimeout())) > 0,
          naam + ": grace " + grace);
      assertTrue(Objects.toString(pad(engine, "healthcheck", "test")).contains("/health/ready"));

      // the checks of the backend that names this engine, not the first backend's
      String backend = backendVan(naam);
      Matcher m = Pattern.compile("inter (\\d+)s fall (\\d+)").matcher(backend);
      assertTrue(m.find(), naam + "'s backend sets its checks");
      long uitRotatie = Long.parseLong(m.group(1)) * Long.parseLong(m.group(2)) * 1000;
      assertTrue(
          uitRotatie <= config.drainDelay().toMillis(),
          "HAProxy takes " + naam + " out after " + uitRotatie + " ms");
      assertTrue(backend.contains("option httpchk GET /health/ready"));
      assertTrue(backend.contains("server " + naam + " " + naam + ":" + config.httpPort()));
    }
    // the event streams on engines of their own, by the contract's path, with the others as the
    // fallback; HAProxy must not cut a stream in its quiet between two comments
    String haproxy = Files.readString(DEPLOY.resolve("compose/haproxy.cfg"));
    assertTrue(haproxy.contains("acl gebeurtenissen path /api/v1/berichtenbox/gebeurtenissen"));
    assertTrue(haproxy.contains("use_backend stromen if gebeurtenissen { nbsrv(stromen) gt 0 }"));
    String stromen = backendVan("stromen1");
    assertTrue(stromen.contains("server stromen1 ") && !stromen.contains("server engine"));
    Matcher t = Pattern.compile("timeout server (\\d+)s").matcher(stromen);
    assertTrue(t.find(), "the stream backend sets its server timeout");
    assertTrue(
        Long.parseLong(t.group(1)) * 1000 > 2 * Gebeurtenissen.COMMENTAAR_MS,
        "HAProxy would cut a quiet stream after " + t.group(1) + " s");
    assertTrue(
        !backendVan("engine1").contains("server stromen"),
        "the stream engines take no portal requests");
    assertTrue(stromen.startsWith("backend stromen"));
    // a stream is a descriptor at the engine that holds it: either stream engine may hold all that
    // HAProxy lets in while the other restarts (and its connection cap, by default the descriptors
    // less 1 024, lets them in)
    Matcher maxconn = Pattern.compile("\\n\\s+maxconn (\\d+)")
        .matcher(haproxy.substring(haproxy.indexOf("\nglobal\n"), haproxy.indexOf("\ndefaults\n")));
    assertTrue(maxconn.find(), "HAProxy's global maxconn");
    for (String naam : List.of("stromen1", "stromen2")) {
      Object nofile = pad(compose, "services", naam, "ulimits", "nofile");
      assertTrue(
          nofile instanceof Integer n && n >= Integer.parseInt(maxconn.group(1)) + 1024,
          naam + " may hold " + maxconn.group(1) + " streams with " + nofile + " descriptors");
    }
    // the database: a synchronous standby named as the standby's application_name says
    String primair = Objects.toString(pad(compose, "services", "pg-primair", "command"));
    String standby = Objects.toString(pad(compose, "services", "pg-standby", "command"));
    assertTrue(primair.contains("synchronous_standby_names=standby1")
        && primair.contains("synchronous_commit=on"));
    assertTrue(standby.contains("application_name=standby1"));
    // Kafka: three nodes, RF 3, min.insync 2
    for (int i = 1; i <= 3; i++) {
      Map<String, Object> env = pad(compose, "services", "kafka" + i, "environment");
      assertEquals("3", env.get("KAFKA_DEFAULT_REPLICATION_FACTOR"));
      assertEquals("2", env.get("KAFKA_MIN_INSYNC_REPLICAS"));
      assertEquals(Integer.toString(i), env.get("KAFKA_NODE_ID"));
    }
  }

  @Test
  void theDatabaseAndKafkaManifestsAskForASynchronousStandbyAndThreeReplicas() throws Exception {
    Map<String, Object> db = yaml(DEPLOY.resolve("kubernetes/database.yaml")).get(0);
    assertEquals(2, (Integer) pad(db, "spec", "instances"));
    assertEquals(1, (Integer) pad(db, "spec", "minSyncReplicas"));
    assertEquals("on", pad(db, "spec", "postgresql", "parameters", "synchronous_commit"));
    List<Map<String, Object>> kafka = yaml(DEPLOY.resolve("kubernetes/kafka.yaml"));
    assertEquals(3, (Integer) pad(kafka.get(0), "spec", "replicas"));
    Map<String, Object> config = pad(kafka.get(1), "spec", "kafka", "config");
    assertEquals(3, config.get("default.replication.factor"));
    assertEquals(2, config.get("min.insync.replicas"));
  }

  /** The section of compose/haproxy.cfg that lists server {@code naam}, up to the next section. */
  private static String backendVan(String naam) throws Exception {
    String cfg = Files.readString(DEPLOY.resolve("compose/haproxy.cfg"));
    int server = cfg.indexOf("  server " + naam + " ");
    assertTrue(server >= 0, "HAProxy knows no server " + naam);
    int begin = cfg.lastIndexOf("\nbackend ", server) + 1;
    int einde = cfg.indexOf("\n\n", server);
    return cfg.substring(begin, einde < 0 ? cfg.length() : einde);
  }
}
