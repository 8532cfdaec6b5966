package nl.berichtenbox.loadtest.gatling;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.nothingFor;
import static io.gatling.javaapi.core.CoreDsl.responseTimeInMillis;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

/**
 * The Validatieservice (SNO 2.2.2: 1 000 calls of 250 BSNs an hour over all afnemers, each within
 * 30 s): calls of 250 seeded BSNs, 20 s at 5 a second not judged (cold code and statement
 * caches), then 5 a second for 60 s (300 calls; 400 in all, within the hourly quota).
 * Asserts the norm; the target (p99 ≤ 20 ms) of the judged calls goes to the summary.
 */
public class ValidatieSimulation extends Simulation {
  private static ScenarioBuilder validatie(String naam, boolean meten) {
    var s = scenario(naam)
        .exec(http(naam)
            .post("/api/v1/abonnementen/_valideren")
            .header("Authorization", "Bearer " + Suite.KEY)
            .body(StringBody(session -> {
              StringBuilder b = new StringBuilder("{\"berichtType\":\"ALG\",\"bsns\":[");
              for (int i = 0; i < 250; i++) {
                b.append(i > 0 ? "," : "").append('"').append(Suite.bsn()).append('"');
              }
              return b.append("]}").toString();
            }))
            .check(responseTimeInMillis().saveAs("rt"), status().is(200)));
    return meten ? s.exec(Meting.neem("validatie")) : s;
  }

  /**
   * The control: an empty request (GET /health/live, no database) at the same rate, half-way
   * between the calls. A request after an idle gap costs more than one back to back, whatever
   * answers it (here /health/live p50 9.2 ms 200 ms apart, 0.41 ms back to back:
   * docs/performance.md); the summary shows it beside the calls so that the engine's part can be
   * read off.
   */
  private static ScenarioBuilder nul() {
    return scenario("leeg verzoek")
        .exec(http("leeg verzoek")
            .get("/health/live")
            .check(responseTimeInMillis().saveAs("rt"), status().is(200)))
        .exec(Meting.neem("leeg verzoek"));
  }

  {
    var opwarmen = Suite.duur(20);
    setUp(
            validatie("opwarmen", false)
                .injectOpen(constantUsersPerSec(Suite.SMOKE ? 2 : 5).during(opwarmen)),
            validatie("250 BSNs", true)
                .injectOpen(
                    nothingFor(opwarmen),
                    constantUsersPerSec(Suite.SMOKE ? 2 : 5).during(Suite.duur(60))),
            nul()
                .injectOpen(
                    nothingFor(opwarmen.plusMillis(Suite.SMOKE ? 250 : 100)),
                    constantUsersPerSec(Suite.SMOKE ? 2 : 5).during(Suite.duur(60))))
        .protocols(Suite.protocol())
        .assertions(
            global().responseTime().max().lt(30_000),
            global().successfulRequests().percent().is(100.0));
  }

  @Override
  public void after() {
    Meting.schrijf("validatie");
  }
}
