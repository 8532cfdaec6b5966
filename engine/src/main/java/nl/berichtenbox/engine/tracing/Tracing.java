package nl.berichtenbox.engine.tracing;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * W3C Trace Context for a message's journey: the {@code traceparent} of the request that brought
 * it is stored with it, and its processing, its receipt (feed, push, Kafka) and its log lines
 * name that trace.
 *
 * <p>Two modes. Off (the default): no spans; the caller's {@code traceparent} is carried as it
 * came, or a new one is made, so that a receipt still names a trace the afnemer can quote. On (an
 * OpenTelemetry SDK configured by the standard {@code OTEL_*} variables, see the API's Main): the
 * HTTP server span (vertx-opentelemetry) is the message's parent, and the engine adds a span for
 * each step it takes later (the intake transaction, processing, the Kafka publish, the push),
 * each a child of the stored traceparent.
 */
public final class Tracing {
  /** The name of the logger that follows each message, a line per step, at DEBUG (off by default). */
  public static final String REIS_LOGGER = "berichtenbox.bericht";
  /** That logger: a message's journey, with its trace id (BERICHTENBOX_LOG_BERICHTEN=DEBUG). */
  public static final Logger REIS = LoggerFactory.getLogger(REIS_LOGGER);

  private static final Pattern TRACEPARENT =
      Pattern.compile("00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}");
  private static final TextMapGetter<String> AS_HEADER = new TextMapGetter<>() {
    @Override
    @SuppressWarnings("deprecation") // deprecated in TextMapGetter, yet still abstract there
    public Iterable<String> keys(String carrier) {
      return List.of("traceparent");
    }

    @Override
    public String get(String carrier, String key) {
      return "traceparent".equals(key) ? carrier : null;
    }
  };

  private final OpenTelemetry otel;
  private final Tracer tracer;

  private Tracing(OpenTelemetry otel) {
    this.otel = otel;
    this.tracer = otel == null ? null : otel.getTracer("nl.berichtenbox.engine");
  }

  /** No spans; traceparents carried or made. */
  public static Tracing off() {
    return new Tracing(null);
  }

  /** Spans to {@code otel} (an SDK with an exporter). */
  public static Tracing of(OpenTelemetry otel) {
    return new Tracing(otel);
  }

  public boolean enabled() {
    return tracer != null;
  }

  /** The OpenTelemetry instance (for Vert.x's tracer); null when off. */
  public OpenTelemetry openTelemetry() {
    return otel;
  }

  /**
   * The traceparent of the request being served: the current (server) span's when tracing is on,
   * else the caller's header when it is a valid one, else a new trace.
   */
  public String forRequest(String header) {
    if (tracer != null) {
      SpanContext c = Span.current().getSpanContext();
      if (c.isValid()) {
        return traceparent(c);
      }
    }
    return isValid(header) ? header : newTraceparent();
  }

  public static boolean isValid(String traceparent) {
    return traceparent != null && TRACEPARENT.matcher(traceparent).matches();
  }

  /** The trace id (32 hex digits) of a valid traceparent, else null. */
  public static String traceId(String traceparent) {
    return isValid(traceparent) ? traceparent.substring(3, 35) : null;
  }

  /** A new trace, not sampled (nothing of it is recorded here). */
  public static String newTraceparent() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return "00-" + hex(r.nextLong() | 1) + hex(r.nextLong()) + "-" + hex(r.nextLong() | 1) + "-00";
  }

  /**
   * A step done for a message, recorded after the fact as a child span of its traceparent
   * (from {@code begin} to {@code eind}); nothing when tracing is off or the parent is not valid.
   */
  public void step(
      String name,
      SpanKind kind,
      String traceparent,
      Instant begin,
      Instant eind,
      Attributes attributen) {
    if (tracer == null || !isValid(traceparent)) {
      return;
    }
    Span s = tracer
        .spanBuilder(name)
        .setParent(parent(traceparent))
        .setSpanKind(kind)
        .setStartTimestamp(nanos(begin), TimeUnit.NANOSECONDS)
        .setAllAttributes(attributen)
        .startSpan();
    s.end(nanos(eind), TimeUnit.NANOSECONDS);
  }

  /**
   * A span begun now as a child of {@code traceparent} (an outgoing call: the Kafka publish, the
   * push); {@link Span#getInvalid()} when tracing is off. End it with {@link Span#end()}.
   */
  public Span begin(String name, SpanKind kind, String traceparent, Attributes attributen) {
    if (tracer == null || !isValid(traceparent)) {
      return Span.getInvalid();
    }
    return tracer
        .spanBuilder(name)
        .setParent(parent(traceparent))
        .setSpanKind(kind)
        .setAllAttributes(attributen)
        .startSpan();
  }

  /** What to send on as the {@code traceparent} header: the span's own, or the stored one when there is none. */
  public static String propagate(Span span, String traceparent) {
    SpanContext c = span.getSpanContext();
    return c.isValid() ? traceparent(c) : traceparent;
  }

  private static Context parent(String traceparent) {
    return W3CTraceContextPropagator.getInstance().extract(Context.root(), traceparent, AS_HEADER);
  }

  private static String traceparent(SpanContext c) {
    return "00-" + c.getTraceId() + "-" + c.getSpanId() + "-"
        + c.getTraceFlags().asHex();
  }

  private static long nanos(Instant t) {
    return TimeUnit.SECONDS.toNanos(t.getEpochSecond()) + t.getNano();
  }

  private static String hex(long v) {
    String s = Long.toHexString(v);
    return "0".repeat(16 - s.length()) + s;
  }
}
