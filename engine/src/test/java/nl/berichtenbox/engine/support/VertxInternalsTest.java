package nl.berichtenbox.engine.support;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What the engine relies on of Vert.x's internals: bytes read in place, bytes wrapped uncopied, a
 * context on each event loop.
 */
class VertxInternalsTest {
  @Test
  void aHeapBufferIsReadInPlaceFromItsReaderIndex() {
    Buffer whole = Buffer.buffer("..{\"a\":1}..");
    Buffer slice = whole.slice(2, 9);
    VertxInternals.Bytes b = VertxInternals.inPlace(slice);
    assertNotNull(b);
    assertEquals(
        "{\"a\":1}", new String(b.array(), b.offset(), b.length(), StandardCharsets.UTF_8));
    assertSame(
        VertxInternals.inPlace(whole).array(),
        b.array(),
        "a slice shares its parent's bytes: nothing copied");
  }

  @Test
  void aDirectBufferIsNotInPlace() {
    Buffer direct = BufferInternal.buffer(Unpooled.directBuffer(4).writeInt(7));
    assertNull(VertxInternals.inPlace(direct));
  }

  @Test
  void wrappedBytesAreTheCallersOwnNotACopy() {
    byte[] bytes = "%PDF-1.7".getBytes(StandardCharsets.US_ASCII);
    Buffer b = VertxInternals.wrap(bytes);
    assertArrayEquals(bytes, b.getBytes());
    bytes[0] = 'X';
    assertEquals('X', b.getByte(0), "the buffer sees the array itself");
  }

  @Test
  void asManyContextsAsEventLoopsRunOnEveryEventLoop() throws Exception {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(3));
    try {
      List<Context> contexts = VertxInternals.eventLoopContexts(vertx, 3);
      assertEquals(3, contexts.size());
      Set<String> threads = ConcurrentHashMap.newKeySet();
      CountDownLatch ran = new CountDownLatch(3);
      for (Context c : contexts) {
        assertTrue(c.isEventLoopContext());
        c.runOnContext(v -> {
          threads.add(Thread.currentThread().getName());
          ran.countDown();
        });
      }
      assertTrue(ran.await(10, TimeUnit.SECONDS));
      assertEquals(3, threads.size(), "one on each loop: " + threads);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
