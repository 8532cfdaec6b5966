package nl.berichtenbox.engine.support;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Secrets the engine must use again and so cannot hash (an afnemer's callback secret, with which
 * it signs pushed receipts), kept encrypted at rest: AES-256-GCM under a key derived from the
 * portal secret (HMAC-SHA256 with its own label), so every process of one installation has it
 * and nothing else needs configuring. Stored as {@code v1:<base64 of nonce and ciphertext>}; a
 * database dump or backup alone does not give the secrets away.
 */
public final class Secrets {
  private static final String VERSION = "v1:";
  private static final SecureRandom RANDOM = new SecureRandom();
  private final SecretKeySpec key;

  public Secrets(String portalSecret) {
    key = new SecretKeySpec(Keys.derive(portalSecret, "berichtenbox-geheimen-v1"), "AES");
  }

  public static boolean isEncrypted(String opgeslagen) {
    return opgeslagen != null && opgeslagen.startsWith(VERSION);
  }

  public String encrypt(String secret) {
    if (secret == null) {
      return null;
    }
    try {
      byte[] nonce = new byte[12];
      RANDOM.nextBytes(nonce);
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
      byte[] ct = c.doFinal(secret.getBytes(StandardCharsets.UTF_8));
      return VERSION
          + Base64.getEncoder()
              .encodeToString(
                  ByteBuffer.allocate(12 + ct.length).put(nonce).put(ct).array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The secret; a value stored before encryption came in is returned as it is.
   *
   * @throws IllegalStateException when it was encrypted under another key (the portal secret changed)
   */
  public String decrypt(String opgeslagen) {
    if (opgeslagen == null || !isEncrypted(opgeslagen)) {
      return opgeslagen;
    }
    try {
      byte[] all = Base64.getDecoder().decode(opgeslagen.substring(VERSION.length()));
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, all, 0, 12));
      return new String(c.doFinal(all, 12, all.length - 12), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalStateException(
          "a stored secret cannot be decrypted: was BERICHTENBOX_PORTAL_JWT_SECRET changed?");
    }
  }
}
