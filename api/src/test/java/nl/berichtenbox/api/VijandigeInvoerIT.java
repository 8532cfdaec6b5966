package nl.berichtenbox.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

/**
 * Hostile input against every decoder (issue 9): JSON, NDJSON, base64, merge-patch, cursors, JWT,
 * query parameters. Every case gets a 4xx problem (never a 5xx, a hang or a crash) and nothing
 * partial is stored. Part of it is property-based: a seeded generator mutates a valid message in
 * thousands of ways, and every answer must be 202 or a 4xx problem, with exactly the 202s stored.
 */
class VijandigeInvoerIT {
  private final Api api = TestEngine.api();

  private long opgeslagen(Api.Afnemer a) throws Exception {
    return TestEngine.server()
        .engine()
        .pool()
        .preparedQuery("SELECT count(*) FROM bericht WHERE oin = $1")
        .execute(Tuple.of(a.oin()))
        .toCompletionStage()
        .toCompletableFuture()
        .get()
        .iterator()
        .next()
        .getLong(0);
  }

  private static void probleem(Api.Resp r, String wat) {
    assertTrue(
        r.status() >= 400 && r.status() < 500,
        wat + ": " + r.status() + " " + r.raw().body());
    if (r.status() == 414 || r.status() == 431) {
      return; // refused by the HTTP decoder (line or headers too long) before any route: no problem
      // body
    }
    assertTrue(
        r.header("Content-Type") != null
            && r.header("Content-Type").startsWith("application/problem+json"),
        wat + ": a problem document, not " + r.header("Content-Type"));
  }

