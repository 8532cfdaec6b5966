package nl.berichtenbox.api.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import nl.berichtenbox.engine.support.Logs;
import org.slf4j.event.KeyValuePair;

/**
 * One log event as one line: JSON (for a log shipper) or text (for a person at a terminal). Every
 * text that can carry data (the message, key-value pairs, MDC, an exception and its causes) is
 * masked here, in the backend, so that no logger, a library's included, writes a BSN or an
 * e-mail address in clear.
 */
final class LogLine extends EncoderBase<ILoggingEvent> {
  private static final DateTimeFormatter TIJD = DateTimeFormatter.ISO_INSTANT;
  private static final DateTimeFormatter TIME_SHORT =
      DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

  private final boolean json;
  private final String processName;

  LogLine(boolean json, String processName) {
    this.json = json;
    this.processName = processName;
  }

  @Override
  public byte[] headerBytes() {
    return null;
  }

  @Override
  public byte[] footerBytes() {
    return null;
  }

  @Override
  public byte[] encode(ILoggingEvent e) {
    return (json ? json(e) : tekst(e)).getBytes(StandardCharsets.UTF_8);
  }

  String json(ILoggingEvent e) {
    StringBuilder sb = new StringBuilder(256);
    sb.append("{\"timestamp\":\"")
        .append(TIJD.format(Instant.ofEpochMilli(e.getTimeStamp())))
        .append('"');
    field(sb, "level", e.getLevel().toString());
    field(sb, "logger", e.getLoggerName());
    field(sb, "thread", e.getThreadName());
    field(sb, "process", processName);
    // a line about a message names its trace itself (key trace_id); else the span being served
    boolean eigenSpoor = false;
    if (e.getKeyValuePairs() != null) {
      for (KeyValuePair kv : e.getKeyValuePairs()) {
        eigenSpoor |= "trace_id".equals(kv.key) && kv.value != null;
      }
    }
    SpanContext spoor = Span.current().getSpanContext();
    if (!eigenSpoor && spoor.isValid()) {
      field(sb, "trace_id", spoor.getTraceId());
      field(sb, "span_id", spoor.getSpanId());
    }
    field(sb, "message", Logs.mask(e.getFormattedMessage()));
    if (e.getKeyValuePairs() != null) {
      for (KeyValuePair kv : e.getKeyValuePairs()) {
        if (kv.value != null) {
          field(sb, kv.key, Logs.mask(String.valueOf(kv.value)));
        }
      }
    }
    Map<String, String> mdc = e.getMDCPropertyMap();
    if (mdc != null) {
      for (Map.Entry<String, String> m : mdc.entrySet()) {
        field(sb, m.getKey(), Logs.mask(m.getValue()));
      }
    }
    IThrowableProxy t = e.getThrowableProxy();
    if (t != null) {
      field(sb, "exception", Logs.mask(ThrowableProxyUtil.asString(t)));
    }
    return sb.append("}\n").toString();
  }

  String tekst(ILoggingEvent e) {
    StringBuilder sb = new StringBuilder(160);
    sb.append(TIME_SHORT.format(Instant.ofEpochMilli(e.getTimeStamp())))
        .append(' ')
        .append(String.format("%-5s", e.getLevel()))
        .append(' ')
        .append(shortName(e.getLoggerName()))
        .append(": ")
        .append(Logs.mask(e.getFormattedMessage()));
    boolean eigenSpoor = false;
    if (e.getKeyValuePairs() != null) {
      for (KeyValuePair kv : e.getKeyValuePairs()) {
        if (kv.value != null) {
          sb.append(' ').append(kv.key).append('=').append(Logs.mask(String.valueOf(kv.value)));
          eigenSpoor |= "trace_id".equals(kv.key);
        }
      }
    }
    SpanContext spoor = Span.current().getSpanContext();
    if (!eigenSpoor && spoor.isValid()) {
      sb.append(" trace_id=").append(spoor.getTraceId());
    }
    sb.append('\n');
    IThrowableProxy t = e.getThrowableProxy();
    if (t != null) {
      sb.append(Logs.mask(ThrowableProxyUtil.asString(t))).append('\n');
    }
    return sb.toString();
  }

  /** The class name without its package: a terminal line is read, not searched. */
  private static String shortName(String logger) {
    int i = logger.lastIndexOf('.');
    return i < 0 ? logger : logger.substring(i + 1);
  }

  private static void field(StringBuilder sb, String fieldName, String fieldValue) {
    sb.append(",\"");
    escape(sb, fieldName);
    sb.append("\":\"");
    escape(sb, fieldValue == null ? "" : fieldValue);
    sb.append('"');
  }

  private static void escape(StringBuilder sb, String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
  }
}
