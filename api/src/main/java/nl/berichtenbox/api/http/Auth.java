package nl.berichtenbox.api.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.security.auth.x500.X500Principal;
import nl.berichtenbox.engine.afnemers.Afnemer;
import nl.berichtenbox.engine.afnemers.Afnemers;

/** The three identities of contract §1 as route handlers; each puts the caller in the context. */
public final class Auth {
  public static final String AFNEMER = "afnemer";
  public static final String BSN = "bsn";

  private final Afnemers afnemers;
  private final byte[] adminDigest;
  private final CitizenJwt jwt;
  private final Clock clock;

  /** @param bezoek told of every authenticated citizen request (the monthly report's visitors) */
  private final Consumer<String> bezoek;

  public Auth(
      Afnemers afnemers, String adminToken, CitizenJwt jwt, Consumer<String> bezoek, Clock clock) {
    this.afnemers = afnemers;
    this.clock = clock;
    this.adminDigest = sha256(adminToken);
    this.jwt = jwt;
    this.bezoek = bezoek;
  }

  private static String bearer(RoutingContext ctx) {
    String h = ctx.request().getHeader("Authorization");
    if (h == null || h.length() < 8 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    return h.substring(7).trim();
  }

  /** When the citizen's token of this request expires (epoch seconds); after {@link #burger()}. */
  public static long tokenExpiry(RoutingContext ctx) {
    return CitizenJwt.expiry(bearer(ctx));
  }

  private static void unauthorized(RoutingContext ctx, String detail) {
    ctx.response().putHeader("WWW-Authenticate", "Bearer");
    Problems.send(ctx, 401, "Niet geauthenticeerd", detail);
  }

  /**
   * An afnemer by the OIN in its TLS client certificate (Subject serialNumber), or else by bearer
   * key. A certificate whose OIN is unknown or inactive is refused, even with a valid key.
   */
  public Handler<RoutingContext> afnemer() {
    return ctx -> {
      X509Certificate cert = clientCertificate(ctx);
      if (cert != null) {
        String oin = oin(cert);
        if (oin == null) {
          unauthorized(
              ctx, "het clientcertificaat draagt geen OIN in het serialNumber van het Subject");
          return;
        }
        proceed(
            ctx,
            afnemers.byOin(oin),
            "het OIN van het clientcertificaat is onbekend of niet actief");
        return;
      }
      String key = bearer(ctx);
      if (key == null) {
        unauthorized(ctx, "een afnemer meldt zich met Authorization: Bearer <apiSleutel>");
        return;
      }
      proceed(ctx, afnemers.authenticate(key), "onbekende of ingetrokken apiSleutel");
    };
  }

  /** Goes on as the afnemer found, or answers 401 with {@code refusal}. */
  private static void proceed(RoutingContext ctx, Future<Afnemer> lookup, String refusal) {
    lookup.onComplete(ar -> {
      if (ar.failed()) {
        Problems.fail(ctx, ar.cause());
      } else if (ar.result() == null) {
        unauthorized(ctx, refusal);
      } else {
        ctx.put(AFNEMER, ar.result());
        ctx.next();
      }
    });
  }

  public Handler<RoutingContext> beheerder() {
    return ctx -> {
      String token = bearer(ctx);
      if (token == null || !MessageDigest.isEqual(sha256(token), adminDigest)) {
        unauthorized(ctx, "beheer vraagt Authorization: Bearer <BERICHTENBOX_ADMIN_TOKEN>");
        return;
      }
      ctx.next();
    };
  }

  public Handler<RoutingContext> burger() {
    return ctx -> {
      String bsn = jwt.verify(bearer(ctx), clock.millis() / 1000);
      if (bsn == null) {
        unauthorized(ctx, "een geldig burger-token (HS256 JWT met sub en exp) is nodig");
        return;
      }
      ctx.put(BSN, bsn);
      bezoek.accept(bsn);
      ctx.next();
    };
  }

  private static X509Certificate clientCertificate(RoutingContext ctx) {
    if (!ctx.request().isSSL()) {
      return null;
    }
    try {
      List<Certificate> chain = ctx.request().connection().peerCertificates();
      return chain != null && !chain.isEmpty() && chain.get(0) instanceof X509Certificate x
          ? x
          : null;
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
  }

  /** The OIN: the Subject's serialNumber attribute (OID 2.5.4.5), 20 digits. */
  static String oin(X509Certificate cert) {
    String dn = cert.getSubjectX500Principal()
        .getName(X500Principal.RFC2253, Map.of("2.5.4.5", "SERIALNUMBER"));
    try {
      for (Rdn rdn : new LdapName(dn).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("SERIALNUMBER")
            && rdn.getValue() instanceof String v
            && v.matches("\\d{20}")) {
          return v;
        }
      }
    } catch (InvalidNameException e) {
      return null;
    }
    return null;
  }

  public static Afnemer afnemer(RoutingContext ctx) {
    return ctx.get(AFNEMER);
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
