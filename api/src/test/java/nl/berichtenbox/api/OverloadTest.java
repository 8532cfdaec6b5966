package nl.berichtenbox.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import nl.berichtenbox.api.http.CitizenJwt;
import nl.berichtenbox.engine.config.ConfigLoader;
import nl.berichtenbox.engine.config.EngineConfig;
import org.junit.jupiter.api.Test;

/** The overload guard: past the cap on requests in flight, new ones get 503 with Retry-After at once. */
class OverloadTest {

  @Test
  void requestsPastTheCapAreShedAndServiceReturnsWhenLoadGoes() throws Exception {
    Api first = TestEngine.api();
    Api.Afnemer a = first.newAfnemer();
    EngineConfig config = TestEngine.secondEngine(Map.of("BERICHTENBOX_MAX_REQUESTS_IN_FLIGHT", "2"));
    int port = config.httpPort();
    try (ApiServer guarded = ApiServer.start(config)) {
      Api api = new Api("http://127.0.0.1:" + port, new CitizenJwt(TestEngine.JWT_SECRET));
      api.get("/api/v1/bericht-typen", a.key()).expect(200);
      // two slow clients: bodies announced but never finished keep their requests in flight
      List<Socket> slow = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        Socket s = new Socket("127.0.0.1", port);
        OutputStream out = s.getOutputStream();
        out.write(("POST /api/v1/berichten HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + a.key()
            + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"berichtId\":").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        slow.add(s);
      }
      Api.await("both in flight", () -> api.get("/metrics", null).raw().body().contains("berichtenbox_http_in_flight 3"));
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

  /** Bodies are held until parsed and committed: past the cap on their bytes in flight, new requests get 503. */
  @Test
  void bodyBytesPastTheCapAreShedBeforeTheyFillTheHeap() throws Exception {
    Api first = TestEngine.api();
    Api.Afnemer a = first.newAfnemer();
    EngineConfig config = TestEngine.secondEngine(Map.of("BERICHTENBOX_MAX_BODY_BYTES_IN_FLIGHT", "1048576"));
    int port = config.httpPort();
    try (ApiServer guarded = ApiServer.start(config)) {
      Api api = new Api("http://127.0.0.1:" + port, new CitizenJwt(TestEngine.JWT_SECRET));
      // one large body announced (900 kB), only its first bytes sent: under the cap, requests go on
      List<Socket> slow = new ArrayList<>();
      Socket eerste = new Socket("127.0.0.1", port);
      eerste.getOutputStream().write(("POST /api/v1/berichten HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + a.key()
          + "\r\nContent-Type: application/json\r\nContent-Length: 900000\r\n\r\n{\"berichtId\":")
          .getBytes(StandardCharsets.US_ASCII));
      slow.add(eerste);
      Api.await("the first in flight", () -> api.get("/metrics", null).raw().body().contains("berichtenbox_http_in_flight 2"));
      api.get("/api/v1/bericht-typen", a.key()).expect(200);
      // a second one would pass the cap of 1 MB: it is shed at once, before its body is read
      Socket tweede = new Socket("127.0.0.1", port);
      tweede.getOutputStream().write(("POST /api/v1/berichten HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + a.key()
          + "\r\nContent-Type: application/json\r\nContent-Length: 900000\r\n\r\n{\"berichtId\":")
          .getBytes(StandardCharsets.US_ASCII));
      slow.add(tweede);
      tweede.setSoTimeout(10_000);
      String antwoord = new String(tweede.getInputStream().readNBytes(200), StandardCharsets.US_ASCII);
      assertTrue(antwoord.startsWith("HTTP/1.1 503"), antwoord);
      assertTrue(antwoord.contains("Retry-After: 1") || antwoord.toLowerCase().contains("retry-after: 1"), antwoord);
      // the first is still under way and small requests, under the cap, are served
      api.get("/api/v1/bericht-typen", a.key()).expect(200);
      for (Socket s : slow) {
        s.close();
      }
      Api.await("served again", () -> api.get("/api/v1/bericht-typen", a.key()).status() == 200);
    }
  }
}
