package nl.berichtenbox.engine.berichtenbox;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * An opaque keyset cursor: the position (visible-from time, id) of the last message of a page,
 * bound to the citizen and the filters it was made for, and signed (HMAC-SHA256, 128 bits), so a
 * changed or foreign cursor is refused instead of being followed.
 */
public final class Cursor {
  /** Where the next page starts: strictly older than this (time in µs since the epoch, then id). */
  public record Positie(long micros, long id) {}

  private static final int PAYLOAD = 16;
  private static final int MAC = 16;
  private final SecretKeySpec key;
  private final ThreadLocal<Mac> macs;

  public Cursor(byte[] secret) {
    this.key = new SecretKeySpec(secret, "HmacSHA256");
    this.macs = ThreadLocal.withInitial(() -> {
      try {
        Mac m = Mac.getInstance("HmacSHA256");
        m.init(key);
        return m;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  public String encode(Positie p, String scope) {
    ByteBuffer b = ByteBuffer.allocate(PAYLOAD + MAC);
    b.putLong(p.micros()).putLong(p.id());
    b.put(mac(b.array(), scope), 0, MAC);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
  }

  /** The position, or null when the cursor is malformed, altered, or made for another scope. */
  public Positie decode(String cursor, String scope) {
    if (cursor == null || cursor.length() > 64) {
      return null;
    }
    byte[] raw;
    try {
      raw = Base64.getUrlDecoder().decode(cursor);
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (raw.length != PAYLOAD + MAC) {
      return null;
    }
    byte[] expected = mac(raw, scope);
    byte[] given = new byte[MAC];
    System.arraycopy(raw, PAYLOAD, given, 0, MAC);
    byte[] want = new byte[MAC];
    System.arraycopy(expected, 0, want, 0, MAC);
    if (!MessageDigest.isEqual(given, want)) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(raw);
    return new Positie(b.getLong(), b.getLong());
  }

  private byte[] mac(byte[] payload, String scope) {
    Mac m = macs.get();
    m.update(payload, 0, PAYLOAD);
    return m.doFinal(scope.getBytes(StandardCharsets.UTF_8));
  }
}
