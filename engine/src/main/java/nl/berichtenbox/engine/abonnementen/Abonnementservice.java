package nl.berichtenbox.engine.abonnementen;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.WriteStream;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import nl.berichtenbox.engine.afnemers.Afnemer;
import nl.berichtenbox.engine.domain.ClientErrorException;
import nl.berichtenbox.engine.domain.Identifiers;
import nl.berichtenbox.engine.domain.InvalidParam;
import nl.berichtenbox.engine.domain.Testmodus;
import nl.berichtenbox.engine.domain.Tijd;
import nl.berichtenbox.engine.support.BackgroundLoop;
import nl.berichtenbox.engine.support.Component;
import nl.berichtenbox.engine.support.Json;
import nl.berichtenbox.engine.support.Logs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bulk lists of who accepts an afnemer (contract §2.5): ALLES, BSN_LIJST (up to 1 000 000 BSNs)
 * and MUTATIES since a moment. Accepted within the window and the per-night quotas, computed in
 * the background into {@code abonnement_resultaat} in one transaction (a request interrupted by a
 * restart is simply done again; after 3 attempts it is MISLUKT), and streamed back as NDJSON
 * from a database cursor, so memory stays flat whatever the size. Kept 7 days.
 */
public final class Abonnementservice implements Component {
  private static final Logger LOG = LoggerFactory.getLogger(Abonnementservice.class);
  public static final int MAX_BSNS = 1_000_000;
  public static final Map<String, Integer> QUOTA =
      Map.of("ALLES", 225, "BSN_LIJST", 150, "MUTATIES", 150);
  private static final int MAX_POGINGEN = 3;

  private static final String AANVRAGEN = """
      WITH slot AS (SELECT pg_advisory_xact_lock(hashtext('abonnementen:' || $3)))
      INSERT INTO abonnement_verzoek (id, oin, soort, bsns, mutatie_datum, nacht)
      SELECT $1, $2, $3, $4, $5, $6 FROM slot
      WHERE (SELECT count(*) FROM abonnement_verzoek WHERE soort = $3 AND nacht = $6) < $7
      RETURNING aangevraagd_op""";

  /** A test afnemer's request (contract §7.1): no window, no night's quota (nacht NULL). */
  private static final String AANVRAGEN_TEST = """
      INSERT INTO abonnement_verzoek (id, oin, soort, bsns, mutatie_datum, nacht)
      VALUES ($1, $2, $3, $4, $5, NULL)
      RETURNING aangevraagd_op""";

  private static final String STATUS = """
      SELECT id, soort, status, aangevraagd_op, gereed_op, aantal FROM abonnement_verzoek WHERE id = $1 AND oin = $2""";

  private static final String CLAIM = """
      UPDATE abonnement_verzoek SET bezig_tot = now() + interval '10 minutes', pogingen = pogingen + 1
      WHERE id = (SELECT id FROM abonnement_verzoek WHERE status = 'IN_BEHANDELING' AND bezig_tot < now()
                  ORDER BY aangevraagd_op LIMIT 1 FOR UPDATE SKIP LOCKED)
      RETURNING id, oin, soort, pogingen,
                (SELECT testmodus FROM afnemer a WHERE a.oin = abonnement_verzoek.oin) AS testmodus""";

  private static final String ALLES = """
      INSERT INTO abonnement_resultaat (verzoek, nr, bsn, actief, gewijzigd_op)
      SELECT $1, row_number() OVER (ORDER BY v.bsn), v.bsn, true, v.gewijzigd_op
      FROM voorkeur v JOIN berichtenbox b ON b.bsn = v.bsn
      WHERE v.oin = $2 AND v.berichten_ontvangen AND b.actief""";

  private static final String BSN_LIJST = """
      INSERT INTO abonnement_resultaat (verzoek, nr, bsn, actief, gewijzigd_op)
      SELECT $1, row_number() OVER (ORDER BY v.bsn), v.bsn, true, v.gewijzigd_op
      FROM (SELECT DISTINCT unnest(r.bsns) AS bsn FROM abonnement_verzoek r WHERE r.id = $1) k
      JOIN voorkeur v ON v.bsn = k.bsn::char(9) AND v.oin = $2
      JOIN berichtenbox b ON b.bsn = v.bsn
      WHERE v.berichten_ontvangen AND b.actief""";

