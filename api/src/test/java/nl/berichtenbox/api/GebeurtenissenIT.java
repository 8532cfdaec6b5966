package nl.berichtenbox.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import nl.berichtenbox.api.http.CitizenJwt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Live updates (contract §7.2) across two engine processes on one database: a change made through
 * one reaches a stream held by the other; a stream resumes after Last-Event-ID on either process;
 * the cap of 5 streams holds for the service; the stream ends with the token.
 */
class GebeurtenissenIT {
  private static final Duration WACHT = Duration.ofSeconds(15);
  private static final Api api = TestEngine.api();
  private static Process tweede;
  private static Api ander;

  @BeforeAll
  static void start() throws Exception {
    Map<String, String> env = EngineProcess.onTestDatabase(Map.of());
    tweede = EngineProcess.start(env, "gebeurtenissen");
    ander = EngineProcess.api(env);
    EngineProcess.awaitReady(ander);
  }

  @AfterAll
  static void stop() throws Exception {
    if (tweede != null) {
      tweede.destroy();
      tweede.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private static String stuur(Api.Afnemer a, JsonObject bericht) {
    api.post("/api/v1/berichten", a.key(), bericht).expect(202);
    api.awaitStatus(a, bericht.getString("berichtId"), "AFGELEVERD");
    return bericht.getString("berichtId");
  }

  /** The public id the citizen knows a message by, from the box. */
  private static String publiekId(String token, String onderwerp) {
    return api
        .get("/api/v1/berichtenbox/berichten", token)
        .expect(200)
        .json()
        .getJsonArray("berichten")
        .stream()
        .map(o -> (JsonObject) o)
        .filter(o -> onderwerp.equals(o.getString("onderwerp")))
        .findFirst()
        .orElseThrow()
        .getString("id");
  }

  @Test
  void theStreamIsForTheOwnerWithATokenAskingForEventStream() {
    String token = api.burgerToken(Api.newBsn());
    api.send("GET", "/api/v1/berichtenbox/gebeurtenissen", token, null, null).expect(406);
    api.send("GET", "/api/v1/berichtenbox/gebeurtenissen", null, null, null).expect(401);
    // a reader (meelezen) reads shared boxes on the read routes only
    api.sendWith(
            "GET",
            "/api/v1/berichtenbox/gebeurtenissen",
            token,
            null,
            null,
            "Accept",
            "text/event-stream",
            "Berichtenbox-Id",
            "00000000-0000-0000-0000-000000000000")
        .expect(403);
  }

  @Test
  void changesThroughOneProcessReachAStreamOnTheOtherAndAStreamResumesWithoutLoss()
      throws Exception {
    Api.Afnemer a = api.newAfnemer();
    String bsn = api.newBurger(a);
    String token = api.burgerToken(bsn);
    String laatste;
    String id;
    try (SseClient s = SseClient.open(ander.base, token, null)) {
      assertEquals(200, s.status);
      assertTrue(s.contentType.startsWith("text/event-stream"), s.contentType);
      assertEquals(0L, s.next(WACHT, "ongelezen").data().getLong("ongelezen"));

      JsonObject m = Api.bericht(bsn).put("onderwerp", "Eerste " + bsn);
      stuur(a, m);
      SseClient.Event bericht = s.next(WACHT, "bericht");
      id = publiekId(token, "Eerste " + bsn);
      assertEquals(id, bericht.data().getString("id"));
      assertEquals(a.oin(), bericht.data().getJsonObject("afzender").getString("oin"));
      assertEquals(
          "Afnemer " + a.oin().substring(12),
          bericht.data().getJsonObject("afzender").getString("naam"));
      assertEquals("Eerste " + bsn, bericht.data().getString("onderwerp"));
      assertEquals("inbox", bericht.data().getString("map"));
      assertEquals(false, bericht.data().getBoolean("gelezen"));
      assertEquals(1L, s.next(WACHT, "ongelezen").data().getLong("ongelezen"));

      // another session, on the other process
      api.send(
              "PATCH",
              "/api/v1/berichtenbox/berichten/" + id,
              token,
              "application/merge-patch+json",
              new JsonObject().put("gelezen", true).encode())
          .expect(200);
      SseClient.Event gelezen = s.next(WACHT, "gewijzigd");
      assertEquals(
          new JsonObject().put("id", id).put("gelezen", true).put("map", "inbox"), gelezen.data());
      assertEquals(0L, s.next(WACHT, "ongelezen").data().getLong("ongelezen"));
      assertTrue(Long.parseLong(gelezen.id()) > Long.parseLong(bericht.id()), "ids go up");

      api.send("DELETE", "/api/v1/berichtenbox/berichten/" + id, token, null, null)
          .expect(204);
      assertEquals("prullenbak", s.next(WACHT, "gewijzigd").data().getString("map"));
      api.send("DELETE", "/api/v1/berichtenbox/berichten/" + id, token, null, null)
          .expect(204);
      SseClient.Event weg = s.next(WACHT, "gewijzigd");
      assertTrue(weg.data().containsKey("map"));
      assertNull(weg.data().getValue("map"), "deleted for good: map null");
      laatste = weg.id();
    }

    // while no stream is open: a message arrives; the next stream, on the other process, resumes
    stuur(a, Api.bericht(bsn).put("onderwerp", "Tweede " + bsn));
    try (SseClient s = SseClient.open(api.base, token, laatste)) {
      SseClient.Event gemist = s.next(WACHT, "bericht", "opnieuw-laden");
      assertEquals("bericht", gemist.soort());
      assertEquals("Tweede " + bsn, gemist.data().getString("onderwerp"));
      assertTrue(Long.parseLong(gemist.id()) > Long.parseLong(laatste));
    }
    // an id the engine cannot resume from: reload
    try (SseClient s = SseClient.open(api.base, token, "onzin")) {
      assertEquals("opnieuw-laden", s.next(WACHT, "opnieuw-laden", "bericht").soort());
    }
    try (SseClient s = SseClient.open(ander.base, token, "999999999999")) {
      assertEquals("opnieuw-laden", s.next(WACHT, "opnieuw-laden", "bericht").soort());
    }
    // a citizen who never followed the box cannot have missed nothing: reload
    try (SseClient s = SseClient.open(api.base, api.burgerToken(api.newBurger(a)), laatste)) {
      assertEquals("opnieuw-laden", s.next(WACHT, "opnieuw-laden", "bericht").soort());
    }
  }

  @Test
  void atMostFiveStreamsPerCitizenOverBothProcesses() throws Exception {
    String token = api.burgerToken(api.newBurger());
    List<SseClient> open = new ArrayList<>();
    try {
      for (int i = 0; i < 5; i++) {
        SseClient s = SseClient.open(i % 2 == 0 ? api.base : ander.base, token, null);
        assertEquals(200, s.status, "stream " + (i + 1));
        open.add(s);
      }
      try (SseClient zesde = SseClient.open(api.base, token, null)) {
        assertEquals(429, zesde.status);
      }
      try (SseClient zesde = SseClient.open(ander.base, token, null)) {
        assertEquals(429, zesde.status);
      }
      open.remove(0).close();
      Api.await("a place free again", () -> {
        try (SseClient s = SseClient.open(ander.base, token, null)) {
          return s.status == 200;
        } catch (Exception e) {
          return false;
        }
      });
    } finally {
      open.forEach(SseClient::close);
    }
  }

  @Test
  void theStreamEndsWhenTheTokenExpiresAndKeepsTheConnectionAliveUntilThen() throws Exception {
    String bsn = api.newBurger();
    long exp = Instant.now().getEpochSecond() + 18;
    String token = new CitizenJwt(TestEngine.JWT_SECRET).issue(bsn, exp);
    try (SseClient s = SseClient.open(ander.base, token, null)) {
      assertEquals(200, s.status);
      Api.await("a comment line", Duration.ofSeconds(17), () -> !s.comments.isEmpty(), () -> "");
      assertFalse(s.ended, "still open before the token expires");
      Api.await("the end of the stream", Duration.ofSeconds(10), () -> s.ended, () -> "");
      assertTrue(Instant.now().getEpochSecond() >= exp - 1, "ended at the token's expiry");
    }
  }

  /**
   * A stream never ends by itself, so a draining process must end its streams: otherwise the HTTP
   * server waits the whole shutdown timeout for them, and a rolling restart of stream engines costs
   * that per process. Ended when the process starts refusing new requests (after the drain delay,
   * the balancer has stopped sending it any), so the portal reconnects elsewhere with Last-Event-ID.
   */
  @Test
  void aDrainingProcessEndsItsStreamsAfterTheDrainDelayNotAtTheShutdownTimeout() throws Exception {
    Map<String, String> env = EngineProcess.onTestDatabase(
        Map.of("BERICHTENBOX_DRAIN_DELAY", "PT1S", "BERICHTENBOX_SHUTDOWN_TIMEOUT", "PT30S"));
    Process derde = EngineProcess.start(env, "gebeurtenissen-drain");
    try {
      Api daar = EngineProcess.api(env);
      EngineProcess.awaitReady(daar);
      String token = api.burgerToken(api.newBurger());
      try (SseClient s = SseClient.open(daar.base, token, null)) {
        assertEquals(200, s.status);
        s.next(WACHT, "ongelezen");
        long sigterm = System.nanoTime();
        derde.destroy(); // SIGTERM
        Api.await("the stream's end", Duration.ofSeconds(15), () -> s.ended, () -> "");
        long eind = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sigterm);
        assertTrue(derde.waitFor(15, TimeUnit.SECONDS), "stopped well within the 30 s timeout");
        assertEquals(0, derde.exitValue());
        assertTrue(eind >= 900, "the stream is served through the drain delay, ended at " + eind);
      }
    } finally {
      derde.destroyForcibly();
    }
  }

  @Test
  void aMessagePublishedLaterIsAnnouncedWhenItBecomesVisible() throws Exception {
    Api.Afnemer a = api.newAfnemer();
    String bsn = api.newBurger(a);
    try (SseClient s = SseClient.open(api.base, api.burgerToken(bsn), null)) {
      s.next(WACHT, "ongelezen");
      Instant zichtbaar = Instant.now().plusSeconds(4);
      stuur(
          a,
          Api.bericht(bsn).put("onderwerp", "Later").put("publicatieDatum", zichtbaar.toString()));
      SseClient.Event e = s.next(WACHT, "bericht");
      assertEquals("Later", e.data().getString("onderwerp"));
      assertFalse(Instant.now().isBefore(zichtbaar), "not announced before it is visible");
    }
  }

  private static long waarde(String sql, Object... args) {
    try {
      return TestEngine.server()
          .engine()
          .pool()
          .preparedQuery(sql)
          .execute(Tuple.from(args))
          .toCompletionStage()
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS)
          .iterator()
          .next()
          .getLong(0);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void opVerbinding(SqlConnection conn, String sql, Object... args)
      throws Exception {
    conn.preparedQuery(sql)
        .execute(Tuple.from(args))
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  private static double open() {
    return Metrieken.van(api).som("berichtenbox_gebeurtenisstromen_open");
  }

  @Test
  void openStreamsAndTheirEventsAreCountedAndAClientThatLeavesWhileItsStreamOpensFreesItsPlace()
      throws Exception {
    Api.Afnemer a = api.newAfnemer();
    String bsn = api.newBurger(a);
    String token = api.burgerToken(bsn);
    double vooraf = open();
    double verstuurd = Metrieken.van(api).som("berichtenbox_gebeurtenissen_verstuurd_total");
    try (SseClient s = SseClient.open(api.base, token, null)) {
      s.next(WACHT, "ongelezen");
      assertTrue(open() >= vooraf + 1, "the open stream is counted");
      stuur(a, Api.bericht(bsn));
      s.next(WACHT, "bericht");
      s.next(WACHT, "ongelezen");
      assertTrue(
          Metrieken.van(api).som("berichtenbox_gebeurtenissen_verstuurd_total") >= verstuurd + 3,
          "the events written are counted");
    }
    Api.await("the closed stream no longer counted", () -> open() <= vooraf);
    Api.await(
        "the closed stream's row gone",
        () -> waarde("SELECT count(*) FROM box_stroom WHERE bsn = $1", bsn) == 0);

    // the stream's opening waits on the citizen's lock, held here; meanwhile its client leaves
    SqlConnection conn = TestEngine.server()
        .engine()
        .pool()
        .getConnection()
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    String slot = "SELECT pg_advisory_xact_lock(hashtext('box_stroom:' || $1))";
    URI uri = URI.create(api.base);
    try {
      opVerbinding(conn, "BEGIN");
      opVerbinding(conn, slot, bsn);
      try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
        socket
            .getOutputStream()
            .write(("GET /api/v1/berichtenbox/gebeurtenissen HTTP/1.1\r\nHost: " + uri.getHost()
                    + "\r\nAccept: text/event-stream\r\nAuthorization: Bearer " + token
                    + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        Api.await(
            "the stream's opening waiting on the lock",
            // (this opening's statement, not another process's processing round on its own locks)
            () -> waarde("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    + "AND query LIKE '%box_stroom:%'")
                > 0);
      }
      Thread.sleep(500); // the engine hears of the close while the opening still waits
      opVerbinding(conn, "COMMIT");
      // the lock again: granted once the opening (first in its queue) has committed its row
      opVerbinding(conn, "BEGIN");
      opVerbinding(conn, slot, bsn);
      opVerbinding(conn, "COMMIT");
    } finally {
      opVerbinding(conn, "ROLLBACK"); // nothing open, unless the test failed midway
      conn.close();
    }
    Api.await(
        "the stream whose client left during its opening closed: its place free",
        () ->
            waarde("SELECT count(*) FROM box_stroom WHERE bsn = $1", bsn) == 0 && open() <= vooraf);
  }
}
