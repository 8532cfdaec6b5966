package nl.berichtenbox.api.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.EncodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.function.Function;
import nl.berichtenbox.engine.domain.ClientErrorException;
import nl.berichtenbox.engine.domain.InvalidParam;
import nl.berichtenbox.engine.domain.Tijd;

/** Small helpers every face uses: JSON answers, body and content-type checks, query parameters. */
public final class Http {
  public static final String JSON = "application/json";

  private Http() {}

  /**
   * Answers are written by Vert.x's streaming encoder straight into the response's buffer: with
   * jackson-databind on the class path {@code toBuffer()} goes through an ObjectMapper, which builds
   * a serializer provider and map serializers per call, and its bytes were copied twice more on the
   * way. The same JSON for the values our answers hold.
   */
  private static final JsonFactory GENERATOR = new JsonFactory();

  public static void json(RoutingContext ctx, int status, JsonObject body) {
    if (!ctx.response().ended()) {
      ctx.response().setStatusCode(status).putHeader("Content-Type", JSON).end(encode(body));
    }
  }

  static Buffer encode(JsonObject body) {
    BufferOut out = new BufferOut();
    try (JsonGenerator g = GENERATOR.createGenerator(out)) {
      JacksonCodec.encodeJson(body, g);
    } catch (EncodeException e) {
      return body.toBuffer(); // a value only databind knows how to write
    } catch (IOException e) {
      throw new UncheckedIOException(e); // not from a buffer in memory
    }
    return out.buf == null ? Buffer.buffer() : out.buf;
  }

  /** The generator keeps 8 000 bytes of its own and hands them over at once: one buffer of that size. */
  private static final class BufferOut extends OutputStream {
    Buffer buf;

    @Override
    public void write(byte[] b, int off, int len) {
      if (buf == null) {
        buf = Buffer.buffer(Math.max(len, 64));
      }
      buf.appendBytes(b, off, len);
    }

    @Override
    public void write(int b) {
      if (buf == null) {
        buf = Buffer.buffer(64);
      }
      buf.appendByte((byte) b);
    }
  }

  /** Runs a future-returning action and answers its JSON with {@code status}, or the problem. */
  public static Handler<RoutingContext> respond(
      int status, Function<RoutingContext, Future<JsonObject>> action) {
    return ctx -> run(ctx, action, body -> json(ctx, status, body));
  }

  /** Runs a future-returning action and answers 204 without a body, or the problem. */
  public static Handler<RoutingContext> noContent(Function<RoutingContext, Future<Void>> action) {
    return ctx -> run(ctx, action, v -> ctx.response().setStatusCode(204).end());
  }

  /** The action's result to {@code answer}; a failure, thrown or in the future, as a problem. */
  private static <T> void run(
      RoutingContext ctx, Function<RoutingContext, Future<T>> action, Handler<T> answer) {
    Future<T> f;
    try {
      f = action.apply(ctx);
    } catch (RuntimeException e) {
      Problems.fail(ctx, e);
      return;
    }
    f.onSuccess(answer).onFailure(e -> Problems.fail(ctx, e));
  }

  /** 415 unless the request's media type is one of {@code accepted}. */
  public static Handler<RoutingContext> consumes(String... accepted) {
    return ctx -> {
      String ct = mediaType(ctx);
      for (String a : accepted) {
        if (a.equals(ct)) {
          ctx.next();
          return;
        }
      }
      Problems.send(
          ctx,
          415,
          "Mediatype niet ondersteund",
          "Content-Type moet " + String.join(" of ", accepted) + " zijn");
    };
  }

  public static String mediaType(RoutingContext ctx) {
    String ct = ctx.request().getHeader("Content-Type");
    if (ct == null) {
      return "";
    }
    int semi = ct.indexOf(';');
    return (semi >= 0 ? ct.substring(0, semi) : ct).trim().toLowerCase();
  }

  /** The body as a JSON object: 400 when it is not one. */
  public static JsonObject bodyObject(RoutingContext ctx) {
    return bodyObject(ctx, Buffer::toJsonValue);
  }

  /** The same with a decoder of its own (the intake's, which keeps attachments as bytes). */
  public static JsonObject bodyObject(RoutingContext ctx, Function<Buffer, Object> decoder) {
    Object v;
    try {
      v = ctx.body().buffer() == null || ctx.body().length() == 0
          ? null
          : decoder.apply(ctx.body().buffer());
    } catch (DecodeException e) {
      throw ClientErrorException.badRequest("de body is geen geldige JSON", List.of());
    }
    if (!(v instanceof JsonObject o)) {
      throw ClientErrorException.badRequest("de body moet een JSON-object zijn", List.of());
    }
    return o;
  }

  /** A whole-number query parameter within bounds, or its default; 400 naming it otherwise. */
  public static long longParam(RoutingContext ctx, String name, long def, long min, long max) {
    String v = ctx.request().getParam(name);
    if (v == null || v.isEmpty()) {
      return def;
    }
    try {
      long l = Long.parseLong(v);
      if (l >= min && l <= max) {
        return l;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw ClientErrorException.badRequest(
        "ongeldige queryparameter",
        List.of(
            new InvalidParam(name, "moet een geheel getal van " + min + " tot " + max + " zijn")));
  }

  /** A month {@code YYYY-MM} query parameter, or the current month in Amsterdam; 400 naming it otherwise. */
  public static YearMonth monthParam(RoutingContext ctx, String name, Clock clock) {
    String v = ctx.request().getParam(name);
    if (v == null || v.isEmpty()) {
      return YearMonth.from(clock.instant().atZone(Tijd.NL));
    }
    if (v.matches("^\\d{4}-\\d{2}$")) {
      try {
        return YearMonth.parse(v);
      } catch (DateTimeParseException e) {
        // below
      }
    }
    throw ClientErrorException.badRequest(
        "ongeldige queryparameter",
        List.of(new InvalidParam(name, "een maand als JJJJ-MM, zoals 2026-11")));
  }
}
