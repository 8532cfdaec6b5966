package nl.berichtenbox.engine.berichtenbox;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import nl.berichtenbox.engine.domain.ClientErrorException;
import nl.berichtenbox.engine.domain.Identifiers;
import nl.berichtenbox.engine.domain.InvalidParam;
import nl.berichtenbox.engine.support.Json;

/**
 * The messages in a citizen's Berichtenbox (contract §3): pages of a map, one message, its
 * attachments, and the citizen's commands on them. Every statement is scoped to the citizen's
 * BSN: another citizen's message answers exactly like a missing one. Lists and message reads
 * never touch attachment contents.
 */
public final class BoxBerichten {
  public static final List<String> MAPPEN = List.of("inbox", "archief", "prullenbak");
  private static final String VERWIJDERD = "verwijderd";
  private static final int CHUNK = 128 * 1024;
  private static final OffsetDateTime EINDE =
      OffsetDateTime.of(9999, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);

  private static final String COLUMNS = """
      b.publiek_id, b.oin, a.naam, b.onderwerp, b.referentie, b.zichtbaar_op, b.gelezen, b.map, b.aantal_bijlagen, b.id""";

  private static final String LIST_FROM = """
       FROM bericht b JOIN afnemer a ON a.oin = b.oin
      WHERE b.bsn = $1 AND b.status = 1 AND b.map = $2
        AND b.zichtbaar_op <= now()
        AND (b.zichtbaar_op, b.id) < ($3, $4)
        AND ($5::boolean IS NULL OR b.gelezen = NOT $5)
        AND ($6::text IS NULL OR b.oin = $6::char(20))
      """;

  private static final String LIST_ORDER = " ORDER BY b.zichtbaar_op DESC, b.id DESC LIMIT $7";

  private static final String LIST = "SELECT " + COLUMNS + LIST_FROM + LIST_ORDER;

  private static final String LIST_ZOEK = "SELECT " + COLUMNS + LIST_FROM
      // the citizen's own map, read from bericht_box_lijst (onderwerp is in it): no index of its
      // own
      + " AND lower(b.onderwerp || ' ' || a.naam) LIKE $8" + LIST_ORDER;

  private static final String READ = """
      SELECT b.publiek_id, b.oin, a.naam, b.onderwerp, b.bericht_tekst, b.referentie, b.zichtbaar_op,
             b.eind_datum_handelingstermijn, b.gelezen, b.map, b.aantal_bijlagen,
             (SELECT coalesce(json_agg(json_build_object('volgorde', j.volgorde, 'omschrijving', j.omschrijving,
                        'mediaType', j.media_type, 'grootte', octet_length(j.inhoud)) ORDER BY j.volgorde), '[]'::json)
              FROM bijlage j WHERE j.bericht = b.id) AS bijlagen
      FROM bericht b JOIN afnemer a ON a.oin = b.oin
      WHERE b.publiek_id = $1 AND b.bsn = $2 AND b.status = 1 AND b.zichtbaar_op <= now()""";

  private static final String BIJLAGE = """
      SELECT b.map, b.id, j.omschrijving, j.media_type, octet_length(j.inhoud)
      FROM bericht b LEFT JOIN bijlage j ON j.bericht = b.id AND j.volgorde = $3
      WHERE b.publiek_id = $1 AND b.bsn = $2 AND b.status = 1 AND b.zichtbaar_op <= now()""";

  private static final String BIJLAGE_DEEL = """
      SELECT substring(inhoud FROM $3 FOR $4) FROM bijlage WHERE bericht = $1 AND volgorde = $2""";

  /** The citizen's own, visible message, locked: the start of every command. */
  private static final String EIGEN = """
      WITH t AS (
        SELECT id, map FROM bericht
        WHERE publiek_id = $1 AND bsn = $2 AND status = 1 AND zichtbaar_op <= now()
        FOR UPDATE
      )""";

