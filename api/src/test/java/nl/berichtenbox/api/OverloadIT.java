package nl.berichtenbox.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import nl.berichtenbox.api.http.CitizenJwt;
import nl.berichtenbox.engine.config.EngineConfig;
import org.junit.jupiter.api.Test;

/** The overload guard: past the cap on requests in flight, new ones get 503 with Retry-After at once. */
class OverloadIT {

  @Test
  void requestsPastTheCapAreShedAndServiceReturnsWhenLoadGoes() throws Exception {
    Api first = TestEngine.api();
    Api.Afnemer a = first.newAfnemer();
    EngineConfig config =
        TestEngine.secondEngine(Map.of("BERICHTENBOX_MAX_REQUESTS_IN_FLIGHT", "2"));
    try (ApiServer guarded = ApiServer.start(config)) {
      int port = guarded.port();
      Api api = new Api("http://127.0.0.1:" + port, new CitizenJwt(TestEngine.JWT_SECRET));
      api.get("/api/v1/bericht-typen", a.key()).expect(200);
      // two slow clients: bodies announced but never finished keep their requests in flight
      List<Socket> slow = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        slow.add(langzaam(port, a.key()));
      }
      // the two, and the scrape itself (an earlier scrape whose end is not yet counted may add one)
      Api.await("both in flight", () -> Metrieken.van(api).som("berichtenbox_http_in_flight") >= 3);
      Api.Resp shed = api.get("/api/v1/bericht-typen", a.key()).expect(503);
      assertEquals("1", shed.header("Retry-After"));
      assertEquals("application/problem+json", shed.header("Content-Type"));
      api.get("/health/live", null).expect(200);
      for (Socket s : slow) {
        s.close();
      }
      Api.await("served again", () -> api.get("/api/v1/bericht-typen", a.key()).status() == 200);
    }
  }

  /**
   * The connection cap: a connection opened past {@code BERICHTENBOX_MAX_CONNECTIONS} has its
   * request answered 503 with Retry-After and is closed after it (health still answered on it);
   * one that sends nothing is closed after the head timeout; once a connection under the cap
   * closes, a new one is served.
   */
  @Test
  void connectionsPastTheCapAreAnsweredOnceThenClosed() throws Exception {
    Api first = TestEngine.api();
    Api.Afnemer a = first.newAfnemer();
    EngineConfig config = TestEngine.secondEngine(
        Map.of("BERICHTENBOX_MAX_CONNECTIONS", "3", "BERICHTENBOX_HTTP_HEAD_TIMEOUT", "PT2S"));
    try (ApiServer guarded = ApiServer.start(config)) {
      int port = guarded.port();
      String get = "GET /api/v1/bericht-typen HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
          + a.key() + "\r\n\r\n";
      List<Socket> held = new ArrayList<>();
      try {
        // three connections, each served (so each is counted before the next opens)
        for (int i = 0; i < 3; i++) {
          Socket s = new Socket("127.0.0.1", port);
          held.add(s);
          assertEquals("HTTP/1.1 200 OK", vraag(s, get).get(0));
        }
        // a fourth: 503 with Retry-After, and closed after it
        try (Socket s = new Socket("127.0.0.1", port)) {
          List<String> head = vraag(s, get);
          assertEquals("HTTP/1.1 503 Service Unavailable", head.get(0));
          assertTrue(head.contains("retry-after: 1"), head.toString());
          assertTrue(head.contains("connection: close"), head.toString());
          assertEquals(-1, s.getInputStream().read(), "closed after its answer");
        }
        // health is answered on one, which is closed after it too
        try (Socket s = new Socket("127.0.0.1", port)) {
          List<String> head = vraag(s, "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n");
          assertEquals("HTTP/1.1 200 OK", head.get(0));
          assertEquals(-1, s.getInputStream().read(), "closed after its answer");
        }
        // one that sends nothing is closed after the head timeout (2 s)
        try (Socket s = new Socket("127.0.0.1", port)) {
          s.setSoTimeout(20_000);
          long begin = System.nanoTime();
          assertEquals(-1, s.getInputStream().read());
          long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
          assertTrue(ms >= 1_000 && ms < 15_000, "closed after " + ms + " ms");
        }
        // the ones under the cap are still served on their connections
        assertEquals("HTTP/1.1 200 OK", vraag(held.get(2), get).get(0));
        // one of them closes: a new connection is served (the close is seen a moment later)
        held.remove(0).close();
        Api.await("a new connection served", () -> {
          try (Socket s = new Socket("127.0.0.1", port)) {
            return vraag(s, get).get(0).equals("HTTP/1.1 200 OK");
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
        // two held and the scrape's own (once the close of the last probe is seen); refused: the
        // fourth, health's, the silent one, and any probe that found the closed one still counted
        Api api = new Api("http://127.0.0.1:" + port, new CitizenJwt(TestEngine.JWT_SECRET));
        Api.await(
            "two held and the scrape's",
            () -> Metrieken.van(api).som("berichtenbox_http_connections") == 3.0);
        Metrieken m = Metrieken.van(api);
        assertTrue(
            m.som("berichtenbox_http_connections_refused_total") >= 3,
            m.van("berichtenbox_http_connections_refused_total").toString());
      } finally {
        for (Socket s : held) {
          s.close();
        }
      }
    }
  }

  /** Sends {@code request} and reads the answer's head (status line, then headers in lower case) and its body. */
  private static List<String> vraag(Socket s, String request) throws IOException {
    s.setSoTimeout(10_000);
    s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
    var in = s.getInputStream();
    List<String> head = new ArrayList<>();
    int length = 0;
    for (String line = regel(in); !line.isEmpty(); line = regel(in)) {
      head.add(head.isEmpty() ? line : line.toLowerCase(Locale.ROOT));
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    in.readNBytes(length);
    return head;
  }

  /** One line of an answer's head, read a byte at a time (no buffer may swallow the body). */
  private static String regel(java.io.InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new IOException("closed in the head: " + sb);
      }
      if (b != '\r') {
        sb.append((char) b);
      }
    }
    return sb.toString();
  }

  /** Bodies are held until parsed and committed: past the cap on their bytes in flight, new requests get 503. */
  @Test
  void bodyBytesPastTheCapAreShedBeforeTheyFillTheHeap() throws Exception {
    Api first = TestEngine.api();
    Api.Afnemer a = first.newAfnemer();
    EngineConfig config =
        TestEngine.secondEngine(Map.of("BERICHTENBOX_MAX_BODY_BYTES_IN_FLIGHT", "1048576"));
    try (ApiServer guarded = ApiServer.start(config)) {
      int port = guarded.port();
      Api api = new Api("http://127.0.0.1:" + port, new CitizenJwt(TestEngine.JWT_SECRET));
      // one large body announced (900 kB), only its first bytes sent: under the cap, requests go on
      List<Socket> slow = new ArrayList<>();
      Socket eerste = new Socket("127.0.0.1", port);
      eerste
          .getOutputStream()
          .write(("POST /api/v1/berichten HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + a.key()
                  + "\r\nContent-Type: application/json\r\nContent-Length: 900000\r\n\r\n{\"berichtId\":")
              .getBytes(StandardCharsets.US_ASCII));
      slow.add(eerste);
      Api.await(
          "the first in flight",
          () -> api.get("/metrics", null).raw().body().contains("berichtenbox_http_in_flight 2"));
      api.get("/api/v1/bericht-typen", a.key()).expect(200);
      // a second one would pass the cap of 1 MB: it is shed at once, before its body is read
      Socket tweede = new Socket("127.0.0.1", port);
      tweede
          .getOutputStream()
          .write(("POST /api/v1/berichten HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + a.key()
                  + "\r\nContent-Type: application/json\r\nContent-Length: 900000\r\n\r\n{\"berichtId\":")
              .getBytes(StandardCharsets.US_ASCII));
      slow.add(tweede);
      tweede.setSoTimeout(10_000);
      String antwoord =
          new String(tweede.getInputStream().readNBytes(200), StandardCharsets.US_ASCII);
      assertTrue(antwoord.startsWith("HTTP/1.1 503"), antwoord);
      assertTrue(
          antwoord.contains("Retry-After: 1") || antwoord.toLowerCase().contains("retry-after: 1"),
          antwoord);
      // the first is still under way and small requests, under the cap, are served
      api.get("/api/v1/bericht-typen", a.key()).expect(200);
      for (Socket s : slow) {
        s.close();
      }
      Api.await("served again", () -> api.get("/api/v1/bericht-typen", a.key()).status() == 200);
    }
  }

  /**
   * Slow clients: a head dribbled a line at a time (slowloris) and a body dribbled a byte at a
   * time (slow POST) are cut off by the read timeouts, though neither connection is ever idle;
   * a keep-alive connection waiting between requests is not, and a body that comes slowly but
   * at a fair rate is taken.
   */
  @Test
  void slowHeadsAndBodiesAreCutOffFairOnesAreNot() throws Exception {
    Api first = TestEngine.api();
    Api.Afnemer a = first.newAfnemer();
    String bsn = first.newBurger(a);
    EngineConfig config = TestEngine.secondEngine(Map.of(
        "BERICHTENBOX_HTTP_HEAD_TIMEOUT",
        "PT2S",
        "BERICHTENBOX_HTTP_BODY_TIMEOUT",
        "PT3S",
        "BERICHTENBOX_HTTP_BODY_MIN_RATE",
        "1000"));
    try (ApiServer guarded = ApiServer.start(config)) {
      int port = guarded.port();
      Api api = new Api("http://127.0.0.1:" + port, new CitizenJwt(TestEngine.JWT_SECRET));
      String head = "GET /api/v1/bericht-typen HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
          + a.key() + "\r\n";

      // slowloris: a header line every 300 ms, never the blank line that ends the head
      long slowloris = secondsUntilClosed(port, head, "X-Traag: ja\r\n", 300);
      assertTrue(slowloris >= 1 && slowloris <= 8, "slowloris cut off after " + slowloris + " s");

      // slow POST: the head at once, then the announced body a byte every 300 ms
      String post = "POST /api/v1/berichten HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + a.key()
          + "\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n";
      long slowPost = secondsUntilClosed(port, post, " ", 300);
      assertTrue(slowPost >= 2 && slowPost <= 9, "slow POST cut off after " + slowPost + " s");
      String metrics = api.get("/metrics", null).raw().body();
      assertTrue(
          metrics.contains("berichtenbox_http_slow_closed_total 2"),
          metrics
              .lines()
              .filter(l -> l.startsWith("berichtenbox_http_slow"))
              .toList()
              .toString());

      try (Socket s = new Socket("127.0.0.1", port)) {
        s.setSoTimeout(10_000);
        OutputStream out = s.getOutputStream();
        var in = new BufferedReader(
            new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
        // a keep-alive connection idle for longer than the head timeout still takes its next
        // request
        out.write((head + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        assertEquals("HTTP/1.1 200 OK", in.readLine());
        skipResponse(in);
        Thread.sleep(3_000);
        // and a body of 6 000 bytes sent at 2 000 bytes/s (3 s, longer than the body timeout) is
        // taken
        JsonObject m = Api.bericht(bsn);
        byte[] body =
            (m.encode() + " ".repeat(6_000 - m.encode().length())).getBytes(StandardCharsets.UTF_8);
        out.write(("POST /api/v1/berichten HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + a.key()
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < body.length; i += 1_000) {
          out.write(body, i, Math.min(1_000, body.length - i));
          out.flush();
          Thread.sleep(500);
        }
        assertEquals("HTTP/1.1 202 Accepted", in.readLine());
        api.get("/api/v1/berichten/" + m.getString("berichtId"), a.key()).expect(200);
      }
    }
  }

  /**
   * Slow readers of a large export: clients that ask for an Abonnementservice result of 200 000
   * lines and stop reading hold their sockets, not the database: with a pool of two connections
   * and six stalled readers, other requests are served, and a reader that does read gets every
   * line in order.
   */
  @Test
  void stalledReadersOfAnExportHoldNoDatabaseConnection() throws Exception {
    Api first = TestEngine.api();
    Api.Afnemer a = first.newAfnemer();
    String bsn = first.newBurger(a);
    String id = UUID.randomUUID().toString();
    int lines = 200_000;
    Pool db = TestEngine.server().engine().pool();
    db.withTransaction(c -> c.preparedQuery("""
        INSERT INTO abonnement_verzoek (id, oin, soort, nacht, status, gereed_op, aantal)
        VALUES ($1::uuid, $2, 'ALLES', current_date, 'GEREED', now(), $3)""")
            .execute(Tuple.of(id, a.oin(), lines))
            .compose(v -> c.preparedQuery("""
            INSERT INTO abonnement_resultaat (verzoek, nr, bsn, actief, gewijzigd_op)
            SELECT $1::uuid, i, lpad(i::text, 9, '0'), true, now() FROM generate_series(1, $2) i""").execute(Tuple.of(id, lines))))
        .toCompletionStage()
        .toCompletableFuture()
        .get(60, TimeUnit.SECONDS);
    EngineConfig config = TestEngine.secondEngine(Map.of("BERICHTENBOX_DB_POOL_SIZE", "2"));
    try (ApiServer engine = ApiServer.start(config)) {
      int port = engine.port();
      Api api = new Api("http://127.0.0.1:" + port, new CitizenJwt(TestEngine.JWT_SECRET));
      String pad = "/api/v1/abonnementen/verzoeken/" + id + "/resultaat";
      List<Socket> stalled = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        Socket s = new Socket();
        s.setReceiveBufferSize(1024);
        s.connect(new InetSocketAddress("127.0.0.1", port));
        s.getOutputStream()
            .write(("GET " + pad + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + a.key()
                    + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        stalled.add(s);
      }
      try {
        Api.await(
            "six exports under way",
            () -> api.get("/metrics", null).raw().body().contains("berichtenbox_http_in_flight 7"));
        Thread.sleep(1_000);
        // they stay under way (no one reads them), and the engine goes on with the database
        for (int i = 0; i < 10; i++) {
          api.get("/api/v1/abonnementen/verzoeken/" + id, a.key()).expect(200);
          api.post("/api/v1/berichten", a.key(), Api.bericht(bsn)).expect(202);
        }
        assertTrue(
            api.get("/metrics", null).raw().body().contains("berichtenbox_http_in_flight 7"),
            "the stalled exports are still under way");
        String body = api.get(pad, a.key()).expect(200).raw().body();
        List<String> got = body.lines().toList();
        assertEquals(lines, got.size());
        assertEquals("000000001", new JsonObject(got.get(0)).getString("bsn"));
        assertEquals(
            String.format("%09d", lines), new JsonObject(got.get(lines - 1)).getString("bsn"));
        for (int i = 0; i < lines; i += 9_973) {
          assertEquals(String.format("%09d", i + 1), new JsonObject(got.get(i)).getString("bsn"));
        }
      } finally {
        for (Socket s : stalled) {
          s.close();
        }
      }
    }
  }

  /** Sends {@code start}, then {@code drip} every {@code everyMs} until the server closes; seconds that took. */
  private static long secondsUntilClosed(int port, String start, String drip, long everyMs)
      throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      long begin = System.nanoTime();
      out.write(start.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      Thread dripper = new Thread(() -> {
        try {
          while (true) {
            Thread.sleep(everyMs);
            out.write(drip.getBytes(StandardCharsets.US_ASCII));
            out.flush();
          }
        } catch (Exception e) {
          // closed by the server, or by us
        }
      });
      dripper.start();
      try {
        int b = s.getInputStream().read();
        assertEquals(-1, b, "closed without an answer");
      } catch (SocketException reset) {
        // a reset is a close too
      } finally {
        dripper.interrupt();
      }
      return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - begin);
    }
  }

  private static void skipResponse(BufferedReader in) throws IOException {
    int length = 0;
    for (String line = in.readLine(); !line.isEmpty(); line = in.readLine()) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    for (int i = 0; i < length; i++) {
      in.read();
    }
  }

  /**
   * A request whose body is announced and never finished, held in flight. The engine counts a
   * request out when its answer has been written, which a client may read first: a request sent
   * right after another's answer can still find it counted and be shed. Then it is sent again.
   */
  private static Socket langzaam(int port, String key) throws Exception {
    for (int poging = 0; poging < 50; poging++) {
      Socket s = new Socket("127.0.0.1", port);
      OutputStream out = s.getOutputStream();
      out.write(("POST /api/v1/berichten HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key
              + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"berichtId\":")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      s.setSoTimeout(300);
      try {
        if (s.getInputStream().read() < 0) {
          s.close();
          continue;
        }
        s.close(); // answered at once: shed
        Thread.sleep(50);
      } catch (SocketTimeoutException held) {
        return s;
      }
    }
    throw new AssertionError("no request could be held in flight");
  }
}
