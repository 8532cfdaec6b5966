package nl.berichtenbox.engine.intake;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import nl.berichtenbox.engine.domain.Bericht;
import nl.berichtenbox.engine.domain.BerichtStatus;
import nl.berichtenbox.engine.domain.VerwerkingsCode;
import nl.berichtenbox.engine.intake.IntakeItem.BatchHeader;
import nl.berichtenbox.engine.intake.IntakeItem.Offered;
import nl.berichtenbox.engine.intake.IntakeItem.Outcome;
import nl.berichtenbox.engine.support.VertxInternals;
import nl.berichtenbox.engine.tracing.Tracing;

/**
 * Writes many requests' messages inside one transaction with a handful of statements, however
 * many messages: batches, messages with their attachments (one statement), idempotency look-up
 * of the keys that were already there, refusals. Counters are left to the processor, so no two
 * intake transactions ever wait on the same row.
 */
final class IntakeWriter {
  private static final String INSERT_BATCH = """
      INSERT INTO batch (oin, batch_id, aanmaak_datum, totaal)
      SELECT * FROM unnest($1::text[], $2::uuid[], $3::timestamptz[], $4::int[])
      ON CONFLICT (oin, batch_id) DO NOTHING
      RETURNING oin, batch_id""";

  private static final String INSERT_BERICHTEN = """
      WITH ins AS (
        INSERT INTO bericht (oin, bericht_id, batch_id, bsn, bericht_type, onderwerp, bericht_tekst, referentie,
                             publicatie_datum, eind_datum_handelingstermijn, aantal_bijlagen, digest, traceparent)
        SELECT * FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[],
                             $8::text[], $9::timestamptz[], $10::date[], $11::int2[], $12::bytea[], $19::text[])
        ON CONFLICT (oin, bericht_id) DO NOTHING
        RETURNING id, oin, bericht_id
      ), bij AS (
        INSERT INTO bijlage (bericht, volgorde, omschrijving, media_type, inhoud)
        SELECT ins.id, b.volgorde, b.omschrijving, b.media_type, b.inhoud
        FROM unnest($13::text[], $14::uuid[], $15::int2[], $16::text[], $17::text[], $18::bytea[])
             AS b(oin, bericht_id, volgorde, omschrijving, media_type, inhoud)
        JOIN ins ON ins.oin = b.oin AND ins.bericht_id = b.bericht_id
      )
      SELECT oin, bericht_id FROM ins""";

  private static final String LOOKUP = """
      SELECT b.oin, b.bericht_id, b.digest, b.status, b.verwerkings_code
      FROM unnest($1::text[], $2::uuid[]) AS k(oin, bericht_id)
      JOIN bericht b ON b.oin = k.oin::char(20) AND b.bericht_id = k.bericht_id""";

  private static final String INSERT_AFWIJZINGEN = """
      INSERT INTO afwijzing (oin, bericht_id, batch_id, verwerkings_code, traceparent)
      SELECT * FROM unnest($1::text[], $2::text[], $3::uuid[], $4::text[], $5::text[])""";

  /** One request's worth of work. */
  static final class Unit {
    final String oin;
    final BatchHeader registerBatch;
    final UUID batchId;
    boolean recordRefusals;
    final List<Offered> offered;
    final int weight;
    Outcome[] outcomes;
    boolean batchNew;
    /** The W3C traceparent of the request: stored with each of its messages that has none of its own. */
    final String traceparent;

    Unit(
        String oin,
        BatchHeader registerBatch,
        UUID batchId,
        boolean recordRefusals,
        List<Offered> offered,
        String traceparent) {
      this.traceparent = traceparent;
      this.oin = oin;
      this.registerBatch = registerBatch;
      this.batchId = batchId;
      this.recordRefusals = recordRefusals;
      this.offered = offered;
      int w = 256;
      for (Offered o : offered) {
        w += o.bericht() == null ? 256 : o.bericht().weight();
      }
      this.weight = w;
    }

    /** The trace of offered message {@code i}: its own, else the request's; null when neither has one. */
    String spoor(int i) {
      String eigen = offered.get(i).traceparent();
      return eigen != null ? eigen : traceparent;
    }

    /** As {@link #spoor}, with a new trace made for a message that has none. */
    String spoorOfNieuw(int i) {
      String s = spoor(i);
      return s != null ? s : Tracing.newTraceparent();
    }
  }

  record Key(String oin, UUID berichtId) {}

  private record Stored(byte[] digest, BerichtStatus status, VerwerkingsCode code) {}

  Future<Void> write(SqlConnection conn, List<Unit> units) {
    return registerBatches(conn, units)
        .compose(v -> insertBerichten(conn, units))
        .compose(v -> insertRefusals(conn, units));
  }

