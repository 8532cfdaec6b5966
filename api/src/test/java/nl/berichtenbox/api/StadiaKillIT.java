package nl.berichtenbox.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import nl.berichtenbox.engine.verwerking.VerwerkingsberichtPusher;
import org.junit.jupiter.api.Test;

/**
 * SIGKILL aimed inside the stages after intake: the engine process is killed while it sends
 * e-mails (when the SMTP server has taken a set number) and while it pushes receipts (from inside
 * the afnemer's receiver, after a push arrived and before it is answered). After a restart every
 * e-mail and every receipt arrives; the only repeats are what was under way at the kill (an SMTP
 * transaction or a push the engine could not record), each a copy of the same e-mail or batch.
 */
class StadiaKillIT {

  @Test
  void killedWhileSendingEmailsEveryCitizenGetsOneAndOnlyTheUnrecordedOnesTwice() throws Exception {
    int burgers = 1_500;
    int verbindingen = 8;
    try (TestSmtp smtp = new TestSmtp()) {
      Map<String, String> env = EngineProcess.onNewDatabase(
          "stadia_notificaties",
          Map.of(
              "BERICHTENBOX_SMTP_URL", smtp.url(),
              "BERICHTENBOX_SMTP_CONNECTIONS", Integer.toString(verbindingen),
              "BERICHTENBOX_NOTIFICATIES_PER_UUR", "3600000",
              "BERICHTENBOX_NOTIFICATIES_PER_DAG", "100000000",
              "BERICHTENBOX_NOTIFICATIE_LEASE", "PT40S"));
      Api api = EngineProcess.api(env);
      Process first = EngineProcess.start(env, "stadia-mail-1");
      Process second = null;
      try {
        EngineProcess.awaitReady(api);
        Api.Afnemer a = api.newAfnemer();
        List<String> adressen = IntStream.range(0, burgers)
            .mapToObj(i -> "burger" + i + "@test.example")
            .toList();
        List<String> bsns =
            adressen.parallelStream().map(e -> api.newBurger(e, true, a)).toList();
        for (int i = 0; i < burgers; i += 500) {
          JsonArray arr = new JsonArray();
          bsns.subList(i, Math.min(burgers, i + 500)).forEach(b -> arr.add(Api.bericht(b)));
          api.post("/api/v1/batches", a.key(), Api.batch(arr)).expect(202);
        }
        // aimed: killed while e-mails go out at full speed, a fifth of the way through
        Api.await("e-mails going out", () -> smtp.ontvangen.size() >= burgers / 5);
        first.destroyForcibly();
        first.waitFor(30, TimeUnit.SECONDS);
        int voorDeKill = smtp.ontvangen.size();
        assertTrue(voorDeKill < burgers, "killed before it sent everything: " + voorDeKill);
        // what the dead process had recorded as sent: those may never go again
        Set<Long> vastgelegd = verzonden(env.get("BERICHTENBOX_DB_URL"));

        second = EngineProcess.start(env, "stadia-mail-2");
        EngineProcess.awaitReady(api);
        // the dead process's claims come free when their 40 s lease ends
        Api.await(
            "every citizen e-mailed",
            Duration.ofSeconds(180),
            () -> adressen.stream().allMatch(e -> !smtp.aan(e).isEmpty()),
            () -> smtp.ontvangen.size() + " e-mails received; the engine's counters: "
                + api.get("/metrics", null)
                    .raw()
                    .body()
                    .lines()
                    .filter(l -> l.startsWith("berichtenbox_notificatie"))
                    .toList()
                + "; the queue: "
                + stand(env.get("BERICHTENBOX_DB_URL")));
        // nothing more should come: the notifier has looked at its queue again
        Api.awaitRounds("the notifier looking again", () -> rounds(api, "notificaties"));
        Map<String, List<TestSmtp.Mail>> perAdres = new HashMap<>();
        smtp.ontvangen.forEach(
            m -> perAdres.computeIfAbsent(m.aan(), k -> new ArrayList<>()).add(m));
        int dubbel = 0;
        for (List<TestSmtp.Mail> mails : perAdres.values()) {
          assertTrue(
              mails.size() <= 2,
              "sent " + mails.size() + " times to " + mails.get(0).aan());
          if (mails.size() == 2) {
            dubbel++;
            assertEquals(
                mails.get(0).notificatie(),
                mails.get(1).notificatie(),
                "a repeat names the same queue entry");
            assertFalse(
                vastgelegd.contains(mails.get(0).notificatie()),
                "e-mail " + mails.get(0).notificatie() + " was recorded as sent, yet went again");
          }
        }
        // only what went out but was not yet recorded at the kill goes twice (outcomes are
        // recorded in group commits, so how many that is depends on the machine's speed, not on a
        // fixed bound); and every recorded one went out before the kill
        System.out.println("StadiaKillIT: " + voorDeKill + " e-mails before the kill ("
            + vastgelegd.size() + " recorded), " + dubbel + " went twice");
        assertTrue(vastgelegd.size() <= voorDeKill, vastgelegd.size() + " recorded as sent");
        assertTrue(
            dubbel <= voorDeKill - vastgelegd.size(),
            dubbel + " went twice, " + (voorDeKill - vastgelegd.size())
                + " had gone out unrecorded");
        assertEquals(burgers, perAdres.size());
      } finally {
        first.destroyForcibly();
        if (second != null) {
          second.destroy();
          second.waitFor(30, TimeUnit.SECONDS);
        }
      }
    }
  }

