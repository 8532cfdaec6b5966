package nl.berichtenbox.loadtest.gatling;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
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
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Intake of single 2 KB messages (SNO 2.2.2: 45 accepted and parked per second). Open model: at
 * the norm's rate for 60 s, then a 20 s ramp from 45 to 10 000/s (not judged: both JVMs' code for
 * the high rate is cold, and the engine's pool opens its connections), then the target's latency
 * rate, 10 000/s, for 30 s (target p99 ≤ 50 ms, and its processing lag p99 ≤ 1 s parked to
 * delivered). Then the capacity, closed model: 64 senders, each sending its next message when the
 * last is answered, for 30 s (target ≥ 20 000/s accepted durably); what it takes here is what the
 * overload scenario offers three times. Asserts the norm: every message at 45/s accepted (202),
 * and every message of the ramp too. The targets go to the summary.
 */
public class IntakeSimulation extends Simulation {
  private final List<String> ids = new CopyOnWriteArrayList<>();

  private ScenarioBuilder intake(String naam, boolean meten) {
    var s = scenario(naam)
        .exec(session -> session.set("id", UUID.randomUUID().toString()))
        .exec(http(naam)
            .post("/api/v1/berichten")
            .header("Authorization", "Bearer " + Suite.KEY)
            .body(StringBody(session -> Suite.bericht(session.getString("id"), false)))
            .check(responseTimeInMillis().saveAs("rt"), status().is(202)));
    if (!meten) {
      return s;
    }
    // only messages taken go to the processing lag: it waits for the last one's receipt, and one
    // refused or never sent (the generator's descriptors) has none (a run waited 30 minutes)
    return s.exec(session -> {
          if (!session.isFailed()) {
            ids.add(session.getString("id"));
          }
          return session;
        })
        .exec(Meting.neem(naam));
  }

  {
    var norm = Suite.duur(60);
    var opwarmen = Suite.duur(20);
    var doel = Suite.duur(30);
    setUp(
            intake("intake 45/s", true)
                .injectOpen(constantUsersPerSec(Suite.rate(45)).during(norm)),
            intake("intake opwarmen", false)
                .injectOpen(
                    nothingFor(norm),
                    rampUsersPerSec(Suite.rate(45)).to(Suite.rate(10_000)).during(opwarmen)),
            intake("intake 10000/s", true)
                .injectOpen(
                    nothingFor(norm.plus(opwarmen)),
                    constantUsersPerSec(Suite.rate(10_000)).during(doel))
                // the capacity after the open steps: closed, so it measures what the engine takes
                // rather than what is offered
                .andThen(intake("intake capaciteit", false)
                    .exec(Meting.neem("intake capaciteit"))
                    .injectClosed(constantConcurrentUsers(Suite.SMOKE ? 4 : 64).during(doel))))
        .protocols(Suite.protocol())
        .assertions(
            details("intake 45/s").successfulRequests().percent().is(100.0),
            details("intake opwarmen").successfulRequests().percent().is(100.0));
  }

  @Override
  public void after() {
    Meting.schrijf("intake");
    Suite.verwerkingsduur("verwerking-intake", ids);
  }
}
