package nl.berichtenbox.bench;

import java.util.concurrent.TimeUnit;
import nl.berichtenbox.engine.berichtenbox.Cursor;
import nl.berichtenbox.engine.intake.RateLimiter;
import nl.berichtenbox.engine.support.Logs;
import nl.berichtenbox.engine.support.Pseudonym;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The small per-request steps beside validation: the afnemer's rate limiter (taken on every
 * intake request, from every event loop at once), a keyset cursor signed and checked (every
 * mailbox page), a citizen pseudonym (every notification event to Kafka), and the BSN mask of a
 * log line (every logged failure).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class HotPathsBenchmark {
  private final RateLimiter begrenzer = new RateLimiter(() -> 1);
  private Cursor cursor;
  private String getekend;
  private Pseudonym pseudoniem;

  @Setup
  public void setup() {
    cursor = new Cursor("bench-cursor-secret-0123456789abcdef".getBytes());
    getekend =
        cursor.encode(new Cursor.Positie(1_795_000_000_000_000L, 123_456_789L), "999993653|inbox|");
    pseudoniem = new Pseudonym("bench-portal-secret-0123456789abcdef0123");
  }

  /** One intake request against a limit that is never reached; two threads, as two event loops. */
  @Benchmark
  @Threads(2)
  public long rateLimiter() {
    return begrenzer.admit("00000001234567890000", 1_000_000_000, 1);
  }

  @Benchmark
  public String cursorEncode() {
    return cursor.encode(
        new Cursor.Positie(1_795_000_000_000_000L, 123_456_789L), "999993653|inbox|");
  }

  @Benchmark
  public Cursor.Positie cursorDecode() {
    return cursor.decode(getekend, "999993653|inbox|");
  }

  @Benchmark
  public String pseudoniem() {
    return pseudoniem.of("999993653");
  }

  @Benchmark
  public String logMask() {
    return Logs.mask(
        "PgException: ERROR: duplicate key value (bsn)=(999993653) violates unique constraint");
  }
}