  /**
   * A change seen by the citizen's other sessions (contract §7.2): an event when the citizen
   * follows the box, and a notification to every process at commit. {@code u} yields the changed
   * rows' id, gelezen and map; {@code $2} is the BSN.
   */
  private static final String GEVOLGD = """
      , g AS (
        INSERT INTO box_gebeurtenis (bsn, soort, bericht, gelezen, map)
        SELECT $2, 'gewijzigd', u.id, u.gelezen, nullif(u.map, 'verwijderd') FROM u
        WHERE EXISTS (SELECT 1 FROM box_volger WHERE bsn = $2 AND tot > now())
        RETURNING 1
      ), gemeld AS (
        SELECT pg_notify('%s', $2) FROM (SELECT 1 FROM g LIMIT 1) x
      )""".formatted(Gebeurtenissen.KANAAL);

  private static final String PATCH = EIGEN + """
      , u AS (
        UPDATE bericht b SET gelezen = coalesce($3, b.gelezen), map = coalesce($4, b.map)
        FROM t WHERE b.id = t.id AND t.map <> 'verwijderd'
        RETURNING b.id, b.gelezen, b.map
      )""" + GEVOLGD + """
      SELECT t.map, (SELECT count(*) FROM u) AS gewijzigd, (SELECT count(*) FROM gemeld) AS gemeld FROM t""";

  private static final String DELETE = EIGEN + """
      , u AS (
        UPDATE bericht b SET
          map = CASE WHEN t.map = 'prullenbak' THEN 'verwijderd' ELSE 'prullenbak' END,
          onderwerp = CASE WHEN t.map = 'prullenbak' THEN '' ELSE b.onderwerp END,
          bericht_tekst = CASE WHEN t.map = 'prullenbak' THEN '' ELSE b.bericht_tekst END,
          referentie = CASE WHEN t.map = 'prullenbak' THEN NULL ELSE b.referentie END,
          aantal_bijlagen = CASE WHEN t.map = 'prullenbak' THEN 0 ELSE b.aantal_bijlagen END
        FROM t WHERE b.id = t.id AND t.map <> 'verwijderd'
        RETURNING b.id, b.gelezen, b.map
      ), d AS (
        DELETE FROM bijlage WHERE bericht IN (SELECT id FROM u WHERE map = 'verwijderd')
      )""" + GEVOLGD + """
      SELECT t.map AS was, (SELECT count(*) FROM gemeld) AS gemeld FROM t""";

  private final Pool pool;
  private final Cursor cursor;

  public BoxBerichten(Pool pool, Cursor cursor) {
    this.pool = pool;
    this.cursor = cursor;
  }

  /** A page's length when none is asked, and the longest there is. */
  public static final int LIMIT_STANDAARD = 20;

  public static final int LIMIT_MAX = 100;
  /** A search text's length in characters (code points), after stripping. */
  public static final int ZOEK_MIN = 3;

  public static final int ZOEK_MAX = 100;

  /**
   * A page query (its parameters are read and checked by the API's portal face): {@code map} one of
   * {@link #MAPPEN}; {@code ongelezen}, {@code zoek}, {@code afzender} and {@code cursor} null when
   * not asked; {@code limit} 1 to {@link #LIMIT_MAX}.
   */
  public record Zoekvraag(
      String map, Boolean ongelezen, String zoek, String afzender, int limit, String cursor) {}

  private static String scope(String bsn, Zoekvraag q) {
    return bsn + '|' + q.map() + '|' + q.ongelezen() + '|' + q.zoek() + '|' + q.afzender();
  }

