package nl.berichtenbox.engine.intake;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;

/**
 * An attachment's base64 content as {@link BerichtJson} found it: a view on the request body's
 * bytes, which are the string's characters (plain base64, no escapes). Never copied into a string.
 */
final class Base64Text {
  private final byte[] bron;
  private final int from;
  private final int lengte;

  Base64Text(byte[] bron, int from, int lengte) {
    this.bron = bron;
    this.from = from;
    this.lengte = lengte;
  }

  /** The number of characters. */
  int lengte() {
    return lengte;
  }

  /** The decoded bytes, or null when it is not valid base64 (as {@link BerichtValidator#decodeBase64}). */
  byte[] decode() {
    try {
      // the decoder sizes its array to the decoded length (a wrap of it from 0): no copy as a rule
      ByteBuffer out = Base64.getDecoder().decode(ByteBuffer.wrap(bron, from, lengte));
      return out.remaining() == out.array().length
          ? out.array()
          : Arrays.copyOf(out.array(), out.remaining());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** Feeds the characters, as UTF-8 (ASCII), to a digest. */
  void digest(MessageDigest md) {
    md.update(bron, from, lengte);
  }

  /** The string itself: for tests and for a rendering that needs one. */
  @Override
  public String toString() {
    return new String(bron, from, lengte, StandardCharsets.US_ASCII);
  }
}
