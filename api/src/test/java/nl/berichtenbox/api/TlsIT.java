package nl.berichtenbox.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Promise;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import nl.berichtenbox.engine.config.EngineConfig;
import org.junit.jupiter.api.Test;

/**
 * HTTPS with client certificates made here by openssl: a certificate with a registered OIN
 * authenticates the afnemer, one with an unknown OIN is refused, none falls back to the bearer
 * key; suites without forward secrecy are not offered.
 */
class TlsIT {
  private record Answer(int status, String hsts) {}

  private static Answer get(HttpClient client, int port, String path, String bearer)
      throws Exception {
    RequestOptions o = new RequestOptions()
        .setMethod(HttpMethod.GET)
        .setHost("localhost")
        .setPort(port)
        .setURI(path);
    if (bearer != null) {
      o.putHeader("Authorization", "Bearer " + bearer);
    }
    // The steps are chained on an event loop of the client's Vert.x. Chained from this thread, a
    // step whose future had completed already ran here, late: a body asked for after its response
    // had ended never came (one run in a few hundred; CI saw it time out).
    Promise<Answer> answer = Promise.promise();
    TestEngine.server()
        .engine()
        .vertx()
        .getOrCreateContext()
        .runOnContext(v -> client
            .request(o)
            .compose(req -> req.send())
            .compose(res -> res.body()
                .map(b -> new Answer(res.statusCode(), res.getHeader("Strict-Transport-Security"))))
            .onComplete(answer));
    return answer.future().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void clientCertificatesAuthenticateByOin() throws Exception {
    Api api = TestEngine.api();
    Api.Afnemer a = api.newAfnemer();
    TestCa ca = TestCa.nieuw("/CN=Berichtenbox test CA");
    ca.cert("server", "/CN=localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1");
    ca.cert("bekend", "/CN=Afnemer/serialNumber=" + a.oin(), "extendedKeyUsage=clientAuth");
    ca.cert(
        "onbekend",
        "/CN=Onbekend/serialNumber=99999999999999999999",
        "extendedKeyUsage=clientAuth");

    EngineConfig config = TestEngine.secondEngine(Map.of(
        "BERICHTENBOX_TLS_CERT", ca.file("server.crt").toString(),
        "BERICHTENBOX_TLS_KEY", ca.file("server.key").toString(),
        "BERICHTENBOX_TLS_CLIENT_CA", ca.file("ca.crt").toString()));
    var vertx = TestEngine.server().engine().vertx();
    PemTrustOptions trust = new PemTrustOptions().addCertPath(ca.file("ca.crt").toString());
    try (ApiServer tls = ApiServer.start(config)) {
      int port = tls.port();
      assertTrue(Tls.openSsl(), "the OpenSSL engine loads on this platform");
      HttpClient bekend = vertx.createHttpClient(new HttpClientOptions()
          .setSsl(true)
          .setTrustOptions(trust)
          .setKeyCertOptions(new PemKeyCertOptions()
              .setCertPath(ca.file("bekend.crt").toString())
              .setKeyPath(ca.file("bekend.key").toString())));
      Answer ok = get(bekend, port, "/api/v1/bericht-typen", null);
      assertEquals(200, ok.status());
      assertNotNull(ok.hsts(), "Strict-Transport-Security over TLS");

      HttpClient onbekend = vertx.createHttpClient(new HttpClientOptions()
          .setSsl(true)
          .setTrustOptions(trust)
          .setKeyCertOptions(new PemKeyCertOptions()
              .setCertPath(ca.file("onbekend.crt").toString())
              .setKeyPath(ca.file("onbekend.key").toString())));
      assertEquals(401, get(onbekend, port, "/api/v1/bericht-typen", null).status());
      assertEquals(
          401,
          get(onbekend, port, "/api/v1/bericht-typen", a.key()).status(),
          "a wrong certificate wins over a key");

      HttpClient zonder =
          vertx.createHttpClient(new HttpClientOptions().setSsl(true).setTrustOptions(trust));
      assertEquals(
          200,
          get(zonder, port, "/api/v1/bericht-typen", a.key()).status(),
          "bearer keys keep working");
      assertEquals(401, get(zonder, port, "/api/v1/bericht-typen", null).status());
      assertEquals(200, get(zonder, port, "/health/live", null).status());

      // deactivated: its certificate is refused too
      api.send(
              "PATCH",
              "/api/v1/beheer/afnemers/" + a.oin(),
              TestEngine.ADMIN,
              "application/merge-patch+json",
              "{\"actief\":false}")
          .expect(200);
      Thread.sleep(5_100); // the other engine's cache
      assertEquals(401, get(bekend, port, "/api/v1/bericht-typen", null).status());

      // no suites without forward secrecy
      HttpClient rsa = vertx.createHttpClient(new HttpClientOptions()
          .setSsl(true)
          .setTrustOptions(trust)
          .setEnabledSecureTransportProtocols(Set.of("TLSv1.2"))
          .addEnabledCipherSuite("TLS_RSA_WITH_AES_128_GCM_SHA256"));
      boolean refused;
      try {
        get(rsa, port, "/health/live", null);
        refused = false;
      } catch (Exception e) {
        refused = true;
      }
      assertTrue(refused, "a client offering only RSA key exchange must not connect");
    }
  }
}
