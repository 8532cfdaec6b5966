package nl.berichtenbox.engine.intake;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import nl.berichtenbox.engine.domain.Bericht;
import nl.berichtenbox.engine.domain.Identifiers;
import nl.berichtenbox.engine.domain.InvalidParam;
import nl.berichtenbox.engine.domain.VerwerkingsCode;

/**
 * Every field rule of contract §2.1. Pure and allocation-light: runs on the event loop.
 * All bad fields are reported, not just the first, and the verwerkingsCode is the most
 * specific one that applies.
 */
public final class BerichtValidator {
  public static final int MAX_BIJLAGEN = 2;
  public static final int MAX_BIJLAGEN_BYTES = 512_000;
  private static final byte[] PDF_MAGIC = "%PDF-".getBytes(StandardCharsets.US_ASCII);

  private BerichtValidator() {}

  /** The outcome: either a valid message, or a refusal with its code and bad fields. */
  public record Result(
      Bericht bericht,
      String rawBerichtId,
      VerwerkingsCode code,
      List<InvalidParam> invalidParams) {
    public boolean valid() {
      return bericht != null;
    }
  }

  /**
   * @param json the message object (may be null when the element was not an object)
   * @param prefix name prefix for invalidParams, e.g. "" or "berichten/3/"
   * @param oin the authenticated afnemer; an {@code oin} member that differs is refused
   */
  public static Result validate(Object json, String prefix, String oin, Instant now) {
    if (!(json instanceof JsonObject o)) {
      String name = prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1);
      return new Result(
          null,
          null,
          VerwerkingsCode.ValidatieFout,
          List.of(new InvalidParam(name, "moet een JSON-object zijn")));
    }
    List<InvalidParam> bad = new ArrayList<>(2);
    boolean oinMismatch = false;
    boolean bijlageTeGroot = false;
    boolean publicatieTeVer = false;

    Object rawOin = o.getValue("oin");
    if (rawOin != null && !oin.equals(rawOin)) {
      oinMismatch = true;
      bad.add(
          new InvalidParam(prefix + "oin", "komt niet overeen met de geauthenticeerde afnemer"));
    }

    Object rawId = o.getValue("berichtId");
    UUID berichtId = null;
    if (rawId == null) {
      bad.add(new InvalidParam(prefix + "berichtId", "is verplicht"));
    } else if (!(rawId instanceof String s) || (berichtId = Identifiers.parseUuid(s)) == null) {
      bad.add(new InvalidParam(prefix + "berichtId", "moet een UUID zijn"));
    }

    String berichtType = string(o, "berichtType", prefix, true, 1, 8, true, bad);
    if (berichtType != null && !Identifiers.isBerichtTypeCode(berichtType)) {
      bad.add(new InvalidParam(
          prefix + "berichtType", "mag alleen letters, cijfers, '.', '_' en '-' bevatten"));
      berichtType = null;
    }

    Object rawBsn = o.getValue("bsn");
    String bsn = null;
    if (rawBsn == null) {
      bad.add(new InvalidParam(prefix + "bsn", "is verplicht"));
    } else if (!(rawBsn instanceof String s) || !Identifiers.isBsn(s)) {
      bad.add(new InvalidParam(prefix + "bsn", "moet 9 cijfers zijn die de elfproef doorstaan"));
    } else {
      bsn = s;
    }

    String onderwerp = string(o, "onderwerp", prefix, true, 1, 50, true, bad);
    if (onderwerp != null && onderwerp.isBlank()) {
      bad.add(new InvalidParam(prefix + "onderwerp", "mag niet leeg zijn"));
      onderwerp = null;
    }
    String tekst = string(o, "berichtTekst", prefix, false, 0, 4000, false, bad);
    String referentie = string(o, "referentie", prefix, false, 0, 25, true, bad);

