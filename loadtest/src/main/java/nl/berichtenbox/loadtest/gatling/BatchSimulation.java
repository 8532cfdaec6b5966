package nl.berichtenbox.loadtest.gatling;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.responseTimeInMillis;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.Simulation;

/**
 * Batch intake (SNO 2.2.2: 150 000 offered per hour at peak): batches of 1 000 messages at 5 a
 * second (5 000 messages/s, the target) for 30 s. Asserts the norm: every batch accepted, and
 * within 30 s each (a peak hour of batches must not time out senders).
 */
public class BatchSimulation extends Simulation {
  {
    int perBatch = Suite.SMOKE ? 100 : 1000;
    setUp(scenario("batches")
            .exec(http("batch 1000")
                .post("/api/v1/batches")
                .header("Authorization", "Bearer " + Suite.KEY)
                .body(StringBody(session -> Suite.batch(perBatch)))
                .check(responseTimeInMillis().saveAs("rt"), status().is(202)))
            .exec(Meting.neem("batch"))
            .injectOpen(constantUsersPerSec(Suite.SMOKE ? 1 : 5).during(Suite.duur(30))))
        .protocols(Suite.protocol())
        .assertions(
            global().successfulRequests().percent().is(100.0),
            global().responseTime().max().lt(30_000));
  }

  @Override
  public void after() {
    Meting.schrijf("batch");
  }
}
