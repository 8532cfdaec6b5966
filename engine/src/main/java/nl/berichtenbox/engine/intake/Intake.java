package nl.berichtenbox.engine.intake;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import nl.berichtenbox.engine.config.EngineConfig;
import nl.berichtenbox.engine.domain.Bericht;
import nl.berichtenbox.engine.domain.ClientErrorException;
import nl.berichtenbox.engine.domain.Identifiers;
import nl.berichtenbox.engine.domain.InvalidParam;
import nl.berichtenbox.engine.domain.ServerErrorException;
import nl.berichtenbox.engine.domain.VerwerkingsCode;
import nl.berichtenbox.engine.intake.IntakeItem.BatchHeader;
import nl.berichtenbox.engine.intake.IntakeItem.Offered;
import nl.berichtenbox.engine.intake.IntakeItem.Outcome;
import nl.berichtenbox.engine.metrics.EngineMetrics;
import nl.berichtenbox.engine.tracing.Tracing;

/**
 * Accepting messages (contract §2.2): validate on the event loop, then park through the group
 * committer; every answer is given after the commit. One instance per event loop.
 */
public final class Intake {
  public static final int MAX_BATCH = 1000;
  private static final int NDJSON_CHUNK = 250;

  private final Pool pool;
  private final GroupCommitter committer;
  private final IntakeWriter writer = new IntakeWriter();
  private final Runnable onCommit;
  private final EngineMetrics metrics;
  /** The time messages are validated against (publication dates, creation dates: the 13 days). */
  private final Clock clock;

  /** The answer to a batch: per message outcome, in input order. */
  public record BatchAntwoord(UUID batchId, List<Outcome> berichten) {
    public int ontvangen() {
      return (int) berichten.stream()
          .filter(o -> o.kind() == Outcome.Kind.PARKED || o.kind() == Outcome.Kind.REPLAY)
          .count();
    }

    public int afgewezen() {
      return berichten.size() - ontvangen();
    }
  }

  public Intake(
      Pool pool,
      EngineConfig config,
      Runnable onCommit,
      EngineMetrics metrics,
      IntakeSaturation saturation,
      Tracing tracing,
      Clock clock) {
    this.pool = pool;
    this.clock = clock;
    this.onCommit = onCommit;
    this.metrics = metrics;
    this.committer = new GroupCommitter(
        pool,
        writer,
        config.groupCommitMaxMessages(),
        config.groupCommitMaxBytes(),
        config.groupCommitMaxInFlight(),
        config.groupCommitMinInterval(),
        config.intakeMaxWait(),
        onCommit,
        metrics,
        saturation,
        tracing);
  }

  /** One message: the outcome, or a failed future with a ClientErrorException for a refusal. */
  public Future<Outcome> bericht(String oin, Object body, String traceparent) {
    BerichtValidator.Result r = BerichtValidator.validate(body, "", oin, clock.instant());
    IntakeWriter.Unit unit =
        new IntakeWriter.Unit(oin, null, null, true, List.of(Offered.of(r)), traceparent);
    return committer.submit(unit).map(u -> {
      Outcome o = u.outcomes[0];
      count(o);
      switch (o.kind()) {
        case REFUSED ->
          throw ClientErrorException.badRequest(
              "het bericht is afgewezen", o.code(), o.invalidParams());
        case CONFLICT ->
          throw ClientErrorException.conflict(
              "berichtId " + o.berichtId() + " is al gebruikt voor een bericht met andere inhoud",
              VerwerkingsCode.BerichtBestaatAl);
        default -> {
          return o;
        }
      }
    });
  }

  /**
   * Messages that arrived together for one afnemer by another way than HTTP (Kafka): validated
   * one by one, parked in one group commit, outcomes in input order. A value that is not a JSON
   * object is refused (ValidatieFout) under the given fallback berichtId (the record key). Each
   * message keeps its own traceparent ({@code traceparents}, a valid one or null: a new trace).
   */
  public Future<List<Outcome>> berichten(
      String oin, List<Object> values, List<String> fallbackIds, List<String> traceparents) {
    Instant now = clock.instant();
    List<Offered> offered = new ArrayList<>(values.size());
    for (int i = 0; i < values.size(); i++) {
      BerichtValidator.Result r = BerichtValidator.validate(values.get(i), "", oin, now);
      String messageTraceparent = traceparents.get(i);
      offered.add(
          r.valid() || r.rawBerichtId() != null
              ? Offered.of(r, messageTraceparent)
              : new Offered(
                  null, fallbackIds.get(i), r.code(), r.invalidParams(), messageTraceparent));
    }
    // records of one poll come from many senders: no trace for the unit, each message its own
    return committer
        .submit(new IntakeWriter.Unit(oin, null, null, true, offered, null))
        .map(u -> {
          for (Outcome o : u.outcomes) {
            count(o);
          }
          return List.of(u.outcomes);
        });
  }

