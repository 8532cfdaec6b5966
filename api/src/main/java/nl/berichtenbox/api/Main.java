package nl.berichtenbox.api;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import nl.berichtenbox.engine.config.ConfigException;
import nl.berichtenbox.engine.config.ConfigLoader;
import nl.berichtenbox.engine.config.EngineConfig;
import nl.berichtenbox.engine.store.Backup;
import nl.berichtenbox.engine.store.Database;
import nl.berichtenbox.engine.store.PostgresUpgrade;
import nl.berichtenbox.engine.store.PostgresVersion;

/** The command line behind {@code bin/berichtenbox}. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    String command = args.length == 0 ? "help" : args[0];
    List<String> rest = Arrays.asList(args).subList(Math.min(1, args.length), args.length);
    switch (command) {
      case "serve" -> serve(rest);
      case "seed" -> seed(rest);
      case "backup" -> backup(rest);
      case "restore" -> restore(rest);
      case "db-upgrade" -> dbUpgrade(rest);
      case "help", "--help", "-h" -> help();
      case "config" -> {
        EngineConfig c = load(rest);
        System.out.println(
            c.toString().replace(c.adminToken(), "***").replace(c.portalJwtSecret(), "***"));
      }
      default -> {
        System.err.println("unknown command '" + command + "'\n");
        help();
        System.exit(2);
      }
    }
  }

  private static EngineConfig load(List<String> flags) {
    try {
      return ConfigLoader.load(flags);
    } catch (ConfigException e) {
      System.err.println("berichtenbox: " + e.getMessage());
      System.exit(2);
      return null;
    }
  }

  /** {@code backup [--to=DIR]}: an online backup of the embedded database; 7 days kept. */
  private static void backup(List<String> args) {
    Path to = null;
    List<String> flags = new ArrayList<>();
    for (String a : args) {
      if (a.startsWith("--naar=")) {
        to = Path.of(a.substring(7));
      } else {
        flags.add(a);
      }
    }
    EngineConfig config = load(flags);
    try {
      Backup.create(
          config, to != null ? to : config.dataDir().resolve("backups"), System.out::println);
    } catch (Exception e) {
      System.err.println("berichtenbox: backup failed: " + e.getMessage());
      System.exit(1);
    }
    Runtime.getRuntime().halt(0);
  }

  /** {@code restore <backup directory>}: replaces the embedded database (the engine stopped). */
  private static void restore(List<String> args) {
    List<String> flags = new ArrayList<>(args);
    String dir = flags.stream().filter(a -> !a.startsWith("--")).findFirst().orElse(null);
    if (dir == null) {
      System.err.println(
          "usage: bin/berichtenbox restore <backup directory> (see bin/berichtenbox help)");
      System.exit(2);
    }
    flags.remove(dir);
    EngineConfig config = load(flags);
    try {
      Backup.restore(config, Path.of(dir), System.out::println);
    } catch (Exception e) {
      System.err.println("berichtenbox: restore failed: " + e.getMessage());
      System.exit(1);
    }
    Runtime.getRuntime().halt(0);
  }

  /**
   * {@code db-upgrade [--postgres-binaries=JAR]}: moves an embedded database of an older PostgreSQL
   * major to the current one (the old directory kept as DATA_DIR/pg-MAJOR).
   */
  private static void dbUpgrade(List<String> args) {
    Path binaries = null;
    List<String> flags = new ArrayList<>();
    for (String a : args) {
      if (a.startsWith("--postgres-binaries=")) {
        binaries = Path.of(a.substring("--postgres-binaries=".length()));
      } else {
        flags.add(a);
      }
    }
    EngineConfig config = load(flags);
    try {
      if (binaries == null) {
        int major =
            PostgresVersion.ofDataDirectory(config.dataDir().resolve("pg")).orElse(0);
        binaries = PostgresUpgrade.defaultBinaries(besideJar(), major);
      }
      PostgresUpgrade.upgrade(config, binaries, System.out::println);
    } catch (Exception e) {
      System.err.println("berichtenbox: db-upgrade failed: " + e.getMessage());
      System.exit(1);
    }
    Runtime.getRuntime().halt(0);
  }

  /** The directory of the engine's jar (or of its classes, run from a build): where the build puts the old binaries. */
  private static Path besideJar() throws URISyntaxException {
    return Path.of(
            Main.class.getProtectionDomain().getCodeSource().getLocation().toURI())
        .getParent();
  }

  /** What {@code seed} is asked to make; {@code flags} are the engine's settings among the arguments. */
  record Seed(int afnemers, int burgers, int berichten, List<String> flags) {}

  /**
   * {@code seed}'s arguments; an IllegalArgumentException says which one is wrong and why.
   * Defaults: 400 afnemers, 100 000 citizens, 1 000 000 messages.
   */
  static Seed seedArgs(List<String> args) {
    int berichten = 1_000_000;
    int burgers = 100_000;
    int afnemers = 400;
    List<String> flags = new ArrayList<>();
    for (String a : args) {
      if (a.startsWith("--berichten=")) {
        berichten = count("--berichten", a.substring(12), 0);
      } else if (a.startsWith("--burgers=")) {
        burgers = count("--burgers", a.substring(10), 1);
      } else if (a.startsWith("--afnemers=")) {
        afnemers = count("--afnemers", a.substring(11), 1);
      } else {
        flags.add(a);
      }
    }
    return new Seed(afnemers, burgers, berichten, flags);
  }

  private static int count(String flag, String waarde, int minimum) {
    try {
      int n = Integer.parseInt(waarde.replace("_", ""));
      if (n >= minimum) {
        return n;
      }
    } catch (NumberFormatException e) {
      // said below
    }
    throw new IllegalArgumentException(
        flag + " must be a whole number of at least " + minimum + ", not '" + waarde + "'");
  }

  /** Fills the store for load tests, then stops: {@code seed [--berichten=N --burgers=N --afnemers=N]}. */
  private static void seed(List<String> args) {
    Seed seed;
    try {
      seed = seedArgs(args);
    } catch (IllegalArgumentException e) {
      System.err.println("berichtenbox: seed: " + e.getMessage());
      System.exit(2);
      return;
    }
    int afnemers = seed.afnemers();
    int burgers = seed.burgers();
    int berichten = seed.berichten();
    List<String> flags = seed.flags();
    EngineConfig config = load(flags);
    try (Database db = Database.start(config)) {
      System.out.printf(
          "seeding %d afnemers, %d burgers, %d berichten%n", afnemers, burgers, berichten);
      db.seed(afnemers, burgers, berichten, System.out::println);
    } catch (Exception e) {
      System.err.println("berichtenbox: seeding failed: " + e);
      System.exit(1);
    }
    Runtime.getRuntime().halt(0);
  }

  private static void serve(List<String> flags) {
    EngineConfig config = load(flags);
    ApiServer server;
    TracingSetup setup;
    try {
      setup = TracingSetup.fromEnvironment(System.getenv());
      server = ApiServer.start(config, Clock.systemUTC(), setup.tracing);
    } catch (PostgresVersion.AndereMajorException e) {
      System.err.println(
          "berichtenbox: could not start: " + e.getMessage()); // says what to do; no trace needed
      System.exit(1);
      return;
    } catch (Exception e) {
      System.err.println("berichtenbox: could not start: " + e);
      e.printStackTrace();
      System.exit(1);
      return;
    }
    Runnable shutdown = () -> {
      System.out.println("berichtenbox: stopping (draining in-flight requests)");
      server.close();
      setup.close();
      System.out.println("berichtenbox: stopped");
      System.out.flush();
      Runtime.getRuntime().halt(0);
    };
    // Our own handlers, so SIGTERM ends in a clean drain and exit status 0 rather than 143.
    for (String sig : List.of("TERM", "INT")) {
      Signals.onSignal(sig, () -> {
        // not a daemon like the signal's own thread it is made on (a thread inherits that): else
        // the JVM ended, exit 0, as soon as Vert.x's threads were gone, in the middle of the
        // drain, before the database was stopped (seen in deploy/image/proef.sh, about one stop
        // in six)
        Thread t = new Thread(shutdown, "shutdown");
        t.setDaemon(false);
        t.start();
      });
    }
    String host = "0.0.0.0".equals(config.httpHost()) ? "localhost" : config.httpHost();
    String base = (config.tlsCert() != null ? "https://" : "http://") + host + ":" + server.port();
    StringBuilder sb = new StringBuilder();
    sb.append("\nBerichtenbox Engine is ready\n");
    sb.append("  API          ").append(base).append("/api/v1\n");
    sb.append("  OpenAPI      ").append(base).append("/api/v1/openapi.json\n");
    sb.append("  health       ").append(base).append("/health/ready\n");
    sb.append("  metrics      ").append(base).append("/metrics\n");
    sb.append("  portals      ")
        .append(base)
        .append("/leveranciersportaal (afnemers, with their key), ")
        .append(base)
        .append("/beheer (operators, with the admin token)\n");
    sb.append("  connections  at most ")
        .append(config.maxConnections())
        .append(" open (BERICHTENBOX_MAX_CONNECTIONS; past it a request is answered 503)\n");
    if (config.tlsCert() != null) {
      sb.append("  TLS          ")
          .append(Tls.engine(config))
          .append(", TLS 1.2/1.3")
          .append(config.tlsClientCa() != null ? ", client certificates (OIN) accepted" : "")
          .append('\n');
    }
    if (server.engine().kafkaBootstrap() != null) {
      sb.append("  Kafka        ")
          .append(server.engine().kafkaBootstrap())
          .append(
              "embedded".equals(config.kafkaBootstrap())
                  ? " (embedded broker, data in DATA_DIR/kafka)"
                  : "")
          .append(", topics berichtenbox.berichten.<OIN>\n");
    }
    sb.append("  database     ")
        .append(
            config.embeddedDatabase()
                ? "embedded PostgreSQL, data in "
                    + config.dataDir().toAbsolutePath().normalize()
                : "external")
        .append('\n');
    if (config.adminTokenGenerated()) {
      sb.append("  admin token  ")
          .append(config.adminToken())
          .append("   (generated; set BERICHTENBOX_ADMIN_TOKEN to keep one)\n");
    }
    if (config.portalJwtSecretGenerated()) {
      sb.append("  JWT secret   ")
          .append(config.portalJwtSecret())
          .append("   (generated; set BERICHTENBOX_PORTAL_JWT_SECRET to keep one)\n");
    }
    System.out.println(sb);
    System.out.flush();
  }

  private static void help() {
    StringBuilder sb = new StringBuilder();
    sb.append("""
        Berichtenbox Engine

        usage: bin/berichtenbox <command> [--config file.yaml] [--setting=value ...]

        commands:
          serve     start the engine (embedded PostgreSQL unless BERICHTENBOX_DB_URL is set)
          seed      fill the store for load tests (--berichten=1000000 --burgers=100000 --afnemers=400)
          config    print the configuration as it would be used, secrets masked
          backup    an online backup of the embedded database's files to DATA_DIR/backups (--naar=DIR);
                    with BERICHTENBOX_DB_URL a backup of the external database's rows (one snapshot); 7 days kept
          restore   restore <backup directory>: a backup of files replaces the embedded database (stop the
                    engine first); a backup of rows goes into the configured database, which must be empty
          db-upgrade  moves an embedded database of an older PostgreSQL major (14) to the current one
                    (--postgres-binaries=JAR; by default the one the build puts beside the engine)
          loadtest  the norm suite on a fresh seeded store: loadtest [scenario ...] [--smoke]
                    (scenarios: Presentatie Validatie Abonnement Notificaties Intake Batch Bijlagen
                    Overbelasting Dag Limiet)
          help      this text

        settings (YAML key / environment variable / flag, default):
        """);
    for (ConfigLoader.Setting s : ConfigLoader.SETTINGS) {
      sb.append(String.format(
          "  %-28s %-44s %s%n      %s%n",
          s.key(),
          s.env(),
          s.flag(),
          s.description()
              + (s.defaultValue() == null ? "" : " (default " + s.defaultValue() + ")")));
    }
    sb.append("""

        logging and tracing (environment only; docs/operations.md, Logs and Traces):
          BERICHTENBOX_LOG_FORMAT     json or text (default: json when the output is not a terminal)
          BERICHTENBOX_LOG_LEVEL      TRACE, DEBUG, INFO, WARN or ERROR (default INFO)
          BERICHTENBOX_LOG_BERICHTEN  DEBUG: a line per step of each message, with its trace id (default off)
          OTEL_TRACES_EXPORTER        otlp switches tracing on; OTEL_EXPORTER_OTLP_ENDPOINT and the other
                                      standard OTEL_* variables configure it (default off)
        """);
    System.out.print(sb);
  }
}
