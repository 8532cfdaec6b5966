package nl.berichtenbox.loadtest.gatling;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.responseTimeInMillis;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.CoreDsl;
import io.gatling.javaapi.core.Simulation;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A compressed day (SNO 2.2.2: 2 500 000 messages a day): the day's volume offered as fast as the
 * engine takes it, in batches of 1 000 by 8 senders at once, then waited for until every message
 * is processed. Asserts the norm: every batch accepted. The day's duration against the target
 * (≤ 15 min) goes to the summary ({@code dag.json}).
 */
public class DagSimulation extends Simulation {
  private static final int BERICHTEN =
      Integer.getInteger("bbx.dag", Suite.SMOKE ? 8_000 : 2_500_000);
  private static final int SENDERS = 8;
  private final List<String> laatste = new CopyOnWriteArrayList<>();
  private volatile long start;

  {
    int batches = (BERICHTEN + 1000 * SENDERS - 1) / (1000 * SENDERS); // at least the day's volume
    setUp(scenario("dag")
            .repeat(batches)
            .on(CoreDsl.exec(http("batch 1000")
                    .post("/api/v1/batches")
                    .header("Authorization", "Bearer " + Suite.KEY)
                    .body(StringBody(session -> {
                      String body = Suite.batch(1000);
                      int at = body.lastIndexOf("\"berichtId\":\"") + 13;
                      laatste.add(body.substring(at, at + 36));
                      return body;
                    }))
                    .check(responseTimeInMillis().saveAs("rt"), status().is(202)))
                .exec(Meting.neem("dag batch")))
            .injectOpen(atOnceUsers(SENDERS)))
        .protocols(Suite.protocol())
        .assertions(global().successfulRequests().percent().is(100.0));
  }

  @Override
  public void before() {
    start = System.nanoTime();
  }

  @Override
  public void after() {
    Meting.schrijf("dag-batches");
    double aangenomen = (System.nanoTime() - start) / 1e9;
    // the last batch of each sender: when those are processed, the day is
    List<String> einde = laatste.subList(Math.max(0, laatste.size() - SENDERS), laatste.size());
    for (String id : einde) {
      Suite.verwerkingsduur("dag-laatste", List.of(id));
    }
    double verwerkt = (System.nanoTime() - start) / 1e9;
    Suite.schrijf(
        "dag",
        new JsonObject()
            .put("berichten", laatste.size() * 1000L)
            .put("aangenomenSeconden", Math.round(aangenomen * 10) / 10.0)
            .put("verwerktSeconden", Math.round(verwerkt * 10) / 10.0)
            .put("berichtenPerSeconde", Math.round(laatste.size() * 1000L / verwerkt))
            .put("einde", Instant.now().toString()));
  }
}
