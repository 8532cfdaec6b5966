package nl.berichtenbox.api.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.jul.LevelChangePropagator;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.ContextAwareBase;
import ch.qos.logback.core.spi.FilterReply;
import java.io.IOException;
import java.net.InetAddress;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import nl.berichtenbox.engine.tracing.Tracing;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * The logging set-up, in code rather than logback.xml (found by Logback through
 * META-INF/services): one console appender whose encoder masks every line ({@link LogLine}),
 * JSON when the output is not a terminal, text when it is; java.util.logging (the PostgreSQL JDBC
 * driver, Flyway's fallback) and log4j-api (Kafka's broker) are routed into it so that no library
 * writes around the masking.
 *
 * <p>{@code BERICHTENBOX_LOG_FORMAT} = {@code json} | {@code text} overrides the choice;
 * {@code BERICHTENBOX_LOG_LEVEL} sets the engine's level (default {@code INFO}); their earlier
 * names {@code BERICHTENBOX_LOG_FORMAAT} and {@code BERICHTENBOX_LOG_NIVEAU} are still read, with a
 * warning, as the engine's renamed settings are (logging is set up before the settings are read);
 * the
 * {@code berichtenbox.bericht} logger follows each message at DEBUG (off by default: a line per
 * message at 20 000 messages a second is for a trace, not a log).
 */
public final class LogSetup extends ContextAwareBase implements Configurator {
  /** PostgreSQL's own severities worth an operator's eye; its LOG lines (start-up, checkpoints) are not. */
  private static final Pattern PG_ERNSTIG = Pattern.compile("\\b(WARNING|ERROR|FATAL|PANIC):");

  @Override
  public ExecutionStatus configure(LoggerContext lc) {
    Map<String, String> env = System.getenv();
    boolean json = json(
        setting(env, "LOG_FORMAT", "LOG_FORMAAT", System.err::println), System.console() != null);
    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(lc);
    console.setName("console");
    LogLine line = new LogLine(json, process());
    line.setContext(lc);
    line.start();
    console.setEncoder(line);
    console.addFilter(new EmbeddedPostgresFilter());
    console.start();

    Logger root = lc.getLogger(Logger.ROOT_LOGGER_NAME);
    root.addAppender(console);
    root.setLevel(level(setting(env, "LOG_LEVEL", "LOG_NIVEAU", System.err::println)));
    // libraries that are chatty at INFO: what they say at WARN and up still comes through
    for (String stil : new String[] {
      "org.apache.kafka",
      "kafka",
      "state.change.logger",
      "org.flywaydb",
      "io.netty",
      "com.github.davidmoten.subethasmtp",
      "org.subethamail"
    }) {
      lc.getLogger(stil).setLevel(Level.WARN);
    }
    lc.getLogger(Tracing.REIS_LOGGER)
        .setLevel(Level.toLevel(System.getenv("BERICHTENBOX_LOG_BERICHTEN"), Level.INFO));

    // java.util.logging into SLF4J, with its levels kept in step so that a disabled JUL level costs
    // nothing
    LevelChangePropagator jul = new LevelChangePropagator();
    jul.setContext(lc);
    jul.setResetJUL(true);
    jul.start();
    lc.addListener(jul);
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /**
   * {@code BERICHTENBOX_<name>}, or else {@code BERICHTENBOX_<oldName>} with a warning that names the
   * new one; null when neither is set.
   */
  static String setting(
      Map<String, String> env, String name, String oldName, Consumer<String> warning) {
    String v = env.get("BERICHTENBOX_" + name);
    if (v != null) {
      return v;
    }
    String old = env.get("BERICHTENBOX_" + oldName);
    if (old != null) {
      warning.accept("environment variable BERICHTENBOX_" + oldName
          + " is an old name: use BERICHTENBOX_" + name);
    }
    return old;
  }

  static boolean json(String formaat, boolean terminal) {
    if (formaat == null || formaat.isBlank()) {
      return !terminal;
    }
    return switch (formaat.trim().toLowerCase(Locale.ROOT)) {
      case "json" -> true;
      case "tekst", "text" -> false;
      default -> {
        System.err.println("BERICHTENBOX_LOG_FORMAT: '" + formaat + "' is not json or tekst; using "
            + (terminal ? "tekst" : "json"));
        yield !terminal;
      }
    };
  }

  static Level level(String s) {
    if (s == null || s.isBlank()) {
      return Level.INFO;
    }
    Level l = Level.toLevel(s.trim(), null);
    if (l == null) {
      System.err.println("BERICHTENBOX_LOG_LEVEL: '" + s
          + "' is not TRACE, DEBUG, INFO, WARN or ERROR; using INFO");
      return Level.INFO;
    }
    return l;
  }

  private static String process() {
    String host = System.getenv("HOSTNAME");
    if (host == null || host.isBlank()) {
      try {
        host = InetAddress.getLocalHost().getHostName();
      } catch (IOException e) {
        host = "localhost";
      }
    }
    return host + "/" + ProcessHandle.current().pid();
  }

  /**
   * The embedded PostgreSQL's output reaches us as INFO lines of zonky's logger (some twenty at
   * every start). Only PostgreSQL's warnings and errors pass; the engine says in one line itself
   * that the server is up.
   */
  static final class EmbeddedPostgresFilter extends Filter<ILoggingEvent> {
    EmbeddedPostgresFilter() {
      start();
    }

    @Override
    public FilterReply decide(ILoggingEvent e) {
      if (!e.getLoggerName().startsWith("io.zonky") || e.getLevel().isGreaterOrEqual(Level.WARN)) {
        return FilterReply.NEUTRAL;
      }
      return PG_ERNSTIG.matcher(e.getFormattedMessage()).find()
          ? FilterReply.NEUTRAL
          : FilterReply.DENY;
    }
  }
}
