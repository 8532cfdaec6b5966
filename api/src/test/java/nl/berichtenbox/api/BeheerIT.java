package nl.berichtenbox.api;

import static nl.berichtenbox.api.Api.bericht;
import static nl.berichtenbox.api.Api.newBsn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/** Beheer (§5) and the afnemer's key. */
class BeheerIT {
  private final Api api = TestEngine.api();

  @Test
  void registeringIssuesAKeyOnceAndDuplicatesConflict() {
    String oin = String.format("%020d", ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE));
    JsonObject body = new JsonObject()
        .put("oin", oin)
        .put("naam", "Gemeente Test")
        .put("callbackUrl", "https://gemeente.example/ontvang")
        .put("limietPerSeconde", 50);
    JsonObject out =
        api.post("/api/v1/beheer/afnemers", TestEngine.ADMIN, body).expect(201).json();
    assertTrue(out.getString("apiSleutel").length() >= 40);
    assertTrue(out.getString("callbackSecret").length() >= 40);
    api.post("/api/v1/beheer/afnemers", TestEngine.ADMIN, body).expect(409);
    JsonObject listed = api
        .get("/api/v1/beheer/afnemers", TestEngine.ADMIN)
        .expect(200)
        .json()
        .getJsonArray("afnemers")
        .stream()
        .map(JsonObject.class::cast)
        .filter(o -> oin.equals(o.getString("oin")))
        .findFirst()
        .orElseThrow();
    assertEquals(50, listed.getInteger("limietPerSeconde"));
    assertFalse(listed.containsKey("apiSleutel"), "the key is never shown again");
  }

  @Test
  void invalidRegistrationNamesEveryField() {
    Api.Resp r = api.post(
            "/api/v1/beheer/afnemers",
            TestEngine.ADMIN,
            new JsonObject()
                .put("oin", "123")
                .put("callbackUrl", "ftp://x")
                .put("limietPerSeconde", 0))
        .expect(400);
    assertEquals(List.of("oin", "naam", "callbackUrl", "limietPerSeconde"), r.invalidNames());
  }

  @Test
  void beheerNeedsTheAdminToken() {
    api.get("/api/v1/beheer/afnemers", null).expect(401);
    api.get("/api/v1/beheer/afnemers", "wrong-token-xxxxxxxxxxxx").expect(401);
    Api.Afnemer a = api.newAfnemer();
    api.get("/api/v1/beheer/afnemers", a.key()).expect(401);
  }

  @Test
  void aDeactivatedAfnemerIsRefusedAndCanComeBack() {
    Api.Afnemer a = api.newAfnemer();
    api.post("/api/v1/berichten", a.key(), bericht(newBsn())).expect(202);
    JsonObject patched = api.send(
            "PATCH",
            "/api/v1/beheer/afnemers/" + a.oin(),
            TestEngine.ADMIN,
            "application/merge-patch+json",
            "{\"actief\":false}")
        .expect(200)
        .json();
    assertFalse(patched.getBoolean("actief"));
    api.post("/api/v1/berichten", a.key(), bericht(newBsn())).expect(401);
    api.send(
            "PATCH",
            "/api/v1/beheer/afnemers/" + a.oin(),
            TestEngine.ADMIN,
            "application/merge-patch+json",
            "{\"actief\":true, \"naam\":\"Hernoemd\"}")
        .expect(200);
    api.post("/api/v1/berichten", a.key(), bericht(newBsn())).expect(202);
    api.send(
            "PATCH",
            "/api/v1/beheer/afnemers/" + a.oin(),
            TestEngine.ADMIN,
            "application/merge-patch+json",
            "{\"actief\":\"ja\"}")
        .expect(400);
    api.send(
            "PATCH",
            "/api/v1/beheer/afnemers/00000000000000000001",
            TestEngine.ADMIN,
            "application/merge-patch+json",
            "{\"actief\":true}")
        .expect(404);
  }

  @Test
  void berichtTypenAreValidated() {
    Api.Afnemer a = api.newAfnemer();
    api.put(
            "/api/v1/bericht-typen/ALG",
            a.key(),
            new JsonObject().put("omschrijving", "Nieuw").put("actief", false))
        .expect(200);
    assertFalse(
        api.get("/api/v1/bericht-typen/ALG", a.key()).expect(200).json().getBoolean("actief"));
    assertEquals(
        List.of("code"),
        api.put(
                "/api/v1/bericht-typen/NEGENTEKS",
                a.key(),
                new JsonObject().put("omschrijving", "x").put("actief", true))
            .expect(400)
            .invalidNames());
    assertEquals(
        List.of("omschrijving", "actief"),
        api.put("/api/v1/bericht-typen/X", a.key(), new JsonObject())
            .expect(400)
            .invalidNames());
    api.get("/api/v1/bericht-typen/GEEN", a.key()).expect(404);
    assertNotEquals(
        0,
        api.get("/api/v1/bericht-typen", a.key())
            .json()
            .getJsonArray("berichtTypen")
            .size());
  }
}
