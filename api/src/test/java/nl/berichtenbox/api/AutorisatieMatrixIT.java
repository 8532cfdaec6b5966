package nl.berichtenbox.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import nl.berichtenbox.api.http.RouteTable;
import org.junit.jupiter.api.Test;

/**
 * Every route the API serves × every identity (issue 9): nobody, an afnemer, another afnemer, a
 * deactivated afnemer, a citizen, another citizen, the operator, and garbage. Only the face's own
 * identity gets past authentication; another afnemer's or citizen's resource answers exactly as a
 * resource that does not exist (404, same problem), so existence never leaks. The routes come from
 * the route table, so a route added later is in the matrix without editing this test.
 */
class AutorisatieMatrixIT {
  private final Api api = TestEngine.api();

  private enum Gezicht {
    AFNEMER,
    BURGER,
    BEHEER,
    OPENBAAR
  }

  private static Gezicht gezicht(String pad) {
    if (pad.startsWith("/api/v1/beheer/")) {
      return Gezicht.BEHEER;
    }
    if (pad.startsWith("/api/v1/berichtenbox")) {
      return Gezicht.BURGER;
    }
    if (pad.equals("/api/v1/openapi.json")) {
      return Gezicht.OPENBAAR;
    }
    return Gezicht.AFNEMER;
  }

  @Test
  void onlyTheFacesOwnIdentityPassesAndOthersResourcesLookAbsent() {
    Api.Afnemer a = api.newAfnemer();
    Api.Afnemer b = api.newAfnemer();
    Api.Afnemer inactief = api.newAfnemer();
    api.send(
            "PATCH",
            "/api/v1/beheer/afnemers/" + inactief.oin(),
            TestEngine.ADMIN,
            "application/merge-patch+json",
            "{\"actief\":false}")
        .expect(200);
    String bsn = api.newBurger(a);
    String burger = api.burgerToken(bsn);
    String andereBurger = api.burgerToken(api.newBurger(a));
    JsonObject bericht =
        Api.bericht(bsn).put("bijlagen", new JsonArray().add(Api.pdfBijlage(1, 2000)));
    api.post("/api/v1/berichten", a.key(), bericht).expect(202);
    JsonObject batch = Api.batch(new JsonArray().add(Api.bericht(bsn)));
    api.post("/api/v1/batches", a.key(), batch).expect(202);
    api.awaitStatus(a, bericht.getString("berichtId"), "AFGELEVERD");
    String boxId = api
        .get("/api/v1/berichtenbox/berichten?limit=100", burger)
        .expect(200)
        .json()
        .getJsonArray("berichten")
        .stream()
        .map(o -> (JsonObject) o)
        .filter(o -> o.getInteger("aantalBijlagen") == 1)
        .findFirst()
        .orElseThrow()
        .getString("id");

    // the path parameters: this afnemer's / this citizen's own resources
    Map<String, String> eigen = Map.of(
        "berichtId",
        bericht.getString("berichtId"),
        "batchId",
        batch.getString("batchId"),
        "id",
        boxId,
        "volgorde",
        "1",
        "oin",
        a.oin(),
        "code",
        "ALG",
        "maand",
        "2026-11");

    Map<String, String> identiteiten = new LinkedHashMap<>();
    identiteiten.put("niemand", null);
    identiteiten.put("onzin", "dit-is-geen-sleutel");
    identiteiten.put("andere afnemer", b.key());
    identiteiten.put("gedeactiveerde afnemer", inactief.key());
    identiteiten.put("afnemer", a.key());
    identiteiten.put("andere burger", andereBurger);
    identiteiten.put("burger", burger);
    identiteiten.put("beheerder", TestEngine.ADMIN);

    List<String> fouten = new ArrayList<>();
    List<RouteTable.Entry> routes = TestEngine.server().firstVerticle().routes().entries();
    assertTrue(routes.size() >= 35, "the whole table: " + routes.size());
    for (RouteTable.Entry r : routes) {
      Gezicht g = gezicht(r.path());
      String pad = invullen(r.path(), eigen);
      for (var id : identiteiten.entrySet()) {
        if (isEigen(g, id.getKey()) && !r.method().name().equals("GET")) {
          continue; // the owner's writes change state; the owner's reads are checked below
        }
        Api.Resp resp = verzoek(r.method().name(), pad, id.getValue());
        int s = resp.status();
        boolean door = isEigen(g, id.getKey())
            || g == Gezicht.OPENBAAR
            || isAnderVanZelfdeSoort(g, id.getKey());
        if (s >= 500) {
          fouten.add(r.method() + " " + pad + " as " + id.getKey() + ": " + s);
        } else if (!door && s != 401) {
          fouten.add(r.method() + " " + pad + " as " + id.getKey() + ": expected 401, got " + s);
        } else if (door && (s == 401 || s == 403)) {
          fouten.add(r.method() + " " + pad + " as " + id.getKey()
              + ": expected to pass authentication, got " + s);
        }
        if (s == 401 && resp.header("WWW-Authenticate") == null) {
          fouten.add(r.method() + " " + pad + ": 401 without WWW-Authenticate");
        }
      }
    }
    assertEquals(List.of(), fouten);

    // another afnemer's / citizen's resource answers as one that does not exist
    for (String[] p : new String[][] {
      {
        "/api/v1/berichten/" + bericht.getString("berichtId"),
        "/api/v1/berichten/" + UUID.randomUUID()
      },
      {"/api/v1/batches/" + batch.getString("batchId"), "/api/v1/batches/" + UUID.randomUUID()}
    }) {
      api.get(p[0], a.key()).expect(200);
      gelijkAfwezig(api.get(p[0], b.key()), api.get(p[1], b.key()));
    }
    for (String[] p : new String[][] {
      {
        "/api/v1/berichtenbox/berichten/" + boxId,
        "/api/v1/berichtenbox/berichten/" + UUID.randomUUID()
      },
      {
        "/api/v1/berichtenbox/berichten/" + boxId + "/bijlagen/1",
        "/api/v1/berichtenbox/berichten/" + UUID.randomUUID() + "/bijlagen/1"
      }
    }) {
      api.get(p[0], burger).expect(200);
      gelijkAfwezig(api.get(p[0], andereBurger), api.get(p[1], andereBurger));
    }
    // and another citizen cannot change or delete it
    gelijkAfwezig(
        api.send(
            "PATCH",
            "/api/v1/berichtenbox/berichten/" + boxId,
            andereBurger,
            "application/merge-patch+json",
            "{\"gelezen\":true}"),
        api.send(
            "PATCH",
            "/api/v1/berichtenbox/berichten/" + UUID.randomUUID(),
            andereBurger,
            "application/merge-patch+json",
            "{\"gelezen\":true}"));
    gelijkAfwezig(
        api.send("DELETE", "/api/v1/berichtenbox/berichten/" + boxId, andereBurger, null, null),
        api.send(
            "DELETE",
            "/api/v1/berichtenbox/berichten/" + UUID.randomUUID(),
            andereBurger,
            null,
            null));
    JsonObject nogDaar =
        api.get("/api/v1/berichtenbox/berichten/" + boxId, burger).expect(200).json();
    assertEquals("inbox", nogDaar.getString("map"));
    assertFalse(nogDaar.getBoolean("gelezen"));
    // the receipt feed only ever holds the afnemer's own receipts (b's are of its own refused
    // requests above)
    assertFalse(api.receiptCounts(b).containsKey(bericht.getString("berichtId")));
    assertTrue(api.receiptCounts(a).containsKey(bericht.getString("berichtId")));
  }