  private static final String MUTATIES = """
      INSERT INTO abonnement_resultaat (verzoek, nr, bsn, actief, gewijzigd_op)
      SELECT $1, row_number() OVER (ORDER BY l.bsn), l.bsn, l.actief, l.tijdstip
      FROM (
        SELECT DISTINCT ON (m.bsn) m.bsn, m.berichten_ontvangen AND coalesce(b.actief, false) AS actief, m.tijdstip
        FROM voorkeur_mutatie m LEFT JOIN berichtenbox b ON b.bsn = m.bsn
        WHERE m.oin = $2 AND m.tijdstip > (SELECT mutatie_datum FROM abonnement_verzoek WHERE id = $1)
        ORDER BY m.bsn, m.volgnummer DESC
      ) l""";

  /** ALLES and MUTATIES for a test afnemer: the test mode's own fixed set. */
  private static final String VAST_TEST = """
      INSERT INTO abonnement_resultaat (verzoek, nr, bsn, actief, gewijzigd_op)
      SELECT $1, t.nr, t.bsn, true, r.aangevraagd_op
      FROM abonnement_verzoek r, unnest($3::text[]) WITH ORDINALITY AS t(bsn, nr)
      WHERE r.id = $1 AND r.oin = $2""";

  /** BSN_LIJST for a test afnemer: the list but the one BSN test mode refuses. */
  private static final String BSN_LIJST_TEST = """
      INSERT INTO abonnement_resultaat (verzoek, nr, bsn, actief, gewijzigd_op)
      SELECT $1, row_number() OVER (ORDER BY k.bsn), k.bsn, true, k.aangevraagd_op
      FROM (SELECT DISTINCT unnest(r.bsns) AS bsn, r.aangevraagd_op FROM abonnement_verzoek r
            WHERE r.id = $1 AND r.oin = $2) k
      WHERE k.bsn <> $3""";

  private static final String GEREED = """
      UPDATE abonnement_verzoek SET status = 'GEREED', gereed_op = now(), aantal = $2, bsns = NULL,
        bezig_tot = '-infinity'
      WHERE id = $1""";

  private static final String MISLUKT = """
      UPDATE abonnement_verzoek SET status = 'MISLUKT', fout = $2, bsns = NULL WHERE id = $1""";

  private static final String RESULTAAT = """
      SELECT nr, bsn, actief, gewijzigd_op FROM abonnement_resultaat WHERE verzoek = $1 AND nr > $2 ORDER BY nr LIMIT $3""";
  private static final int PAGINA = 5_000;

  private static final String OPRUIMEN = """
      DELETE FROM abonnement_verzoek WHERE aangevraagd_op < now() - interval '7 days'""";

  private final Pool pool;
  private final Clock clock;
  private final Venster venster;
  private final Map<String, Integer> quota;
  private final BackgroundLoop loop;

  public Abonnementservice(
      Vertx vertx, Pool pool, Venster venster, Map<String, Integer> quota, Clock clock) {
    this.pool = pool;
    this.clock = clock;
    this.venster = venster;
    this.quota = quota;
    this.loop = new BackgroundLoop(vertx, "Abonnementservice", 1000, this::verwerk, e -> {})
        .every(
            600_000,
            () -> opruimen()
                .onFailure(e ->
                    LOG.warn("removing old Abonnementservice requests failed: {}", Logs.safe(e))));
  }