  private Future<Void> registerBatches(SqlConnection conn, List<Unit> units) {
    List<Unit> withBatch = new ArrayList<>();
    for (Unit u : units) {
      if (u.registerBatch != null) {
        withBatch.add(u);
      }
    }
    if (withBatch.isEmpty()) {
      return Future.succeededFuture();
    }
    int n = withBatch.size();
    String[] oins = new String[n];
    UUID[] ids = new UUID[n];
    OffsetDateTime[] aanmaak = new OffsetDateTime[n];
    Integer[] totaal = new Integer[n];
    for (int i = 0; i < n; i++) {
      Unit u = withBatch.get(i);
      oins[i] = u.oin;
      ids[i] = u.registerBatch.batchId();
      aanmaak[i] = u.registerBatch.aanmaakDatum().atOffset(ZoneOffset.UTC);
      totaal[i] = u.registerBatch.totaal();
    }
    return conn.preparedQuery(INSERT_BATCH)
        .execute(Tuple.from(List.<Object>of(oins, ids, aanmaak, totaal)))
        .map(rows -> {
          Set<Key> fresh = new HashSet<>();
          for (Row r : rows) {
            fresh.add(new Key(r.getString(0), r.getUUID(1)));
          }
          for (Unit u : withBatch) {
            u.batchNew = fresh.contains(new Key(u.oin, u.registerBatch.batchId()));
            u.recordRefusals = u.batchNew;
          }
          return null;
        });
  }

  /**
   * The messages of one flush as the one statement's column arrays (the group commit's CPU part,
   * on the event loop): the first occurrence of each key is inserted, later ones (the same flush)
   * are resolved by look-up. Null tuple when the flush has no message to insert.
   */
  record Rows(Map<Key, Bericht> first, Tuple tuple) {}

