package nl.berichtenbox.engine.verwerking;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;
import nl.berichtenbox.engine.domain.BerichtStatus;
import nl.berichtenbox.engine.domain.ClientErrorException;
import nl.berichtenbox.engine.domain.InvalidParam;
import nl.berichtenbox.engine.domain.Tijd;
import nl.berichtenbox.engine.support.Json;
import nl.berichtenbox.engine.tracing.Tracing;

/**
 * What an afnemer reads back (contract §2.4): a message's status, a batch's counts, its batches,
 * and the ordered receipt feed. Every query is scoped to the authenticated OIN, so another
 * afnemer's message answers exactly like a missing one.
 */
public final class Verwerkingsberichten {
  private static final String STATUS = """
      SELECT bericht_id, batch_id, status, verwerkings_code, ontvangen_op, verwerkt_op
      FROM bericht WHERE oin = $1 AND bericht_id = $2""";

  private static final String BATCH_COUNTS = """
      SELECT b.batch_id, b.aanmaak_datum, b.ontvangen_op, b.totaal, c.per_code, c.laatst_op,
             EXISTS (SELECT 1 FROM bericht o WHERE o.oin = b.oin AND o.batch_id = b.batch_id AND o.status IN (0, 4)) AS open
      FROM batch b
      CROSS JOIN LATERAL (
        SELECT coalesce(jsonb_object_agg(code, n), '{}'::jsonb) AS per_code, max(laatst_op) AS laatst_op
        FROM (
          SELECT code, sum(n)::int AS n, max(laatst_op) AS laatst_op FROM (
            SELECT code, aantal AS n, laatst_op FROM batch_teller t WHERE t.oin = b.oin AND t.batch_id = b.batch_id
            UNION ALL
            SELECT verwerkings_code, 1, tijdstip FROM afwijzing a WHERE a.oin = b.oin AND a.batch_id = b.batch_id
          ) x GROUP BY code
        ) y
      ) c
      """;

  private static final String BATCH = BATCH_COUNTS + " WHERE b.oin = $1 AND b.batch_id = $2";

  private static final String BATCHES = BATCH_COUNTS + """
       WHERE b.oin = $1
        AND b.ontvangen_op >= ($2::date)::timestamp AT TIME ZONE %1$s
        AND b.ontvangen_op < ($3::date + 1)::timestamp AT TIME ZONE %1$s
      ORDER BY b.ontvangen_op DESC, b.batch_id
      LIMIT 1000""".formatted(Tijd.NL_SQL);

  static final String FEED = """
      SELECT volgnummer, bericht_id, batch_id, status, verwerkings_code, tijdstip, traceparent
      FROM verwerkingsbericht WHERE oin = $1 AND volgnummer > $2 ORDER BY volgnummer LIMIT $3""";

  /** The batches listed when no period is asked: those of the 30 days before today, and today's. */
  public static final int BATCHES_DAGEN_TERUG = 30;

  private final Pool pool;
  private final Clock clock;

  /** {@code clock}: what "today" is, in Dutch time. */
  public Verwerkingsberichten(Pool pool, Clock clock) {
    this.pool = pool;
    this.clock = clock;
  }

  public Future<JsonObject> status(String oin, UUID berichtId) {
    return pool.preparedQuery(STATUS).execute(Tuple.of(oin, berichtId)).map(rows -> {
      if (rows.size() == 0) {
        throw ClientErrorException.notFound("bericht niet gevonden");
      }
      Row r = rows.iterator().next();
      JsonObject o = new JsonObject().put("berichtId", r.getUUID(0).toString());
      if (r.getUUID(1) != null) {
        o.put("batchId", r.getUUID(1).toString());
      }
      o.put("status", BerichtStatus.van(r.getShort(2)).name());
      if (r.getString(3) != null) {
        o.put("verwerkingsCode", r.getString(3));
      }
      o.put("ontvangenOp", Json.time(r.getOffsetDateTime(4)));
      if (r.getOffsetDateTime(5) != null) {
        o.put("verwerktOp", Json.time(r.getOffsetDateTime(5)));
      }
      return o;
    });
  }

