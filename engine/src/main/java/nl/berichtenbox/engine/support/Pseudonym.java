package nl.berichtenbox.engine.support;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A citizen's pseudonym for events that leave the engine: HMAC-SHA256 of the BSN under a key
 * derived from the portal secret, hex. Stable across processes and restarts; without the key it
 * cannot be turned back into a BSN (nor guessed by trying all BSNs).
 */
public final class Pseudonym {
  private final SecretKeySpec key;

  public Pseudonym(String portalSecret) {
    this.key =
        new SecretKeySpec(Keys.derive(portalSecret, "berichtenbox-pseudoniem-v1"), "HmacSHA256");
  }

  public String of(String bsn) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return HexFormat.of().formatHex(mac.doFinal(bsn.trim().getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
