package nl.berichtenbox.engine.support;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.internal.buffer.BufferInternal;
import java.util.ArrayList;
import java.util.List;

/**
 * The one place the engine reaches into Vert.x's internals ({@code io.vertx.core.internal}), for
 * what the public API cannot do: read a body's bytes where they lie (the intake's JSON parser) and
 * hand an attachment's bytes to the database client as they are, both without a copy; and run a
 * task on each event loop (the metrics' event-loop tick). A Vert.x upgrade that changes the
 * internals breaks here, and {@code VertxInternalsTest} says so.
 */
public final class VertxInternals {
  private VertxInternals() {}

  /** A buffer's readable bytes in place: {@code array[offset, offset + length)}. */
  public record Bytes(byte[] array, int offset, int length) {}

  /** The bytes of {@code b} where they lie, or null when they are not on the heap (then copy). */
  public static Bytes inPlace(Buffer b) {
    ByteBuf buf = ((BufferInternal) b).getByteBuf();
    if (!buf.hasArray()) {
      return null;
    }
    return new Bytes(buf.array(), buf.arrayOffset() + buf.readerIndex(), buf.readableBytes());
  }

  /** {@code bytes} as a buffer without a copy ({@link Buffer#buffer(byte[])} copies): the caller no longer writes them. */
  public static Buffer wrap(byte[] bytes) {
    return BufferInternal.buffer(Unpooled.wrappedBuffer(bytes));
  }

  /**
   * {@code n} contexts on event loops, one after another from Vert.x's round robin: with {@code n}
   * the number of event loops, one on each. (The public {@code getOrCreateContext} gives the
   * caller's own context, or one on whichever loop is next, once.)
   */
  public static List<Context> eventLoopContexts(Vertx vertx, int n) {
    List<Context> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(((VertxInternal) vertx).createEventLoopContext());
    }
    return out;
  }
}