  /**
   * Readers (contract §7.3) × every route of the citizen face, the shared box named in
   * {@code Berichtenbox-Id}: a reader of a live grant passes the three read routes and nothing
   * else (403); a revoked grant, another owner's box and an unknown id answer the read routes as a
   * box that does not exist (404, the same problem) and every other route 403. Routes come from
   * the table, so a citizen route added later is in this matrix too.
   */
  @Test
  void aReaderPassesOnlyTheReadRoutesOfABoxSharedWithThem() {
    Api.Afnemer a = api.newAfnemer();
    String bsn = api.newBurger(a);
    String eigenaar = api.burgerToken(bsn);
    JsonObject bericht =
        Api.bericht(bsn).put("bijlagen", new JsonArray().add(Api.pdfBijlage(1, 2000)));
    api.post("/api/v1/berichten", a.key(), bericht).expect(202);
    api.awaitStatus(a, bericht.getString("berichtId"), "AFGELEVERD");
    String id = api.get("/api/v1/berichtenbox/berichten", eigenaar)
        .expect(200)
        .json()
        .getJsonArray("berichten")
        .getJsonObject(0)
        .getString("id");
    String lezerBsn = Api.newBsn();
    String lezer = api.burgerToken(lezerBsn);
    String ingetrokkenBsn = Api.newBsn();
    String ingetrokken = api.burgerToken(ingetrokkenBsn);
    String ingetrokkenGrant = api.post(
            "/api/v1/berichtenbox/meelezers", eigenaar, new JsonObject().put("bsn", ingetrokkenBsn))
        .expect(201)
        .json()
        .getString("id");
    api.post("/api/v1/berichtenbox/meelezers", eigenaar, new JsonObject().put("bsn", lezerBsn))
        .expect(201);
    String box = gedeeld(lezer);
    String ingetrokkenBox = gedeeld(ingetrokken);
    api.send("DELETE", "/api/v1/berichtenbox/meelezers/" + ingetrokkenGrant, eigenaar, null, null)
        .expect(204);
    // another owner's box, shared with someone else
    String ander = api.burgerToken(api.newBurger(a));
    String derdeBsn = Api.newBsn();
    api.post("/api/v1/berichtenbox/meelezers", ander, new JsonObject().put("bsn", derdeBsn))
        .expect(201);
    String andermansBox = gedeeld(api.burgerToken(derdeBsn));

    Map<String, String> waarden = Map.of("id", id, "volgorde", "1", "oin", a.oin());
    Set<String> leesRoutes = Set.of(
        "/api/v1/berichtenbox/berichten",
        "/api/v1/berichtenbox/berichten/{id}",
        "/api/v1/berichtenbox/berichten/{id}/bijlagen/{volgorde}");
    List<String> fouten = new ArrayList<>();
    int burgerRoutes = 0;
    for (RouteTable.Entry r : TestEngine.server().firstVerticle().routes().entries()) {
      if (!r.path().startsWith("/api/v1/berichtenbox/")
          && !r.path().equals("/api/v1/berichtenbox")) {
        continue; // not the citizen's own box (the afnemer, beheer faces; the reader's list of
        // boxes)
      }
      burgerRoutes++;
      String pad = invullen(r.path(), waarden);
      boolean lees = r.method().name().equals("GET") && leesRoutes.contains(r.path());
      Api.Resp onbekend = verzoek(
          r.method().name(), pad, lezer, "Berichtenbox-Id", UUID.randomUUID().toString());
      for (String[] l : new String[][] {
        {"meelezer", lezer, box},
        {"ingetrokken meelezer", ingetrokken, ingetrokkenBox},
        {"meelezer van een andere box", lezer, andermansBox},
        {"onbekende box", lezer, UUID.randomUUID().toString()}
      }) {
        Api.Resp resp = verzoek(r.method().name(), pad, l[1], "Berichtenbox-Id", l[2]);
        int verwacht = !lees ? 403 : l[0].equals("meelezer") ? 200 : 404;
        if (resp.status() != verwacht) {
          fouten.add(r.method() + " " + pad + " as " + l[0] + ": expected " + verwacht + ", got "
              + resp.status());
        } else if (verwacht == 404) {
          JsonObject x = resp.json();
          JsonObject y = onbekend.json();
          x.remove("instance");
          y.remove("instance");
          if (!x.equals(y)) {
            fouten.add(r.method() + " " + pad + " as " + l[0] + ": not as an unknown box: " + x);
          }
        }
      }
    }
    assertTrue(burgerRoutes >= 13, "the citizen face: " + burgerRoutes);
    assertEquals(List.of(), fouten);
    // and the owner's message is as it was
    JsonObject nogDaar =
        api.get("/api/v1/berichtenbox/berichten/" + id, eigenaar).expect(200).json();
    assertEquals("inbox", nogDaar.getString("map"));
    assertFalse(nogDaar.getBoolean("gelezen"));
  }

