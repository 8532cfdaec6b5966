package nl.berichtenbox.engine.intake;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import nl.berichtenbox.engine.domain.ServerErrorException;
import nl.berichtenbox.engine.metrics.EngineMetrics;
import nl.berichtenbox.engine.tracing.Tracing;
import org.slf4j.Logger;

/**
 * Group commit, confined to one event loop: requests queue here; whenever fewer than
 * {@code maxInFlight} transactions are under way, everything queued (up to a size bound) goes
 * into one transaction and every waiting request is answered only after its commit. At low
 * load a request is written at once; under load the batches grow by themselves.
 *
 * <p>Past what the database takes, the queue would grow and every admitted request wait longer,
 * seconds at a time. So a request is shed (503 with Retry-After)
 * when the oldest one queued has waited longer than {@code maxWait}: the queue holds no more
 * than that much time's work, whatever the rate, and admitted requests keep a bounded latency.
 * The bounds on queued messages and bytes stay, for the heap.
 *
 * <p>A transaction costs the database about as much CPU as five of its message rows, whether it
 * carries one message or twenty (docs/performance-history.md, "What a transaction costs"). So once
 * requests come in company (one arrived while another was queued or under way), the next
 * transaction begins no sooner than {@code minInterval} after the last began, unless {@link
 * #GATHERED} messages (or a full transaction's bytes) are waiting: what arrives meanwhile shares
 * it. A request that finds nothing under way and came alone since the last began is written at
 * once, so a sender that waits for each answer before it sends the next is never held.
 */
final class GroupCommitter {
  private final Pool pool;
  private final IntakeWriter writer;
  private final int maxMessages;
  private final int maxBytes;
  private final int maxInFlight;
  private final int maxQueuedMessages;
  private final long maxQueuedBytes;
  private final long maxWaitNanos;
  private final long minIntervalNanos;
  private final Context context;
  private final Runnable onCommit;
  private final EngineMetrics metrics;
  private final IntakeSaturation saturation;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private int queuedMessages;
  private long queuedBytes;
  private int inFlight;
  private long lastBegin;
  /** A request arrived while another was queued or under way since the last transaction began. */
  private boolean company;

  private boolean timerSet;

  /**
   * Messages queued that end a hold: 16 share one transaction's cost (about 360 µs of PostgreSQL
   * CPU) at some 23 µs each, a third of a message row's own; waiting for more adds latency for
   * little.
   */
  static final int GATHERED = 16;

  private record Pending(IntakeWriter.Unit unit, Promise<IntakeWriter.Unit> promise, long since) {}

  private final Tracing tracing;
  private static final Logger REIS = Tracing.REIS;

  GroupCommitter(
      Pool pool,
      IntakeWriter writer,
      int maxMessages,
      int maxBytes,
      int maxInFlight,
      Duration minInterval,
      Duration maxWait,
      Runnable onCommit,
      EngineMetrics metrics,
      IntakeSaturation saturation,
      Tracing tracing) {
    this.tracing = tracing;
    this.saturation = saturation;
    this.maxWaitNanos = maxWait.toNanos();
    // the loop this committer is confined to: its timer must fire there
    this.context = Vertx.currentContext();
    this.minIntervalNanos = context == null ? 0 : minInterval.toNanos();
    this.pool = pool;
    this.writer = writer;
    this.maxMessages = maxMessages;
    this.maxBytes = maxBytes;
    this.maxInFlight = maxInFlight;
    this.maxQueuedMessages = Math.max(20 * maxMessages, 20_000);
    // bytes too: 20 000 queued messages with 100 kB attachments are 2 GB, more than the heap
    this.maxQueuedBytes = 8L * maxBytes;
    this.onCommit = onCommit;
    this.metrics = metrics;
  }

  private static void journey(List<Pending> batch) {
    for (Pending p : batch) {
      IntakeWriter.Unit u = p.unit();
      for (int i = 0; i < u.outcomes.length; i++) {
        IntakeItem.Outcome o = u.outcomes[i];
        REIS.atDebug()
            .addKeyValue("berichtId", o.berichtId())
            .addKeyValue("oin", u.oin)
            .addKeyValue("batchId", u.batchId)
            .addKeyValue("trace_id", Tracing.traceId(u.spoor(i)))
            .log(
                "bericht {}",
                o.kind() == IntakeItem.Outcome.Kind.PARKED
                    ? "geparkeerd"
                    : o.kind().name().toLowerCase());
      }
    }
  }

