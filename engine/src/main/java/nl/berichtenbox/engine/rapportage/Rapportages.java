package nl.berichtenbox.engine.rapportage;

import static nl.berichtenbox.engine.domain.Tijd.NL;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nl.berichtenbox.engine.domain.ClientErrorException;
import nl.berichtenbox.engine.domain.InvalidParam;

/**
 * An afnemer's daily processing report and its monthly forecasts (contract §2.6, SNO 2.2.3),
 * both read from the day counters the processor keeps (dag_teller).
 */
public final class Rapportages {
  /** The agreement's capacity (SNO 2.2.2): messages a day over all afnemers. */
  public static final long CAPACITEIT_PER_DAG = 2_500_000;
  /** A forecast may deviate this much from the actual (SNO 2.2.3). */
  public static final BigDecimal NORM_AFWIJKING = BigDecimal.TEN;

  /** The daily report's period when none is asked: the 30 days up to and including today. */
  public static final int VERWERKING_DAGEN_TERUG = 29;
  /** The forecasts listed when no period is asked: this month and the 17 after it (6 quarters). */
  public static final int PROGNOSE_MAANDEN_VOORUIT = 17;

  private final Pool pool;
  private final Clock clock;

  /** {@code clock}: what "today" and "this month" are, in Dutch time. */
  public Rapportages(Pool pool, Clock clock) {
    this.pool = pool;
    this.clock = clock;
  }

  private YearMonth dezeMaand() {
    return YearMonth.from(clock.instant().atZone(NL));
  }

  /**
   * Every day from van to tot (inclusive, at most 366), zeros included; {@code tot} null is today,
   * {@code van} null is {@link #VERWERKING_DAGEN_TERUG} days before tot.
   */
  public Future<JsonObject> verwerking(String oin, LocalDate vanOfNull, LocalDate totOfNull) {
    LocalDate tot = totOfNull != null ? totOfNull : LocalDate.ofInstant(clock.instant(), NL);
    LocalDate van = vanOfNull != null ? vanOfNull : tot.minusDays(VERWERKING_DAGEN_TERUG);
    if (van.isAfter(tot) || ChronoUnit.DAYS.between(van, tot) > 365) {
      return Future.failedFuture(ClientErrorException.badRequest(
          "ongeldige periode",
          List.of(new InvalidParam("vanDatum", "ligt na totDatum of meer dan 366 dagen ervoor"))));
    }
    return pool.preparedQuery("""
            SELECT datum, code, aantal FROM dag_teller WHERE oin = $1 AND datum BETWEEN $2 AND $3 ORDER BY datum, code""").execute(Tuple.of(oin, van, tot)).map(rows -> {
      Map<LocalDate, JsonObject> dagen = new LinkedHashMap<>();
      for (LocalDate d = van; !d.isAfter(tot); d = d.plusDays(1)) {
        dagen.put(
            d,
            new JsonObject()
                .put("datum", d.toString())
                .put("aangeboden", 0L)
                .put("verwerkt", 0L)
                .put("afgewezen", 0L)
                .put("perVerwerkingsCode", new JsonObject()));
      }
      for (Row r : rows) {
        JsonObject dag = dagen.get(r.getLocalDate(0));
        String code = r.getString(1);
        long n = r.getLong(2);
        if (code.equals("Aangeboden")) {
          dag.put("aangeboden", n);
          continue;
        }
        dag.getJsonObject("perVerwerkingsCode").put(code, n);
        if (code.equals("Verwerkt")) {
          dag.put("verwerkt", n);
        } else {
          dag.put("afgewezen", dag.getLong("afgewezen") + n);
        }
      }
      return new JsonObject().put("dagen", new JsonArray(new ArrayList<>(dagen.values())));
    });
  }

