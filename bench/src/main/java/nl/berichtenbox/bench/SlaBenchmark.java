package nl.berichtenbox.bench;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import nl.berichtenbox.engine.domain.Tijd;
import nl.berichtenbox.engine.sla.Beschikbaarheid;
import nl.berichtenbox.engine.sla.Onderhoudsvensters;
import nl.berichtenbox.engine.sla.Prioriteit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The SLA calendar: an incident's deadline in office hours (a P2 reported on a Friday afternoon
 * runs over the weekend and, in December, over Christmas), a month's maintenance windows, and a
 * whole month's availability judged minute by minute (what the monthly report does, off the event
 * loop).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class SlaBenchmark {
  private static final YearMonth OKTOBER = YearMonth.of(2026, 10);
  private final Onderhoudsvensters regels = Onderhoudsvensters.standaard();
  private final Instant vrijdagMiddag = ams("2026-12-18T16:30");
  private List<Onderhoudsvensters.Venster> vensters;
  private Set<Instant> op;

  private static Instant ams(String lokaal) {
    return LocalDateTime.parse(lokaal).atZone(Tijd.NL).toInstant();
  }

  @Setup
  public void setup() {
    vensters = regels.van(OKTOBER);
    op = new HashSet<>();
    for (Instant m = ams("2026-10-01T00:00");
        m.isBefore(ams("2026-11-01T00:00"));
        m = m.plus(1, ChronoUnit.MINUTES)) {
      op.add(m);
    }
    // two hours out
    for (Instant m = ams("2026-10-20T12:00");
        m.isBefore(ams("2026-10-20T14:00"));
        m = m.plus(1, ChronoUnit.MINUTES)) {
      op.remove(m);
    }
  }

  @Benchmark
  public Instant p2DeadlineOverChristmas() {
    return Prioriteit.P2.deadline(vrijdagMiddag);
  }

  @Benchmark
  public List<Onderhoudsvensters.Venster> maandVensters() {
    return regels.van(OKTOBER);
  }

  @Benchmark
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public Beschikbaarheid.Uitkomst beschikbaarheidVanEenMaand() {
    return Beschikbaarheid.bereken(
        OKTOBER, vensters, ams("2026-01-01T00:00"), ams("2026-12-01T00:00"), op);
  }
}
