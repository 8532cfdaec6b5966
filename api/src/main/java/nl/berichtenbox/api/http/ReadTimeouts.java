package nl.berichtenbox.api.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.Http1xServerConnection;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The slow-client guard (slowloris and slow POST), as Apache's mod_reqtimeout does it: a
 * request's line and headers must arrive within {@code head} of its first byte, and its body
 * within {@code body} plus one second per {@code minRate} bytes received; otherwise the
 * connection is closed. The idle timeout alone does not do this: a client that sends one byte
 * every few seconds is never idle. A keep-alive connection waiting for its next request is not
 * timed here (the idle timeout is); the clock starts at the next request's first byte.
 *
 * <p>Vert.x has no such setting, so two Netty handlers go around HTTP/1.x's decoder: one
 * before it sees bytes arrive, one after it sees where heads and bodies end. Both run on the
 * connection's event loop, so their state needs no locking. Reaching the channel uses Vert.x's
 * {@code Http1xServerConnection}, an implementation class. HTTP/2 (over TLS with ALPN) is left as it is:
 * the idle timeout and the caps on requests and bytes in flight still hold there. Clear-text
 * HTTP/2 upgrades (h2c) are off: with them on, Vert.x makes the connection only once the first
 * request's head has arrived, too late to time it.
 */
public final class ReadTimeouts {
  private final long headNanos;
  private final long bodyNanos;
  private final long minRate;
  private final LongAdder closed;

  public ReadTimeouts(Duration head, Duration body, int minBytesPerSecond, LongAdder closed) {
    this.headNanos = head.toNanos();
    this.bodyNanos = body.toNanos();
    this.minRate = minBytesPerSecond;
    this.closed = closed;
  }

  /** Installs the guard on a new connection; a connection of another kind is left as it is. */
  public void install(HttpConnection connection) {
    if (!(connection instanceof Http1xServerConnection base)) {
      return;
    }
    ChannelPipeline pipeline = base.channel().pipeline();
    if (pipeline.get("httpDecoder") == null) {
      return;
    }
    Guard guard = new Guard();
    pipeline.addBefore("httpDecoder", "readTimeoutBytes", guard.bytes);
    pipeline.addAfter("httpDecoder", "readTimeoutParts", guard.parts);
  }

  private enum Phase {
    WAITING,
    HEAD,
    BODY
  }

  /**
   * One connection's state. A pending check is not cancelled when a head or body ends: it looks
   * at the phase when it fires and reschedules itself, or stops when the connection waits for its
   * next request. So on a busy keep-alive connection a request costs no timer at all; a check is
   * scheduled only when none is pending or the pending one would fire after the new deadline.
   */
  private final class Guard {
    private Phase phase = Phase.WAITING;
    private long begin;
    private long bodyBytes;
    private ScheduledFuture<?> timer;
    private long timerAt;

    final ChannelInboundHandlerAdapter bytes = new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (phase == Phase.WAITING && msg instanceof ByteBuf b && b.isReadable()) {
          phase = Phase.HEAD;
          begin = System.nanoTime();
          checkBy(ctx, begin + headNanos);
        }
        ctx.fireChannelRead(msg);
      }

      @Override
      public void channelInactive(ChannelHandlerContext ctx) {
        if (timer != null) {
          timer.cancel(false);
          timer = null;
        }
        ctx.fireChannelInactive();
      }
    };

    final ChannelDuplexHandler parts = new ChannelDuplexHandler() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
          phase = Phase.BODY;
          begin = System.nanoTime();
          bodyBytes = 0;
          // usually the head's check is pending and fires first (it then reschedules): no timer
          checkBy(ctx, begin + bodyNanos);
        }
        if (msg instanceof HttpContent c) {
          bodyBytes += c.content().readableBytes();
        }
        if (msg instanceof LastHttpContent) {
          phase = Phase.WAITING;
        }
        ctx.fireChannelRead(msg);
      }
    };

    private void checkBy(ChannelHandlerContext ctx, long deadline) {
      if (!ctx.channel().isActive() || (timer != null && timerAt - deadline <= 0)) {
        return; // closing, or a check comes soon enough
      }
      if (timer != null) {
        timer.cancel(false);
      }
      timerAt = deadline;
      timer = ctx.executor()
          .schedule(
              () -> check(ctx), Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void check(ChannelHandlerContext ctx) {
      timer = null;
      long deadline = switch (phase) {
        case WAITING -> Long.MAX_VALUE;
        case HEAD -> begin + headNanos;
        // the body earns time as it arrives: a large upload at a fair rate is not cut off
        case BODY -> begin + bodyNanos + bodyBytes * 1_000_000_000L / minRate;
      };
      if (deadline == Long.MAX_VALUE || !ctx.channel().isActive()) {
        return;
      }
      if (System.nanoTime() - deadline < 0) {
        checkBy(ctx, deadline);
        return;
      }
      closed.increment();
      ctx.channel().close();
    }
  }
}
