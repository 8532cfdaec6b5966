package nl.berichtenbox.engine.intake;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import nl.berichtenbox.engine.tracing.Tracing;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The group-commit batcher's CPU part on the event loop: a flush of many requests' messages
 * turned into the one statement's column arrays ({@link IntakeWriter#rows}). In the engine's
 * package (the method is package-private); what PostgreSQL then does is the load tests' part.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class GroupCommitBenchmark {
  /** Messages in one flush, each from its own request: 1 000 is the configured maximum. */
  @Param({"100", "1000"})
  public int berichten;

  private List<IntakeWriter.Unit> units;

  @Setup
  public void setup() {
    units = new ArrayList<>();
    for (int i = 0; i < berichten; i++) {
      JsonObject m = new JsonObject()
          .put("berichtId", UUID.randomUUID().toString())
          .put("berichtType", "AANSL")
          .put("bsn", "999993653")
          .put("onderwerp", "Uw aanslag inkomstenbelasting")
          .put("berichtTekst", "Geachte heer/mevrouw, ".repeat(90).substring(0, 1880))
          .put("referentie", "REF-" + i);
      BerichtValidator.Result r = BerichtValidator.validate(
          m.toBuffer().toJsonValue(), "", "00000001234567890000", Instant.now());
      units.add(new IntakeWriter.Unit(
          "00000001234567890000",
          null,
          null,
          false,
          List.of(IntakeItem.Offered.of(r)),
          Tracing.newTraceparent()));
    }
  }

  @Benchmark
  public Tuple flush() {
    return IntakeWriter.rows(units).tuple();
  }
}