  public Future<JsonObject> lijst(String bsn, Zoekvraag q) {
    OffsetDateTime vanaf = EINDE;
    long vanafId = Long.MAX_VALUE;
    String scope = scope(bsn, q);
    if (q.cursor() != null) {
      Cursor.Positie p = cursor.decode(q.cursor(), scope);
      if (p == null) {
        return Future.failedFuture(ClientErrorException.badRequest(
            "ongeldige cursor",
            List.of(new InvalidParam("cursor", "hoort niet bij deze vraag of is gewijzigd"))));
      }
      vanaf = Instant.EPOCH.plus(p.micros(), ChronoUnit.MICROS).atOffset(ZoneOffset.UTC);
      vanafId = p.id();
    }
    Tuple t = Tuple.tuple()
        .addValue(bsn)
        .addValue(q.map())
        .addValue(vanaf)
        .addValue(vanafId)
        .addValue(q.ongelezen())
        .addValue(q.afzender())
        .addValue(q.limit() + 1);
    String sql = LIST;
    if (q.zoek() != null) {
      t.addValue("%" + likeEscape(q.zoek().toLowerCase()) + "%");
      sql = LIST_ZOEK;
    }
    return pool.preparedQuery(sql).execute(t).map(rows -> {
      JsonArray out = new JsonArray();
      Row last = null;
      int n = 0;
      for (Row r : rows) {
        if (n++ == q.limit()) {
          break;
        }
        out.add(samenvatting(r));
        last = r;
      }
      JsonObject page = new JsonObject().put("berichten", out);
      if (rows.size() > q.limit() && last != null) {
        OffsetDateTime z = last.getOffsetDateTime(5);
        long micros = ChronoUnit.MICROS.between(Instant.EPOCH, z.toInstant());
        page.put("volgende", cursor.encode(new Cursor.Positie(micros, last.getLong(9)), scope));
      }
      return page;
    });
  }

  private static String likeEscape(String s) {
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
  }

  private static JsonObject samenvatting(Row r) {
    JsonObject o = new JsonObject()
        .put("id", r.getUUID(0).toString())
        .put("afzender", new JsonObject().put("oin", r.getString(1)).put("naam", r.getString(2)))
        .put("onderwerp", r.getString(3));
    if (r.getString(4) != null) {
      o.put("referentie", r.getString(4));
    }
    return o.put("publicatieDatum", Json.time(r.getOffsetDateTime(5)))
        .put("gelezen", r.getBoolean(6))
        .put("map", r.getString(7))
        .put("aantalBijlagen", (int) r.getShort(8));
  }

  private static UUID id(String s) {
    UUID id = Identifiers.parseUuid(s);
    if (id == null) {
      throw ClientErrorException.notFound("bericht niet gevonden");
    }
    return id;
  }

  private static ClientErrorException gone() {
    return new ClientErrorException(410, "Verwijderd", "dit bericht is definitief verwijderd");
  }

  public Future<JsonObject> lees(String bsn, String rawId) {
    UUID id = id(rawId);
    return pool.preparedQuery(READ).execute(Tuple.of(id, bsn)).map(rows -> {
      if (rows.size() == 0) {
        throw ClientErrorException.notFound("bericht niet gevonden");
      }
      Row r = rows.iterator().next();
      if (VERWIJDERD.equals(r.getString(9))) {
        throw gone();
      }
      JsonObject o = new JsonObject()
          .put("id", r.getUUID(0).toString())
          .put("afzender", new JsonObject().put("oin", r.getString(1)).put("naam", r.getString(2)))
          .put("onderwerp", r.getString(3))
          .put("berichtTekst", r.getString(4));
      if (r.getString(5) != null) {
        o.put("referentie", r.getString(5));
      }
      o.put("publicatieDatum", Json.time(r.getOffsetDateTime(6)));
      if (r.getLocalDate(7) != null) {
        o.put("eindDatumHandelingsTermijn", r.getLocalDate(7).toString());
      }
      Object bij = r.getValue(11);
      JsonArray bijlagen = bij instanceof JsonArray a ? a : new JsonArray(String.valueOf(bij));
      return o.put("gelezen", r.getBoolean(8))
          .put("map", r.getString(9))
          .put("aantalBijlagen", (int) r.getShort(10))
          .put("bijlagen", bijlagen);
    });
  }

