package nl.berichtenbox.engine.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import org.junit.jupiter.api.Test;

class SecretsTest {
  private final Secrets g = new Secrets("portal-secret-0123456789abcdef0123456789");

  @Test
  void aSecretIsStoredEncryptedAndComesBackWhole() {
    String opgeslagen = g.encrypt("callback-geheim-xyz");
    assertTrue(Secrets.isEncrypted(opgeslagen));
    assertFalse(opgeslagen.contains("callback-geheim-xyz"));
    assertNotEquals(opgeslagen, g.encrypt("callback-geheim-xyz"), "a fresh nonce every time");
    assertEquals("callback-geheim-xyz", g.decrypt(opgeslagen));
    assertEquals(
        "callback-geheim-xyz",
        new Secrets("portal-secret-0123456789abcdef0123456789").decrypt(opgeslagen),
        "another process with the same portal secret reads it");
  }

  @Test
  void aChangedKeyOrATamperedValueIsRefusedAndAClearValueIsReadAsItIs() {
    String opgeslagen = g.encrypt("callback-geheim-xyz");
    assertThrows(
        IllegalStateException.class,
        () -> new Secrets("another-portal-secret-0123456789abcdef").decrypt(opgeslagen));
    byte[] b = Base64.getDecoder().decode(opgeslagen.substring(3));
    b[b.length - 1] ^= 1;
    assertThrows(
        IllegalStateException.class,
        () -> g.decrypt("v1:" + Base64.getEncoder().encodeToString(b)));
    assertThrows(IllegalStateException.class, () -> g.decrypt("v1:niet-base64!"));
    assertEquals("oud-geheim", g.decrypt("oud-geheim"), "stored before encryption came in");
    assertEquals(null, g.decrypt(null));
  }
}
