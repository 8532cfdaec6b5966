package nl.berichtenbox.engine.berichtenbox;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.UUID;
import nl.berichtenbox.engine.domain.ClientErrorException;
import nl.berichtenbox.engine.domain.Identifiers;
import nl.berichtenbox.engine.domain.InvalidParam;
import nl.berichtenbox.engine.support.BackgroundLoop;
import nl.berichtenbox.engine.support.Component;
import nl.berichtenbox.engine.support.Json;

/**
 * Meelezen (contract §7.3): the readers a citizen lets read along, and what each read. A reader's
 * access is checked in the database on every request, so a grant revoked on one engine process is
 * refused on the next request to any other.
 */
public final class Meelezers implements Component {
  /** Readers a box may have at once. */
  public static final int MAX = 5;

  /** What a reader did, as the owner's inzage shows it. */
  public enum Actie {
    LIJST("lijst"),
    BERICHT("bericht"),
    BIJLAGE("bijlage");

    private final String wire;

    Actie(String wire) {
      this.wire = wire;
    }
  }

  /** A reader's current access to a shared box: the grant and the owner whose box it is. */
  public record Toegang(UUID meelezer, String eigenaarBsn) {}

  private static final String ACTIEF = "ingetrokken_op IS NULL AND (tot IS NULL OR tot > now())";

  /** Two grants of one owner at once are counted one after the other (the limit of {@link #MAX}). */
  private static final String SLOT =
      "SELECT pg_advisory_xact_lock(hashtext('meelezer:' || $1::text))";

  private static final String TOEVOEGEN = """
      WITH actief AS (
        SELECT count(*) AS n, count(*) FILTER (WHERE lezer_bsn = $3::char(9)) AS zelfde
        FROM meelezer WHERE eigenaar_bsn = $2::char(9) AND ingetrokken_op IS NULL
          AND (tot IS NULL OR tot > now())
      ), nieuw AS (
        INSERT INTO meelezer (id, box_id, eigenaar_bsn, lezer_bsn, tot)
        SELECT $1::uuid, $5::uuid, $2::char(9), $3::char(9), $4::timestamptz FROM actief
        WHERE n < $6::bigint AND zelfde = 0 AND ($4::timestamptz IS NULL OR $4::timestamptz > now())
        RETURNING aangemaakt_op
      )
      SELECT (SELECT n FROM actief), (SELECT zelfde FROM actief), (SELECT aangemaakt_op FROM nieuw),
             coalesce($4::timestamptz <= now(), false)""";

  private static final String LIJST =
      "SELECT id, tot, aangemaakt_op FROM meelezer WHERE eigenaar_bsn = $1 AND " + ACTIEF
          + " ORDER BY aangemaakt_op, id";

  private static final String INTREKKEN = """
      UPDATE meelezer SET ingetrokken_op = now()
      WHERE id = $1 AND eigenaar_bsn = $2 AND ingetrokken_op IS NULL""";

  private static final String INZAGE = """
      SELECT i.tijdstip, i.actie, i.bericht_id
      FROM meelezer m LEFT JOIN inzage i ON i.meelezer = m.id
        AND i.tijdstip > now() - interval '13 months'
      WHERE m.id = $1 AND m.eigenaar_bsn = $2
      ORDER BY i.tijdstip DESC NULLS LAST""";

  private static final String GEDEELD = "SELECT box_id FROM meelezer WHERE lezer_bsn = $1 AND "
      + ACTIEF + " ORDER BY aangemaakt_op, id";

  private static final String TOEGANG =
      "SELECT id, eigenaar_bsn FROM meelezer WHERE box_id = $1 AND lezer_bsn = $2 AND " + ACTIEF;

  private static final String REGISTREER =
      "INSERT INTO inzage (meelezer, actie, bericht_id) VALUES ($1, $2, $3)";

  private static final String OPRUIMEN = """
      DELETE FROM inzage WHERE ctid IN (
        SELECT ctid FROM inzage WHERE tijdstip < now() - interval '13 months' LIMIT 10000)""";

