package nl.berichtenbox.engine.support;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keys derived from the portal secret, one per purpose (cursors, pseudonyms, secrets at rest):
 * HMAC-SHA256 of the purpose's label under the secret. Every process of an installation derives
 * the same keys, and no key reveals another or the secret.
 */
public final class Keys {
  private Keys() {}

  public static byte[] derive(String portalSecret, String label) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(portalSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac.doFinal(label.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
