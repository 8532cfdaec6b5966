package nl.berichtenbox.engine.support;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;

/**
 * The one place the engine reaches into Vert.x's internal buffer API ({@code io.vertx.core.internal}),
 * for the two things the public one cannot do without copying: read a body's bytes where they lie
 * (the intake's JSON parser) and hand an attachment's bytes to the database client as they are.
 * A Vert.x upgrade that changes the internals breaks here, and {@code BuffersTest} says so.
 */
public final class Buffers {
  private Buffers() {}

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
}
