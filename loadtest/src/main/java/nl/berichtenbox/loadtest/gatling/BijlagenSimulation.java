package nl.berichtenbox.loadtest.gatling;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;
import static io.gatling.javaapi.core.CoreDsl.responseTimeInMillis;

import io.gatling.javaapi.core.Simulation;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The attachment mix (SNO 2.2.2: up to 95 % of messages with attachments, 500 kB at most): 95 %
 * of messages carry a 100 kB PDF, at the target's 500 messages/s for 30 s. Asserts the norm:
 * every message accepted.
 */
public class BijlagenSimulation extends Simulation {
  {
    setUp(scenario("bijlagen").exec(http("bericht 95% met 100 kB").post("/api/v1/berichten")
            .header("Authorization", "Bearer " + Suite.KEY)
            .body(StringBody(session -> Suite.bericht(UUID.randomUUID().toString(),
                ThreadLocalRandom.current().nextInt(100) < 95)))
            .check(responseTimeInMillis().saveAs("rt"), status().is(202)))
            .exec(Meting.neem("bijlagen"))
        .injectOpen(constantUsersPerSec(Suite.rate(500)).during(Suite.duur(30))))
        .protocols(Suite.protocol())
        .assertions(global().successfulRequests().percent().is(100.0));
  }

  @Override
  public void after() {
    Meting.schrijf("bijlagen");
  }
}