    Instant publicatie = null;
    Object rawPub = o.getValue("publicatieDatum");
    if (rawPub != null) {
      if (!(rawPub instanceof String s)) {
        bad.add(new InvalidParam(prefix + "publicatieDatum", "moet een RFC 3339-tijdstip zijn"));
      } else {
        try {
          publicatie = OffsetDateTime.parse(s).toInstant();
          if (publicatie.isAfter(now.plus(Bericht.TERMIJN))) {
            publicatieTeVer = true;
            bad.add(new InvalidParam(
                prefix + "publicatieDatum", "ligt meer dan 13 dagen in de toekomst"));
          }
        } catch (DateTimeParseException e) {
          bad.add(new InvalidParam(
              prefix + "publicatieDatum", "moet een RFC 3339-tijdstip met tijdzone zijn"));
        }
      }
    }

    LocalDate eindDatum = null;
    Object rawEind = o.getValue("eindDatumHandelingsTermijn");
    if (rawEind != null) {
      try {
        if (!(rawEind instanceof String s) || s.length() != 10) {
          throw new DateTimeParseException("", "", 0);
        }
        eindDatum = LocalDate.parse(s);
      } catch (DateTimeParseException e) {
        bad.add(new InvalidParam(
            prefix + "eindDatumHandelingsTermijn", "moet een datum JJJJ-MM-DD zijn"));
      }
    }

    List<Bericht.Bijlage> bijlagen = List.of();
    Object rawBijlagen = o.getValue("bijlagen");
    if (rawBijlagen != null) {
      if (!(rawBijlagen instanceof JsonArray arr)) {
        bad.add(new InvalidParam(prefix + "bijlagen", "moet een lijst zijn"));
      } else if (arr.size() > MAX_BIJLAGEN) {
        bijlageTeGroot = true;
        bad.add(new InvalidParam(prefix + "bijlagen", "hoogstens 2 bijlagen"));
      } else {
        long estimated = 0;
        for (int i = 0; i < arr.size(); i++) {
          if (arr.getValue(i) instanceof JsonObject b) {
            Object inhoud = b.getValue("inhoud");
            int tekens = inhoud instanceof String s
                ? s.length()
                : inhoud instanceof Base64Text t ? t.lengte() : 0;
            estimated += (long) tekens * 3 / 4 - 2;
          }
        }
        if (estimated > MAX_BIJLAGEN_BYTES) {
          bijlageTeGroot = true;
          bad.add(new InvalidParam(prefix + "bijlagen", "samen groter dan 512000 bytes"));
        } else {
          bijlagen = bijlagen(arr, prefix, bad);
          long total = 0;
          for (Bericht.Bijlage b : bijlagen) {
            total += b.inhoud().length;
          }
          if (total > MAX_BIJLAGEN_BYTES) {
            bijlageTeGroot = true;
            bad.add(new InvalidParam(prefix + "bijlagen", "samen groter dan 512000 bytes"));
          }
        }
      }
    }

