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
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import nl.berichtenbox.engine.domain.ClientErrorException;
import nl.berichtenbox.engine.domain.InvalidParam;
import nl.berichtenbox.engine.domain.Tijd;
import nl.berichtenbox.engine.support.Json;

/**
 * The maintenance calendar as operated: the configured rules ({@link Onderhoudsvensters}) with
 * the moves operators announced (contract §5, SNO 2.1). A move is stored per kind and original
 * day; moving the same window again replaces the move, and its notice counts from the new
 * announcement.
 */
public final class OnderhoudsKalender {
  private static final String VERPLAATSINGEN = """
      SELECT soort, datum, van, tot, aangekondigd_op FROM onderhoud_verplaatsing
      WHERE (datum >= $1 AND datum < $2) OR (van < $4 AND tot > $3)""";
  private static final String VERPLAATS = """
      INSERT INTO onderhoud_verplaatsing (soort, datum, van, tot, aangekondigd_op, reden) VALUES ($1, $2, $3, $4, $5, $6)
      ON CONFLICT (soort, datum) DO UPDATE SET van = EXCLUDED.van, tot = EXCLUDED.tot,
        aangekondigd_op = EXCLUDED.aangekondigd_op, reden = EXCLUDED.reden, geregistreerd_op = now()""";
  private static final Duration LANGSTE_VENSTER = Duration.ofHours(24);

  private final Pool pool;
  private final Onderhoudsvensters regels;
  private final Clock clock;

  public OnderhoudsKalender(Pool pool, Onderhoudsvensters regels, Clock clock) {
    this.pool = pool;
    this.regels = regels;
    this.clock = clock;
  }

  /** The windows overlapping the month, moves applied. */
  public Future<List<Onderhoudsvensters.Venster>> vensters(YearMonth maand) {
    Instant begin = maand.atDay(1).atStartOfDay(Tijd.NL).toInstant();
    Instant einde = maand.plusMonths(1).atDay(1).atStartOfDay(Tijd.NL).toInstant();
    // moves away from this month and the one before (a window may run into this month)
    Tuple t = Tuple.of(
        maand.minusMonths(1).atDay(1),
        maand.plusMonths(1).atDay(1),
        Incidenten.utc(begin),
        Incidenten.utc(einde));
    return pool.preparedQuery(VERPLAATSINGEN).execute(t).map(rows -> {
      List<Onderhoudsvensters.Verplaatsing> v = new ArrayList<>();
      for (Row r : rows) {
        v.add(new Onderhoudsvensters.Verplaatsing(
            r.getString(0),
            r.getLocalDate(1),
            r.getOffsetDateTime(2).toInstant(),
            r.getOffsetDateTime(3).toInstant(),
            r.getOffsetDateTime(4).toInstant()));
      }
      return regels.van(maand, v);
    });
  }

  public Future<JsonObject> maand(YearMonth maand) {
    return vensters(maand).map(vs -> {
      JsonArray arr = new JsonArray();
      vs.forEach(v -> arr.add(json(v)));
      return new JsonObject().put("maand", maand.toString()).put("vensters", arr);
    });
  }

  /**
   * Moves the window of {@code soort} that falls on {@code datum} to {@code van}–{@code tot}.
   * Announced now unless {@code aangekondigdOp} (not in the future) says when it was.
   */
  public Future<JsonObject> verplaats(JsonObject body) {
    List<InvalidParam> fouten = new ArrayList<>();
    Instant nu = clock.instant();
    String soort = body.getValue("soort") instanceof String s ? s : null;
    Optional<Onderhoudsvensters.Regel> regel =
        soort == null ? Optional.empty() : regels.regel(soort);
    if (regel.isEmpty()) {
      fouten.add(new InvalidParam(
          "soort",
          "een van: "
              + String.join(
                  ", ",
                  regels.regels().stream().map(Onderhoudsvensters.Regel::soort).toList())));
    }
    LocalDate datum = null;
    if (body.getValue("datum") instanceof String s && s.matches("^\\d{4}-\\d{2}-\\d{2}$")) {
      try {
        datum = LocalDate.parse(s);
      } catch (DateTimeParseException e) {
        // below
      }
    }
    if (datum == null) {
      fouten.add(
          new InvalidParam("datum", "de oorspronkelijke dag van het venster als JJJJ-MM-DD"));
    } else if (regel.isPresent()
        && !regel.get().datum(YearMonth.from(datum)).equals(Optional.of(datum))) {
      fouten.add(new InvalidParam("datum", "op " + datum + " valt geen venster " + soort));
    }
    Instant van = Incidenten.tijd(body.getValue("van"), "van", fouten);
    Instant tot = Incidenten.tijd(body.getValue("tot"), "tot", fouten);
    if (van != null
        && tot != null
        && (!tot.isAfter(van) || Duration.between(van, tot).compareTo(LANGSTE_VENSTER) > 0)) {
      fouten.add(new InvalidParam("tot", "moet na van liggen, hoogstens 24 uur"));
    }
    if (van != null && !van.isAfter(nu)) {
      fouten.add(new InvalidParam("van", "moet in de toekomst liggen"));
    }
    Instant aangekondigd = nu;
    if (body.getValue("aangekondigdOp") != null) {
      aangekondigd = Incidenten.tijd(body.getValue("aangekondigdOp"), "aangekondigdOp", fouten);
      if (aangekondigd != null && aangekondigd.isAfter(nu.plus(Duration.ofMinutes(5)))) {
        fouten.add(new InvalidParam("aangekondigdOp", "mag niet in de toekomst liggen"));
      }
    }
    Object redenWaarde = body.getValue("reden");
    if (redenWaarde != null && !(redenWaarde instanceof String r && r.length() <= 500)) {
      fouten.add(new InvalidParam("reden", "tekst van hoogstens 500 tekens"));
    }
    if (!fouten.isEmpty()) {
      return Future.failedFuture(ClientErrorException.badRequest("ongeldige verplaatsing", fouten));
    }
    Onderhoudsvensters.Regel r = regel.get();
    if (!r.begin(datum).isAfter(nu)) {
      return Future.failedFuture(
          ClientErrorException.conflict("dit venster is al begonnen of voorbij", null));
    }
    Onderhoudsvensters.Venster v = new Onderhoudsvensters.Venster(
        soort,
        van,
        tot,
        r.metDowntime(),
        Onderhoudsvensters.tijdigAangekondigd(aangekondigd, van),
        r.begin(datum),
        aangekondigd);
    return pool.preparedQuery(VERPLAATS)
        .execute(Tuple.of(
            soort,
            datum,
            Incidenten.utc(van),
            Incidenten.utc(tot),
            Incidenten.utc(aangekondigd),
            redenWaarde))
        .map(x -> json(v));
  }

  static JsonObject json(Onderhoudsvensters.Venster v) {
    JsonObject o = new JsonObject()
        .put("soort", v.soort())
        .put("van", Json.time(Incidenten.utc(v.van())))
        .put("tot", Json.time(Incidenten.utc(v.tot())))
        .put("metDowntime", v.metDowntime())
        .put("gepland", v.gepland());
    if (v.oorspronkelijkVan() != null) {
      o.put(
          "verplaatst",
          new JsonObject()
              .put("oorspronkelijkVan", Json.time(Incidenten.utc(v.oorspronkelijkVan())))
              .put("aangekondigdOp", Json.time(Incidenten.utc(v.aangekondigdOp())))
              .put(
                  "vroegsteGeplandeDatum",
                  Onderhoudsvensters.vroegsteDatum(v.aangekondigdOp()).toString()));
    }
    return o;
  }
}