  /** Attachment metadata, and a reader of its content in chunks (for streaming). */
  public record Bijlage(
      String omschrijving,
      String mediaType,
      long grootte,
      Function<Long, Future<Buffer>> deel,
      int chunk) {}

  public Future<Bijlage> bijlage(String bsn, String rawId, String rawVolgorde) {
    UUID id = id(rawId);
    int volgorde;
    try {
      volgorde = Integer.parseInt(rawVolgorde);
    } catch (NumberFormatException e) {
      return Future.failedFuture(ClientErrorException.notFound("bijlage niet gevonden"));
    }
    if (volgorde < 1 || volgorde > 2) {
      return Future.failedFuture(ClientErrorException.notFound("bijlage niet gevonden"));
    }
    return pool.preparedQuery(BIJLAGE).execute(Tuple.of(id, bsn, volgorde)).map(rows -> {
      if (rows.size() == 0) {
        throw ClientErrorException.notFound("bericht niet gevonden");
      }
      Row r = rows.iterator().next();
      if (VERWIJDERD.equals(r.getString(0))) {
        throw gone();
      }
      if (r.getString(2) == null) {
        throw ClientErrorException.notFound("bijlage niet gevonden");
      }
      long berichtPk = r.getLong(1);
      return new Bijlage(
          r.getString(2),
          r.getString(3),
          r.getInteger(4),
          offset -> pool.preparedQuery(BIJLAGE_DEEL)
              .execute(Tuple.of(berichtPk, volgorde, offset + 1, CHUNK))
              .map(rs -> rs.iterator().next().getBuffer(0)),
          CHUNK);
    });
  }

  /** Merge-patch of gelezen and map; answers the message's summary. */
  public Future<JsonObject> wijzig(String bsn, String rawId, JsonObject patch) {
    UUID id = id(rawId);
    List<InvalidParam> bad = new ArrayList<>();
    for (String f : patch.fieldNames()) {
      if (!f.equals("gelezen") && !f.equals("map")) {
        bad.add(new InvalidParam(f, "kan niet gewijzigd worden (alleen gelezen en map)"));
      }
    }
    Object gelezen = patch.getValue("gelezen");
    if (patch.containsKey("gelezen") && !(gelezen instanceof Boolean)) {
      bad.add(new InvalidParam("gelezen", "moet true of false zijn"));
    }
    Object map = patch.getValue("map");
    if (patch.containsKey("map") && !(map instanceof String s && MAPPEN.contains(s))) {
      bad.add(new InvalidParam("map", "moet inbox, archief of prullenbak zijn"));
    }
    if (!bad.isEmpty()) {
      return Future.failedFuture(ClientErrorException.badRequest("ongeldige wijziging", bad));
    }
    return pool.withTransaction(conn -> conn.preparedQuery(PATCH)
            .execute(Tuple.of(id, bsn, gelezen, map))
            .map(BoxBerichten::nogInDeBox))
        .compose(v -> lees(bsn, rawId));
  }

  /** From inbox or archief to prullenbak; from prullenbak gone for good, content and attachments removed. */
  public Future<Void> verwijder(String bsn, String rawId) {
    UUID id = id(rawId);
    return pool.withTransaction(conn ->
        conn.preparedQuery(DELETE).execute(Tuple.of(id, bsn)).map(BoxBerichten::nogInDeBox));
  }

  /**
   * What a change to one message found: none of the citizen's (404), or one deleted for good
   * before (410); the statement's first column is the map it was in.
   */
  private static Void nogInDeBox(RowSet<Row> rows) {
    if (rows.size() == 0) {
      throw ClientErrorException.notFound("bericht niet gevonden");
    }
    if (VERWIJDERD.equals(rows.iterator().next().getString(0))) {
      throw gone();
    }
    return null;
  }
}
