package nl.berichtenbox.engine.support;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The free space of the data directory (the embedded PostgreSQL, mail files and backups live
 * there), looked at every second on a worker thread (a statfs call is blocking I/O). Below the
 * minimum the engine is not ready and takes no writes (503), so that a full disk is met before
 * PostgreSQL fails on it: reads (the citizen's mailbox) go on. An external database's disk is
 * its own; a full one there answers SQLSTATE 53100, which the engine also answers with 503.
 */
public final class DiskSpace implements Component {
  private static final Logger LOG = LoggerFactory.getLogger(DiskSpace.class);

  private final Vertx vertx;
  private final Path dir;
  private final long minimum;
  private final AtomicLong gauge;
  private volatile boolean full;
  private long timer = -1;

  /** {@code minimumBytes} 0 switches the guard off. */
  public DiskSpace(Vertx vertx, Path dir, long minimumBytes, AtomicLong gauge) {
    this.vertx = vertx;
    this.dir = dir;
    this.minimum = minimumBytes;
    this.gauge = gauge;
  }

  /** Looks now (the caller may block: the engine's start does) and then every second. */
  @Override
  public void start() {
    if (minimum <= 0) {
      return;
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("the data directory " + dir + " cannot be made", e);
    }
    look();
    timer = vertx.setPeriodic(
        1_000,
        id -> vertx.executeBlocking(
            () -> {
              look();
              return null;
            },
            false));
  }

  /**
   * Stops looking; before Vert.x closes, whose worker pool may end before its timers do (a look
   * then was refused and logged as an error at every shutdown).
   */
  @Override
  public Future<Void> stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    return Future.succeededFuture();
  }

  private void look() {
    try {
      long v = Files.getFileStore(dir).getUsableSpace();
      gauge.set(v);
      boolean now = v < minimum;
      if (now != full) {
        if (now) {
          LOG.error(
              "the data directory has {} MB free, under the minimum of {} MB: not ready, writes refused (503) "
                  + "until there is room",
              v >> 20,
              minimum >> 20);
        } else {
          LOG.info("the data directory has {} MB free again: ready, writes taken", v >> 20);
        }
      }
      full = now;
    } catch (IOException | RuntimeException e) {
      LOG.warn("free space of {} unknown: {}", dir, e.toString());
    }
  }

  /** Whether the data directory is below its minimum free space (false when the guard is off). */
  public boolean full() {
    return full;
  }

  /** Ready while the data directory has its minimum free space. */
  @Override
  public Future<Boolean> ready() {
    return Future.succeededFuture(!full);
  }
}