  @Test
  void killedWhilePushingReceiptsEveryReceiptArrivesInOrderOnlyTheBatchInFlightTwice()
      throws Exception {
    List<JsonObject> pushes = new CopyOnWriteArrayList<>();
    Process[] engine = new Process[1];
    int killBij = 4; // the 4th push: the engine dies while it waits for the answer
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    String[] secret = new String[1];
    receiver.createContext("/ontvang", ex -> {
      byte[] body = ex.getRequestBody().readAllBytes();
      String sig = ex.getRequestHeaders().getFirst("X-Berichtenbox-Signature");
      JsonObject push = new JsonObject(new String(body, StandardCharsets.UTF_8));
      push.put(
          "ondertekend",
          ("sha256=" + VerwerkingsberichtPusher.hmac(secret[0], Buffer.buffer(body))).equals(sig));
      pushes.add(push);
      if (pushes.size() == killBij) {
        engine[0].destroyForcibly();
        try {
          engine[0].waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      ex.sendResponseHeaders(204, -1);
      ex.close();
    });
    receiver.start();
    try {
      Map<String, String> env = EngineProcess.onNewDatabase("stadia_push", Map.of());
      Api api = EngineProcess.api(env);
      engine[0] = EngineProcess.start(env, "stadia-push-1");
      EngineProcess.awaitReady(api);
      String oin = String.format("%020d", ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE));
      JsonObject r = api.post(
              "/api/v1/beheer/afnemers",
              TestEngine.ADMIN,
              new JsonObject()
                  .put("oin", oin)
                  .put("naam", "Push kill")
                  .put(
                      "callbackUrl",
                      "http://127.0.0.1:" + receiver.getAddress().getPort() + "/ontvang"))
          .expect(201)
          .json();
      secret[0] = r.getString("callbackSecret");
      Api.Afnemer a = new Api.Afnemer(oin, r.getString("apiSleutel"));
      api.put(
              "/api/v1/bericht-typen/ALG",
              a.key(),
              new JsonObject().put("omschrijving", "x").put("actief", true))
          .expect(201);
      String bsn = api.newBurger(a);
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        JsonArray arr = new JsonArray();
        for (int j = 0; j < 500; j++) {
          JsonObject m = Api.bericht(bsn);
          ids.add(m.getString("berichtId"));
          arr.add(m);
        }
        api.post("/api/v1/batches", a.key(), Api.batch(arr)).expect(202);
      }
      Api.await("the engine killed inside a push", () -> !engine[0].isAlive());
      assertTrue(pushes.size() >= killBij);

      engine[0] = EngineProcess.start(env, "stadia-push-2");
      try {
        EngineProcess.awaitReady(api);
        // the dead process's afnemer comes free when its 60 s lease ends
        Api.await(
            "every receipt pushed",
            Duration.ofSeconds(180),
            () -> ontvangen(pushes).containsAll(ids),
            () -> ontvangen(pushes).size() + " of " + ids.size() + " receipts pushed");
        Api.awaitRounds("the pusher looking again", () -> rounds(api, "push"));
        List<List<Long>> batches = pushes.stream()
            .map(p -> p.getJsonArray("verwerkingsberichten").stream()
                .map(o -> ((JsonObject) o).getLong("volgnummer"))
                .toList())
            .toList();
        pushes.forEach(
            p -> assertTrue(p.getBoolean("ondertekend"), "signed with the afnemer's secret"));
        // each push follows on from the one before, but the one after the kill repeats the push
        // under way then
        for (int i = 1; i < batches.size(); i++) {
          long eerste = batches.get(i).get(0);
          long vorigeLaatste = batches.get(i - 1).get(batches.get(i - 1).size() - 1);
          if (i == killBij) {
            assertEquals(
                batches.get(i - 1),
                batches.get(i),
                "the push under way at the kill is sent again, as it was");
          } else {
            assertTrue(eerste > vorigeLaatste, "push " + i + " follows on from the one before");
          }
        }
        long herhaald = pushes.stream()
                .mapToLong(p -> p.getJsonArray("verwerkingsberichten").size())
                .sum()
            - ontvangen(pushes).size();
        assertEquals(
            batches.get(killBij - 1).size(),
            herhaald,
            "only the push under way at the kill went twice");
        assertEquals(ids.size(), ontvangen(pushes).size());
      } finally {
        engine[0].destroy();
        engine[0].waitFor(30, TimeUnit.SECONDS);
      }
    } finally {
      receiver.stop(0);
    }
  }

