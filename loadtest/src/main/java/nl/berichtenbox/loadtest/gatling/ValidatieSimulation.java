package nl.berichtenbox.loadtest.gatling;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;
import static io.gatling.javaapi.core.CoreDsl.responseTimeInMillis;

import io.gatling.javaapi.core.Simulation;

/**
 * The Validatieservice (SNO 2.2.2: 1 000 calls of 250 BSNs an hour over all afnemers, each within
 * 30 s): calls of 250 seeded BSNs at 5 a second for 60 s (300 calls, within the hourly quota).
 * Asserts the norm; the target (p99 ≤ 20 ms) goes to the summary.
 */
public class ValidatieSimulation extends Simulation {
  {
    setUp(scenario("validatie").exec(http("250 BSNs").post("/api/v1/abonnementen/_valideren")
            .header("Authorization", "Bearer " + Suite.KEY)
            .body(StringBody(session -> {
              StringBuilder b = new StringBuilder("{\"berichtType\":\"ALG\",\"bsns\":[");
              for (int i = 0; i < 250; i++) {
                b.append(i > 0 ? "," : "").append('"').append(Suite.bsn()).append('"');
              }
              return b.append("]}").toString();
            }))
            .check(responseTimeInMillis().saveAs("rt"), status().is(200)))
            .exec(Meting.neem("validatie"))
        .injectOpen(constantUsersPerSec(Suite.SMOKE ? 2 : 5).during(Suite.duur(60))))
        .protocols(Suite.protocol())
        .assertions(global().responseTime().max().lt(30_000), global().successfulRequests().percent().is(100.0));
  }

  @Override
  public void after() {
    Meting.schrijf("validatie");
  }
}
