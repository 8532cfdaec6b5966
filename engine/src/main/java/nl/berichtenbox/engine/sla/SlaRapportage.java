package nl.berichtenbox.engine.sla;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.DataFormatException;
import nl.berichtenbox.engine.domain.Tijd;
import nl.berichtenbox.engine.support.Json;
import org.HdrHistogram.Histogram;

/**
 * The monthly service-level report (contract §5, SNO 4.3): availability against 99 %, incidents
 * per priority within their norm against 85 %, production counts, the engine's own presentation
 * and processing percentiles over the month, and each afnemer's forecast against what it
 * offered.
 */
public final class SlaRapportage {
  public static final double INCIDENT_NORM_PROCENT = 85.0;

  private static final String EERSTE = "SELECT min(minuut) FROM hartslag";
  private static final String OP =
      "SELECT DISTINCT minuut FROM hartslag WHERE gereed AND minuut >= $1 AND minuut < $2";
  // production figures: a test afnemer's messages (contract §7.1) are not production
  private static final String PRODUCTIE = """
      WITH test AS (SELECT oin FROM afnemer WHERE testmodus)
      SELECT (SELECT coalesce(sum(aantal), 0) FROM dag_teller WHERE code = 'Verwerkt' AND datum >= $1 AND datum < $2
                AND oin NOT IN (SELECT oin FROM test)) AS verwerkt,
             (SELECT coalesce(sum(aantal), 0) FROM dag_teller WHERE code = 'Aangeboden' AND datum >= $1 AND datum < $2
                AND oin NOT IN (SELECT oin FROM test)) AS aangeboden,
             (SELECT count(*) FROM berichtenbox WHERE actief) AS accounts,
             (SELECT count(*) FROM afnemer WHERE actief AND NOT testmodus) AS afnemers,
             (SELECT count(DISTINCT pseudoniem) FROM bezoek WHERE dag >= $1 AND dag < $2) AS bezoekers""";
  private static final String STORINGEN = """
      SELECT reden, count(DISTINCT minuut) FROM gereedheid_storing WHERE minuut >= $1 AND minuut < $2 GROUP BY reden""";
  private static final String METINGEN =
      "SELECT soort, histogram FROM meting_uur WHERE uur >= $1 AND uur < $2";
  private static final String PROGNOSES = """
      SELECT p.oin, a.naam, p.aantal_berichten,
             (SELECT coalesce(sum(t.aantal), 0) FROM dag_teller t
              WHERE t.oin = p.oin AND t.code = 'Aangeboden' AND t.datum >= $1 AND t.datum < $2) AS werkelijk
      FROM prognose p JOIN afnemer a ON a.oin = p.oin AND NOT a.testmodus WHERE p.maand = $1 ORDER BY p.oin""";

  private final Vertx vertx;
  private final Pool pool;
  private final Incidenten incidenten;
  private final OnderhoudsKalender kalender;
  private final Clock clock;

  public SlaRapportage(
      Vertx vertx, Pool pool, Incidenten incidenten, OnderhoudsKalender kalender, Clock clock) {
    this.vertx = vertx;
    this.pool = pool;
    this.incidenten = incidenten;
    this.kalender = kalender;
    this.clock = clock;
  }

