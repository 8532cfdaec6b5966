package nl.berichtenbox.api.http;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import nl.berichtenbox.engine.domain.Identifiers;

/**
 * Verifies the portal's citizen token (contract §1): HS256 only, signature checked in constant
 * time, {@code exp} required, 60 s clock skew, {@code sub} a valid BSN. Small enough to own,
 * and it never looks at a header other than to refuse every algorithm but HS256.
 */
public final class CitizenJwt {
  public static final long SKEW_SECONDS = 60;
  private final SecretKeySpec key;

  public CitizenJwt(String secret) {
    this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
  }

  /** The BSN in a valid token, or null. */
  public String verify(String token, long nowEpochSeconds) {
    if (token == null || token.length() > 4096) {
      return null;
    }
    int d1 = token.indexOf('.');
    int d2 = token.indexOf('.', d1 + 1);
    if (d1 <= 0 || d2 <= d1 || token.indexOf('.', d2 + 1) >= 0) {
      return null;
    }
    try {
      Base64.Decoder dec = Base64.getUrlDecoder();
      JsonObject header = new JsonObject(new String(dec.decode(token.substring(0, d1)), StandardCharsets.UTF_8));
      if (!"HS256".equals(header.getValue("alg"))) {
        return null;
      }
      byte[] sig = dec.decode(token.substring(d2 + 1));
      if (!MessageDigest.isEqual(sig, sign(token.substring(0, d2)))) {
        return null;
      }
      JsonObject claims = new JsonObject(new String(dec.decode(token.substring(d1 + 1, d2)), StandardCharsets.UTF_8));
      if (!(claims.getValue("exp") instanceof Number exp) || exp.longValue() + SKEW_SECONDS < nowEpochSeconds) {
        return null;
      }
      if (claims.getValue("nbf") instanceof Number nbf && nbf.longValue() - SKEW_SECONDS > nowEpochSeconds) {
        return null;
      }
      return claims.getValue("sub") instanceof String sub && Identifiers.isBsn(sub) ? sub : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** Issues a token; for tests and tools that play the portal. */
  public String issue(String bsn, long expEpochSeconds) {
    Base64.Encoder enc = Base64.getUrlEncoder().withoutPadding();
    String head = enc.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    String body = enc.encodeToString(new JsonObject().put("sub", bsn).put("exp", expEpochSeconds).encode()
        .getBytes(StandardCharsets.UTF_8));
    return head + "." + body + "." + enc.encodeToString(sign(head + "." + body));
  }

  private byte[] sign(String signingInput) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }
}
