package nl.berichtenbox.api;

import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.util.List;
import java.util.Set;
import nl.berichtenbox.engine.config.EngineConfig;

/**
 * HTTPS as Digikoppeling asks (contract §1, §6): TLS 1.2 and 1.3 with forward-secret cipher
 * suites only, the OpenSSL (BoringSSL) engine where it loads, and, with a client CA, client
 * certificates requested (not required: portals and bearer keys keep working) so an afnemer can
 * authenticate by the OIN in its certificate.
 */
final class Tls {
  /** ECDHE suites for TLS 1.2 and the TLS 1.3 suites (all forward secret). */
  static final List<String> CIPHER_SUITES = List.of(
      "TLS_AES_128_GCM_SHA256",
      "TLS_AES_256_GCM_SHA384",
      "TLS_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  private Tls() {}

  static boolean openSsl() {
    return OpenSSLEngineOptions.isAvailable();
  }

  /** The engine a configuration ends up with. */
  static String engine(EngineConfig config) {
    return "openssl".equals(config.tlsEngine()) && openSsl() ? "OpenSSL engine" : "JDK engine";
  }

  static void configure(HttpServerOptions options, EngineConfig config) {
    options
        .setSsl(true)
        .setKeyCertOptions(
            new PemKeyCertOptions().setCertPath(config.tlsCert()).setKeyPath(config.tlsKey()))
        .setEnabledSecureTransportProtocols(Set.of("TLSv1.2", "TLSv1.3"));
    for (String suite : CIPHER_SUITES) {
      options.addEnabledCipherSuite(suite);
    }
    if ("openssl".equals(config.tlsEngine()) && openSsl()) {
      options.setSslEngineOptions(new OpenSSLEngineOptions());
    }
    if (config.tlsClientCa() != null) {
      options
          .setTrustOptions(new PemTrustOptions().addCertPath(config.tlsClientCa()))
          .setClientAuth(ClientAuth.REQUEST);
    }
  }
}