  public Future<JsonObject> van(YearMonth maand) {
    Instant nu = clock.instant();
    Instant begin = maand.atDay(1).atStartOfDay(Tijd.NL).toInstant();
    Instant einde = maand.plusMonths(1).atDay(1).atStartOfDay(Tijd.NL).toInstant();
    LocalDate dag1 = maand.atDay(1);
    LocalDate volgende = maand.plusMonths(1).atDay(1);
    Tuple periode = Tuple.of(utc(begin), utc(einde));
    Future<JsonObject> beschikbaarheid = pool.query(EERSTE).execute().compose(e -> {
      OffsetDateTime eerste = e.iterator().next().getOffsetDateTime(0);
      Future<RowSet<Row>> opRows = pool.preparedQuery(OP).execute(periode);
      Future<RowSet<Row>> storingen = pool.preparedQuery(STORINGEN).execute(periode);
      Future<List<Onderhoudsvensters.Venster>> vensters = kalender.vensters(maand);
      return Future.all(opRows, storingen, vensters)
          .compose(x -> {
            Set<Instant> op = new HashSet<>();
            opRows.result().forEach(r -> op.add(r.getOffsetDateTime(0).toInstant()));
            // a month is 44 640 minutes to judge: off the event loop
            return vertx.executeBlocking(() -> beschikbaarheid(Beschikbaarheid.bereken(
                maand, vensters.result(), eerste == null ? null : eerste.toInstant(), nu, op)));
          })
          .map(o -> {
            JsonObject perReden = new JsonObject();
            storingen.result().forEach(r -> perReden.put(r.getString(0), r.getLong(1)));
            return o.put("gereedheidsstoringenMinuten", perReden);
          });
    });
    Future<JsonObject> incident = incidenten.vanMaand(maand).map(SlaRapportage::incidenten);
    Future<JsonObject> productie = pool.preparedQuery(PRODUCTIE)
        .execute(Tuple.of(dag1, volgende))
        .map(rows -> {
          Row r = rows.iterator().next();
          return new JsonObject()
              .put("verwerkteBerichten", r.getLong("verwerkt"))
              .put("aangebodenBerichten", r.getLong("aangeboden"))
              .put("actieveBerichtenboxen", r.getLong("accounts"))
              .put("actieveAfnemers", r.getLong("afnemers"))
              .put("bezoekers", r.getLong("bezoekers"));
        });
    Future<JsonObject> performance = pool.preparedQuery(METINGEN)
        .execute(periode)
        .compose(rows -> vertx.executeBlocking(() -> {
          // up to 744 hours × processes × 2 histograms to decode and merge: off the event loop
          Map<String, Histogram> per = new HashMap<>();
          for (Row r : rows) {
            Buffer b = r.getBuffer("histogram");
            try {
              Histogram h =
                  Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(b.getBytes()), 0);
              per.computeIfAbsent(r.getString("soort"), k -> new Histogram(3_600_000_000L, 2))
                  .add(h);
            } catch (DataFormatException e) {
              throw new IllegalStateException("a stored histogram cannot be read", e);
            }
          }
          Histogram p = per.getOrDefault("presentatie", new Histogram(3_600_000_000L, 2));
          Histogram v = per.getOrDefault("verwerking", new Histogram(3_600_000_000L, 2));
          return new JsonObject()
              .put(
                  "presentatie",
                  new JsonObject()
                      .put("verzoeken", p.getTotalCount())
                      .put("p999Ms", ms(p.getValueAtPercentile(99.9)))
                      .put("normMs", 200)
                      .put(
                          "binnenNorm",
                          p.getTotalCount() == 0 || p.getValueAtPercentile(99.9) <= 200_000))
              .put(
                  "verwerking",
                  new JsonObject()
                      .put("berichten", v.getTotalCount())
                      .put("p99Ms", ms(v.getValueAtPercentile(99)))
                      .put("maxMs", ms(v.getMaxValue()))
                      .put("normMs", 24 * 3_600_000L)
                      .put("binnenNorm", v.getMaxValue() <= 24L * 3_600_000_000L));
        }));
    Future<JsonArray> prognoses = pool.preparedQuery(PROGNOSES)
        .execute(Tuple.of(dag1, volgende))
        .map(rows -> {
          JsonArray out = new JsonArray();
          for (Row r : rows) {
            long prognose = r.getLong("aantal_berichten");
            long werkelijk = r.getLong("werkelijk");
            JsonObject o = new JsonObject()
                .put("oin", r.getString("oin").trim())
                .put("naam", r.getString("naam"))
                .put("prognose", prognose)
                .put("werkelijk", werkelijk);
            if (werkelijk > 0) {
              double afwijking = Math.round((prognose - werkelijk) * 1000.0 / werkelijk) / 10.0;
              o.put("afwijkingProcent", afwijking).put("binnenNorm", Math.abs(afwijking) <= 10.0);
            }
            out.add(o);
          }
          return out;
        });
    return Future.all(beschikbaarheid, incident, productie, performance, prognoses)
        .map(v -> new JsonObject()
            .put("maand", maand.toString())
            .put("opgesteldOp", Json.time(utc(nu)))
            .put("beschikbaarheid", beschikbaarheid.result())
            .put("incidenten", incident.result())
            .put("productie", productie.result())
            .put("performance", performance.result())
            .put("prognoses", prognoses.result()));
  }

  private static JsonObject beschikbaarheid(Beschikbaarheid.Uitkomst u) {
    JsonObject o = new JsonObject()
        .put("normProcent", Beschikbaarheid.NORM_PROCENT)
        .put("maandUren", u.maandMinuten() / 60.0)
        .put("geplandOnderhoudMinuten", u.geplandMinuten())
        .put("basisMinuten", u.basisMinuten())
        .put("beoordeeldMinuten", u.beoordeeldMinuten())
        .put("ongeplandeUitvalMinuten", u.ongeplandMinuten())
        .put("uitvalInOnderhoudMinuten", u.geplandUitMinuten())
        .put("budgetMinuten", u.budgetMinuten())
        .put("resterendBudgetMinuten", u.resterendMinuten())
        .put("binnenNorm", u.binnenNorm());
    if (u.procent() != null) {
      o.put("procent", u.procent());
    }
    return o;
  }

  private static JsonObject incidenten(JsonObject lijst) {
    int[] aantal = new int[4];
    int[] binnen = new int[4];
    int[] beoordeeld = new int[4];
    for (Object x : lijst.getJsonArray("incidenten")) {
      JsonObject i = (JsonObject) x;
      int p = i.getInteger("prioriteit");
      aantal[p]++;
      if (i.containsKey("binnenNorm")) {
        beoordeeld[p]++;
        if (i.getBoolean("binnenNorm")) {
          binnen[p]++;
        }
      }
    }
    JsonArray per = new JsonArray();
    int totaalBeoordeeld = 0;
    int totaalBinnen = 0;
    for (int p = 1; p <= 3; p++) {
      JsonObject o = new JsonObject()
          .put("prioriteit", p)
          .put("aantal", aantal[p])
          .put("beoordeeld", beoordeeld[p])
          .put("binnenNorm", binnen[p]);
      if (beoordeeld[p] > 0) {
        o.put("procentBinnenNorm", Math.round(binnen[p] * 1000.0 / beoordeeld[p]) / 10.0);
      }
      per.add(o);
      totaalBeoordeeld += beoordeeld[p];
      totaalBinnen += binnen[p];
    }
    JsonObject out = new JsonObject()
        .put("normProcent", INCIDENT_NORM_PROCENT)
        .put("perPrioriteit", per)
        .put("aantal", aantal[1] + aantal[2] + aantal[3]);
    if (totaalBeoordeeld > 0) {
      double procent = Math.round(totaalBinnen * 1000.0 / totaalBeoordeeld) / 10.0;
      out.put("procentBinnenNorm", procent).put("binnenNorm", procent >= INCIDENT_NORM_PROCENT);
    }
    return out.put("incidenten", lijst.getJsonArray("incidenten"));
  }

  private static double ms(long micros) {
    return Math.round(micros / 10.0) / 100.0;
  }

  private static OffsetDateTime utc(Instant i) {
    return i.atOffset(ZoneOffset.UTC);
  }
}
