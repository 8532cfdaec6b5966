package nl.berichtenbox.engine.intake;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonTokenId;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nl.berichtenbox.engine.support.VertxInternals;

/**
 * Decodes an intake body (a single message or a JSON batch) to the same values
 * as Vert.x's decoder ({@code Buffer.toJsonValue()}: comments allowed, a key twice in one object
 * refused, numbers as Jackson reads them), with one difference: a long attachment content
 * ({@code bijlagen[i].inhoud}) that is plain base64 is not copied into a Java string but kept as
 * a view on the body's bytes ({@link Base64Text}); the validator decodes it once, into the
 * attachment's bytes. With a 100 kB attachment the string's copies (Jackson's character segments,
 * their joined array, the string) were most of the 790 kB decoding and validating allocated per
 * message (JMH; 112 kB now), and at 500 such messages a second the heap's churn stalled intake.
 * NDJSON lines and Kafka records are decoded as before: a view must not outlive its buffer.
 */
public final class BerichtJson {
  /** Shorter contents are read as strings: the view only pays off for large ones. */
  static final int MIN_VIEW = 1024;

  private static final JsonFactory FACTORY = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
      .build();

  private BerichtJson() {}

  /**
   * The body as a {@link JsonObject}, {@link JsonArray}, string, number, boolean or null.
   *
   * @throws DecodeException when it is not JSON, has trailing content or a key twice in an object
   */
  public static Object decode(Buffer body) {
    var inPlace = VertxInternals.inPlace(body);
    if (inPlace == null) {
      return body.toJsonValue();
    }
    byte[] a = inPlace.array();
    int start = inPlace.offset();
    int end = start + inPlace.length();
    try (JsonParser p = FACTORY.createParser(a, start, end - start)) {
      p.nextToken();
      Object v = new Lezer(p, a, start, end).waarde(false, false);
      if (p.nextToken() != null) {
        throw new DecodeException("Unexpected trailing token");
      }
      return v instanceof Map<?, ?> m
          ? new JsonObject(cast(m))
          : v instanceof List<?> l ? new JsonArray(l) : v;
    } catch (IOException e) {
      throw new DecodeException(e.getMessage(), e);
    }
  }

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ENEN = 0x0101010101010101L;
  private static final long HOOG = 0x8080808080808080L;
  private static final long QUOTES = 0x2222222222222222L;
  private static final long BACKSLASHES = 0x5C5C5C5C5C5C5C5CL;

  /**
   * The index of the first '"' or '\\' from {@code i}, or {@code end}: eight bytes a step (a word
   * holds such a byte when its XOR with the byte repeated has a zero byte), since the scan of a
   * 133 kB attachment was a tenth of the event loops' samples byte by byte.
   */
  static int eindeOfEscape(byte[] a, int i, int end) {
    while (i + 8 <= end) {
      long w = (long) LONGS.get(a, i);
      if (nulByte(w ^ QUOTES) || nulByte(w ^ BACKSLASHES)) {
        break;
      }
      i += 8;
    }
    while (i < end && a[i] != '"' && a[i] != '\\') {
      i++;
    }
    return i;
  }

  private static boolean nulByte(long x) {
    return ((x - ENEN) & ~x & HOOG) != 0;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> cast(Map<?, ?> m) {
    return (Map<String, Object>) m;
  }

  /** One parse: nested objects and arrays as the maps and lists a JsonObject holds. */
  private record Lezer(JsonParser p, byte[] a, int start, int end) {
    /**
     * @param inBijlagen the value is an element of a {@code bijlagen} array
     * @param inhoud the value is the {@code inhoud} member of such an element
     */
    Object waarde(boolean inBijlagen, boolean inhoud) throws IOException {
      switch (p.currentTokenId()) {
        case JsonTokenId.ID_START_OBJECT:
          return object(inBijlagen);
        case JsonTokenId.ID_START_ARRAY:
          return array(false);
        case JsonTokenId.ID_STRING:
          return inhoud ? inhoud() : p.getText();
        case JsonTokenId.ID_NUMBER_INT:
        case JsonTokenId.ID_NUMBER_FLOAT:
          return p.getNumberValue();
        case JsonTokenId.ID_TRUE:
          return Boolean.TRUE;
        case JsonTokenId.ID_FALSE:
          return Boolean.FALSE;
        case JsonTokenId.ID_NULL:
          return null;
        default:
          throw new DecodeException("Unexpected token");
      }
    }

    private Map<String, Object> object(boolean bijlage) throws IOException {
      Map<String, Object> m = new LinkedHashMap<>();
      for (String key = p.nextFieldName(); key != null; key = p.nextFieldName()) {
        int t = volgende();
        if (t == JsonTokenId.ID_START_ARRAY && "bijlagen".equals(key)) {
          m.put(key, array(true));
        } else {
          m.put(key, waarde(false, bijlage && "inhoud".equals(key)));
        }
      }
      return m;
    }

    private List<Object> array(boolean bijlagen) throws IOException {
      List<Object> l = new ArrayList<>();
      while (volgende() != JsonTokenId.ID_END_ARRAY) {
        l.add(waarde(bijlagen, false));
      }
      return l;
    }

    /** The next token's id; the end of the input inside a value is malformed JSON. */
    private int volgende() throws IOException {
      var t = p.nextToken();
      if (t == null) {
        throw new DecodeException("Unexpected end of input");
      }
      return t.id();
    }

    /**
     * The string at the parser as a view when it is long and holds only base64 characters (no
     * escapes, so its bytes are its characters); otherwise as a string. The parser has not read a
     * string token's content yet: it skips it, uncopied, on the next token.
     */
    private Object inhoud() throws IOException {
      int q = quote(p.currentTokenLocation().getByteOffset());
      if (q < 0) {
        return p.getText();
      }
      int i = eindeOfEscape(a, q + 1, end);
      int n = i - q - 1;
      // an escape (a MIME line break is "\\n" in JSON) makes the bytes differ from the characters:
      // a string then, as Vert.x would read it. Characters outside base64 are left to the decoder.
      return i < end && a[i] == '"' && n >= MIN_VIEW ? new Base64Text(a, q + 1, n) : p.getText();
    }

    /** The index of the opening quote (Jackson counts from the start of the parsed range); -1 if not there. */
    private int quote(long offset) {
      long q = start + offset;
      return offset >= 0 && q < end && a[(int) q] == '"' ? (int) q : -1;
    }
  }
}
