package nl.berichtenbox.engine.afnemers;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlResult;
import io.vertx.sqlclient.Tuple;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import nl.berichtenbox.engine.config.ConfigLoader;
import nl.berichtenbox.engine.domain.ClientErrorException;
import nl.berichtenbox.engine.domain.Identifiers;
import nl.berichtenbox.engine.domain.InvalidParam;
import nl.berichtenbox.engine.support.Json;
import nl.berichtenbox.engine.support.Secrets;

/**
 * Afnemers and their berichttypen (contract §2.6, §5). API keys are 256-bit random strings
 * stored as their SHA-256 digest; a presented key is hashed once and looked up in a cache that
 * forgets an entry after a few seconds, so deactivation reaches every process quickly.
 */
public final class Afnemers {
  private static final long CACHE_NANOS = 5_000_000_000L;
  private static final String KEY_PREFIX = "bbx_";

  private final Pool pool;
  private final Secrets geheimen;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();

  private record Cached(Afnemer afnemer, long untilNanos) {}

  public Afnemers(Pool pool, Secrets geheimen) {
    this.pool = pool;
    this.geheimen = geheimen;
  }

  /** The afnemer behind a bearer key, or null (unknown key or inactive afnemer). */
  public Future<Afnemer> authenticate(String apiSleutel) {
    if (apiSleutel == null || !apiSleutel.startsWith(KEY_PREFIX) || apiSleutel.length() > 100) {
      return Future.succeededFuture();
    }
    byte[] digest = sha256(apiSleutel);
    String cacheKey = HexFormat.of().formatHex(digest);
    long now = System.nanoTime(); // a duration: the monotonic clock
    Cached c = cache.get(cacheKey);
    if (c != null && c.untilNanos() - now > 0) {
      return Future.succeededFuture(
          c.afnemer() != null && c.afnemer().actief() ? c.afnemer() : null);
    }
    return pool.preparedQuery(
            "SELECT oin, naam, actief, limiet_per_seconde, testmodus FROM afnemer "
                + "WHERE api_sleutel_sha256 = $1")
        .execute(Tuple.of(Buffer.buffer(digest)))
        .map(rows -> {
          Afnemer a = null;
          if (rows.size() == 1) {
            Row r = rows.iterator().next();
            a = afnemer(r);
          }
          if (cache.size() > 10_000) {
            cache.clear();
          }
          cache.put(cacheKey, new Cached(a, now + CACHE_NANOS));
          return a != null && a.actief() ? a : null;
        });
  }

  /** The active afnemer with this OIN (from a client certificate), or null; cached like keys. */
  public Future<Afnemer> byOin(String oin) {
    if (!Identifiers.isOin(oin)) {
      return Future.succeededFuture();
    }
    String cacheKey = "oin:" + oin;
    long now = System.nanoTime(); // a duration: the monotonic clock
    Cached c = cache.get(cacheKey);
    if (c != null && c.untilNanos() - now > 0) {
      return Future.succeededFuture(
          c.afnemer() != null && c.afnemer().actief() ? c.afnemer() : null);
    }
    return pool.preparedQuery(
            "SELECT oin, naam, actief, limiet_per_seconde, testmodus FROM afnemer WHERE oin = $1")
        .execute(Tuple.of(oin))
        .map(rows -> {
          Afnemer a = null;
          if (rows.size() == 1) {
            Row r = rows.iterator().next();
            a = afnemer(r);
          }
          cache.put(cacheKey, new Cached(a, now + CACHE_NANOS));
          return a != null && a.actief() ? a : null;
        });
  }

  private static Afnemer afnemer(Row r) {
    return new Afnemer(
        r.getString(0), r.getString(1), r.getBoolean(2), r.getInteger(3), r.getBoolean(4));
  }

  static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Encrypts callback secrets stored in clear before encryption at rest came in (once, at start;
   * blocking callers wait on the future).
   */
  public Future<Integer> encryptSecretsInClear() {
    return pool.query("SELECT oin, callback_secret FROM afnemer WHERE callback_secret IS NOT NULL "
            + "AND callback_secret NOT LIKE 'v1:%'")
        .execute()
        .compose(rows -> {
          List<String> oins = new ArrayList<>();
          List<String> versleuteld = new ArrayList<>();
          for (Row r : rows) {
            oins.add(r.getString(0));
            versleuteld.add(geheimen.encrypt(r.getString(1)));
          }
          if (oins.isEmpty()) {
            return Future.succeededFuture(0);
          }
          return pool.preparedQuery("""
                  UPDATE afnemer a SET callback_secret = v.s FROM unnest($1::text[], $2::text[]) AS v(o, s)
                  WHERE a.oin = v.o AND a.callback_secret NOT LIKE 'v1:%'""")
              .execute(Tuple.from(
                  List.of(oins.toArray(new String[0]), versleuteld.toArray(new String[0]))))
              .map(SqlResult::rowCount);
        });
  }

