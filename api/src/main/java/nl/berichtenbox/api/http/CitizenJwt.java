package nl.berichtenbox.api.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
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
  private static final JsonFactory CLAIMS =
      JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
  private static final Base64.Encoder SIGNATURE = Base64.getUrlEncoder().withoutPadding();
  private final SecretKeySpec key;
  /** One Mac per event loop: looking one up and initialising it was most of a token's cost. */
  private final ThreadLocal<Mac> mac;
  /** The last header segment that passed (HS256). */
  private volatile String knownHeader;

  public CitizenJwt(String secret) {
    this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    this.mac = ThreadLocal.withInitial(this::newMac);
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac;
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
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
      // the portal sends the same header every time: once it has passed, it is not decoded again
      String kop = knownHeader;
      if (kop == null || d1 != kop.length() || !token.startsWith(kop)) {
        JsonObject header =
            new JsonObject(new String(dec.decode(token.substring(0, d1)), StandardCharsets.UTF_8));
        if (!"HS256".equals(header.getValue("alg"))) {
          return null;
        }
        knownHeader = token.substring(0, d1);
      }
      byte[] ascii = token.getBytes(StandardCharsets.US_ASCII);
      Mac mac = this.mac.get();
      mac.update(ascii, 0, d2);
      // compared as text, not decoded: a decoder ignores the last character's spare bits, so a
      // token whose final character was changed within them would otherwise still pass
      byte[] expected = SIGNATURE.encode(mac.doFinal());
      if (ascii.length - d2 - 1 != expected.length
          || !MessageDigest.isEqual(expected, Arrays.copyOfRange(ascii, d2 + 1, ascii.length))) {
        return null;
      }
      return claims(dec.decode(token.substring(d1 + 1, d2)), nowEpochSeconds);
    } catch (RuntimeException | IOException e) {
      return null;
    }
  }

  /**
   * sub, when exp (required) and nbf (if present) allow now. Read with a streaming parser, not
   * into maps: one token a request, and with the Mac lookup the token was 13 % of a portal request's
   * allocation.
   * Refuses what the map decoder refused: anything but one object, a key given twice.
   */
  private static String claims(byte[] json, long now) throws IOException {
    Long exp = null;
    Long nbf = null;
    String sub = null;
    try (JsonParser p = CLAIMS.createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        if ("exp".equals(name) || "nbf".equals(name)) {
          Long n = v == JsonToken.VALUE_NUMBER_INT
              ? Long.valueOf(p.getNumberValue().longValue())
              : v == JsonToken.VALUE_NUMBER_FLOAT ? Long.valueOf((long) p.getDoubleValue()) : null;
          if ("exp".equals(name)) {
            exp = n;
          } else {
            nbf = n;
          }
        } else if ("sub".equals(name)) {
          sub = v == JsonToken.VALUE_STRING ? p.getText() : null;
        }
        p.skipChildren();
      }
      if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
        return null;
      }
    }
    if (exp == null || exp + SKEW_SECONDS < now) {
      return null;
    }
    if (nbf != null && nbf - SKEW_SECONDS > now) {
      return null;
    }
    return sub != null && Identifiers.isBsn(sub) ? sub : null;
  }

  /**
   * The {@code exp} of a token {@link #verify} accepted (epoch seconds): when a long-lived answer
   * (the event stream) made with it has to end. Read only there, not on every request.
   */
  public static long expiry(String token) {
    try {
      int d1 = token.indexOf('.');
      int d2 = token.indexOf('.', d1 + 1);
      JsonObject claims = new JsonObject(new String(
          Base64.getUrlDecoder().decode(token.substring(d1 + 1, d2)), StandardCharsets.UTF_8));
      return ((Number) claims.getValue("exp")).longValue();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a token verify accepted", e);
    }
  }

  /** Issues a token; for tests and tools that play the portal. */
  public String issue(String bsn, long expEpochSeconds) {
    Base64.Encoder enc = Base64.getUrlEncoder().withoutPadding();
    String head =
        enc.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    String body = enc.encodeToString(new JsonObject()
        .put("sub", bsn)
        .put("exp", expEpochSeconds)
        .encode()
        .getBytes(StandardCharsets.UTF_8));
    return head + "." + body + "." + enc.encodeToString(sign(head + "." + body));
  }

  private byte[] sign(String signingInput) {
    return mac.get().doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
  }
}