  @Test
  void malformedJsonOfEveryKindIsA4xxProblemAndStoresNothing() throws Exception {
    Api.Afnemer a = api.newAfnemer();
    String bsn = api.newBurger(a);
    String geldig = Api.bericht(bsn).encode();
    List<String> gevallen = new ArrayList<>(List.of(
        "",
        "null",
        "[]",
        "\"tekst\"",
        "42",
        "{",
        "{\"berichtId\":",
        "}{",
        "{}{}",
        "[".repeat(100_000) + "]".repeat(100_000),
        "{\"a\":".repeat(50_000) + "1" + "}".repeat(50_000),
        geldig.replace("\"berichtType\"", "\"berichtType\":\"X\",\"berichtType\""), // duplicate key
        geldig.replace("}", ",\"berichtId\":\"" + UUID.randomUUID() + "\"}"), // duplicate berichtId
        geldig.replaceFirst("\"bsn\":\"\\d+\"", "\"bsn\":999993653"), // number for a string
        geldig.replaceFirst("\"onderwerp\":\"[^\"]*\"", "\"onderwerp\":[\"a\"]"),
        geldig.replaceFirst(
            "\"onderwerp\":\"[^\"]*\"", Matcher.quoteReplacement("\"onderwerp\":{\"$ne\":1}")),
        geldig.replaceFirst("\"onderwerp\":\"[^\"]*\"", "\"onderwerp\":NaN"),
        geldig.replace("}", ",\"publicatieDatum\":1e999999}"),
        geldig.replace("}", ",\"publicatieDatum\":\"2026-13-45T99:99:99Z\"}"),
        geldig.replaceFirst(
            "\"onderwerp\":\"[^\"]*\"",
            Matcher.quoteReplacement("\"onderwerp\":\"\\ud800\"")), // lone surrogate
        geldig.replaceFirst(
            "\"onderwerp\":\"[^\"]*\"",
            Matcher.quoteReplacement(
                "\"onderwerp\":\"a\\u0000b\"")), // NUL (PostgreSQL refuses it in text)
        geldig.replace(
            "}",
            ",\"bijlagen\":[{\"omschrijving\":\"x\",\"volgorde\":1,\"mediaType\":\"application/pdf\",\"inhoud\":\"!!!niet base64!!!\"}]}"),
        geldig.replace(
            "}",
            ",\"bijlagen\":[{\"omschrijving\":\"x\",\"volgorde\":1,\"mediaType\":\"application/pdf\",\"inhoud\":\""
                + "QUJD".repeat(10) + "\"}]}"),
        geldig.replace("}", ",\"bijlagen\":{\"0\":1}}"),
        geldig.replace("}", ",\"bijlagen\":[null,1,\"x\"]}")));
    long voor = opgeslagen(a);
    for (String body : gevallen) {
      String kort = "case " + gevallen.indexOf(body) + ": "
          + (body.length() > 300 ? body.substring(0, 300) + "…" : body);
      probleem(
          api.send("POST", "/api/v1/berichten", a.key(), "application/json", body),
          "POST /berichten " + kort);
      // in a batch: JSON that does not parse refuses the whole batch; a message that parses but is
      // wrong is refused on its own, with a receipt (contract §2.2), and the batch answers 202
      Api.Resp batch = api.send(
          "POST",
          "/api/v1/batches",
          a.key(),
          "application/json",
          "{\"batchId\":\"" + UUID.randomUUID()
              + "\",\"aanmaakDatum\":\"2026-11-29T10:00:00Z\",\"berichten\":[" + body + "]}");
      if (batch.status() == 202) {
        JsonObject b = batch.json();
        assertTrue(
            b.getInteger("ontvangen") == 0 && b.getInteger("afgewezen") == 1,
            "POST /batches with " + kort + ": " + b);
      } else {
        probleem(batch, "POST /batches with " + kort);
      }
    }
    // invalid UTF-8 in a string
    byte[] kapot = geldig.replace("Uw aanslag", "Uw @@ aanslag").getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < kapot.length - 1; i++) {
      if (kapot[i] == '@' && kapot[i + 1] == '@') {
        kapot[i] = (byte) 0xC3;
        kapot[i + 1] = (byte) 0x28;
        break;
      }
    }
    probleem(
        api.sendBytes("POST", "/api/v1/berichten", a.key(), "application/json", kapot),
        "invalid UTF-8");
    // 10 MB bodies: a single message and a JSON batch over their limits, shed before they are
    // parsed
    byte[] groot = new byte[10 * 1024 * 1024];
    Arrays.fill(groot, (byte) 'a');
    probleem(
        api.sendBytes("POST", "/api/v1/berichten", a.key(), "application/json", groot),
        "10 MB message");
    // an NDJSON batch with one broken line is refused whole
    String ndjson = "{\"batchId\":\"" + UUID.randomUUID()
        + "\",\"aanmaakDatum\":\"2026-11-29T10:00:00Z\",\"totaal\":3}\n"
        + Api.bericht(bsn).encode() + "\n{\"berichtId\": oeps}\n"
        + Api.bericht(bsn).encode() + "\n";
    probleem(
        api.send("POST", "/api/v1/batches", a.key(), "application/x-ndjson", ndjson),
        "NDJSON with a broken line");
    assertEquals(voor, opgeslagen(a), "nothing of any of it stored");
  }

  @Test
  void mutationsOfAValidMessageAreAcceptedOrRefusedWithA4xxAndExactlyTheAcceptedAreStored()
      throws Exception {
    Api.Afnemer a = api.newAfnemer();
    String bsn = api.newBurger(a);
    Random r = new Random(20261129L);
    Object[] waarden = {
      null,
      0,
      -1,
      1.5,
      Long.MAX_VALUE,
      true,
      "",
      " ",
      "x".repeat(300),
      "x".repeat(70_000),
      "\u0007\u001b[31m",
      "é\u202eﬀ",
      "999993653",
      "00000000-0000-0000-0000-000000000000",
      "2026-11-29T10:00:00Z",
      "2026-02-30",
      new JsonArray(),
      new JsonObject(),
      new JsonArray().add(1),
      new JsonObject().put("a", new JsonObject().put("b", 1))
    };
    String[] velden = {
      "berichtId",
      "berichtType",
      "bsn",
      "onderwerp",
      "berichtTekst",
      "referentie",
      "publicatieDatum",
      "eindDatumHandelingstermijn",
      "bijlagen",
      "onbekend"
    };
    long voor = opgeslagen(a);
    int aanvaard = 0;
    for (int i = 0; i < 1500; i++) {
      JsonObject m = Api.bericht(bsn);
      int n = 1 + r.nextInt(3);
      for (int k = 0; k < n; k++) {
        String veld = velden[r.nextInt(velden.length)];
        if (r.nextInt(5) == 0) {
          m.remove(veld);
        } else {
          m.put(veld, waarden[r.nextInt(waarden.length)]);
        }
      }
      Api.Resp resp =
          api.send("POST", "/api/v1/berichten", a.key(), "application/json", m.encode());
      if (resp.status() == 202) {
        aanvaard++;
      } else if (resp.status()
          != 200) { // 200: a replay of a berichtId the generator used before, not stored again
        probleem(
            resp,
            "mutation " + i + " "
                + (m.encode().length() > 200 ? m.encode().substring(0, 200) : m.encode()));
      }
    }
    assertTrue(aanvaard > 0 && aanvaard < 1500, "both outcomes occur: " + aanvaard);
    assertEquals(voor + aanvaard, opgeslagen(a), "exactly the accepted are stored");
  }

  @Test
  void badPatchesCursorsTokensAndQueryParametersAre4xx() {
    Api.Afnemer a = api.newAfnemer();
    String bsn = api.newBurger(a);
    String token = api.burgerToken(bsn);
    JsonObject bericht = Api.bericht(bsn);
    api.post("/api/v1/berichten", a.key(), Api.bericht(bsn)).expect(202);
    api.post("/api/v1/berichten", a.key(), bericht).expect(202);
    api.awaitStatus(a, bericht.getString("berichtId"), "AFGELEVERD");
    String id = api.get("/api/v1/berichtenbox/berichten", token)
        .expect(200)
        .json()
        .getJsonArray("berichten")
        .getJsonObject(0)
        .getString("id");
    for (String patch : List.of(
        "",
        "[]",
        "null",
        "{\"gelezen\":\"ja\"}",
        "{\"map\":\"zolder\"}",
        "{\"map\":{\"$ref\":1}}",
        "{\"gelezen\":true,\"gelezen\":false}",
        "{\"id\":\"" + UUID.randomUUID() + "\"}",
        "[".repeat(50_000))) {
      probleem(
          api.send(
              "PATCH",
              "/api/v1/berichtenbox/berichten/" + id,
              token,
              "application/merge-patch+json",
              patch),
          "merge-patch " + (patch.length() > 60 ? patch.substring(0, 60) : patch));
    }
    // two messages, so a page of one has a real cursor to tamper with
    Api.await(
        "both visible",
        () -> api.get("/api/v1/berichtenbox/berichten?limit=2", token)
                .json()
                .getJsonArray("berichten")
                .size()
            == 2);
    String volgende = api.get("/api/v1/berichtenbox/berichten?limit=1&map=inbox", token)
        .json()
        .getString("volgende");
    assertTrue(volgende != null && volgende.length() > 10, "a cursor: " + volgende);
    for (String cursor : List.of(
        "x",
        "....",
        "%00",
        "A".repeat(10_000),
        volgende + "A",
        getekend(volgende),
        "eyJhbGciOiJub25lIn0.e30.")) {
      probleem(
          api.get(
              "/api/v1/berichtenbox/berichten?cursor="
                  + URLEncoder.encode(cursor, StandardCharsets.UTF_8),
              token),
          "cursor " + (cursor.length() > 40 ? cursor.substring(0, 40) : cursor));
    }
    // a cursor of another citizen does not page this citizen's box
    String ander = api.burgerToken(api.newBurger(a));
    probleem(
        api.get("/api/v1/berichtenbox/berichten?limit=1&cursor=" + volgende, ander),
        "another citizen's cursor");
    for (String jwt : List.of(
        "",
        "a.b.c",
        "eyJhbGciOiJub25lIn0.eyJzdWIiOiI5OTk5OTM2NTMifQ.",
        token + "x",
        token.substring(0, token.lastIndexOf('.')) + ".",
        "x".repeat(20_000))) {
      int status;
      try {
        status = api.get("/api/v1/berichtenbox", jwt).status();
      } catch (IllegalStateException e) {
        // HTTP/2: a header block over the limit ends the connection (GOAWAY): refused just the same
        assertTrue(String.valueOf(e.getCause()).contains("GOAWAY"), e.toString());
        status = 431;
      }
      assertTrue(
          status == 401 || status == 431 || status == 400, "JWT " + jwt.length() + ": " + status);
    }
    for (String q : List.of(
        "limit=-1",
        "limit=0",
        "limit=101",
        "limit=1e10",
        "limit=abc",
        "map=zolder",
        "ongelezen=misschien",
        "zoek=ab",
        "zoek=" + "z".repeat(5000),
        "limit=1&limit=2")) {
      probleem(
          api.get("/api/v1/berichtenbox/berichten?" + q, token),
          "query " + (q.length() > 40 ? q.substring(0, 40) : q));
    }
    for (String q : List.of(
        "vanaf=-1", "vanaf=abc", "limit=0", "limit=1001", "vanaf=99999999999999999999999")) {
      probleem(api.get("/api/v1/verwerkingsberichten?" + q, a.key()), "feed " + q);
    }
    for (String q : List.of(
        "vanDatum=gisteren",
        "vanDatum=2026-11-30&totDatum=2026-11-01",
        "totDatum=2026-02-30",
        "vanDatum=1900-01-01&totDatum=2026-11-29")) {
      probleem(api.get("/api/v1/rapportages/verwerking?" + q, a.key()), "report " + q);
    }
  }

  /** The cursor with one character in its middle changed: its signature no longer matches. */
  private static String getekend(String cursor) {
    int i = cursor.length() / 2;
    return cursor.substring(0, i) + (cursor.charAt(i) == 'Q' ? 'R' : 'Q') + cursor.substring(i + 1);
  }

  @Test
  void aFloodOfHeadersIsRefusedAndTheEngineStillAnswers() throws Exception {
    Api.Afnemer a = api.newAfnemer();
    URI base = URI.create(api.base);
    for (int poging = 0; poging < 20; poging++) {
      try (Socket s = new Socket(base.getHost(), base.getPort())) {
        s.setSoTimeout(10_000);
        StringBuilder verzoek = new StringBuilder(
                "POST /api/v1/berichten HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ")
            .append(a.key())
            .append("\r\nContent-Type: application/json\r\nContent-Length: 2\r\n");
        for (int i = 0; i < 400; i++) {
          verzoek
              .append("X-Vloed-")
              .append(i)
              .append(": ")
              .append("y".repeat(40))
              .append("\r\n");
        }
        s.getOutputStream()
            .write(verzoek.append("\r\n{}").toString().getBytes(StandardCharsets.US_ASCII));
        String statusregel = new BufferedReader(
                new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))
            .readLine();
        assertTrue(
            statusregel != null && statusregel.matches("HTTP/1\\.1 (431|400) .*"),
            "header flood: " + statusregel);
      } catch (SocketException e) {
        // the server may close the connection while the headers still arrive: refused just the same
      }
    }
    api.get("/health/ready", null).expect(200);
    api.post("/api/v1/berichten", a.key(), Api.bericht(api.newBurger(a))).expect(202);
  }
}
