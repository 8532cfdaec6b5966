package nl.berichtenbox.engine.support;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What the engine relies on of Vert.x's internal buffers: bytes read in place, bytes wrapped uncopied. */
class BuffersTest {
  @Test
  void aHeapBufferIsReadInPlaceFromItsReaderIndex() {
    Buffer whole = Buffer.buffer("..{\"a\":1}..");
    Buffer slice = whole.slice(2, 9);
    Buffers.Bytes b = Buffers.inPlace(slice);
    assertNotNull(b);
    assertEquals(
        "{\"a\":1}", new String(b.array(), b.offset(), b.length(), StandardCharsets.UTF_8));
    assertSame(
        Buffers.inPlace(whole).array(),
        b.array(),
        "a slice shares its parent's bytes: nothing copied");
  }

  @Test
  void aDirectBufferIsNotInPlace() {
    Buffer direct = io.vertx.core.internal.buffer.BufferInternal.buffer(
        io.netty.buffer.Unpooled.directBuffer(4).writeInt(7));
    assertNull(Buffers.inPlace(direct));
  }

  @Test
  void wrappedBytesAreTheCallersOwnNotACopy() {
    byte[] bytes = "%PDF-1.7".getBytes(StandardCharsets.US_ASCII);
    Buffer b = Buffers.wrap(bytes);
    assertArrayEquals(bytes, b.getBytes());
    bytes[0] = 'X';
    assertEquals('X', b.getByte(0), "the buffer sees the array itself");
  }
}