  /** Creates or replaces the forecast of one month; true in the entry's key when it was new. */
  public Future<Map.Entry<Boolean, JsonObject>> zetPrognose(
      String oin, String maand, JsonObject body) {
    List<InvalidParam> bad = new ArrayList<>();
    YearMonth m = maand(maand, "maand", bad);
    YearMonth nu = dezeMaand();
    if (m != null && (m.isBefore(nu.minusMonths(24)) || m.isAfter(nu.plusMonths(18)))) {
      bad.add(
          new InvalidParam("maand", "moet binnen 24 maanden terug en 6 kwartalen vooruit liggen"));
    }
    Object aantal = body.getValue("aantalBerichten");
    if (!(aantal instanceof Integer || aantal instanceof Long)
        || ((Number) aantal).longValue() < 0
        || ((Number) aantal).longValue() > 10_000_000_000L) {
      bad.add(new InvalidParam("aantalBerichten", "moet een geheel getal van 0 of meer zijn"));
    }
    Object grootte = body.getValue("gemiddeldeGrootteKb");
    if (!(grootte instanceof Integer || grootte instanceof Long)
        || ((Number) grootte).longValue() < 0
        || ((Number) grootte).longValue() > 600) {
      bad.add(new InvalidParam("gemiddeldeGrootteKb", "moet een geheel getal van 0 tot 600 zijn"));
    }
    if (!bad.isEmpty()) {
      return Future.failedFuture(ClientErrorException.badRequest("ongeldige prognose", bad));
    }
    return pool.preparedQuery("""
            INSERT INTO prognose AS p (oin, maand, aantal_berichten, gemiddelde_grootte_kb) VALUES ($1, $2, $3, $4)
            ON CONFLICT (oin, maand) DO UPDATE SET aantal_berichten = EXCLUDED.aantal_berichten,
              gemiddelde_grootte_kb = EXCLUDED.gemiddelde_grootte_kb, gewijzigd_op = now()
            RETURNING (xmax = 0)""")
        .execute(
            Tuple.of(oin, m.atDay(1), ((Number) aantal).longValue(), ((Number) grootte).intValue()))
        .compose(rows -> prognoses(oin, m, m)
            .map(list -> Map.entry(
                rows.iterator().next().getBoolean(0),
                list.getJsonArray("prognoses").getJsonObject(0))));
  }

  /**
   * Forecasts from van to tot with actuals, deviation and the capacity warning; {@code van} null
   * is this month, {@code tot} null {@link #PROGNOSE_MAANDEN_VOORUIT} months after this month.
   */
  public Future<JsonObject> prognoses(String oin, YearMonth vanOfNull, YearMonth totOfNull) {
    YearMonth van = vanOfNull != null ? vanOfNull : dezeMaand();
    YearMonth tot =
        totOfNull != null ? totOfNull : dezeMaand().plusMonths(PROGNOSE_MAANDEN_VOORUIT);
    return pool.preparedQuery("""
            SELECT p.maand, p.aantal_berichten, p.gemiddelde_grootte_kb,
                   (SELECT coalesce(sum(d.aantal), 0) FROM dag_teller d WHERE d.oin = p.oin AND d.code = 'Aangeboden'
                      AND d.datum >= p.maand AND d.datum < (p.maand + interval '1 month')) AS werkelijk,
                   (SELECT sum(q.aantal_berichten) FROM prognose q WHERE q.maand = p.maand
                      AND q.oin NOT IN (SELECT oin FROM afnemer WHERE testmodus)) AS alle_afnemers
            FROM prognose p WHERE p.oin = $1 AND p.maand BETWEEN $2 AND $3 ORDER BY p.maand""")
        .execute(Tuple.of(oin, van.atDay(1), tot.atDay(1)))
        .map(rows -> {
          JsonArray out = new JsonArray();
          YearMonth nu = dezeMaand();
          for (Row r : rows) {
            YearMonth m = YearMonth.from(r.getLocalDate(0));
            long prognose = r.getLong(1);
            long werkelijk = r.getLong(3);
            long alle = r.getLong(4);
            JsonObject o = new JsonObject()
                .put("maand", m.toString())
                .put("aantalBerichten", prognose)
                .put("gemiddeldeGrootteKb", r.getInteger(2))
                .put("werkelijk", werkelijk)
                .put("maandAfgesloten", m.isBefore(nu));
            if (prognose > 0) {
              BigDecimal afwijking = BigDecimal.valueOf(werkelijk - prognose)
                  .multiply(BigDecimal.valueOf(100))
                  .divide(BigDecimal.valueOf(prognose), 1, RoundingMode.HALF_UP);
              o.put("afwijkingProcent", afwijking.doubleValue())
                  .put("binnenNorm", afwijking.abs().compareTo(NORM_AFWIJKING) <= 0);
            }
            o.put("capaciteitsWaarschuwing", alle > CAPACITEIT_PER_DAG * m.lengthOfMonth());
            out.add(o);
          }
          return new JsonObject().put("prognoses", out);
        });
  }

  /** Parses YYYY-MM; adds an invalid param named {@code name} otherwise. */
  public static YearMonth maand(String s, String name, List<InvalidParam> bad) {
    try {
      if (s != null && s.matches("\\d{4}-\\d{2}")) {
        return YearMonth.parse(s);
      }
    } catch (RuntimeException e) {
      // fall through
    }
    bad.add(new InvalidParam(name, "moet een maand JJJJ-MM zijn"));
    return null;
  }
}
