package nl.berichtenbox.engine.sla;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import nl.berichtenbox.engine.domain.ClientErrorException;
import nl.berichtenbox.engine.domain.InvalidParam;
import nl.berichtenbox.engine.domain.Tijd;
import nl.berichtenbox.engine.support.Json;

/**
 * Incidents (contract §5): registered with impact and urgency, given their priority and
 * resolution deadline by the agreement (P1 6 clock hours, P2 20 and P3 30 office hours), resolved
 * later; per month with whether each was resolved within its norm.
 */
public final class Incidenten {
  private static final String COLUMNS =
      "id, omschrijving, impact, urgentie, prioriteit, gemeld_op, deadline, opgelost_op";
  private static final String INSERT =
      "INSERT INTO incident (omschrijving, impact, urgentie, prioriteit, gemeld_op, deadline) "
          + "VALUES ($1, $2, $3, $4, $5, $6) RETURNING " + COLUMNS;
  private static final String OPLOSSEN =
      "UPDATE incident SET opgelost_op = $2 WHERE id = $1 AND gemeld_op <= $2 RETURNING " + COLUMNS;
  private static final String BESTAAT = "SELECT gemeld_op FROM incident WHERE id = $1";
  private static final String MAAND = "SELECT " + COLUMNS
      + " FROM incident WHERE gemeld_op >= $1 AND gemeld_op < $2 " + "ORDER BY gemeld_op, id";

  private final Pool pool;
  private final Clock clock;

  public Incidenten(Pool pool, Clock clock) {
    this.pool = pool;
    this.clock = clock;
  }

  public Future<JsonObject> registreer(JsonObject body) {
    List<InvalidParam> fouten = new ArrayList<>();
    String omschrijving = body.getValue("omschrijving") instanceof String s ? s.strip() : null;
    if (omschrijving == null || omschrijving.isEmpty() || omschrijving.length() > 2000) {
      fouten.add(new InvalidParam("omschrijving", "verplicht, 1 tot 2000 tekens"));
    }
    Prioriteit.Niveau impact = niveau(body, "impact", fouten);
    Prioriteit.Niveau urgentie = niveau(body, "urgentie", fouten);
    Instant nu = clock.instant();
    Instant gemeld = nu;
    if (body.getValue("gemeldOp") != null) {
      gemeld = tijd(body.getValue("gemeldOp"), "gemeldOp", fouten);
      if (gemeld != null && gemeld.isAfter(nu.plus(Duration.ofMinutes(5)))) {
        fouten.add(new InvalidParam("gemeldOp", "mag niet in de toekomst liggen"));
      }
    }
    if (!fouten.isEmpty()) {
      return Future.failedFuture(
          ClientErrorException.badRequest("het incident is niet geldig", fouten));
    }
    Prioriteit p = Prioriteit.van(impact, urgentie);
    return pool.preparedQuery(INSERT)
        .execute(Tuple.of(
            omschrijving,
            impact.name(),
            urgentie.name(),
            (short) p.nummer,
            utc(gemeld),
            utc(p.deadline(gemeld))))
        .map(rows -> json(rows.iterator().next(), nu));
  }

  public Future<JsonObject> wijzig(String id, JsonObject body) {
    UUID uuid;
    try {
      uuid = UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(ClientErrorException.notFound("incident " + id + " bestaat niet"));
    }
    List<InvalidParam> fouten = new ArrayList<>();
    Instant opgelost = body.getValue("opgelostOp") == null
        ? null
        : tijd(body.getValue("opgelostOp"), "opgelostOp", fouten);
    if (opgelost == null && fouten.isEmpty()) {
      fouten.add(new InvalidParam("opgelostOp", "verplicht, een RFC 3339 tijdstip"));
    }
    if (!fouten.isEmpty()) {
      return Future.failedFuture(
          ClientErrorException.badRequest("de wijziging is niet geldig", fouten));
    }
    Instant nu = clock.instant();
    return pool.preparedQuery(OPLOSSEN).execute(Tuple.of(uuid, utc(opgelost))).compose(rows -> {
      if (rows.size() == 1) {
        return Future.succeededFuture(json(rows.iterator().next(), nu));
      }
      return pool.preparedQuery(BESTAAT)
          .execute(Tuple.of(uuid))
          .compose(b -> Future.failedFuture(
              b.size() == 0
                  ? ClientErrorException.notFound("incident " + id + " bestaat niet")
                  : ClientErrorException.badRequest(
                      "de wijziging is niet geldig",
                      List.of(
                          new InvalidParam("opgelostOp", "ligt voor het tijdstip van melden")))));
    });
  }

  /** The incidents reported in a calendar month (Amsterdam), oldest first. */
  public Future<JsonObject> vanMaand(YearMonth maand) {
    Instant van = maand.atDay(1).atStartOfDay(Tijd.NL).toInstant();
    Instant tot = maand.plusMonths(1).atDay(1).atStartOfDay(Tijd.NL).toInstant();
    Instant nu = clock.instant();
    return pool.preparedQuery(MAAND).execute(Tuple.of(utc(van), utc(tot))).map(rows -> {
      JsonArray out = new JsonArray();
      rows.forEach(r -> out.add(json(r, nu)));
      return new JsonObject().put("maand", maand.toString()).put("incidenten", out);
    });
  }

  private static JsonObject json(Row r, Instant nu) {
    Instant deadline = r.getOffsetDateTime("deadline").toInstant();
    OffsetDateTime opgelost = r.getOffsetDateTime("opgelost_op");
    JsonObject o = new JsonObject()
        .put("id", r.getUUID("id").toString())
        .put("omschrijving", r.getString("omschrijving"))
        .put("impact", r.getString("impact"))
        .put("urgentie", r.getString("urgentie"))
        .put("prioriteit", (int) r.getShort("prioriteit"))
        .put("gemeldOp", Json.time(r.getOffsetDateTime("gemeld_op")))
        .put("deadline", Json.time(r.getOffsetDateTime("deadline")));
    if (opgelost != null) {
      o.put("opgelostOp", Json.time(opgelost))
          .put("binnenNorm", !opgelost.toInstant().isAfter(deadline));
    } else if (nu.isAfter(deadline)) {
      o.put(
          "binnenNorm",
          false); // still open past its deadline: it cannot be within the norm any more
    }
    return o;
  }

  private static Prioriteit.Niveau niveau(JsonObject body, String naam, List<InvalidParam> fouten) {
    try {
      return Prioriteit.Niveau.valueOf(String.valueOf(body.getValue(naam)));
    } catch (IllegalArgumentException e) {
      fouten.add(new InvalidParam(naam, "HOOG, MIDDEN of LAAG"));
      return null;
    }
  }

  /** An RFC 3339 time with its zone, or null with the field named in fouten. */
  static Instant tijd(Object v, String naam, List<InvalidParam> fouten) {
    if (v instanceof String s) {
      try {
        return OffsetDateTime.parse(s).toInstant();
      } catch (DateTimeParseException e) {
        // below
      }
    }
    fouten.add(new InvalidParam(naam, "een RFC 3339 tijdstip met tijdzone"));
    return null;
  }

  static OffsetDateTime utc(Instant i) {
    return i.atOffset(ZoneOffset.UTC);
  }
}