  private final Pool pool;
  private final BackgroundLoop loop;

  public Meelezers(Vertx vertx, Pool pool) {
    this.pool = pool;
    // the purge is the whole round: an hour apart, again at once while a round found a full batch
    this.loop = new BackgroundLoop(vertx, "inzage", 3_600_000L, this::purgeOldInzage, e -> {});
  }

  @Override
  public void start() {
    loop.start();
  }

  @Override
  public Future<Void> stop() {
    return loop.stop();
  }

  /** Grants {@code body.bsn} read access to the owner's box, until {@code body.tot} if given. */
  public Future<JsonObject> voegToe(String eigenaarBsn, JsonObject body) {
    Object bsn = body.getValue("bsn");
    if (!(bsn instanceof String lezer) || !Identifiers.isBsn(lezer)) {
      return Future.failedFuture(ClientErrorException.badRequest(
          "ongeldige meelezer",
          List.of(new InvalidParam("bsn", "moet een geldig BSN zijn (9 cijfers, elfproef)"))));
    }
    if (lezer.equals(eigenaarBsn)) {
      return Future.failedFuture(ClientErrorException.badRequest(
          "ongeldige meelezer",
          List.of(new InvalidParam("bsn", "is uw eigen BSN: u leest uw eigen box al"))));
    }
    for (String f : body.fieldNames()) {
      if (!f.equals("bsn") && !f.equals("tot")) {
        return Future.failedFuture(ClientErrorException.badRequest(
            "ongeldige meelezer",
            List.of(new InvalidParam(f, "onbekend veld (alleen bsn en tot)"))));
      }
    }
    OffsetDateTime tot = null;
    Object t = body.getValue("tot");
    if (t != null) {
      try {
        tot = t instanceof String s ? OffsetDateTime.parse(s) : null;
      } catch (DateTimeParseException e) {
        tot = null;
      }
      if (tot == null) {
        return Future.failedFuture(totOngeldig());
      }
    }
    UUID id = UUID.randomUUID();
    OffsetDateTime totUtc = tot == null ? null : tot.withOffsetSameInstant(ZoneOffset.UTC);
    return pool.withTransaction(conn -> conn.preparedQuery(SLOT)
            .execute(Tuple.of(eigenaarBsn))
            .compose(v -> conn.preparedQuery(TOEVOEGEN)
                .execute(Tuple.tuple()
                    .addValue(id)
                    .addValue(eigenaarBsn)
                    .addValue(lezer)
                    .addValue(totUtc)
                    .addValue(UUID.randomUUID())
                    .addValue((long) MAX))))
        .map(rows -> {
          Row r = rows.iterator().next();
          if (r.getBoolean(3)) {
            throw totOngeldig(); // by the database's clock, the one expiry is judged by
          }
          if (r.getLong(1) > 0) {
            throw new ClientErrorException(
                409, "Conflict", "deze meelezer leest al mee: trek die toegang eerst in");
          }
          if (r.getValue(2) == null) {
            throw new ClientErrorException(
                409, "Conflict", "een box heeft ten hoogste " + MAX + " meelezers");
          }
          JsonObject o = new JsonObject().put("id", id.toString());
          if (totUtc != null) {
            o.put("tot", Json.time(totUtc));
          }
          return o.put("aangemaaktOp", Json.time(r.getOffsetDateTime(2)));
        });
  }

  private static ClientErrorException totOngeldig() {
    return ClientErrorException.badRequest(
        "ongeldige meelezer",
        List.of(new InvalidParam(
            "tot", "moet een tijdstip in de toekomst zijn (RFC 3339 met tijdzone)")));
  }

  /** The owner's current readers (neither revoked nor expired), oldest first. */
  public Future<JsonObject> lijst(String eigenaarBsn) {
    return pool.preparedQuery(LIJST).execute(Tuple.of(eigenaarBsn)).map(rows -> {
      JsonArray out = new JsonArray();
      for (Row r : rows) {
        JsonObject o = new JsonObject().put("id", r.getUUID(0).toString());
        if (r.getOffsetDateTime(1) != null) {
          o.put("tot", Json.time(r.getOffsetDateTime(1)));
        }
        out.add(o.put("aangemaaktOp", Json.time(r.getOffsetDateTime(2))));
      }
      return new JsonObject().put("meelezers", out);
    });
  }