  /**
   * A JSON batch: all of it in one group commit, so it is parked whole or not at all. A batch
   * invalid as a whole fails the future with a 400 {@link ClientErrorException}.
   */
  public Future<BatchAntwoord> batch(String oin, JsonObject body, String traceparent) {
    try {
      return batchOf(oin, body, traceparent);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private Future<BatchAntwoord> batchOf(String oin, JsonObject body, String traceparent) {
    Instant now = clock.instant();
    BatchHeader header = header(oin, body, now, -1);
    List<InvalidParam> bad = new ArrayList<>();
    Object rawBerichten = body.getValue("berichten");
    if (!(rawBerichten instanceof JsonArray berichten)) {
      bad.add(new InvalidParam(
          "berichten", rawBerichten == null ? "is verplicht" : "moet een lijst zijn"));
      throw ClientErrorException.badRequest(
          "de batch is ongeldig", VerwerkingsCode.ValidatieFout, bad);
    }
    if (berichten.isEmpty() || berichten.size() > MAX_BATCH) {
      bad.add(new InvalidParam("berichten", "moet 1 tot 1000 berichten bevatten"));
      throw ClientErrorException.badRequest(
          "de batch is ongeldig", VerwerkingsCode.ValidatieFout, bad);
    }
    List<Offered> offered = new ArrayList<>(berichten.size());
    for (int i = 0; i < berichten.size(); i++) {
      offered.add(Offered.of(
          BerichtValidator.validate(berichten.getValue(i), "berichten/" + i + "/", oin, now)));
    }
    BatchHeader h = new BatchHeader(header.batchId(), header.aanmaakDatum(), berichten.size());
    IntakeWriter.Unit unit = new IntakeWriter.Unit(oin, h, h.batchId(), true, offered, traceparent);
    return committer.submit(unit).map(u -> {
      for (Outcome o : u.outcomes) {
        count(o);
      }
      return new BatchAntwoord(h.batchId(), List.of(u.outcomes));
    });
  }

  /**
   * Checks a batch header. {@code berichten} is -1 for a JSON batch (checked by the caller).
   * Throws a 400 ClientErrorException naming every bad field.
   */
  public static BatchHeader header(String oin, JsonObject body, Instant now, int berichten) {
    List<InvalidParam> bad = new ArrayList<>();
    VerwerkingsCode code = VerwerkingsCode.ValidatieFout;
    Object rawOin = body.getValue("oin");
    if (rawOin != null && !oin.equals(rawOin)) {
      bad.add(new InvalidParam("oin", "komt niet overeen met de geauthenticeerde afnemer"));
      code = VerwerkingsCode.OinKomtNietOvereen;
    }
    Object rawId = body.getValue("batchId");
    UUID batchId = rawId instanceof String s ? Identifiers.parseUuid(s) : null;
    if (batchId == null) {
      bad.add(new InvalidParam("batchId", rawId == null ? "is verplicht" : "moet een UUID zijn"));
    }
    Object rawAanmaak = body.getValue("aanmaakDatum");
    Instant aanmaak = null;
    if (rawAanmaak == null) {
      bad.add(new InvalidParam("aanmaakDatum", "is verplicht"));
    } else {
      try {
        if (!(rawAanmaak instanceof String s)) {
          throw new DateTimeParseException("", "", 0);
        }
        aanmaak = OffsetDateTime.parse(s).toInstant();
        if (aanmaak.isBefore(now.minus(Bericht.TERMIJN))) {
          bad.add(new InvalidParam("aanmaakDatum", "ligt meer dan 13 dagen in het verleden"));
          if (code == VerwerkingsCode.ValidatieFout) {
            code = VerwerkingsCode.AanmaakDatumLigtTeVerInHetVerleden;
          }
        }
      } catch (DateTimeParseException e) {
        bad.add(new InvalidParam("aanmaakDatum", "moet een RFC 3339-tijdstip met tijdzone zijn"));
      }
    }
    if (!bad.isEmpty()) {
      throw ClientErrorException.badRequest("de batch is ongeldig", code, bad);
    }
    return new BatchHeader(batchId, aanmaak, berichten);
  }

  private void count(Outcome o) {
    switch (o.kind()) {
      case PARKED -> metrics.berichtenGeparkeerd.increment();
      case REPLAY -> metrics.berichtenReplay.increment();
      default -> metrics.berichtenAfgewezenBijOntvangst.increment();
    }
  }

  /**
   * Starts a streamed NDJSON batch. It runs in its own transaction on one connection, written in
   * chunks as lines arrive (flat memory), and commits only at the end: a batch that turns out
   * invalid as a whole (an unparseable line, over 1000 messages) leaves nothing parked.
   */
  public Future<NdjsonBatch> ndjson(String oin, JsonObject headerLine, String traceparent) {
    BatchHeader header;
    try {
      header = header(oin, headerLine, clock.instant(), 0);
    } catch (ClientErrorException e) {
      return Future.failedFuture(e);
    }
    return pool.getConnection()
        .compose(
            conn -> conn.begin().map(tx -> new NdjsonBatch(oin, header, conn, tx, traceparent)))
        .recover(e -> Future.failedFuture(
            e instanceof ClientErrorException
                ? e
                : ServerErrorException.unavailable("the message store is unavailable", e)));
  }

  /** Reads a streamed NDJSON batch line by line ({@link NdjsonReader}). */
  public NdjsonReader ndjsonReader(String oin, String traceparent) {
    return new NdjsonReader(this, oin, traceparent);
  }

  /** An NDJSON batch in progress; confined to the event loop that started it. */
  public final class NdjsonBatch {
    private final String oin;
    private final BatchHeader header;
    private final SqlConnection conn;
    private final Transaction tx;
    private final List<Offered> chunk = new ArrayList<>(NDJSON_CHUNK);
    private final List<Outcome> outcomes = new ArrayList<>();
    private final Instant now = clock.instant();
    private boolean first = true;
    private boolean recordRefusals = true;
    private int count;
    private final String traceparent;

    private NdjsonBatch(
        String oin, BatchHeader header, SqlConnection conn, Transaction tx, String traceparent) {
      this.traceparent = traceparent;
      this.oin = oin;
      this.header = header;
      this.conn = conn;
      this.tx = tx;
    }

    /**
     * Adds one parsed line; the future completes when it may be followed by the next (a chunk
     * write may be under way: the caller pauses its input meanwhile).
     */
    public Future<Void> add(Object message) {
      if (count >= MAX_BATCH) {
        return Future.failedFuture(ClientErrorException.badRequest(
            "de batch is ongeldig",
            VerwerkingsCode.ValidatieFout,
            List.of(new InvalidParam("berichten", "moet 1 tot 1000 berichten bevatten"))));
      }
      chunk.add(
          Offered.of(BerichtValidator.validate(message, "berichten/" + count + "/", oin, now)));
      count++;
      return chunk.size() >= NDJSON_CHUNK ? writeChunk() : Future.succeededFuture();
    }

    private Future<Void> writeChunk() {
      List<Offered> items = new ArrayList<>(chunk);
      chunk.clear();
      IntakeWriter.Unit unit = new IntakeWriter.Unit(
          oin,
          first ? new BatchHeader(header.batchId(), header.aanmaakDatum(), 0) : null,
          header.batchId(),
          recordRefusals,
          items,
          traceparent);
      boolean wasFirst = first;
      first = false;
      return writer.write(conn, List.of(unit)).map(v -> {
        if (wasFirst) {
          recordRefusals = unit.batchNew;
        }
        outcomes.addAll(List.of(unit.outcomes));
        return null;
      });
    }

    /** Writes the rest, sets the batch total, commits; then answers. */
    public Future<BatchAntwoord> finish() {
      if (count == 0) {
        abort();
        return Future.failedFuture(ClientErrorException.badRequest(
            "de batch is ongeldig",
            VerwerkingsCode.ValidatieFout,
            List.of(new InvalidParam("berichten", "moet 1 tot 1000 berichten bevatten"))));
      }
      // totaal = 0 only on a batch registered by this request: a re-sent batch keeps its first
      // total.
      return writeChunk()
          .compose(v -> conn.preparedQuery(
                  "UPDATE batch SET totaal = $3 WHERE oin = $1 AND batch_id = $2 AND totaal = 0")
              .execute(Tuple.of(oin, header.batchId(), count))
              .<Void>mapEmpty())
          .compose(v -> tx.commit())
          .eventually(() -> conn.close())
          .map(v -> {
            for (Outcome o : outcomes) {
              Intake.this.count(o);
            }
            onCommit.run();
            return new BatchAntwoord(header.batchId(), List.copyOf(outcomes));
          })
          .recover(e -> Future.failedFuture(
              e instanceof ClientErrorException
                  ? e
                  : ServerErrorException.unavailable("the message store is unavailable", e)));
    }

    /** Rolls back: nothing of the batch is kept. */
    public void abort() {
      tx.rollback().eventually(() -> conn.close());
    }
  }
}
