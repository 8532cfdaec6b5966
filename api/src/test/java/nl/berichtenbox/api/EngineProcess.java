package nl.berichtenbox.api;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import nl.berichtenbox.api.http.CitizenJwt;

/** The engine as a separate operating-system process (for kill tests), on the test classpath. */
final class EngineProcess {
  private EngineProcess() {}

  static Process start(Map<String, String> env, String name) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(
        java,
        "-Xmx512m",
        "-cp",
        System.getProperty("java.class.path"),
        "nl.berichtenbox.api.Main",
        "serve");
    pb.environment().keySet().removeIf(k -> k.startsWith("BERICHTENBOX_"));
    pb.environment().put("BERICHTENBOX_HTTP_HOST", "127.0.0.1");
    pb.environment().put("BERICHTENBOX_ADMIN_TOKEN", TestEngine.ADMIN);
    pb.environment().put("BERICHTENBOX_PORTAL_JWT_SECRET", TestEngine.JWT_SECRET);
    pb.environment().putAll(env);
    pb.redirectErrorStream(true).redirectOutput(new File("target", "engine-" + name + ".log"));
    return pb.start();
  }

  /**
   * The environment of an engine process on the shared test database (as an external
   * PostgreSQL), with a data directory and a free port of its own; {@code extra} adds settings.
   */
  static Map<String, String> onTestDatabase(Map<String, String> extra) throws Exception {
    int pgPort = TestEngine.server().engine().database().connectOptions().getPort();
    int port = Ports.free();
    Map<String, String> env = new HashMap<>(extra);
    env.put("BERICHTENBOX_DB_URL", "postgresql://postgres@127.0.0.1:" + pgPort + "/postgres");
    env.put("BERICHTENBOX_DATA_DIR", Files.createTempDirectory("bbx-proc").toString());
    env.put("BERICHTENBOX_HTTP_PORT", Integer.toString(port));
    env.put("BERICHTENBOX_HTTP_INSTANCES", "1");
    return env;
  }

  /**
   * As {@link #onTestDatabase}, on a database of its own made now: for tests whose outbox relays
   * must not first publish every other test's receipts.
   */
  static Map<String, String> onNewDatabase(String name, Map<String, String> extra)
      throws Exception {
    Map<String, String> env = onTestDatabase(extra);
    env.put("BERICHTENBOX_DB_URL", TestEngine.newDatabase(name));
    return env;
  }

  /**
   * Runs a command of the engine's command line ({@code backup}, {@code restore}, ...) as a process
   * with {@code env}; returns its output, or fails the test when it does not exit 0.
   */
  static String cli(Map<String, String> env, String name, String... args) throws Exception {
    CliResult r = cliResult(env, name, args);
    if (r.exit() != 0) {
      throw new AssertionError(name + " failed (" + r.exit() + "): " + r.output());
    }
    return r.output();
  }

  /** A command's exit status and output. */
  record CliResult(int exit, String output) {}

  /** As {@link #cli}, whatever its exit status. */
  static CliResult cliResult(Map<String, String> env, String name, String... args)
      throws Exception {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp",
        System.getProperty("java.class.path"),
        "nl.berichtenbox.api.Main"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("BERICHTENBOX_"));
    pb.environment().put("BERICHTENBOX_ADMIN_TOKEN", TestEngine.ADMIN);
    pb.environment().put("BERICHTENBOX_PORTAL_JWT_SECRET", TestEngine.JWT_SECRET);
    pb.environment().putAll(env);
    File log = new File("target", "cli-" + name + ".log");
    pb.redirectOutput(log);
    Process p = pb.start();
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(name + " did not finish in 300 s");
    }
    return new CliResult(p.exitValue(), Files.readString(log.toPath()));
  }

  /** A client of the process started with {@code env}. */
  static Api api(Map<String, String> env) {
    return new Api(
        "http://127.0.0.1:" + env.get("BERICHTENBOX_HTTP_PORT"),
        new CitizenJwt(TestEngine.JWT_SECRET));
  }

  static void awaitReady(Api api) {
    Api.await("the engine ready", Duration.ofSeconds(120), () -> ready(api), () -> "");
  }

  private static boolean ready(Api api) {
    try {
      return api.get("/health/ready", null).status() == 200;
    } catch (RuntimeException e) {
      return false; // not listening yet
    }
  }
}