    String rawBerichtId = rawId instanceof String s ? s : null;
    if (!bad.isEmpty()) {
      VerwerkingsCode code = oinMismatch
          ? VerwerkingsCode.OinKomtNietOvereen
          : bijlageTeGroot
              ? VerwerkingsCode.BijlageTeGroot
              : publicatieTeVer
                  ? VerwerkingsCode.PublicatieDatumLigtTeVerInDeToekomst
                  : VerwerkingsCode.ValidatieFout;
      return new Result(null, rawBerichtId, code, bad);
    }
    Bericht bericht = new Bericht(
        berichtId,
        berichtType,
        bsn,
        onderwerp,
        tekst == null ? "" : tekst,
        referentie,
        publicatie,
        eindDatum,
        bijlagen,
        digest(o));
    return new Result(bericht, rawBerichtId, null, List.of());
  }

  private static List<Bericht.Bijlage> bijlagen(
      JsonArray arr, String prefix, List<InvalidParam> bad) {
    List<Bericht.Bijlage> out = new ArrayList<>(arr.size());
    boolean[] seen = new boolean[MAX_BIJLAGEN + 1];
    for (int i = 0; i < arr.size(); i++) {
      String p = prefix + "bijlagen/" + i + "/";
      if (!(arr.getValue(i) instanceof JsonObject b)) {
        bad.add(new InvalidParam(prefix + "bijlagen/" + i, "moet een JSON-object zijn"));
        continue;
      }
      int before = bad.size();
      String omschrijving = string(b, "omschrijving", p, true, 1, 128, true, bad);
      Object rawVolgorde = b.getValue("volgorde");
      int volgorde = -1;
      if (!(rawVolgorde instanceof Integer || rawVolgorde instanceof Long)
          || ((Number) rawVolgorde).longValue() < 1
          || ((Number) rawVolgorde).longValue() > MAX_BIJLAGEN) {
        bad.add(new InvalidParam(p + "volgorde", "moet 1 of 2 zijn"));
      } else {
        volgorde = ((Number) rawVolgorde).intValue();
        if (seen[volgorde]) {
          bad.add(new InvalidParam(p + "volgorde", "komt twee keer voor"));
        }
        seen[volgorde] = true;
      }
      Object mediaType = b.getValue("mediaType");
      if (!"application/pdf".equals(mediaType)) {
        bad.add(new InvalidParam(p + "mediaType", "moet application/pdf zijn"));
      }
      byte[] inhoud = null;
      Object rawInhoud = b.getValue("inhoud");
      if (rawInhoud instanceof Base64Text t || (rawInhoud instanceof String s && !s.isEmpty())) {
        inhoud = rawInhoud instanceof Base64Text t ? t.decode() : decodeBase64((String) rawInhoud);
        if (inhoud == null) {
          bad.add(new InvalidParam(p + "inhoud", "is geen geldige base64"));
        } else if (!startsWith(inhoud, PDF_MAGIC)) {
          bad.add(new InvalidParam(p + "inhoud", "is geen PDF-bestand"));
        }
      } else {
        bad.add(new InvalidParam(p + "inhoud", "is verplicht (base64)"));
      }
      if (bad.size() == before) {
        out.add(new Bericht.Bijlage(omschrijving, volgorde, "application/pdf", inhoud));
      }
    }
    return out;
  }

  static byte[] decodeBase64(String s) {
    try {
      return Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      if (s.indexOf('\n') >= 0) {
        try {
          return Base64.getDecoder().decode(s.replace("\r", "").replace("\n", ""));
        } catch (IllegalArgumentException e2) {
          return null;
        }
      }
      return null;
    }
  }

  private static boolean startsWith(byte[] data, byte[] prefix) {
    if (data.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (data[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static String string(
      JsonObject o,
      String field,
      String prefix,
      boolean required,
      int min,
      int max,
      boolean singleLine,
      List<InvalidParam> bad) {
    Object v = o.getValue(field);
    if (v == null) {
      if (required) {
        bad.add(new InvalidParam(prefix + field, "is verplicht"));
      }
      return null;
    }
    if (!(v instanceof String s)) {
      bad.add(new InvalidParam(prefix + field, "moet tekst zijn"));
      return null;
    }
    int len = s.codePointCount(0, s.length());
    if (len < min || len > max) {
      bad.add(
          new InvalidParam(prefix + field, "moet " + min + " tot " + max + " tekens lang zijn"));
      return null;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 && (singleLine || (c != '\n' && c != '\r' && c != '\t'))) {
        bad.add(new InvalidParam(prefix + field, "bevat een stuurteken"));
        return null;
      }
      if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++; // a whole pair: one character beyond the BMP
        continue;
      }
      // half a surrogate pair is no character: stored as UTF-8 it would silently become '?'
      if (Character.isSurrogate(c)) {
        bad.add(new InvalidParam(prefix + field, "bevat een ongeldig teken (een los surrogaat)"));
        return null;
      }
    }
    return s;
  }

  /**
   * SHA-256 over a canonical rendering: object keys sorted, no insignificant whitespace. The
   * rendering is streamed into the digest, never built as one string: with a 100 kB attachment
   * building it was a third of intake CPU.
   */
  public static byte[] digest(JsonObject o) {
    try {
      Canonical c = new Canonical(MessageDigest.getInstance("SHA-256"));
      c.value(o);
      return c.finish();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes canonical JSON into a digest through a small buffer. */
  private static final class Canonical {
    private final MessageDigest md;
    private final StringBuilder small = new StringBuilder(512);
    /** Sized by the longest string so far, at most 8 kB: a 2 KB message's text needs 2 kB, not 8. */
    private byte[] chunk;

    Canonical(MessageDigest md) {
      this.md = md;
    }

    byte[] finish() {
      flush();
      return md.digest();
    }

    private void flush() {
      if (small.length() > 0) {
        md.update(small.toString().getBytes(StandardCharsets.UTF_8));
        small.setLength(0);
      }
    }

    @SuppressWarnings("unchecked")
    void value(Object v) {
      if (v instanceof Map<?, ?> m) {
        v = new JsonObject((Map<String, Object>) m);
      } else if (v instanceof List<?> l) {
        v = new JsonArray(l);
      }
      if (v instanceof JsonObject obj) {
        small.append('{');
        boolean first = true;
        for (Map.Entry<String, Object> e : new TreeMap<>(obj.getMap()).entrySet()) {
          if (!first) {
            small.append(',');
          }
          first = false;
          string(e.getKey());
          small.append(':');
          value(e.getValue());
        }
        small.append('}');
      } else if (v instanceof JsonArray arr) {
        small.append('[');
        for (int i = 0; i < arr.size(); i++) {
          if (i > 0) {
            small.append(',');
          }
          value(arr.getValue(i));
        }
        small.append(']');
      } else if (v instanceof String str) {
        string(str);
      } else if (v instanceof Base64Text t) {
        // the same bytes as the string's: base64 needs no escapes and is ASCII
        small.append('"');
        flush();
        t.digest(md);
        small.append('"');
      } else if (v instanceof Number n) {
        double d = n.doubleValue();
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
          small.append((long) d);
        } else {
          small.append(d);
        }
      } else {
        small.append(v);
      }
    }

    private void string(String s) {
      if (s.length() > 256 && clean(s)) {
        // long and plain (base64): straight into the digest, ASCII in 8 kB chunks of one buffer,
        // not as a copy of the whole (133 kB for a 100 kB attachment)
        small.append('"');
        flush();
        if (ascii(s)) {
          if (chunk == null || chunk.length < Math.min(8192, s.length())) {
            chunk = new byte[Math.min(8192, s.length())];
          }
          for (int i = 0; i < s.length(); i += chunk.length) {
            int end = Math.min(s.length(), i + chunk.length);
            for (int j = i; j < end; j++) {
              chunk[j - i] = (byte) s.charAt(j);
            }
            md.update(chunk, 0, end - i);
          }
        } else {
          md.update(s.getBytes(StandardCharsets.UTF_8));
        }
        small.append('"');
        return;
      }
      small.append('"');
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == '"' || c == '\\') {
          small.append('\\').append(c);
        } else if (c < 0x20) {
          small.append(String.format("\\u%04x", (int) c));
        } else {
          small.append(c);
        }
      }
      small.append('"');
      if (small.length() > 8192) {
        flush();
      }
    }

    private static boolean ascii(String s) {
      for (int i = 0; i < s.length(); i++) {
        if (s.charAt(i) >= 0x80) {
          return false;
        }
      }
      return true;
    }

    private static boolean clean(String s) {
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == '"' || c == '\\' || c < 0x20) {
          return false;
        }
      }
      return true;
    }
  }
}