  private String gedeeld(String token) {
    return api.get("/api/v1/berichtenboxen/gedeeld", token)
        .expect(200)
        .json()
        .getJsonArray("boxen")
        .getJsonObject(0)
        .getString("boxId");
  }

  private static boolean isEigen(Gezicht g, String identiteit) {
    return switch (g) {
      case AFNEMER -> identiteit.equals("afnemer");
      case BURGER -> identiteit.equals("burger");
      case BEHEER -> identiteit.equals("beheerder");
      case OPENBAAR -> true;
    };
  }

  /** Another identity of the face's kind passes authentication (and then finds nothing of the owner's). */
  private static boolean isAnderVanZelfdeSoort(Gezicht g, String identiteit) {
    return (g == Gezicht.AFNEMER && identiteit.equals("andere afnemer"))
        || (g == Gezicht.BURGER && identiteit.equals("andere burger"));
  }

  private static String invullen(String pad, Map<String, String> waarden) {
    String uit = pad;
    for (var e : waarden.entrySet()) {
      uit = uit.replace("{" + e.getKey() + "}", e.getValue());
    }
    return uit;
  }

  /** A request with the smallest body its method takes, and extra headers (name, value, ...). */
  private Api.Resp verzoek(String methode, String pad, String token, String... headers) {
    return switch (methode) {
      case "GET", "DELETE" -> api.sendWith(methode, pad, token, null, null, headers);
      case "PATCH" ->
        api.sendWith(methode, pad, token, "application/merge-patch+json", "{}", headers);
      default -> api.sendWith(methode, pad, token, "application/json", "{}", headers);
    };
  }

  private static void gelijkAfwezig(Api.Resp ander, Api.Resp onbekend) {
    assertEquals(404, ander.status(), ander.raw().body());
    assertEquals(404, onbekend.status());
    JsonObject x = ander.json();
    JsonObject y = onbekend.json();
    x.remove("instance");
    y.remove("instance");
    assertEquals(y, x, "another's resource and a missing one answer alike");
  }
}
