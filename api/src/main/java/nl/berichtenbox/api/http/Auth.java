package nl.berichtenbox.api.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import nl.berichtenbox.engine.afnemers.Afnemer;
import nl.berichtenbox.engine.afnemers.Afnemers;

/** The three identities of contract §1 as route handlers; each puts the caller in the context. */
public final class Auth {
  public static final String AFNEMER = "afnemer";
  public static final String BSN = "bsn";

  private final Afnemers afnemers;
  private final byte[] adminDigest;
  private final CitizenJwt jwt;

  public Auth(Afnemers afnemers, String adminToken, CitizenJwt jwt) {
    this.afnemers = afnemers;
    this.adminDigest = sha256(adminToken);
    this.jwt = jwt;
  }

  private static String bearer(RoutingContext ctx) {
    String h = ctx.request().getHeader("Authorization");
    if (h == null || h.length() < 8 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    return h.substring(7).trim();
  }

  private static void unauthorized(RoutingContext ctx, String detail) {
    ctx.response().putHeader("WWW-Authenticate", "Bearer");
    Problems.send(ctx, 401, "Niet geauthenticeerd", detail);
  }

  public Handler<RoutingContext> afnemer() {
    return ctx -> {
      String key = bearer(ctx);
      if (key == null) {
        unauthorized(ctx, "een afnemer meldt zich met Authorization: Bearer <apiSleutel>");
        return;
      }
      afnemers.authenticate(key).onComplete(ar -> {
        if (ar.failed()) {
          Problems.fail(ctx, ar.cause());
        } else if (ar.result() == null) {
          unauthorized(ctx, "onbekende of ingetrokken apiSleutel");
        } else {
          ctx.put(AFNEMER, ar.result());
          ctx.next();
        }
      });
    };
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
      String bsn = jwt.verify(bearer(ctx), System.currentTimeMillis() / 1000);
      if (bsn == null) {
        unauthorized(ctx, "een geldig burger-token (HS256 JWT met sub en exp) is nodig");
        return;
      }
      ctx.put(BSN, bsn);
      ctx.next();
    };
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
