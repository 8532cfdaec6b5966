package nl.berichtenbox.engine.config;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;
import nl.berichtenbox.engine.sla.Onderhoudsvensters;
import nl.berichtenbox.engine.store.DatabaseUrl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Reads {@link EngineConfig}: defaults, then the YAML file named by {@code --config}, then the
 * environment, then {@code --name=value} flags. Each setting has one YAML key (camelCase), one
 * environment variable and one flag, listed in {@link #SETTINGS}; the README table is made from it.
 */
public final class ConfigLoader {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigLoader.class);

  /** One setting: its YAML key, environment variable, flag, default and description. */
  public record Setting(
      String key, String env, String flag, String defaultValue, String description) {}

  private static final Pattern VENSTER =
      Pattern.compile("^(altijd|([01]\\d|2[0-3]):[0-5]\\d-([01]\\d|2[0-3]):[0-5]\\d)$");

  public static final List<Setting> SETTINGS = List.of(
      s("httpPort", "HTTP_PORT", "8080", "HTTP port"),
      s("httpHost", "HTTP_HOST", "0.0.0.0", "address the HTTP server binds to"),
      s("dataDir", "DATA_DIR", "./data", "embedded database and files"),
      s(
          "dbUrl",
          "DB_URL",
          null,
          "external PostgreSQL (postgresql://user:pw@host:port/db); several hosts as h1:5432,h2:5432 with ?target_session_attrs=read-write; TLS with ?sslmode=verify-full&sslrootcert=ca.pem; embedded when unset"),
      s(
          "dbPoolSize",
          "DB_POOL_SIZE",
          "8",
          "PostgreSQL connections per process for answering requests"),
      s(
          "dbBackgroundPoolSize",
          "DB_BACKGROUND_POOL_SIZE",
          "8",
          "PostgreSQL connections per process for background work (processing, pushes, notifications, Kafka), opened as needed"),
      s(
          "kafkaBootstrap",
          "KAFKA_BOOTSTRAP",
          null,
          "Kafka bootstrap servers, or embedded for an in-JVM broker; Kafka faces off when unset"),
      s(
          "kafkaMaxInFlight",
          "KAFKA_MAX_IN_FLIGHT",
          "5000",
          "Kafka records being stored at once; past it consumption pauses"),
      s(
          "adminToken",
          "ADMIN_TOKEN",
          null,
          "operator token; generated and printed at start when unset"),
      s(
          "portalJwtSecret",
          "PORTAL_JWT_SECRET",
          null,
          "HS256 secret for citizen tokens (at least 32 bytes); generated and printed when unset"),
      s(
          "abonnementenVenster",
          "ABONNEMENTEN_VENSTER",
          "23:00-07:00",
          "Abonnementservice window HH:MM-HH:MM or altijd"),
      s(
          "abonnementenQuota",
          "ABONNEMENTEN_QUOTA",
          "ALLES=225,BSN_LIJST=150,MUTATIES=150",
          "Abonnementservice requests per night (per day with altijd), all afnemers together"),
      s(
          "validatieQuotumPerUur",
          "VALIDATIE_QUOTUM_PER_UUR",
          "1000",
          "Validatieservice calls per hour, all afnemers together"),
      s(
          "smtpUrl",
          "SMTP_URL",
          null,
          "smtp://host:port (smtps:// for TLS from the start; user:password@ allowed); unset: notifications go to DATA_DIR/mail as .eml files"),
      s(
          "smtpCa",
          "SMTP_CA",
          null,
          "PEM CA of the SMTP server's certificate (STARTTLS or smtps); unset: the JVM's trusted CAs"),
      s("smtpConnections", "SMTP_CONNECTIONS", "8", "SMTP connections at once (e-mails in flight)"),
      s(
          "notificatiesPerUur",
          "NOTIFICATIES_PER_UUR",
          "125000",
          "e-mails per clock hour at most, all processes together (spread evenly over the hour)"),
      s(
          "notificatiesPerDag",
          "NOTIFICATIES_PER_DAG",
          "3000000",
          "e-mails per calendar day (Europe/Amsterdam) at most, all processes together"),
      s(
          "notificatieBundleWindow",
          "NOTIFICATIE_BUNDLE_WINDOW",
          "PT15M",
          "after an e-mail to a citizen, new mail for them waits this long and goes in one e-mail"),
      s(
          "herinneringNa",
          "HERINNERING_NA",
          "P21D",
          "a reminder when a message stays unread this long"),
      s(
          "notificatieAfzender",
          "NOTIFICATIE_AFZENDER",
          "MijnOverheid Berichtenbox <noreply@berichtenbox.example>",
          "From of the e-mails"),
      s(
          "notificatieOnderwerp",
          "NOTIFICATIE_ONDERWERP",
          "U heeft nieuwe post in uw Berichtenbox",
          "subject of a new-mail e-mail"),
      s(
          "herinneringOnderwerp",
          "HERINNERING_ONDERWERP",
          "Herinnering: ongelezen post in uw Berichtenbox",
          "subject of a reminder"),
      s(
          "portalUrl",
          "PORTAL_URL",
          "https://mijn.overheid.nl/berichtenbox",
          "link to the portal in the e-mails"),
      s(
          "notificatieBackoffBase",
          "NOTIFICATIE_BACKOFF_BASE",
          "PT30S",
          "first wait after a temporary SMTP failure; doubles per attempt"),
      s(
          "notificatieBackoffMax",
          "NOTIFICATIE_BACKOFF_MAX",
          "PT30M",
          "longest wait between attempts"),
      s(
          "notificatieLease",
          "NOTIFICATIE_LEASE",
          "PT2M",
          "a process claims e-mails for this long; those of a process that died are sent by another (or after its restart) when it has passed"),
      s(
          "notificatieGiveUpAfter",
          "NOTIFICATIE_GIVE_UP_AFTER",
          "P2D",
          "an e-mail still failing this long after it was queued is recorded as failed"),
      s("tlsCert", "TLS_CERT", null, "PEM certificate: serve HTTPS"),
      s("tlsKey", "TLS_KEY", null, "PEM private key for TLS_CERT"),
      s(
          "tlsEngine",
          "TLS_ENGINE",
          "openssl",
          "openssl (BoringSSL via netty-tcnative, when it loads) or jdk"),
      s("tlsClientCa", "TLS_CLIENT_CA", null, "PEM CA of afnemer client certificates (OIN auth)"),
      s("httpInstances", "HTTP_INSTANCES", "0", "HTTP verticle instances; 0 = one per core"),
      s(
          "maxRequestsInFlight",
          "MAX_REQUESTS_IN_FLIGHT",
          "1000",
          "requests under way per process before new ones get 503 (Little: 1 000 at 5 000/s is 200 ms each)"),
      s(
          "maxBodyBytesInFlight",
          "MAX_BODY_BYTES_IN_FLIGHT",
          "268435456",
          "bytes of request bodies under way per process before new requests get 503 (keep well under the heap)"),
      s(
          "maxConnections",
          "MAX_CONNECTIONS",
          "0",
          "open HTTP connections per process; a request on one past it gets 503 and its connection is closed (0 = the process's descriptor limit less 1 024; the engine prints it at start)"),
      s(
          "httpHeadTimeout",
          "HTTP_HEAD_TIMEOUT",
          "PT10S",
          "a request's line and headers must arrive within this long of its first byte, else the connection is closed (slowloris)"),
      s(
          "httpBodyTimeout",
          "HTTP_BODY_TIMEOUT",
          "PT20S",
          "a request's body must arrive within this long, plus a second per HTTP_BODY_MIN_RATE bytes received, else the connection is closed (slow POST)"),
      s(
          "httpBodyMinRate",
          "HTTP_BODY_MIN_RATE",
          "500",
          "bytes per second a body earns its extra time at (see HTTP_BODY_TIMEOUT)"),
      s(
          "httpResponseTimeout",
          "HTTP_RESPONSE_TIMEOUT",
          "PT10S",
          "a request whose body has arrived is answered within this long: 503 with Retry-After when the database has not answered by then (a commit waiting for a synchronous standby that is away, say); the work may still complete, so a retry may find it done"),
      s(
          "dataMinFreeMb",
          "DATA_MIN_FREE_MB",
          "256",
          "below this many MB free in the data directory the engine is not ready and refuses writes with 503 (0 = off)"),
      s("maxBodyBytes", "MAX_BODY_BYTES", "1048576", "largest body of a single-message request"),
      s(
          "maxBatchBodyBytes",
          "MAX_BATCH_BODY_BYTES",
          "33554432",
          "largest JSON batch body (NDJSON is streamed: this limit is per line there)"),
      s(
          "groupCommitMaxMessages",
          "GROUP_COMMIT_MAX_MESSAGES",
          "1000",
          "messages in one group commit at most"),
      s(
          "groupCommitMaxBytes",
          "GROUP_COMMIT_MAX_BYTES",
          "8388608",
          "bytes of messages in one group commit at most"),
      s(
          "groupCommitMaxInFlight",
          "GROUP_COMMIT_MAX_IN_FLIGHT",
          "2",
          "group commits under way at once per event loop"),
      s(
          "groupCommitMinInterval",
          "GROUP_COMMIT_MIN_INTERVAL",
          "PT0.005S",
          "once requests come in company (one arrived while another was queued or under way), the next group commit begins no sooner than this after the last began, unless 16 messages (or a full one's bytes) are waiting: what arrives meanwhile shares one transaction, which costs the database less per message; a request that came alone is written at once (PT0S: begin whenever a slot is free)"),
      s(
          "intakeMaxWait",
          "INTAKE_MAX_WAIT",
          "PT1S",
          "a message is refused with 503 when the oldest one waiting for its commit has waited this long (bounds the latency of what is taken under overload)"),
      s(
          "verwerkingBatchSize",
          "VERWERKING_BATCH_SIZE",
          "500",
          "messages processed in one transaction"),
      s(
          "verwerkingParallel",
          "VERWERKING_PARALLEL",
          "2",
          "processing rounds side by side per process (a second one runs while the first finds a full batch, a backlog, and intake is not at its limit)"),
      s(
          "verwerkingPollInterval",
          "VERWERKING_POLL_INTERVAL",
          "PT0.25S",
          "safety-net poll of the processor (ISO-8601 duration)"),
      s(
          "verwerkingMinInterval",
          "VERWERKING_MIN_INTERVAL",
          "PT0.05S",
          "least time between the starts of two processing rounds, unless the first found a full batch: what is parked meanwhile is processed in one round, which costs the database less per message (PT0S: a round after every intake commit)"),
      s(
          "verwerkingsberichtenBewaartermijn",
          "VERWERKINGSBERICHTEN_BEWAARTERMIJN",
          "P7D",
          "how long receipts stay readable"),
      s(
          "pushBackoffBase",
          "PUSH_BACKOFF_BASE",
          "PT1S",
          "first wait after a failed receipt push; doubles per attempt"),
      s("pushBackoffMax", "PUSH_BACKOFF_MAX", "PT1H", "longest wait between push attempts"),
      s(
          "pushGiveUpAfter",
          "PUSH_GIVE_UP_AFTER",
          "P6D",
          "after this long failing, a batch of receipts is recorded as undeliverable"),
      s(
          "onderhoudsvensters",
          "ONDERHOUDSVENSTERS",
          Onderhoudsvensters.STANDAARD,
          "planned maintenance windows, comma-separated: SOORT WEEK DAG HH:MM-HH:MM, then downtime or zonder-downtime (Europe/Amsterdam)"),
      s("shutdownTimeout", "SHUTDOWN_TIMEOUT", "PT20S", "graceful drain on SIGTERM at most"),
      s(
          "drainDelay",
          "DRAIN_DELAY",
          "PT0S",
          "after SIGTERM: not ready at once, but requests are still served this long before new ones are refused, so a load balancer's health check moves clients away first (its interval times its failure threshold, plus a margin); PT0S refuses at once"));

  /**
   * A name a setting had before the vocabulary was made one word per concept (docs/architecture.md,
   * Vocabulary): its file key, environment variable ({@code null}: unchanged) and flag are still
   * read, with a warning naming the new one; where both are given the new name wins.
   */
  public record OudeNaam(String key, String env, String newName) {
    String flag() {
      return "--" + key.replaceAll("([A-Z])", "-$1").toLowerCase();
    }
  }

  public static final List<OudeNaam> OUDE_NAMEN = List.of(
      new OudeNaam("ontvangstbewijsBewaartermijn", null, "verwerkingsberichtenBewaartermijn"),
      new OudeNaam("httpKopTimeout", "HTTP_KOP_TIMEOUT", "httpHeadTimeout"),
      new OudeNaam("httpAntwoordTimeout", "HTTP_ANTWOORD_TIMEOUT", "httpResponseTimeout"),
      new OudeNaam("dataMinVrijMb", "DATA_MIN_VRIJ_MB", "dataMinFreeMb"),
      new OudeNaam("intakeMaxWachttijd", "INTAKE_MAX_WACHTTIJD", "intakeMaxWait"),
      new OudeNaam("smtpVerbindingen", "SMTP_VERBINDINGEN", "smtpConnections"),
      new OudeNaam("afsluitWachttijd", "AFSLUIT_WACHTTIJD", "drainDelay"),
      new OudeNaam("pushOpgevenNa", "PUSH_OPGEVEN_NA", "pushGiveUpAfter"),
      new OudeNaam("notificatieOpgevenNa", "NOTIFICATIE_OPGEVEN_NA", "notificatieGiveUpAfter"),
      new OudeNaam("pushBackoffBasis", "PUSH_BACKOFF_BASIS", "pushBackoffBase"),
      new OudeNaam(
          "notificatieBackoffBasis", "NOTIFICATIE_BACKOFF_BASIS", "notificatieBackoffBase"),
      new OudeNaam(
          "notificatieBundelvenster", "NOTIFICATIE_BUNDELVENSTER", "notificatieBundleWindow"));

  private static Setting setting(String key) {
    return SETTINGS.stream().filter(s -> s.key().equals(key)).findFirst().orElseThrow();
  }

  private static Setting s(String key, String env, String def, String description) {
    String flag = "--" + key.replaceAll("([A-Z])", "-$1").toLowerCase();
    return new Setting(key, "BERICHTENBOX_" + env, flag, def, description);
  }

  private ConfigLoader() {}

  /** Loads from the real environment and the given command-line flags. */
  public static EngineConfig load(List<String> flags) {
    return load(flags, System.getenv());
  }

  public static EngineConfig load(List<String> flags, Map<String, String> env) {
    return load(flags, env, w -> LOG.warn("{}", w));
  }

  /** As {@link #load(List, Map)}; {@code waarschuwing} hears of each old name used. */
  public static EngineConfig load(
      List<String> flags, Map<String, String> env, Consumer<String> waarschuwing) {
    Map<String, String> values = new LinkedHashMap<>();
    Map<String, String> source = new LinkedHashMap<>();
    for (Setting s : SETTINGS) {
      if (s.defaultValue() != null) {
        values.put(s.key(), s.defaultValue());
        source.put(s.key(), "default");
      }
    }
    Map<String, String> flagValues = parseFlags(flags, waarschuwing);
    String configFile = flagValues.remove("config");
    if (configFile == null) {
      configFile = env.get("BERICHTENBOX_CONFIG");
    }
    if (configFile != null) {
      readYaml(Path.of(configFile), values, source, waarschuwing);
    }
    for (OudeNaam o : OUDE_NAMEN) {
      String v = o.env() == null ? null : env.get("BERICHTENBOX_" + o.env());
      if (v != null && !v.isEmpty()) {
        Setting s = setting(o.newName());
        waarschuwing.accept("environment variable BERICHTENBOX_" + o.env() + " is an old name: use "
            + s.env() + (env.containsKey(s.env()) ? " (which is also set, and wins)" : ""));
        values.put(s.key(), v);
        source.put(s.key(), "environment variable BERICHTENBOX_" + o.env());
      }
    }
    for (Setting s : SETTINGS) {
      String v = env.get(s.env());
      if (v != null && !v.isEmpty()) {
        values.put(s.key(), v);
        source.put(s.key(), "environment variable " + s.env());
      }
    }
    for (Map.Entry<String, String> f : flagValues.entrySet()) {
      Setting s = byFlag(f.getKey());
      values.put(s.key(), f.getValue());
      source.put(s.key(), "flag " + s.flag());
    }
    return build(values, source);
  }

  private static Map<String, String> parseFlags(List<String> flags, Consumer<String> waarschuwing) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < flags.size(); i++) {
      String f = flags.get(i);
      if (!f.startsWith("--")) {
        throw new ConfigException("unexpected argument '" + f + "' (flags are --name=value)");
      }
      String name;
      String value;
      int eq = f.indexOf('=');
      if (eq > 0) {
        name = f.substring(2, eq);
        value = f.substring(eq + 1);
      } else {
        name = f.substring(2);
        if (i + 1 >= flags.size()) {
          throw new ConfigException("flag --" + name + " needs a value");
        }
        value = flags.get(++i);
      }
      if (name.equals("config")) {
        out.put("config", value);
      } else {
        String flag = "--" + name;
        OudeNaam old =
            OUDE_NAMEN.stream().filter(o -> o.flag().equals(flag)).findFirst().orElse(null);
        if (old != null) {
          String newFlag = setting(old.newName()).flag();
          waarschuwing.accept("flag " + flag + " is an old name: use " + newFlag);
          out.putIfAbsent(newFlag, value); // the new flag, given too, wins
        } else {
          out.put(byFlag(flag).flag(), value);
        }
      }
    }
    return out;
  }

  private static Setting byFlag(String flag) {
    for (Setting s : SETTINGS) {
      if (s.flag().equals(flag)) {
        return s;
      }
    }
    throw new ConfigException("unknown flag " + flag + " (see 'bin/berichtenbox help')");
  }

  private static void readYaml(
      Path file,
      Map<String, String> values,
      Map<String, String> source,
      Consumer<String> waarschuwing) {
    Object doc;
    try (InputStream in = Files.newInputStream(file)) {
      // every value as its text: YAML 1.1's implicit types would turn a secret like 0x1F… into a
      // number, no or off into false, and ~ into "not set" (then generated); the settings parse
      // their own values and say what is wrong with them
      LoaderOptions opties = new LoaderOptions();
      var asText = new Resolver() {
        @Override
        protected void addImplicitResolvers() {}
      };
      doc = new Yaml(
              new SafeConstructor(opties),
              new Representer(new DumperOptions()),
              new DumperOptions(),
              opties,
              asText)
          .load(in);
    } catch (IOException e) {
      throw new ConfigException(
          "configuration file " + file + " cannot be read: " + e.getMessage());
    } catch (RuntimeException e) {
      throw new ConfigException(
          "configuration file " + file + " is not valid YAML: " + e.getMessage());
    }
    if (doc == null) {
      return;
    }
    if (!(doc instanceof Map<?, ?> map)) {
      throw new ConfigException(
          "configuration file " + file + " must be a YAML mapping of setting: value");
    }
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String gegeven = String.valueOf(e.getKey());
      OudeNaam old =
          OUDE_NAMEN.stream().filter(o -> o.key().equals(gegeven)).findFirst().orElse(null);
      if (old != null) {
        waarschuwing.accept("configuration file " + file + ": setting '" + gegeven
            + "' is an old name: use '" + old.newName() + "'"
            + (map.containsKey(old.newName()) ? " (which is also given, and wins)" : ""));
        if (map.containsKey(old.newName())) {
          continue;
        }
      }
      String key = old != null ? old.newName() : gegeven;
      if (SETTINGS.stream().noneMatch(s -> s.key().equals(key))) {
        throw new ConfigException("configuration file " + file + ": unknown setting '" + key + "'");
      }
      if (e.getValue() instanceof Map || e.getValue() instanceof List) {
        throw new ConfigException("configuration file " + file + ": setting '" + key
            + "' must be one value, not a " + (e.getValue() instanceof Map ? "mapping" : "list"));
      }
      if (e.getValue() != null
          && !String.valueOf(e.getValue()).isEmpty()) { // "key:" with nothing: not set
        values.put(key, String.valueOf(e.getValue()));
        source.put(key, "configuration file " + file);
      }
    }
  }

  private static EngineConfig build(Map<String, String> v, Map<String, String> src) {
    List<String> errors = new ArrayList<>();
    Reader r = new Reader(v, src, errors);
    int port = r.integer("httpPort", 0, 65535);
    String host = r.string("httpHost");
    Path dataDir = Path.of(r.string("dataDir"));
    String dbUrl = r.string("dbUrl");
    if (dbUrl != null) {
      try {
        DatabaseUrl.parse(dbUrl);
      } catch (IllegalArgumentException e) {
        r.error("dbUrl", e.getMessage());
      }
    }
    int pool = r.integer("dbPoolSize", 1, 200);
    int backgroundPool = r.integer("dbBackgroundPoolSize", 1, 200);
    int kafkaMaxInFlight = r.integer("kafkaMaxInFlight", 1, 1_000_000);
    String admin = r.string("adminToken");
    boolean adminGenerated = admin == null;
    if (admin != null && admin.length() < 16) {
      r.error("adminToken", "must be at least 16 characters");
    }
    String jwt = r.string("portalJwtSecret");
    boolean jwtGenerated = jwt == null;
    if (jwt != null && jwt.length() < 32) {
      r.error("portalJwtSecret", "must be at least 32 characters (HS256 wants 256 bits)");
    }
    String venster = r.string("abonnementenVenster");
    if (!VENSTER.matcher(venster).matches()) {
      r.error("abonnementenVenster", "must be HH:MM-HH:MM or altijd");
    }
    int validatieQuotum = r.integer("validatieQuotumPerUur", 1, 100_000_000);
    Map<String, Integer> abonnementenQuota = new TreeMap<>();
    String q = r.string("abonnementenQuota");
    try {
      for (String part : q.split(",")) {
        String[] kv = part.trim().split("=");
        int n = Integer.parseInt(kv[1].trim());
        if (!List.of("ALLES", "BSN_LIJST", "MUTATIES").contains(kv[0].trim()) || n < 0) {
          throw new IllegalArgumentException();
        }
        abonnementenQuota.put(kv[0].trim(), n);
      }
      if (abonnementenQuota.size() != 3) {
        throw new IllegalArgumentException();
      }
    } catch (RuntimeException e) {
      r.error("abonnementenQuota", "'" + q + "' must be ALLES=n,BSN_LIJST=n,MUTATIES=n");
    }
    String smtp = r.string("smtpUrl");
    if (smtp != null && !smtp.matches("^smtps?://([^@/\\s]+@)?[^:/@\\s]+(:\\d{1,5})?/?$")) {
      r.error("smtpUrl", "must be smtp://host:port or smtps://user:password@host:port");
    }
    int perHour = r.integer("notificatiesPerUur", 1, 100_000_000);
    int perDay = r.integer("notificatiesPerDag", 1, 1_000_000_000);
    String portalUrl = r.string("portalUrl");
    if (portalUrl == null || !portalUrl.matches("^https?://\\S+$")) {
      r.error("portalUrl", "must be an http(s) URL");
    }
    String afzender = r.string("notificatieAfzender");
    if (afzender == null || !afzender.matches("^([^<>\\r\\n]*<)?[^@<>\\s]+@[^@<>\\s]+>?$")) {
      r.error("notificatieAfzender", "must be an e-mail address, optionally as Name <address>");
    }
    String smtpCa = r.string("smtpCa");
    if (smtpCa != null && !Files.isReadable(Path.of(smtpCa))) {
      r.error("smtpCa", "'" + smtpCa + "' is not a readable file");
    }
    NotificatieConfig notificaties = new NotificatieConfig(
        smtp,
        smtpCa,
        perHour,
        perDay,
        r.duration("notificatieBundleWindow"),
        r.duration("herinneringNa"),
        afzender,
        oneLine(r, "notificatieOnderwerp"),
        oneLine(r, "herinneringOnderwerp"),
        portalUrl,
        r.integer("smtpConnections", 1, 256),
        r.duration("notificatieBackoffBase"),
        r.duration("notificatieBackoffMax"),
        r.duration("notificatieGiveUpAfter"),
        r.duration("notificatieLease"));
    Duration lease = notificaties.lease();
    if (lease != null && lease.compareTo(Duration.ofSeconds(40)) < 0) {
      r.error("notificatieLease", "must be at least PT40S (an e-mail may take 30 s to send)");
    }
    String cert = r.string("tlsCert");
    String key = r.string("tlsKey");
    if ((cert == null) != (key == null)) {
      r.error(
          cert == null ? "tlsCert" : "tlsKey",
          "TLS needs both BERICHTENBOX_TLS_CERT and BERICHTENBOX_TLS_KEY");
    }
    String tlsEngine = r.string("tlsEngine");
    if (!List.of("openssl", "jdk").contains(tlsEngine)) {
      r.error("tlsEngine", "must be openssl or jdk");
    }
    int instances = r.integer("httpInstances", 0, 64);
    int maxInFlight = r.integer("maxRequestsInFlight", 1, 10_000_000);
    int maxBody = r.integer("maxBodyBytes", 1024, Integer.MAX_VALUE);
    int maxBodyInFlight = r.integer("maxBodyBytesInFlight", 1 << 20, Integer.MAX_VALUE);
    int maxBatchBody = r.integer("maxBatchBodyBytes", 1024, Integer.MAX_VALUE);
    int maxConnections = r.integer("maxConnections", 0, Integer.MAX_VALUE);
    Duration kopTimeout = r.duration("httpHeadTimeout");
    Duration bodyTimeout = r.duration("httpBodyTimeout");
    int bodyMinRate = r.integer("httpBodyMinRate", 1, Integer.MAX_VALUE);
    Duration responseTimeout = r.duration("httpResponseTimeout");
    int minVrijMb = r.integer("dataMinFreeMb", 0, 1 << 20);
    int gcMessages = r.integer("groupCommitMaxMessages", 1, 10_000);
    int gcBytes = r.integer("groupCommitMaxBytes", 1024, Integer.MAX_VALUE);
    int gcInFlight = r.integer("groupCommitMaxInFlight", 1, 64);
    Duration gcInterval = r.durationOfNul("groupCommitMinInterval");
    int vBatch = r.integer("verwerkingBatchSize", 1, 10_000);
    int vParallel = r.integer("verwerkingParallel", 1, 8);
    Duration intakeWait = r.duration("intakeMaxWait");
    Duration poll = r.duration("verwerkingPollInterval");
    Duration minInterval = r.durationOfNul("verwerkingMinInterval");
    Duration keep = r.duration("verwerkingsberichtenBewaartermijn");
    if (keep != null && keep.compareTo(Duration.ofDays(7)) < 0) {
      r.error(
          "verwerkingsberichtenBewaartermijn",
          "must be at least P7D (the contract keeps receipts 7 days)");
    }
    Duration shutdown = r.duration("shutdownTimeout");
    Duration drainWait = r.durationOfNul("drainDelay");
    Duration pushBasis = r.duration("pushBackoffBase");
    Duration pushMax = r.duration("pushBackoffMax");
    Duration pushOpgeven = r.duration("pushGiveUpAfter");
    Onderhoudsvensters onderhoud = null;
    try {
      onderhoud = Onderhoudsvensters.parse(r.string("onderhoudsvensters"));
    } catch (IllegalArgumentException e) {
      r.error("onderhoudsvensters", e.getMessage());
    }
    if (!errors.isEmpty()) {
      throw new ConfigException("invalid configuration:\n  " + String.join("\n  ", errors));
    }
    return new EngineConfig(
        port,
        host,
        dataDir,
        dbUrl,
        pool,
        backgroundPool,
        r.string("kafkaBootstrap"),
        kafkaMaxInFlight,
        adminGenerated ? randomToken() : admin,
        adminGenerated,
        jwtGenerated ? randomToken() : jwt,
        jwtGenerated,
        venster,
        Map.copyOf(abonnementenQuota),
        validatieQuotum,
        cert,
        key,
        tlsEngine,
        r.string("tlsClientCa"),
        instances == 0 ? Math.max(1, Runtime.getRuntime().availableProcessors()) : instances,
        maxInFlight,
        maxBodyInFlight,
        maxConnections == 0 ? connectionCap(descriptorLimit()) : maxConnections,
        kopTimeout,
        bodyTimeout,
        bodyMinRate,
        responseTimeout,
        minVrijMb,
        maxBody,
        maxBatchBody,
        gcMessages,
        gcBytes,
        gcInFlight,
        gcInterval,
        intakeWait,
        vBatch,
        vParallel,
        poll,
        minInterval,
        keep,
        pushBasis,
        pushMax,
        pushOpgeven,
        notificaties,
        onderhoud,
        shutdown,
        drainWait);
  }

  /**
   * The default cap on open HTTP connections: what the process's descriptors allow with 1 024 (a
   * quarter, of fewer than 4 096) left for its database connections, files and Kafka (it holds
   * about 135 of its own). Running out of descriptors fails far more than HTTP (a database
   * reconnect, a log file); the heap a connection costs (about 10 kB) is the operator's to weigh,
   * not a default's: a stream engine is meant to hold tens of thousands. Never under 64; {@code
   * descriptors} of 0 or less (not known): no cap.
   */
  static int connectionCap(long descriptors) {
    if (descriptors <= 0) {
      return Integer.MAX_VALUE;
    }
    return (int) Math.max(
        64, Math.min(Integer.MAX_VALUE, descriptors - Math.min(1_024, descriptors / 4)));
  }

  /** The process's own descriptor limit (the JVM has raised its soft limit to the hard one), or -1. */
  private static long descriptorLimit() {
    return ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.UnixOperatingSystemMXBean unix
        ? unix.getMaxFileDescriptorCount()
        : -1;
  }

  /** A subject line: one line of text (a header must not carry a line break). */
  private static String oneLine(Reader r, String key) {
    String s = r.string(key);
    if (s == null || s.contains("\n") || s.contains("\r") || s.length() > 200) {
      r.error(key, "must be one line of 1 to 200 characters");
    }
    return s;
  }

  /** 32 random bytes, base64url: 256 bits, fine for a bearer token or an HS256 secret. */
  public static String randomToken() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** A value of the right kind outside what the setting allows; its message says what is allowed. */
  private static final class OutOfRange extends RuntimeException {
    OutOfRange(String message) {
      super(message, null, false, false);
    }
  }

  private record Reader(Map<String, String> v, Map<String, String> src, List<String> errors) {
    String string(String key) {
      String s = v.get(key);
      return s == null || s.isBlank() ? null : s.trim();
    }

    int integer(String key, int min, int max) {
      return parse(
          key,
          s -> {
            int i = Integer.parseInt(s);
            if (i < min || i > max) {
              throw new OutOfRange("must be between " + min + " and " + max);
            }
            return i;
          },
          "a whole number",
          0);
    }

    Duration duration(String key) {
      return duration(key, false);
    }

    /** A duration that may be zero (off). */
    Duration durationOfNul(String key) {
      return duration(key, true);
    }

    private Duration duration(String key, boolean nulMag) {
      return parse(
          key,
          s -> {
            Duration d = Duration.parse(s);
            if (d.isNegative() || (d.isZero() && !nulMag)) {
              throw new OutOfRange(nulMag ? "must not be negative" : "must be positive");
            }
            return d;
          },
          nulMag
              ? "an ISO-8601 duration such as PT5S (PT0S: none)"
              : "an ISO-8601 duration such as PT0.25S or P7D",
          nulMag ? Duration.ZERO : null);
    }

    private <T> T parse(String key, Function<String, T> f, String what, T fallback) {
      String s = string(key);
      if (s == null) {
        return fallback;
      }
      try {
        return f.apply(s);
      } catch (OutOfRange e) {
        error(key, "'" + s + "' " + e.getMessage());
      } catch (RuntimeException e) { // not a number, not a duration
        error(key, "'" + s + "' must be " + what);
      }
      return fallback;
    }

    void error(String key, String message) {
      Setting s = SETTINGS.stream().filter(x -> x.key().equals(key)).findFirst().orElseThrow();
      errors.add(s.env() + " (" + s.key() + ", from " + src.getOrDefault(key, "default") + "): "
          + message);
    }
  }
}
