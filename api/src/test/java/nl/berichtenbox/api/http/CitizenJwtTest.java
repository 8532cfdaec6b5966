package nl.berichtenbox.api.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** The citizen token's claims, read with the streaming parser: what passes and what does not. */
class CitizenJwtTest {
  private static final String SECRET = "test-secret-0123456789abcdef0123456789";
  private static final String BSN = "999993653";
  private static final long NOW = 1_800_000_000L;
  private final CitizenJwt jwt = new CitizenJwt(SECRET);

  private static String token(String header, String claims) throws Exception {
    Base64.Encoder e = Base64.getUrlEncoder().withoutPadding();
    String input = e.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
        + e.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return input + "." + e.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
  }

  private String claims(String claims) throws Exception {
    return jwt.verify(token("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", claims), NOW);
  }

  @Test
  void validClaims() throws Exception {
    assertEquals(BSN, jwt.verify(jwt.issue(BSN, NOW + 60), NOW));
    assertEquals(BSN, claims("{\"sub\":\"" + BSN + "\",\"exp\":" + (NOW + 1) + "}"));
    assertEquals(
        BSN,
        claims("{\"exp\":" + (NOW - 59) + ".5,\"sub\":\"" + BSN + "\",\"nbf\":" + (NOW + 59)
            + ",\"extra\":{\"a\":[1,{\"b\":2}]},\"iss\":\"portaal\"}"));
  }

  @Test
  void refusedClaims() throws Exception {
    assertNull(claims("{\"sub\":\"" + BSN + "\"}"), "no exp");
    assertNull(
        claims("{\"sub\":\"" + BSN + "\",\"exp\":" + (NOW - 61) + "}"), "expired beyond the skew");
    assertNull(claims("{\"sub\":\"" + BSN + "\",\"exp\":\"" + (NOW + 60) + "\"}"), "exp a string");
    assertNull(
        claims("{\"sub\":\"" + BSN + "\",\"exp\":" + (NOW + 60) + ",\"nbf\":" + (NOW + 61) + "}"),
        "not yet valid");
    assertNull(claims("{\"sub\":123456789,\"exp\":" + (NOW + 60) + "}"), "sub a number");
    assertNull(
        claims("{\"sub\":\"123456789\",\"exp\":" + (NOW + 60) + "}"), "sub fails the elfproef");
    assertNull(
        claims("{\"sub\":\"" + BSN + "\",\"sub\":\"" + BSN + "\",\"exp\":" + (NOW + 60) + "}"),
        "a key twice");
    assertNull(
        claims("{\"sub\":\"" + BSN + "\",\"exp\":" + (NOW + 60) + "} {}"), "trailing content");
    assertNull(claims("[\"" + BSN + "\"]"), "not an object");
    assertNull(claims("{\"sub\":\"" + BSN + "\",\"exp\":" + (NOW + 60)), "cut off");
    assertNull(
        claims("{\"sub\":{\"sub\":\"" + BSN + "\"},\"exp\":" + (NOW + 60) + "}"), "sub an object");
  }

  @Test
  void headerOtherThanHs256IsRefusedEvenAfterAGoodOne() throws Exception {
    String good = "{\"sub\":\"" + BSN + "\",\"exp\":" + (NOW + 60) + "}";
    assertEquals(BSN, claims(good));
    assertNull(jwt.verify(token("{\"alg\":\"none\"}", good), NOW));
    assertNull(jwt.verify(token("{\"alg\":\"HS512\",\"typ\":\"JWT\"}", good), NOW));
    assertNull(jwt.verify(token("{\"alg\":\"HS256\",\"alg\":\"none\"}", good), NOW));
    assertEquals(BSN, claims(good));
    // a signature by another key
    assertNull(new CitizenJwt("another-secret-0123456789abcdef0123")
        .verify(token("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", good), NOW));
  }

  @Test
  void theSignatureMustBeExactlyTheOneWritten() {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    // many tokens, so both kinds of last character (and every spare-bit pattern) occur
    for (long exp = NOW + 60; exp < NOW + 124; exp++) {
      String good = jwt.issue(BSN, exp);
      assertEquals(BSN, jwt.verify(good, NOW));
      char last = good.charAt(good.length() - 1);
      String cut = good.substring(0, good.length() - 1);
      for (int spare = 1; spare < 4; spare++) {
        // a decoder reads the same 32 bytes from these: only the text comparison refuses them
        assertNull(jwt.verify(cut + alphabet.charAt(alphabet.indexOf(last) ^ spare), NOW));
      }
      assertNull(jwt.verify(good + "A", NOW), "a character more");
      assertNull(jwt.verify(cut, NOW), "a character less");
      assertNull(jwt.verify(good + "=", NOW), "padded");
    }
  }
}