  /** The notification queue and the locks waited for, read from the database itself (for a failure's message). */
  /** The queue entries recorded as sent. */
  private static Set<Long> verzonden(String dbUrl) throws SQLException {
    Set<Long> out = new HashSet<>();
    try (Connection c =
            DriverManager.getConnection("jdbc:" + dbUrl.replace("postgres@", ""), "postgres", "");
        Statement st = c.createStatement();
        ResultSet r = st.executeQuery("SELECT id FROM notificatie WHERE status = 2")) {
      while (r.next()) {
        out.add(r.getLong(1));
      }
    }
    return out;
  }

  private static String stand(String dbUrl) {
    String jdbc = "jdbc:" + dbUrl.replace("postgres@", "");
    StringBuilder sb = new StringBuilder();
    try (Connection c = DriverManager.getConnection(jdbc, "postgres", "");
        Statement st = c.createStatement()) {
      for (String q : List.of(
          "SELECT status, count(*), min(bezig_tot), max(pogingen) FROM notificatie GROUP BY status",
          "SELECT uur_aantal, dag_aantal, tegoed, tegoed_op FROM notificatie_throttle",
          "SELECT state, wait_event_type, wait_event, left(query, 60) FROM pg_stat_activity WHERE datname = current_database()")) {
        try (ResultSet r = st.executeQuery(q)) {
          while (r.next()) {
            List<String> rij = new ArrayList<>();
            for (int i = 1; i <= r.getMetaData().getColumnCount(); i++) {
              rij.add(String.valueOf(r.getObject(i)));
            }
            sb.append(rij).append(' ');
          }
        }
      }
    } catch (SQLException e) {
      sb.append(e);
    }
    return sb.toString();
  }

  private static Set<String> ontvangen(List<JsonObject> pushes) {
    Set<String> ids = new HashSet<>();
    pushes.forEach(p -> p.getJsonArray("verwerkingsberichten")
        .forEach(o -> ids.add(((JsonObject) o).getString("berichtId"))));
    return ids;
  }

  /** The rounds a background loop of the engine behind {@code api} has finished, from its metrics. */
  private static long rounds(Api api, String loop) {
    return (long) Metrieken.van(api).som("berichtenbox_loop_rounds_total", "loop", loop);
  }
}