  /**
   * The transaction as a child span of each request it served (one INSERT for many traces): each
   * trace shows its wait and its commit, with the transaction's size.
   */
  private void spansForCommit(List<Pending> batch, Instant begin, int messages) {
    Instant end = Instant.now();
    var attr = Attributes.builder()
        .put("db.system.name", "postgresql")
        .put("db.operation.name", "INSERT")
        .put("db.collection.name", "bericht")
        .put("db.operation.batch.size", (long) messages)
        .build();
    for (Pending p : batch) {
      IntakeWriter.Unit u = p.unit();
      // a span per trace the unit's messages belong to (a request's: one; a Kafka poll's: each
      // record's)
      Set<String> traceparentsOfUnit = new LinkedHashSet<>();
      for (int i = 0; i < u.offered.size(); i++) {
        String traceparent = u.spoor(i);
        if (traceparent != null && traceparentsOfUnit.add(traceparent)) {
          tracing.step("INSERT bericht", SpanKind.CLIENT, traceparent, begin, end, attr);
        }
      }
    }
  }

  Future<IntakeWriter.Unit> submit(IntakeWriter.Unit unit) {
    long now = System.nanoTime();
    if (queuedMessages > maxQueuedMessages
        || queuedBytes > maxQueuedBytes
        || (!queue.isEmpty() && now - queue.peek().since() > maxWaitNanos)) {
      metrics.intakeShed.increment();
      return Future.failedFuture(
          ServerErrorException.unavailable("intake is overloaded, try again shortly", null));
    }
    if (inFlight > 0 || !queue.isEmpty()) {
      company = true;
    }
    Promise<IntakeWriter.Unit> p = Promise.promise();
    queue.add(new Pending(unit, p, now));
    queuedMessages += unit.offered.size();
    queuedBytes += unit.weight;
    drain();
    // waiting for a slot, not held to gather (the interval): that is intake at its limit
    if (!queue.isEmpty() && inFlight >= maxInFlight) {
      saturation.wacht();
      metrics.intakeVerzadigd.increment();
    }
    return p.future();
  }

  private void drain() {
    while (inFlight < maxInFlight && !queue.isEmpty()) {
      if (company && minIntervalNanos > 0 && !enoughWaits()) {
        long wait = lastBegin + minIntervalNanos - System.nanoTime();
        if (wait > 0) {
          if (!timerSet) {
            timerSet = true;
            context.owner().setTimer((wait + 999_999) / 1_000_000, id -> {
              timerSet = false;
              drain();
            });
          }
          return;
        }
      }
      List<Pending> batch = new ArrayList<>();
      int messages = 0;
      int bytes = 0;
      while (!queue.isEmpty()) {
        Pending next = queue.peek();
        int m = next.unit().offered.size();
        if (!batch.isEmpty()
            && (messages + m > maxMessages || bytes + next.unit().weight > maxBytes)) {
          break;
        }
        queue.poll();
        batch.add(next);
        messages += m;
        bytes += next.unit().weight;
        queuedMessages -= m;
        queuedBytes -= next.unit().weight;
      }
      flush(batch, messages);
    }
  }

  private boolean enoughWaits() {
    return queuedMessages >= Math.min(GATHERED, maxMessages) || queuedBytes >= maxBytes;
  }

  private void flush(List<Pending> batch, int messages) {
    inFlight++;
    lastBegin = System.nanoTime();
    company = false;
    List<IntakeWriter.Unit> units = new ArrayList<>(batch.size());
    for (Pending p : batch) {
      units.add(p.unit());
    }
    long start = System.nanoTime();
    Instant begin = tracing.enabled() ? Instant.now() : null;
    metrics.groupCommitGrootte.record(messages);
    for (Pending p : batch) {
      metrics.groupCommitWacht.recordNanos(start - p.since());
    }
    pool.withTransaction(conn -> writer.write(conn, units)).onComplete(ar -> {
      inFlight--;
      if (ar.succeeded()) {
        metrics.groupCommits.increment();
        metrics.groupCommitMessages.add(messages);
        metrics.commitLatency.recordNanos(System.nanoTime() - start);
        if (begin != null) {
          spansForCommit(batch, begin, messages);
        }
        for (Pending p : batch) {
          p.promise().complete(p.unit());
        }
        if (REIS.isDebugEnabled()) {
          journey(batch);
        }
        onCommit.run();
      } else {
        metrics.groupCommitFailures.increment();
        ServerErrorException e =
            ServerErrorException.unavailable("the message store is unavailable", ar.cause());
        for (Pending p : batch) {
          p.promise().fail(e);
        }
      }
      drain();
    });
  }
}
