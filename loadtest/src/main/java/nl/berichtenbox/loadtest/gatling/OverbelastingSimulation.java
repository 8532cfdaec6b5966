package nl.berichtenbox.loadtest.gatling;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.nothingFor;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.responseTimeInMillis;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.CoreDsl;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import nl.berichtenbox.loadtest.Metriek;

/**
 * Overload (issues 9 and 21): after a 20 s ramp to 2 000/s, single 2 KB messages offered at three
 * times what intake takes (the intake scenario's closed capacity step, read from its result file;
 * 6 000/s when that has not run) for a minute, from as many
 * connections as a fleet of senders would open (the suite lets this scenario's generator have
 * 65 536 descriptors; run 12 held about 15 000 connections). Every answer must be 202, or 503/429 with {@code Retry-After}: nothing else
 * (no 500, no reset, no time-out). Judged: the latency of the admitted (202) requests, the
 * engine's live heap (after collection, read from {@code /metrics} every second) against its
 * maximum, and the return to normal: 60 s at 2 000/s not judged (the engine processes the
 * minute's backlog meanwhile), then 30 s at 2 000/s whose p99 must meet the intake target (50 ms)
 * again.
 */
public class OverbelastingSimulation extends Simulation {
  private final AtomicBoolean meten = new AtomicBoolean(true);
  private final AtomicLong heapMax = new AtomicLong();
  private final AtomicLong heapNa = new AtomicLong();
  private final AtomicLong heapGrens = new AtomicLong();
  private final AtomicLong geweigerd = new AtomicLong();
  private Thread heapMeter;

  /** Three times what the intake scenario's capacity step took, or 6 000/s without it. */
  static final double AANBOD = aanbod();

  private static double aanbod() {
    try {
      var f = Suite.RESULTS.resolve("intake.json");
      if (Files.exists(f)) {
        double genomen = new JsonObject(Files.readString(f))
            .getJsonObject("intake capaciteit", new JsonObject())
            .getDouble("perSeconde", 0.0);
        if (genomen > 0) {
          return Math.round(3 * genomen);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return 6000;
  }

  private ScenarioBuilder intake(String naam) {
    return scenario(naam)
        .exec(http(naam)
            .post("/api/v1/berichten")
            .header("Authorization", "Bearer " + Suite.KEY)
            .body(StringBody(session -> Suite.bericht(UUID.randomUUID().toString(), false)))
            .check(
                responseTimeInMillis().saveAs("rt"),
                status().in(202, 429, 503).saveAs("status"),
                header("Retry-After").optional().saveAs("retryAfter")))
        .exec(s -> {
          long rt = s.contains("rt") ? s.getLong("rt") : 0;
          if (s.isFailed() || !s.contains("status")) {
            Meting.neem(naam, rt, false); // neither taken nor shed: a failure
          } else if (s.getInt("status") != 202) {
            geweigerd.incrementAndGet();
            // shed: must say when to come back; the latency series is of the admitted ones only
            Meting.neem(naam + " geweigerd", rt, s.contains("retryAfter"));
          } else {
            Meting.neem(naam, rt, true);
          }
          return s.remove("rt").remove("status").remove("retryAfter");
        });
  }

  @Override
  public void before() {
    heapMeter = Metriek.elkeSeconde(Suite.URL, meten, m -> {
      long naGc = Metriek.waarde(m, "berichtenbox_jvm_heap_na_gc_bytes");
      heapMax.accumulateAndGet(naGc, Math::max);
      heapNa.set(naGc);
      heapGrens.set(Metriek.waarde(m, "berichtenbox_jvm_heap_max_bytes"));
    });
  }

  {
    var voor = Suite.duur(20);
    var over = Suite.duur(60);
    var herstel = Suite.duur(60);
    setUp(
            // a ramp first: a cold engine and generator (JIT, pool) are not what is judged here
            intake("normaal vooraf")
                .injectOpen(rampUsersPerSec(Suite.rate(45)).to(Suite.rate(2000)).during(voor)),
            intake("overbelasting")
                .injectOpen(
                    nothingFor(voor), constantUsersPerSec(Suite.rate(AANBOD)).during(over)),
            intake("herstel")
                .injectOpen(
                    nothingFor(voor.plus(over)),
                    constantUsersPerSec(Suite.rate(2000)).during(herstel)),
            intake("na overbelasting 2000/s")
                .injectOpen(
                    nothingFor(voor.plus(over).plus(herstel)),
                    constantUsersPerSec(Suite.rate(2000)).during(Suite.duur(30))))
        .protocols(Suite.protocol())
        .assertions(CoreDsl.global().failedRequests().count().is(0L));
  }

  @Override
  public void after() {
    meten.set(false);
    Meting.schrijf("overbelasting");
    Suite.schrijf(
        "overbelasting-heap",
        new JsonObject()
            .put("heapNaGcMaxBytes", heapMax.get())
            .put("heapNaGcAfloopBytes", heapNa.get())
            .put("heapMaxBytes", heapGrens.get())
            .put("geweigerd", geweigerd.get())
            .put("aangebodenPerSeconde", Suite.rate(AANBOD)));
  }
}