  public Future<JsonObject> batch(String oin, UUID batchId) {
    return pool.preparedQuery(BATCH).execute(Tuple.of(oin, batchId)).map(rows -> {
      if (rows.size() == 0) {
        throw ClientErrorException.notFound("batch niet gevonden");
      }
      return batchJson(rows.iterator().next());
    });
  }

  /**
   * The afnemer's batches from van to tot (inclusive); {@code tot} null is today, {@code van} null
   * {@link #BATCHES_DAGEN_TERUG} days before tot.
   */
  public Future<JsonObject> batches(String oin, LocalDate vanOfNull, LocalDate totOfNull) {
    LocalDate tot = totOfNull != null ? totOfNull : LocalDate.ofInstant(clock.instant(), Tijd.NL);
    LocalDate van = vanOfNull != null ? vanOfNull : tot.minusDays(BATCHES_DAGEN_TERUG);
    if (van.isAfter(tot)) {
      return Future.failedFuture(ClientErrorException.badRequest(
          "ongeldige periode", List.of(new InvalidParam("vanDatum", "ligt na totDatum"))));
    }
    return pool.preparedQuery(BATCHES).execute(Tuple.of(oin, van, tot)).map(rows -> {
      JsonArray arr = new JsonArray();
      for (Row r : rows) {
        arr.add(batchJson(r));
      }
      return new JsonObject().put("batches", arr);
    });
  }

  private static JsonObject batchJson(Row r) {
    Object raw = r.getValue(4);
    JsonObject perCode = raw instanceof JsonObject j ? j : new JsonObject(String.valueOf(raw));
    int totaal = r.getInteger(3);
    int verwerkt = perCode.getInteger("Verwerkt", 0);
    int klaar = 0;
    for (String k : perCode.fieldNames()) {
      klaar += perCode.getInteger(k);
    }
    boolean open = r.getBoolean(6);
    JsonObject o = new JsonObject()
        .put("batchId", r.getUUID(0).toString())
        .put("aanmaakDatum", Json.time(r.getOffsetDateTime(1)))
        .put("totaalOntvangen", totaal)
        .put("verwerkt", verwerkt)
        .put("afgewezen", klaar - verwerkt)
        .put("perVerwerkingsCode", perCode)
        .put("datumOntvangen", Json.time(r.getOffsetDateTime(2)));
    // Done when no message of the batch waits for processing (a message re-sent in a batch has
    // its outcome where it was first parked, so counting outcomes against the total would not do).
    if (totaal > 0 && !open) {
      o.put(
          "datumVerwerkt",
          Json.time(
              r.getOffsetDateTime(5) != null ? r.getOffsetDateTime(5) : r.getOffsetDateTime(2)));
    }
    return o;
  }

  /** Receipts after {@code vanaf} (exclusive), in order; {@code volgende} is always present. */
  public Future<JsonObject> feed(String oin, long vanaf, int limit) {
    return pool.preparedQuery(FEED).execute(Tuple.of(oin, vanaf, limit)).map(rows -> {
      JsonArray arr = new JsonArray();
      long last = vanaf;
      for (Row r : rows) {
        last = r.getLong(0);
        arr.add(verwerkingsbericht(r));
      }
      return new JsonObject().put("verwerkingsberichten", arr).put("volgende", last);
    });
  }

  /** One receipt as the feed and the push show it; the row is (volgnummer, bericht_id, batch_id, status, code, tijdstip). */
  static JsonObject verwerkingsbericht(Row r) {
    JsonObject o =
        new JsonObject().put("volgnummer", r.getLong(0)).put("berichtId", r.getString(1));
    if (r.getUUID(2) != null) {
      o.put("batchId", r.getUUID(2).toString());
    }
    o.put("status", BerichtStatus.van(r.getShort(3)).name())
        .put("verwerkingsCode", r.getString(4))
        .put("tijdstip", Json.time(r.getOffsetDateTime(5)));
    // the trace of the request that brought the message (issue 20): an extra field, absent on
    // receipts from before it
    String traceId = Tracing.traceId(r.getString(6));
    if (traceId != null) {
      o.put("traceId", traceId);
    }
    return o;
  }
}
