package nl.berichtenbox.loadtest.gatling;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.randomSwitch;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;
import static io.gatling.javaapi.core.CoreDsl.responseTimeInMillis;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.CoreDsl;
import io.gatling.javaapi.core.Simulation;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The portal's mix over the seeded store (SNO 2.2.2: 99.9 % of presentation requests within
 * 200 ms): random citizens open their inbox and read its newest message (60 %), look at unread
 * mail (20 %), the archive (10 %) or search (10 %); 1 000 citizens a second, about 2 000 requests
 * a second (the target: p99.9 ≤ 10 ms, in the summary). Asserts the norm.
 */
public class PresentatieSimulation extends Simulation {
  private static ChainBuilder lijst(String naam, String query) {
    return CoreDsl.exec(http(naam).get("/api/v1/berichtenbox/berichten" + query)
        .header("Authorization", "Bearer #{token}")
        .check(responseTimeInMillis().saveAs("rt"), status().is(200), jsonPath("$.berichten[0].id").optional().saveAs("id")))
        .exec(Meting.neem("portaal"));
  }

  {
    Iterator<Map<String, Object>> burgers = Stream.generate(() -> Map.<String, Object>of("token", Suite.jwt(Suite.bsn())))
        .iterator();
    ChainBuilder lees = CoreDsl.doIf(session -> session.contains("id")).then(CoreDsl.exec(
        http("lees bericht").get("/api/v1/berichtenbox/berichten/#{id}").header("Authorization", "Bearer #{token}")
            .check(responseTimeInMillis().saveAs("rt"), status().is(200))).exec(Meting.neem("portaal")));
    setUp(scenario("portaal").feed(burgers).exec(randomSwitch().on(
            CoreDsl.percent(60.0).then(lijst("inbox", "?limit=20").exec(lees)),
            CoreDsl.percent(20.0).then(lijst("ongelezen", "?ongelezen=true").exec(lees)),
            CoreDsl.percent(10.0).then(lijst("archief", "?map=archief")),
            CoreDsl.percent(10.0).then(lijst("zoek", "?zoek=aanslag"))))
        .injectOpen(constantUsersPerSec(Suite.rate(1000)).during(Suite.duur(60))))
        .protocols(Suite.protocol())
        .assertions(global().responseTime().percentile(99.9).lt(200), global().successfulRequests().percent().is(100.0));
  }

  @Override
  public void after() {
    Meting.schrijf("presentatie");
  }
}
