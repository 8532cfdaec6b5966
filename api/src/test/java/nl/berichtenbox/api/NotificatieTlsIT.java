package nl.berichtenbox.api;

import static nl.berichtenbox.api.Api.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.security.KeyStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import nl.berichtenbox.api.http.CitizenJwt;
import org.junit.jupiter.api.Test;

/**
 * STARTTLS: an SMTP server that offers it and refuses mail without it, with a certificate of a
 * private CA (made here by openssl). With BERICHTENBOX_SMTP_CA the e-mail goes over TLS; without
 * it the certificate is not trusted and nothing is sent (the attempt counts as a temporary
 * failure and is retried), so an unverified server never receives citizens' addresses.
 */
class NotificatieTlsIT {

  @Test
  void eMailGoesOverStartTlsToAServerWhoseCertificateIsTrustedOnly() throws Exception {
    TestCa ca = TestCa.nieuw("/CN=SMTP test CA");
    ca.cert("smtp", "/CN=127.0.0.1", "subjectAltName=IP:127.0.0.1");
    ca.openssl(
        "pkcs12",
        "-export",
        "-in",
        "smtp.crt",
        "-inkey",
        "smtp.key",
        "-out",
        "smtp.p12",
        "-passout",
        "pass:test");
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(ca.file("smtp.p12"))) {
      ks.load(in, "test".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, "test".toCharArray());
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(kmf.getKeyManagers(), null, null);

    try (TestSmtp smtp = new TestSmtp(tls)) {
      Map<String, String> env = new HashMap<>(Map.of(
          "BERICHTENBOX_SMTP_URL",
          smtp.url(),
          "BERICHTENBOX_SMTP_CA",
          ca.file("ca.crt").toString(),
          "BERICHTENBOX_NOTIFICATIE_BACKOFF_BASE",
          "PT0.2S",
          "BERICHTENBOX_NOTIFICATIE_BACKOFF_MAX",
          "PT0.5S"));
      var trusted = TestEngine.engineOnNewDatabase("notificatie_tls", env);
      try (ApiServer engine = ApiServer.start(trusted)) {
        Api api =
            new Api("http://127.0.0.1:" + engine.port(), new CitizenJwt(TestEngine.JWT_SECRET));
        Api.Afnemer a = api.newAfnemer();
        String bsn = api.newBurger("tls@burger.test", true, a);
        api.post("/api/v1/berichten", a.key(), Api.bericht(bsn)).expect(202);
        await("the e-mail over TLS", () -> smtp.aan("tls@burger.test").size() == 1);
      }

      // the same server without its CA: the engine does not trust it and sends nothing
      env.remove("BERICHTENBOX_SMTP_CA");
      env.put("BERICHTENBOX_DB_URL", trusted.dbUrl());
      var untrusted = TestEngine.secondEngine(env);
      try (ApiServer engine = ApiServer.start(untrusted)) {
        Api api =
            new Api("http://127.0.0.1:" + engine.port(), new CitizenJwt(TestEngine.JWT_SECRET));
        Api.Afnemer a = api.newAfnemer();
        String bsn = api.newBurger("geen-tls@burger.test", true, a);
        api.post("/api/v1/berichten", a.key(), Api.bericht(bsn)).expect(202);
        await(
            "an attempt refused by the engine's certificate check",
            () -> engine.engine().metrics().notificatiesPogingMislukt.sum() >= 1);
        // every round fails: the notifier pauses (1, 2, 4 s, ...) instead of coming back every
        // second (its poll; the e-mail's own back-off is 0.5 s at most here): in ten seconds four
        // or five attempts, where it made ten before
        long eerste = engine.engine().metrics().notificatiesPogingMislukt.sum();
        Thread.sleep(10_000);
        long erbij = engine.engine().metrics().notificatiesPogingMislukt.sum() - eerste;
        assertTrue(erbij <= 6, "attempts in 10 s while the server fails: " + erbij);
        assertEquals(List.of(), smtp.aan("geen-tls@burger.test"));
        assertEquals(
            null,
            smtp.pogingen.get("geen-tls@burger.test"),
            "the address never reached the server");
      }
    }
  }
}
