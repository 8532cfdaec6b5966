package nl.berichtenbox.api.http;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.impl.RoutingContextInternal;

/**
 * Reads a JSON request body into one buffer of the length the request declares, in place of
 * Vert.x's BodyHandler, which preallocates at most 64 kB and then doubles: a message with a
 * 100 kB attachment (133 kB) was copied three times into a buffer of 256 kB: those buffers were a
 * third of everything the engine allocated, and the in-flight bodies twice what they declared. The declared length is bounded before a byte is
 * allocated: by {@code limit} here (413) and by the in-flight byte cap of every request (503).
 */
public final class ExactBody implements Handler<RoutingContext> {
  /** A body without a declared length (chunked) grows from here, as BodyHandler's does. */
  private static final int WITHOUT_LENGTH = 1024;

  private final long limit;

  public ExactBody(long limit) {
    this.limit = limit;
  }

  @Override
  public void handle(RoutingContext ctx) {
    RoutingContextInternal ri = (RoutingContextInternal) ctx;
    if (ri.seenHandler(RoutingContextInternal.BODY_HANDLER)) {
      ctx.next();
      return;
    }
    ri.visitHandler(RoutingContextInternal.BODY_HANDLER);
    HttpServerRequest req = ctx.request();
    long declared = length(req);
    if (declared > limit) {
      ctx.fail(413);
      return;
    }
    if ("100-continue".equalsIgnoreCase(req.getHeader(HttpHeaders.EXPECT))) {
      ctx.response().writeContinue();
    }
    if (req.isEnded()) {
      ri.setBody(Buffer.buffer());
      ctx.next();
      return;
    }
    Buffer body = Buffer.buffer(declared >= 0 ? (int) declared : WITHOUT_LENGTH);
    boolean[] teGroot = {false};
    req.handler(chunk -> {
      if (teGroot[0]) {
        return;
      }
      if (body.length() + (long) chunk.length() > limit) {
        teGroot[0] = true;
        ctx.fail(413);
        return;
      }
      body.appendBuffer(chunk);
    });
    req.endHandler(v -> {
      if (!teGroot[0]) {
        ri.setBody(body);
        ctx.next();
      }
    });
    req.resume();
  }

  /** The declared Content-Length, or -1 when there is none (or it is not a number: Netty refuses those). */
  private static long length(HttpServerRequest req) {
    String s = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (s == null) {
      return -1;
    }
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