  /** Revokes a grant of the owner's; another's, an unknown or an already revoked one: 404. */
  public Future<Void> trekIn(String eigenaarBsn, String rawId) {
    UUID id = Identifiers.parseUuid(rawId);
    if (id == null) {
      return Future.failedFuture(geenMeelezer());
    }
    return pool.preparedQuery(INTREKKEN).execute(Tuple.of(id, eigenaarBsn)).map(r -> {
      if (r.rowCount() == 0) {
        throw geenMeelezer();
      }
      return null;
    });
  }

  /** Every access by one of the owner's readers (revoked ones too) in the last 13 months, newest first. */
  public Future<JsonObject> inzage(String eigenaarBsn, String rawId) {
    UUID id = Identifiers.parseUuid(rawId);
    if (id == null) {
      return Future.failedFuture(geenMeelezer());
    }
    return pool.preparedQuery(INZAGE).execute(Tuple.of(id, eigenaarBsn)).map(rows -> {
      if (rows.size() == 0) {
        throw geenMeelezer();
      }
      JsonArray out = new JsonArray();
      for (Row r : rows) {
        if (r.getOffsetDateTime(0) == null) {
          continue; // the grant without any access (the left join's one row)
        }
        JsonObject o = new JsonObject()
            .put("tijdstip", Json.time(r.getOffsetDateTime(0)))
            .put("actie", r.getString(1));
        if (r.getUUID(2) != null) {
          o.put("berichtId", r.getUUID(2).toString());
        }
        out.add(o);
      }
      return new JsonObject().put("inzage", out);
    });
  }

  /** The boxes shared with this reader now, by their opaque ids. */
  public Future<JsonObject> gedeeld(String lezerBsn) {
    return pool.preparedQuery(GEDEELD).execute(Tuple.of(lezerBsn)).map(rows -> {
      JsonArray out = new JsonArray();
      for (Row r : rows) {
        out.add(new JsonObject().put("boxId", r.getUUID(0).toString()));
      }
      return new JsonObject().put("boxen", out);
    });
  }

  /**
   * This reader's access to the box {@code rawBoxId} now; a revoked or expired grant, or a box not
   * shared with this reader, fails exactly as a box that does not exist (404).
   */
  public Future<Toegang> toegang(String lezerBsn, String rawBoxId) {
    UUID boxId = Identifiers.parseUuid(rawBoxId);
    if (boxId == null) {
      return Future.failedFuture(geenBox());
    }
    return pool.preparedQuery(TOEGANG).execute(Tuple.of(boxId, lezerBsn)).map(rows -> {
      if (rows.size() == 0) {
        throw geenBox();
      }
      Row r = rows.iterator().next();
      return new Toegang(r.getUUID(0), r.getString(1));
    });
  }

  /** An unknown grant, another owner's, or (for revoking) one revoked before: the same 404. */
  private static ClientErrorException geenMeelezer() {
    return ClientErrorException.notFound("meelezer niet gevonden");
  }

  private static ClientErrorException geenBox() {
    return ClientErrorException.notFound("berichtenbox niet gevonden");
  }

  /** Records one access, before its answer goes out: the owner sees every read that was answered. */
  public Future<Void> registreer(Toegang toegang, Actie actie, String berichtId) {
    return pool.preparedQuery(REGISTREER)
        .execute(Tuple.of(
            toegang.meelezer(),
            actie.wire,
            berichtId == null ? null : Identifiers.parseUuid(berichtId)))
        .mapEmpty();
  }

  /** Deletes accesses older than 13 months (up to 10 000 a call); true when there may be more. */
  public Future<Boolean> purgeOldInzage() {
    return pool.query(OPRUIMEN).execute().map(r -> r.rowCount() == 10_000);
  }
}