  /** Registers an afnemer; the key (and callback secret) are returned this once only. */
  public Future<JsonObject> create(JsonObject body) {
    List<InvalidParam> bad = new ArrayList<>();
    String oin = body.getValue("oin") instanceof String s ? s : null;
    if (!Identifiers.isOin(oin)) {
      bad.add(new InvalidParam("oin", "moet 20 cijfers zijn"));
    }
    String naam = naam(body.getValue("naam"), true, bad);
    String callbackUrl = callbackUrl(body, bad);
    Integer limiet = limiet(body, bad);
    Object testmodus = body.getValue("testmodus", false);
    if (!(testmodus instanceof Boolean)) {
      bad.add(new InvalidParam("testmodus", "moet true of false zijn"));
    }
    if (!bad.isEmpty()) {
      return Future.failedFuture(ClientErrorException.badRequest("de afnemer is ongeldig", bad));
    }
    String key = KEY_PREFIX + ConfigLoader.randomToken();
    String secret = callbackUrl == null ? null : ConfigLoader.randomToken();
    return pool.preparedQuery("""
            INSERT INTO afnemer (oin, naam, callback_url, callback_secret, limiet_per_seconde, api_sleutel_sha256,
                                 testmodus)
            VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (oin) DO NOTHING RETURNING aangemaakt_op""")
        .execute(Tuple.of(
            oin,
            naam,
            callbackUrl,
            geheimen.encrypt(secret),
            limiet,
            Buffer.buffer(sha256(key)),
            testmodus))
        .map(rows -> {
          if (rows.rowCount() == 0) {
            throw new ClientErrorException(409, "Conflict", "afnemer " + oin + " bestaat al");
          }
          JsonObject out = new JsonObject()
              .put("oin", oin)
              .put("naam", naam)
              .put("testmodus", testmodus)
              .put("apiSleutel", key);
          if (secret != null) {
            out.put("callbackSecret", secret);
          }
          return out;
        });
  }

  private static final String SELECT = """
      SELECT oin, naam, callback_url, limiet_per_seconde, actief, aangemaakt_op, testmodus FROM afnemer""";

  public Future<JsonObject> list() {
    return pool.query(SELECT + " ORDER BY oin").execute().map(rows -> {
      JsonArray arr = new JsonArray();
      for (Row r : rows) {
        arr.add(toJson(r));
      }
      return new JsonObject().put("afnemers", arr);
    });
  }

  private static JsonObject toJson(Row r) {
    JsonObject o = new JsonObject().put("oin", r.getString(0)).put("naam", r.getString(1));
    if (r.getString(2) != null) {
      o.put("callbackUrl", r.getString(2));
    }
    if (r.getInteger(3) != null) {
      o.put("limietPerSeconde", r.getInteger(3));
    }
    return o.put("actief", r.getBoolean(4))
        .put("testmodus", r.getBoolean(6))
        .put("aangemaaktOp", Json.time(r.getOffsetDateTime(5)));
  }

  /** Merge-patch of naam, callbackUrl, limietPerSeconde and actief. */
  public Future<JsonObject> patch(String oin, JsonObject body) {
    if (!Identifiers.isOin(oin)) {
      return Future.failedFuture(ClientErrorException.notFound("afnemer niet gevonden"));
    }
    List<InvalidParam> bad = new ArrayList<>();
    for (String f : body.fieldNames()) {
      if (!List.of("naam", "callbackUrl", "limietPerSeconde", "actief").contains(f)) {
        bad.add(new InvalidParam(f, "kan niet gewijzigd worden"));
      }
    }
    String naam = body.containsKey("naam") ? naam(body.getValue("naam"), true, bad) : null;
    String callbackUrl = callbackUrl(body, bad);
    Integer limiet = limiet(body, bad);
    Object actief = body.getValue("actief");
    if (body.containsKey("actief") && !(actief instanceof Boolean)) {
      bad.add(new InvalidParam("actief", "moet true of false zijn"));
    }
    if (!bad.isEmpty()) {
      return Future.failedFuture(ClientErrorException.badRequest("de wijziging is ongeldig", bad));
    }
    String secret = callbackUrl != null ? ConfigLoader.randomToken() : null;
    return pool.preparedQuery("""
            UPDATE afnemer SET
              naam = COALESCE($2, naam),
              callback_url = CASE WHEN $3 THEN $4 ELSE callback_url END,
              callback_secret = CASE WHEN $3 THEN $5 ELSE callback_secret END,
              limiet_per_seconde = CASE WHEN $6 THEN $7 ELSE limiet_per_seconde END,
              actief = COALESCE($8, actief),
              gewijzigd_op = now()
            WHERE oin = $1
            RETURNING oin, naam, callback_url, limiet_per_seconde, actief, aangemaakt_op, testmodus""")
        .execute(Tuple.from(Arrays.asList(
            oin,
            naam,
            body.containsKey("callbackUrl"),
            callbackUrl,
            geheimen.encrypt(secret),
            body.containsKey("limietPerSeconde"),
            limiet,
            (Boolean) actief)))
        .map(rows -> {
          if (rows.rowCount() == 0) {
            throw ClientErrorException.notFound("afnemer niet gevonden");
          }
          cache.clear();
          JsonObject out = toJson(rows.iterator().next());
          if (secret != null) {
            out.put("callbackSecret", secret);
          }
          return out;
        });
  }

