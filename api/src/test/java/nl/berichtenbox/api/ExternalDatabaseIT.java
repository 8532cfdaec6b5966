package nl.berichtenbox.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import nl.berichtenbox.api.http.CitizenJwt;
import nl.berichtenbox.engine.config.EngineConfig;
import org.junit.jupiter.api.Test;

/**
 * BERICHTENBOX_DB_URL: a second engine on an external PostgreSQL (here: the shared test engine's
 * database, reached over TCP like any external one). Both engines serve the same data, and
 * either may process what the other took in.
 */
class ExternalDatabaseIT {

  @Test
  void aSecondEngineOnTheSameExternalDatabaseServesTheSameData() throws Exception {
    Api first = TestEngine.api();
    EngineConfig config = TestEngine.secondEngine(Map.of());
    try (ApiServer second = ApiServer.start(config)) {
      int port = second.port();
      assertFalse(second.engine().database().embedded());
      Api api2 = new Api("http://127.0.0.1:" + port, new CitizenJwt(TestEngine.JWT_SECRET));
      Api.Afnemer a = api2.newAfnemer();
      String bsn = first.newBurger(a);
      JsonObject m = Api.bericht(bsn);
      api2.post("/api/v1/berichten", a.key(), m).expect(202);
      assertEquals(
          "Verwerkt",
          first
              .awaitStatus(a, m.getString("berichtId"), "AFGELEVERD")
              .getString("verwerkingsCode"));
      // the same berichtId through the other engine is a replay, not a second message
      first.post("/api/v1/berichten", a.key(), m).expect(200);
    }
  }
}
