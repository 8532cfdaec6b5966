package nl.berichtenbox.engine.abonnementen;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import nl.berichtenbox.engine.afnemers.Afnemer;
import nl.berichtenbox.engine.domain.ClientErrorException;
import nl.berichtenbox.engine.domain.Identifiers;
import nl.berichtenbox.engine.domain.InvalidParam;
import nl.berichtenbox.engine.domain.Testmodus;

/**
 * "Which of these citizens can receive my messages?" (contract §2.5): per BSN, in input order,
 * whether the citizen has an active box that accepts this afnemer and the berichtType is active.
 * One statement per call, which also counts the call against the global hourly quota (shared by
 * every engine process through the database).
 */
public final class Validatieservice {
  public static final int MAX_BSNS = 250;

  // set_config(.., true) lasts until this statement's own transaction commits, and the commit reads
  // synchronous_commit: the count need not wait for the log to reach the disk (a crash may forget a
  // few calls of the hour; no message is at stake). One statement, one round trip: the explicit
  // transaction with SET LOCAL it replaces took four (BEGIN, SET, the query, COMMIT).
  private static final String VALIDEER = """
      WITH async AS (
        SELECT set_config('synchronous_commit', 'off', true) AS s
      ), quotum AS (
        INSERT INTO validatie_quotum AS q (uur, aantal) VALUES (date_trunc('hour', now()), 1)
        ON CONFLICT (uur) DO UPDATE SET aantal = q.aantal + 1
        RETURNING aantal
      ), type AS (
        SELECT actief FROM bericht_type WHERE oin = $1 AND code = $2
      )
      SELECT (SELECT aantal FROM quotum WHERE (SELECT s FROM async) IS NOT NULL) AS aantal, k.bsn,
             coalesce((SELECT actief FROM type), false) AND coalesce(bb.actief, false)
               AND coalesce(v.berichten_ontvangen, false) AS sturen
      -- char(9) as in the tables: comparing with text would cast the column and lose its index
      FROM (SELECT u.bsn::char(9) AS bsn, u.nr FROM unnest($3::text[]) WITH ORDINALITY AS u(bsn, nr)) k
      LEFT JOIN berichtenbox bb ON bb.bsn = k.bsn
      LEFT JOIN voorkeur v ON v.bsn = k.bsn AND v.oin = $1
      ORDER BY k.nr""";

  /**
   * A test afnemer's question (contract §7.1): only its berichtType is looked up; its citizens are
   * the test mode's, and it counts against no quota.
   */
  private static final String TYPE_ACTIEF = """
      SELECT coalesce((SELECT actief FROM bericht_type WHERE oin = $1 AND code = $2), false)""";

  private final Pool pool;
  private final int quotumPerUur;
  private final Clock clock;

  public Validatieservice(Pool pool, int quotumPerUur, Clock clock) {
    this.pool = pool;
    this.clock = clock;
    this.quotumPerUur = quotumPerUur;
  }

  /** The answer for {@code afnemer}: from the citizens' boxes, or in test mode from the test BSNs. */
  public Future<JsonObject> valideer(Afnemer afnemer, JsonObject body) {
    String oin = afnemer.oin();
    List<InvalidParam> bad = new ArrayList<>();
    Object type = body.getValue("berichtType");
    if (!(type instanceof String t) || !Identifiers.isBerichtTypeCode(t)) {
      bad.add(new InvalidParam(
          "berichtType", "is verplicht: 1 tot 8 letters, cijfers, '.', '_' of '-'"));
    }
    Object raw = body.getValue("bsns");
    String[] bsns = null;
    if (!(raw instanceof JsonArray arr)) {
      bad.add(new InvalidParam("bsns", "is verplicht: een lijst van 1 tot 250 BSN's"));
    } else if (arr.isEmpty() || arr.size() > MAX_BSNS) {
      bad.add(new InvalidParam("bsns", "moet 1 tot 250 BSN's bevatten"));
    } else {
      bsns = new String[arr.size()];
      for (int i = 0; i < arr.size(); i++) {
        if (arr.getValue(i) instanceof String s && Identifiers.isBsn(s)) {
          bsns[i] = s;
        } else {
          bad.add(new InvalidParam("bsns/" + i, "moet 9 cijfers zijn die de elfproef doorstaan"));
        }
      }
    }
    if (!bad.isEmpty()) {
      return Future.failedFuture(ClientErrorException.badRequest("ongeldige vraag", bad));
    }
    String[] vraag = bsns;
    if (afnemer.testmodus()) {
      return pool.preparedQuery(TYPE_ACTIEF).execute(Tuple.of(oin, type)).map(rows -> {
        boolean typeActief = rows.iterator().next().getBoolean(0);
        JsonArray resultaten = new JsonArray();
        for (String bsn : vraag) {
          resultaten.add(new JsonObject()
              .put("bsn", bsn)
              .put("berichtSturen", typeActief && Testmodus.ontvangbaar(bsn)));
        }
        return new JsonObject().put("resultaten", resultaten);
      });
    }
    return pool.preparedQuery(VALIDEER).execute(Tuple.of(oin, type, vraag)).map(rows -> {
      JsonArray resultaten = new JsonArray();
      int aantal = 0;
      for (Row r : rows) {
        aantal = r.getInteger(0);
        resultaten.add(
            new JsonObject().put("bsn", r.getString(1)).put("berichtSturen", r.getBoolean(2)));
      }
      if (aantal > quotumPerUur) {
        ZonedDateTime now = ZonedDateTime.now(clock);
        long wacht = Math.max(
            1, ChronoUnit.SECONDS.between(now, now.truncatedTo(ChronoUnit.HOURS).plusHours(1)));
        throw new ClientErrorException(
            429,
            "Te veel verzoeken",
            "het quotum van " + quotumPerUur
                + " Validatieservice-vragen per uur (alle afnemers samen) is op",
            null,
            List.of(),
            wacht);
      }
      return new JsonObject().put("resultaten", resultaten);
    });
  }
}