  /** Accepts a request: 202 body with its id, or a 400/429 ClientErrorException. */
  public Future<JsonObject> aanvragen(Afnemer afnemer, JsonObject body) {
    String oin = afnemer.oin();
    List<InvalidParam> bad = new ArrayList<>();
    Object soort = body.getValue("soort");
    if (!(soort instanceof String s) || !quota.containsKey(s)) {
      bad.add(new InvalidParam("soort", "moet ALLES, BSN_LIJST of MUTATIES zijn"));
    }
    String[] bsns = null;
    OffsetDateTime mutatieDatum = null;
    if ("BSN_LIJST".equals(soort)) {
      if (!(body.getValue("bsns") instanceof JsonArray arr)
          || arr.isEmpty()
          || arr.size() > MAX_BSNS) {
        bad.add(new InvalidParam("bsns", "is verplicht bij BSN_LIJST: 1 tot 1000000 BSN's"));
      } else {
        bsns = new String[arr.size()];
        int invalid = 0;
        for (int i = 0; i < arr.size(); i++) {
          if (arr.getValue(i) instanceof String b && Identifiers.isBsn(b)) {
            bsns[i] = b;
          } else if (invalid++ < 100) {
            bad.add(new InvalidParam("bsns/" + i, "moet 9 cijfers zijn die de elfproef doorstaan"));
          }
        }
        if (invalid > 100) {
          bad.add(new InvalidParam("bsns", (invalid - 100) + " ongeldige BSN's meer"));
        }
      }
    } else if (body.containsKey("bsns")) {
      bad.add(new InvalidParam("bsns", "hoort alleen bij BSN_LIJST"));
    }
    if ("MUTATIES".equals(soort)) {
      try {
        if (!(body.getValue("mutatieDatum") instanceof String d)) {
          throw new DateTimeParseException("", "", 0);
        }
        mutatieDatum = OffsetDateTime.parse(d);
        if (mutatieDatum.toInstant().isAfter(clock.instant())) {
          bad.add(new InvalidParam("mutatieDatum", "ligt in de toekomst"));
        }
      } catch (DateTimeParseException e) {
        bad.add(
            new InvalidParam("mutatieDatum", "is verplicht bij MUTATIES: een RFC 3339-tijdstip"));
      }
    }
    if (!bad.isEmpty()) {
      return Future.failedFuture(ClientErrorException.badRequest("ongeldig verzoek", bad));
    }
    ZonedDateTime nu = ZonedDateTime.now(Tijd.NL);
    UUID id = UUID.randomUUID();
    String s = (String) soort;
    if (afnemer.testmodus()) {
      return pool.preparedQuery(AANVRAGEN_TEST)
          .execute(Tuple.of(
              id,
              oin,
              s,
              bsns,
              mutatieDatum == null ? null : mutatieDatum.withOffsetSameInstant(ZoneOffset.UTC)))
          .map(rows -> aangenomen(id, s, rows.iterator().next()));
    }
    if (!venster.open(nu)) {
      return Future.failedFuture(new ClientErrorException(
          429,
          "Buiten het venster",
          "verzoeken aan de Abonnementservice worden alleen 's nachts aangenomen",
          null,
          List.of(),
          venster.secondsToNext(nu, false)));
    }
    Tuple t = Tuple.tuple()
        .addValue(id)
        .addValue(oin)
        .addValue(s)
        .addValue(bsns)
        .addValue(mutatieDatum == null ? null : mutatieDatum.withOffsetSameInstant(ZoneOffset.UTC))
        .addValue(venster.night(nu))
        .addValue(quota.get(s));
    return pool.withTransaction(conn -> conn.preparedQuery(AANVRAGEN).execute(t))
        .map(rows -> {
          if (rows.size() == 0) {
            throw new ClientErrorException(
                429,
                "Quotum op",
                "het quotum van " + quota.get(s) + " " + s + "-verzoeken "
                    + (venster.always() ? "per dag" : "per nacht") + " (alle afnemers samen) is op",
                null,
                List.of(),
                venster.secondsToNext(nu, true));
          }
          return aangenomen(id, s, rows.iterator().next());
        });
  }

  private JsonObject aangenomen(UUID id, String soort, Row r) {
    wakeUp();
    return new JsonObject()
        .put("id", id.toString())
        .put("soort", soort)
        .put("status", "IN_BEHANDELING")
        .put("aangevraagdOp", Json.time(r.getOffsetDateTime(0)));
  }

  public Future<JsonObject> status(String oin, String rawId) {
    UUID id = Identifiers.parseUuid(rawId);
    if (id == null) {
      return Future.failedFuture(ClientErrorException.notFound("verzoek niet gevonden"));
    }
    return pool.preparedQuery(STATUS).execute(Tuple.of(id, oin)).map(rows -> {
      if (rows.size() == 0) {
        throw ClientErrorException.notFound("verzoek niet gevonden");
      }
      Row r = rows.iterator().next();
      JsonObject o = new JsonObject()
          .put("id", r.getUUID(0).toString())
          .put("soort", r.getString(1))
          .put("status", r.getString(2))
          .put("aangevraagdOp", Json.time(r.getOffsetDateTime(3)));
      if (r.getOffsetDateTime(4) != null) {
        o.put("gereedOp", Json.time(r.getOffsetDateTime(4)));
      }
      if (r.getLong(5) != null) {
        o.put("aantal", r.getLong(5));
      }
      return o;
    });
  }

