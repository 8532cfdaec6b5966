package nl.berichtenbox.engine.berichtenbox;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import nl.berichtenbox.engine.domain.ClientErrorException;
import nl.berichtenbox.engine.domain.Identifiers;
import nl.berichtenbox.engine.domain.InvalidParam;

/**
 * The citizen's box as far as the foundation needs it (contract §3): activation and settings,
 * and acceptance per afnemer (voorkeuren), each change recorded as a mutation.
 */
public final class Berichtenboxen {
  private static final Pattern EMAIL = Pattern.compile("^[^@\\s]{1,64}@[^@\\s]+\\.[^@\\s]+$");

  private final Pool pool;

  public Berichtenboxen(Pool pool) {
    this.pool = pool;
  }

  /**
   * The citizen's unread count as a scalar subquery, {@code bsn} the SQL that names the citizen:
   * the box summary's, and the event stream's (Gebeurtenissen).
   */
  static String ongelezen(String bsn) {
    return """
        (SELECT count(*) FROM bericht b WHERE b.bsn = %s AND b.status = 1 AND b.map = 'inbox'
           AND NOT b.gelezen AND b.zichtbaar_op <= now())""".formatted(bsn);
  }

  public Future<JsonObject> get(String bsn) {
    return pool.preparedQuery("""
            SELECT bb.actief, bb.email, bb.notificaties_aan, %s AS ongelezen
            FROM berichtenbox bb WHERE bb.bsn = $1""".formatted(ongelezen("bb.bsn")))
        .execute(Tuple.of(bsn))
        .map(rows -> {
          if (rows.size() == 0) {
            return new JsonObject()
                .put("actief", false)
                .put("notificatiesAan", false)
                .put("ongelezen", 0);
          }
          Row r = rows.iterator().next();
          JsonObject o = new JsonObject().put("actief", r.getBoolean(0));
          if (r.getString(1) != null) {
            o.put("email", r.getString(1));
          }
          return o.put("notificatiesAan", r.getBoolean(2)).put("ongelezen", r.getLong(3));
        });
  }

  /** Activates the box or updates its settings. */
  public Future<JsonObject> put(String bsn, JsonObject body) {
    List<InvalidParam> bad = new ArrayList<>();
    Object email = body.getValue("email");
    if (email != null
        && (!(email instanceof String s)
            || s.length() > 254
            || !EMAIL.matcher(s).matches())) {
      bad.add(new InvalidParam("email", "moet een e-mailadres zijn"));
    }
    Object notificaties = body.getValue("notificatiesAan");
    if (notificaties != null && !(notificaties instanceof Boolean)) {
      bad.add(new InvalidParam("notificatiesAan", "moet true of false zijn"));
    }
    boolean aan = Boolean.TRUE.equals(notificaties);
    if (aan && email == null) {
      bad.add(new InvalidParam("email", "is verplicht als notificatiesAan true is"));
    }
    if (!bad.isEmpty()) {
      return Future.failedFuture(
          ClientErrorException.badRequest("de instellingen zijn ongeldig", bad));
    }
    return pool.preparedQuery("""
            INSERT INTO berichtenbox AS b (bsn, actief, email, notificaties_aan) VALUES ($1, true, $2, $3)
            ON CONFLICT (bsn) DO UPDATE SET actief = true, email = EXCLUDED.email,
              notificaties_aan = EXCLUDED.notificaties_aan, gewijzigd_op = now()""").execute(Tuple.of(bsn, email, aan)).compose(v -> get(bsn));
  }

  public Future<JsonObject> voorkeuren(String bsn) {
    return pool.preparedQuery("""
            SELECT a.oin, a.naam, coalesce(v.berichten_ontvangen, false)
            FROM afnemer a LEFT JOIN voorkeur v ON v.oin = a.oin AND v.bsn = $1
            WHERE a.actief AND NOT a.testmodus ORDER BY a.naam, a.oin""").execute(Tuple.of(bsn)).map(rows -> {
      JsonArray arr = new JsonArray();
      for (Row r : rows) {
        arr.add(new JsonObject()
            .put("oin", r.getString(0))
            .put("naam", r.getString(1))
            .put("berichtenOntvangen", r.getBoolean(2)));
      }
      return new JsonObject().put("voorkeuren", arr);
    });
  }

  /** Sets acceptance of one afnemer; a change is also written to the mutation log. */
  public Future<JsonObject> putVoorkeur(String bsn, String oin, JsonObject body) {
    if (!Identifiers.isOin(oin)) {
      return Future.failedFuture(ClientErrorException.notFound("afnemer niet gevonden"));
    }
    Object ontvangen = body.getValue("berichtenOntvangen");
    if (!(ontvangen instanceof Boolean b)) {
      return Future.failedFuture(ClientErrorException.badRequest(
          "de voorkeur is ongeldig",
          List.of(new InvalidParam("berichtenOntvangen", "is verplicht: true of false"))));
    }
    return pool.withTransaction(conn -> conn.preparedQuery("""
            SELECT (SELECT actief FROM berichtenbox WHERE bsn = $1),
                   (SELECT naam FROM afnemer WHERE oin = $2 AND actief AND NOT testmodus)""")
        .execute(Tuple.of(bsn, oin))
        .compose(rows -> {
          Row r = rows.iterator().next();
          if (r.getString(1) == null) {
            throw ClientErrorException.notFound("afnemer niet gevonden");
          }
          if (!Boolean.TRUE.equals(r.getBoolean(0))) {
            throw new ClientErrorException(
                409, "Conflict", "activeer eerst de berichtenbox (PUT /api/v1/berichtenbox)");
          }
          String naam = r.getString(1);
          return conn.preparedQuery("""
                  WITH old AS (SELECT berichten_ontvangen FROM voorkeur WHERE bsn = $1 AND oin = $2),
                  up AS (
                    INSERT INTO voorkeur AS v (bsn, oin, berichten_ontvangen) VALUES ($1, $2, $3)
                    ON CONFLICT (bsn, oin) DO UPDATE SET berichten_ontvangen = EXCLUDED.berichten_ontvangen,
                      gewijzigd_op = now()
                    RETURNING 1
                  )
                  INSERT INTO voorkeur_mutatie (bsn, oin, berichten_ontvangen)
                  SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM old WHERE berichten_ontvangen = $3)""")
              .execute(Tuple.of(bsn, oin, b))
              .map(v ->
                  new JsonObject().put("oin", oin).put("naam", naam).put("berichtenOntvangen", b));
        }));
  }
}