  private static String naam(Object v, boolean required, List<InvalidParam> bad) {
    if (v instanceof String s && !s.isBlank() && s.length() <= 200) {
      return s.trim();
    }
    if (v != null || required) {
      bad.add(new InvalidParam("naam", "moet 1 tot 200 tekens zijn"));
    }
    return null;
  }

  private static String callbackUrl(JsonObject body, List<InvalidParam> bad) {
    Object v = body.getValue("callbackUrl");
    if (v == null) {
      return null;
    }
    if (v instanceof String s) {
      try {
        URI u = URI.create(s);
        if (("https".equals(u.getScheme()) || "http".equals(u.getScheme()))
            && u.getHost() != null) {
          return s;
        }
      } catch (IllegalArgumentException e) {
        // fall through
      }
    }
    bad.add(new InvalidParam("callbackUrl", "moet een http(s)-URL zijn"));
    return null;
  }

  private static Integer limiet(JsonObject body, List<InvalidParam> bad) {
    Object v = body.getValue("limietPerSeconde");
    if (v == null) {
      return null;
    }
    if ((v instanceof Integer || v instanceof Long)
        && ((Number) v).longValue() >= 1
        && ((Number) v).longValue() <= 1_000_000) {
      return ((Number) v).intValue();
    }
    bad.add(new InvalidParam("limietPerSeconde", "moet een geheel getal van 1 tot 1000000 zijn"));
    return null;
  }

  // --- berichttypen (§2.6) ---

  public Future<JsonObject> berichtTypen(String oin) {
    return pool.preparedQuery(
            "SELECT code, omschrijving, actief FROM bericht_type WHERE oin = $1 ORDER BY code")
        .execute(Tuple.of(oin))
        .map(rows -> {
          JsonArray arr = new JsonArray();
          for (Row r : rows) {
            arr.add(typeJson(r));
          }
          return new JsonObject().put("berichtTypen", arr);
        });
  }

  public Future<JsonObject> berichtType(String oin, String code) {
    if (!Identifiers.isBerichtTypeCode(code)) {
      return Future.failedFuture(ClientErrorException.notFound("berichttype niet gevonden"));
    }
    return pool.preparedQuery(
            "SELECT code, omschrijving, actief FROM bericht_type WHERE oin = $1 AND code = $2")
        .execute(Tuple.of(oin, code))
        .map(rows -> {
          if (rows.size() == 0) {
            throw ClientErrorException.notFound("berichttype niet gevonden");
          }
          return typeJson(rows.iterator().next());
        });
  }

  /** Creates or replaces a berichttype; true in the result's second element when it was new. */
  public Future<Map.Entry<Boolean, JsonObject>> putBerichtType(
      String oin, String code, JsonObject body) {
    List<InvalidParam> bad = new ArrayList<>();
    if (!Identifiers.isBerichtTypeCode(code)) {
      bad.add(new InvalidParam("code", "1 tot 8 letters, cijfers, '.', '_' of '-'"));
    }
    Object omschrijving = body.getValue("omschrijving");
    if (!(omschrijving instanceof String s) || s.isBlank() || s.length() > 200) {
      bad.add(new InvalidParam("omschrijving", "moet 1 tot 200 tekens zijn"));
    }
    Object actief = body.getValue("actief");
    if (!(actief instanceof Boolean)) {
      bad.add(new InvalidParam("actief", "is verplicht: true of false"));
    }
    if (!bad.isEmpty()) {
      return Future.failedFuture(
          ClientErrorException.badRequest("het berichttype is ongeldig", bad));
    }
    return pool.preparedQuery("""
            INSERT INTO bericht_type AS t (oin, code, omschrijving, actief) VALUES ($1, $2, $3, $4)
            ON CONFLICT (oin, code) DO UPDATE SET omschrijving = EXCLUDED.omschrijving, actief = EXCLUDED.actief,
              gewijzigd_op = now()
            RETURNING code, omschrijving, actief, (xmax = 0) AS nieuw""")
        .execute(Tuple.of(oin, code, omschrijving, actief))
        .map((RowSet<Row> rows) -> {
          Row r = rows.iterator().next();
          return Map.entry(r.getBoolean(3), typeJson(r));
        });
  }

  private static JsonObject typeJson(Row r) {
    return new JsonObject()
        .put("code", r.getString(0))
        .put("omschrijving", r.getString(1))
        .put("actief", r.getBoolean(2));
  }
}