  /**
   * Streams a finished request's result as NDJSON into {@code out}, a page of rows at a time
   * (keyset on the row number), and asks for the next page only once {@code out} has room. No
   * database connection is held between pages: a client that reads slowly, or stops reading,
   * holds its socket and one page at most, never a connection of the pool (the idle timeout
   * then closes its socket). Call after {@link #status} said GEREED. Ends {@code out} when done.
   */
  public Future<Void> schrijfResultaat(String rawId, WriteStream<Buffer> out) {
    UUID id = UUID.fromString(rawId);
    Promise<Void> klaar = Promise.promise();
    volgendePagina(id, 0, out, klaar);
    return klaar.future().compose(v -> out.end());
  }

  private void volgendePagina(UUID id, long na, WriteStream<Buffer> out, Promise<Void> klaar) {
    if (klaar.future().isComplete()) {
      return; // a write failed (the client went away): no more pages for nobody
    }
    pool.preparedQuery(RESULTAAT)
        .execute(Tuple.of(id, na, PAGINA))
        .onFailure(klaar::tryFail)
        .onSuccess(rows -> {
          long laatste = na;
          Buffer pagina = Buffer.buffer(rows.size() * 64);
          for (Row r : rows) {
            laatste = r.getLong(0);
            pagina
                .appendString(new JsonObject()
                    .put("bsn", r.getString(1))
                    .put("status", r.getBoolean(2) ? "ACTIEF" : "INACTIEF")
                    .put("gewijzigdOp", Json.time(r.getOffsetDateTime(3)))
                    .encode())
                .appendByte((byte) '\n');
          }
          if (rows.size() > 0) {
            out.write(pagina).onFailure(klaar::tryFail);
          }
          if (rows.size() < PAGINA) {
            klaar.tryComplete();
            return;
          }
          long verder = laatste;
          if (out.writeQueueFull()) {
            out.drainHandler(x -> volgendePagina(id, verder, out, klaar));
          } else {
            volgendePagina(id, verder, out, klaar);
          }
        });
  }

  // --- the background worker ---

  @Override
  public void start() {
    loop.start();
  }

  /** Removes requests (and their results) older than 7 days; the number removed. */
  public Future<Integer> opruimen() {
    return pool.query(OPRUIMEN).execute().map(r -> r.rowCount());
  }

  public void wakeUp() {
    loop.wakeUp();
  }

  /** One request per round; true (go on) while there was one. */
  private Future<Boolean> verwerk() {
    return pool.preparedQuery(CLAIM).execute().compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(false);
      }
      Row r = rows.iterator().next();
      UUID id = r.getUUID(0);
      String oin = r.getString(1);
      String soort = r.getString(2);
      if (r.getInteger(3) > MAX_POGINGEN) {
        return pool.preparedQuery(MISLUKT)
            .execute(Tuple.of(id, "na " + MAX_POGINGEN + " pogingen niet gelukt"))
            .map(true);
      }
      boolean test = Boolean.TRUE.equals(r.getBoolean(4));
      String sql;
      Tuple args;
      if (test) {
        sql = "BSN_LIJST".equals(soort) ? BSN_LIJST_TEST : VAST_TEST;
        args = "BSN_LIJST".equals(soort)
            ? Tuple.of(id, oin, Testmodus.NIET_ACTIEF)
            : Tuple.of(id, oin, Testmodus.ABONNEES.toArray(new String[0]));
      } else {
        sql = switch (soort) {
          case "ALLES" -> ALLES;
          case "BSN_LIJST" -> BSN_LIJST;
          default -> MUTATIES;
        };
        args = Tuple.of(id, oin);
      }
      return pool.withTransaction(conn -> conn.preparedQuery(
                  "DELETE FROM abonnement_resultaat WHERE verzoek = $1")
              .execute(Tuple.of(id))
              .compose(v -> conn.preparedQuery(sql).execute(args))
              .compose(
                  res -> conn.preparedQuery(GEREED).execute(Tuple.of(id, (long) res.rowCount()))))
          .map(true)
          .recover(e -> {
            LOG.warn("Abonnementservice request {} failed: {}", id, Logs.safe(e));
            return Future.succeededFuture(true);
          });
    });
  }

  @Override
  public Future<Void> stop() {
    return loop.stop();
  }
}
