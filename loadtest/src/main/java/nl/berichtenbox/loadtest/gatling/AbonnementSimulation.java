package nl.berichtenbox.loadtest.gatling;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.CoreDsl;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;

/**
 * The Abonnementservice (SNO 2.2.2: a request answered within 4 hours): ALLES for the seeded
 * afnemer every citizen accepts, from the request to the last line of the result, as one
 * group. Asserts the norm (4 h); the target (ALLES over 1 000 000 citizens in 60 s; the store
 * has 100 000 unless seeded larger) goes to the summary. The engine must run with
 * BERICHTENBOX_ABONNEMENTEN_VENSTER=altijd.
 */
public class AbonnementSimulation extends Simulation {
  {
    setUp(scenario("abonnementen")
            .exec(session -> session.set("t0", System.currentTimeMillis()))
            .group("ALLES")
            .on(CoreDsl.exec(http("verzoek ALLES")
                    .post("/api/v1/abonnementen/verzoeken")
                    .header("Authorization", "Bearer " + Suite.KEY)
                    .body(CoreDsl.StringBody("{\"soort\":\"ALLES\"}"))
                    .check(status().is(202), jsonPath("$.id").saveAs("verzoek")))
                .asLongAs(session -> !"GEREED".equals(session.getString("status"))
                    && !"MISLUKT".equals(session.getString("status")))
                .on(CoreDsl.pause(Duration.ofMillis(250))
                    .exec(http("status")
                        .get("/api/v1/abonnementen/verzoeken/#{verzoek}")
                        .header("Authorization", "Bearer " + Suite.KEY)
                        .check(status().is(200), jsonPath("$.status").saveAs("status"))))
                .exec(http("resultaat")
                    .get("/api/v1/abonnementen/verzoeken/#{verzoek}/resultaat")
                    .header("Authorization", "Bearer " + Suite.KEY)
                    .header("Accept", "application/x-ndjson")
                    .check(status().is(200), CoreDsl.bodyLength().saveAs("bytes"))))
            .exec(session -> {
              Meting.neem(
                  "ALLES", System.currentTimeMillis() - session.getLong("t0"), !session.isFailed());
              return session;
            })
            .injectOpen(atOnceUsers(1)))
        .protocols(Suite.protocol())
        .assertions(
            details("ALLES").responseTime().max().lt(4 * 3_600_000),
            details("ALLES").successfulRequests().percent().is(100.0));
  }

  @Override
  public void after() {
    Meting.schrijf("abonnement");
  }
}
