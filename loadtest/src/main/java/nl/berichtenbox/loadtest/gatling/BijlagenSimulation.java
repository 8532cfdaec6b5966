package nl.berichtenbox.loadtest.gatling;

import static io.gatling.javaapi.core.CoreDsl.ByteArrayBody;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.nothingFor;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.responseTimeInMillis;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The attachment mix (SNO 2.2.2: up to 95 % of messages with attachments, 500 kB at most): 95 %
 * of messages carry a 100 kB PDF, at the norm's 45/s for 30 s, then a 20 s ramp to 500/s (not
 * judged: cold code for 66 MB/s of bodies in both JVMs), then the target's 500/s for 30 s.
 * Asserts the norm: every message at 45/s accepted. At 500/s what the engine takes (or sheds
 * with 503 to protect its memory) goes to the summary.
 */
public class BijlagenSimulation extends Simulation {
  private static ScenarioBuilder mix(String naam) {
    return mix(naam, true);
  }

  private static ScenarioBuilder mix(String naam, boolean meten) {
    var s = scenario(naam)
        .exec(http(naam)
            .post("/api/v1/berichten")
            .header("Authorization", "Bearer " + Suite.KEY)
            .body(ByteArrayBody(session -> Suite.berichtBytes(
                UUID.randomUUID().toString(), ThreadLocalRandom.current().nextInt(100) < 95)))
            .check(responseTimeInMillis().saveAs("rt"), status().is(202)));
    return meten ? s.exec(Meting.neem(naam)) : s;
  }

  {
    var norm = Suite.duur(30);
    var opwarmen = Suite.duur(20);
    setUp(
            mix("bijlagen 45/s").injectOpen(constantUsersPerSec(Suite.rate(45)).during(norm)),
            mix("bijlagen opwarmen", false)
                .injectOpen(
                    nothingFor(norm),
                    rampUsersPerSec(Suite.rate(45)).to(Suite.rate(500)).during(opwarmen)),
            mix("bijlagen 500/s")
                .injectOpen(
                    nothingFor(norm.plus(opwarmen)),
                    constantUsersPerSec(Suite.rate(500)).during(Suite.duur(30))))
        .protocols(Suite.protocol())
        .assertions(details("bijlagen 45/s").successfulRequests().percent().is(100.0));
  }

  @Override
  public void after() {
    Meting.schrijf("bijlagen");
  }
}
