package nl.berichtenbox.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import nl.berichtenbox.api.http.CitizenJwt;
import org.junit.jupiter.api.Test;

/** Citizen tokens (§1) and the box routes the foundation needs (§3). */
class BurgerAuthIT {
  private final Api api = TestEngine.api();

  @Test
  void onlyAValidUnexpiredHs256TokenWithABsnIsAccepted() {
    String bsn = Api.newBsn();
    long now = Instant.now().getEpochSecond();
    api.get("/api/v1/berichtenbox", null).expect(401);
    api.get("/api/v1/berichtenbox", api.jwt.issue(bsn, now - 120)).expect(401);
    api.get("/api/v1/berichtenbox", api.jwt.issue(bsn, now - 30))
        .expect(200); // within the 60 s skew
    api.get(
            "/api/v1/berichtenbox",
            new CitizenJwt("another-secret-0123456789abcdef0123").issue(bsn, now + 60))
        .expect(401);
    api.get("/api/v1/berichtenbox", api.jwt.issue("123456789", now + 60)).expect(401);
    Base64.Encoder e = Base64.getUrlEncoder().withoutPadding();
    String none = e.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "."
        + e.encodeToString(("{\"sub\":\"" + bsn + "\",\"exp\":" + (now + 60) + "}")
            .getBytes(StandardCharsets.UTF_8))
        + ".";
    api.get("/api/v1/berichtenbox", none).expect(401);
    String good = api.jwt.issue(bsn, now + 60);
    int sig = good.lastIndexOf('.') + 1;
    api.get(
            "/api/v1/berichtenbox",
            good.substring(0, sig) + other(good.charAt(sig), 32) + good.substring(sig + 1))
        .expect(401);
    // the last character of a 32-byte signature carries 4 bits and 2 spare ones: a decoder
    // ignores the spare bits, the check must not
    api.get(
            "/api/v1/berichtenbox",
            good.substring(0, good.length() - 1) + other(good.charAt(good.length() - 1), 1))
        .expect(401);
    api.get("/api/v1/berichtenbox", good + "A").expect(401);
    api.get("/api/v1/berichtenbox", good).expect(200);
  }

  /** The base64url character whose value differs from c's in the given bits. */
  private static char other(char c, int bits) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    return alphabet.charAt(alphabet.indexOf(c) ^ bits);
  }

  @Test
  void activationAndVoorkeuren() {
    String bsn = Api.newBsn();
    String tok = api.burgerToken(bsn);
    assertFalse(api.get("/api/v1/berichtenbox", tok).expect(200).json().getBoolean("actief"));
    Api.Afnemer a = api.newAfnemer();
    api.put(
            "/api/v1/berichtenbox/voorkeuren/" + a.oin(),
            tok,
            new JsonObject().put("berichtenOntvangen", true))
        .expect(409);
    assertEquals(
        List.of("email"),
        api.put("/api/v1/berichtenbox", tok, new JsonObject().put("notificatiesAan", true))
            .expect(400)
            .invalidNames());
    JsonObject box = api.put(
            "/api/v1/berichtenbox",
            tok,
            new JsonObject().put("email", "jan@example.nl").put("notificatiesAan", true))
        .expect(200)
        .json();
    assertEquals("jan@example.nl", box.getString("email"));
    api.put(
            "/api/v1/berichtenbox/voorkeuren/00000000000000000002",
            tok,
            new JsonObject().put("berichtenOntvangen", true))
        .expect(404);
    api.put("/api/v1/berichtenbox/voorkeuren/" + a.oin(), tok, new JsonObject()).expect(400);
    api.put(
            "/api/v1/berichtenbox/voorkeuren/" + a.oin(),
            tok,
            new JsonObject().put("berichtenOntvangen", true))
        .expect(200);
    JsonObject v = api
        .get("/api/v1/berichtenbox/voorkeuren", tok)
        .expect(200)
        .json()
        .getJsonArray("voorkeuren")
        .stream()
        .map(JsonObject.class::cast)
        .filter(o -> a.oin().equals(o.getString("oin")))
        .findFirst()
        .orElseThrow();
    assertEquals(true, v.getBoolean("berichtenOntvangen"));

    // every change (and only a change) is recorded with its time, for the Abonnementservice's
    // MUTATIES
    api.put(
            "/api/v1/berichtenbox/voorkeuren/" + a.oin(),
            tok,
            new JsonObject().put("berichtenOntvangen", true))
        .expect(200);
    api.put(
            "/api/v1/berichtenbox/voorkeuren/" + a.oin(),
            tok,
            new JsonObject().put("berichtenOntvangen", false))
        .expect(200);
    RowSet<Row> rows = TestEngine.server()
        .engine()
        .pool()
        .preparedQuery(
            "SELECT berichten_ontvangen, tijdstip FROM voorkeur_mutatie WHERE bsn = $1 AND oin = $2 ORDER BY volgnummer")
        .execute(Tuple.of(bsn, a.oin()))
        .toCompletionStage()
        .toCompletableFuture()
        .join();
    List<Boolean> states = new ArrayList<>();
    rows.forEach(r -> {
      states.add(r.getBoolean(0));
      assertTrue(r.getOffsetDateTime(1) != null);
    });
    assertEquals(List.of(true, false), states);
  }
}
