package nl.berichtenbox.loadtest.gatling;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.nothingFor;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;
import static io.gatling.javaapi.core.CoreDsl.responseTimeInMillis;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Intake of single 2 KB messages (SNO 2.2.2: 45 accepted and parked per second), open model: at
 * the norm's rate for 60 s, then at the target's 2 000/s for 60 s. Asserts the norm: every
 * message at 45/s accepted (202). The target (p99 ≤ 50 ms at 2 000/s) and the processing lag (target
 * p99 ≤ 1 s parked to delivered, norm 24 h) go to the summary.
 */
public class IntakeSimulation extends Simulation {
  private final List<String> ids = new CopyOnWriteArrayList<>();

  private ScenarioBuilder intake(String naam) {
    return scenario(naam).exec(http(naam).post("/api/v1/berichten")
        .header("Authorization", "Bearer " + Suite.KEY)
        .body(StringBody(session -> {
          String id = UUID.randomUUID().toString();
          ids.add(id);
          return Suite.bericht(id, false);
        }))
        .check(responseTimeInMillis().saveAs("rt"), status().is(202)))
        .exec(Meting.neem(naam));
  }

  {
    var norm = Suite.duur(60);
    setUp(
        intake("intake 45/s").injectOpen(constantUsersPerSec(Suite.rate(45)).during(norm)),
        intake("intake 2000/s").injectOpen(nothingFor(norm), constantUsersPerSec(Suite.rate(2000)).during(Suite.duur(60))))
        .protocols(Suite.protocol())
        .assertions(details("intake 45/s").successfulRequests().percent().is(100.0));
  }

  @Override
  public void after() {
    Meting.schrijf("intake");
    Suite.verwerkingsduur("verwerking-intake", ids);
  }
}