  static Rows rows(List<Unit> units) {
    Map<Key, Bericht> first = new HashMap<>();
    List<Key> keys = new ArrayList<>();
    List<Bericht> rows = new ArrayList<>();
    List<UUID> batchIds = new ArrayList<>();
    List<String> tracing = new ArrayList<>();
    for (Unit u : units) {
      for (int i = 0; i < u.offered.size(); i++) {
        Offered o = u.offered.get(i);
        if (o.bericht() != null) {
          Key k = new Key(u.oin, o.bericht().berichtId());
          if (first.putIfAbsent(k, o.bericht()) == null) {
            keys.add(k);
            rows.add(o.bericht());
            batchIds.add(u.batchId);
            tracing.add(u.spoorOfNieuw(i));
          }
        }
      }
    }
    if (rows.isEmpty()) {
      return new Rows(first, null);
    }
    int n = rows.size();
    String[] oin = new String[n];
    UUID[] id = new UUID[n];
    UUID[] batch = batchIds.toArray(new UUID[0]);
    String[] bsn = new String[n];
    String[] type = new String[n];
    String[] onderwerp = new String[n];
    String[] text = new String[n];
    String[] referentie = new String[n];
    OffsetDateTime[] publicatie = new OffsetDateTime[n];
    LocalDate[] end = new LocalDate[n];
    Short[] aantal = new Short[n];
    Buffer[] digest = new Buffer[n];
    List<String> bOin = new ArrayList<>();
    List<UUID> bId = new ArrayList<>();
    List<Short> bVolgorde = new ArrayList<>();
    List<String> bOmschrijving = new ArrayList<>();
    List<String> bMedia = new ArrayList<>();
    List<Buffer> bInhoud = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Bericht b = rows.get(i);
      oin[i] = keys.get(i).oin();
      id[i] = b.berichtId();
      bsn[i] = b.bsn();
      type[i] = b.berichtType();
      onderwerp[i] = b.onderwerp();
      text[i] = b.berichtTekst();
      referentie[i] = b.referentie();
      publicatie[i] =
          b.publicatieDatum() == null ? null : b.publicatieDatum().atOffset(ZoneOffset.UTC);
      end[i] = b.eindDatumHandelingsTermijn();
      aantal[i] = (short) b.bijlagen().size();
      digest[i] = Buffer.buffer(b.digest());
      for (Bericht.Bijlage bij : b.bijlagen()) {
        bOin.add(oin[i]);
        bId.add(id[i]);
        bVolgorde.add((short) bij.volgorde());
        bOmschrijving.add(bij.omschrijving());
        bMedia.add(bij.mediaType());
        // wrapped, not copied (Buffer.buffer(byte[]) copies): 100 kB less garbage per attachment
        bInhoud.add(VertxInternals.wrap(bij.inhoud()));
      }
    }
    return new Rows(
        first,
        Tuple.from(List.<Object>of(
            oin,
            id,
            batch,
            bsn,
            type,
            onderwerp,
            text,
            referentie,
            publicatie,
            end,
            aantal,
            digest,
            bOin.toArray(new String[0]),
            bId.toArray(new UUID[0]),
            bVolgorde.toArray(new Short[0]),
            bOmschrijving.toArray(new String[0]),
            bMedia.toArray(new String[0]),
            bInhoud.toArray(new Buffer[0]),
            tracing.toArray(new String[0]))));
  }

  private Future<Void> insertBerichten(SqlConnection conn, List<Unit> units) {
    for (Unit u : units) {
      u.outcomes = new Outcome[u.offered.size()];
    }
    Rows rijen = rows(units);
    Map<Key, Bericht> first = rijen.first();
    if (rijen.tuple() == null) {
      resolve(units, Set.of(), first, Map.of());
      return Future.succeededFuture();
    }
    Tuple t = rijen.tuple();
    return conn.preparedQuery(INSERT_BERICHTEN).execute(t).compose(inserted -> {
      Set<Key> fresh = new HashSet<>(inserted.rowCount() * 2);
      for (Row r : inserted) {
        fresh.add(new Key(r.getString(0), r.getUUID(1)));
      }
      List<Key> lookup = new ArrayList<>();
      for (Unit u : units) {
        for (Offered o : u.offered) {
          if (o.bericht() != null) {
            Key k = new Key(u.oin, o.bericht().berichtId());
            if (!fresh.contains(k) || first.get(k) != o.bericht()) {
              lookup.add(k);
            }
          }
        }
      }
      if (lookup.isEmpty()) {
        resolve(units, fresh, first, Map.of());
        return Future.succeededFuture();
      }
      String[] lo = new String[lookup.size()];
      UUID[] li = new UUID[lookup.size()];
      for (int i = 0; i < lo.length; i++) {
        lo[i] = lookup.get(i).oin();
        li[i] = lookup.get(i).berichtId();
      }
      return conn.preparedQuery(LOOKUP)
          .execute(Tuple.from(List.<Object>of(lo, li)))
          .map(found -> {
            Map<Key, Stored> stored = new HashMap<>();
            for (Row r : found) {
              stored.put(
                  new Key(r.getString(0), r.getUUID(1)),
                  new Stored(
                      r.getBuffer(2).getBytes(),
                      BerichtStatus.van(r.getShort(3)),
                      code(r.getString(4))));
            }
            resolve(units, fresh, first, stored);
            return null;
          });
    });
  }

  private static VerwerkingsCode code(String s) {
    return s == null ? null : VerwerkingsCode.valueOf(s);
  }

  private static void resolve(
      List<Unit> units, Set<Key> fresh, Map<Key, Bericht> first, Map<Key, Stored> stored) {
    for (Unit u : units) {
      for (int i = 0; i < u.offered.size(); i++) {
        Offered o = u.offered.get(i);
        if (o.bericht() == null) {
          u.outcomes[i] = new Outcome(
              o.rawBerichtId(),
              BerichtStatus.AFGEWEZEN,
              o.refusal(),
              o.invalidParams(),
              Outcome.Kind.REFUSED);
          continue;
        }
        Key k = new Key(u.oin, o.bericht().berichtId());
        String id = o.bericht().berichtId().toString();
        if (fresh.contains(k) && first.get(k) == o.bericht()) {
          u.outcomes[i] =
              new Outcome(id, BerichtStatus.ONTVANGEN, null, List.of(), Outcome.Kind.PARKED);
          continue;
        }
        Stored s = stored.get(k);
        if (s == null) {
          // Inserted by this very flush from another request's identical key: compare with that
          // one.
          Bericht winner = first.get(k);
          s = new Stored(winner.digest(), BerichtStatus.ONTVANGEN, null);
        }
        if (Arrays.equals(s.digest(), o.bericht().digest())) {
          u.outcomes[i] = new Outcome(id, s.status(), s.code(), List.of(), Outcome.Kind.REPLAY);
        } else {
          u.outcomes[i] = new Outcome(
              id,
              BerichtStatus.AFGEWEZEN,
              VerwerkingsCode.BerichtBestaatAl,
              List.of(),
              Outcome.Kind.CONFLICT);
        }
      }
    }
  }

  private Future<Void> insertRefusals(SqlConnection conn, List<Unit> units) {
    List<String> oin = new ArrayList<>();
    List<String> id = new ArrayList<>();
    List<UUID> batch = new ArrayList<>();
    List<String> code = new ArrayList<>();
    List<String> tracing = new ArrayList<>();
    for (Unit u : units) {
      if (!u.recordRefusals) {
        continue;
      }
      for (int i = 0; i < u.outcomes.length; i++) {
        Outcome o = u.outcomes[i];
        if (o.kind() == Outcome.Kind.REFUSED || o.kind() == Outcome.Kind.CONFLICT) {
          oin.add(u.oin);
          id.add(o.berichtId());
          batch.add(u.batchId);
          code.add(o.code().name());
          tracing.add(u.spoorOfNieuw(i));
        }
      }
    }
    if (oin.isEmpty()) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery(INSERT_AFWIJZINGEN)
        .execute(Tuple.from(List.<Object>of(
            oin.toArray(new String[0]),
            id.toArray(new String[0]),
            batch.toArray(new UUID[0]),
            code.toArray(new String[0]),
            tracing.toArray(new String[0]))))
        .mapEmpty();
  }
}
