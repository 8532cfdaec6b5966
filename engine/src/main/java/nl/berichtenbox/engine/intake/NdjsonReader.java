package nl.berichtenbox.engine.intake;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.List;
import nl.berichtenbox.engine.domain.ClientErrorException;
import nl.berichtenbox.engine.domain.InvalidParam;
import nl.berichtenbox.engine.domain.VerwerkingsCode;

/**
 * What the lines of a streamed NDJSON batch mean (contract §2.3): the first the batch's header, each
 * next one a message, blank ones nothing. The caller reads the stream and gives one line at a time,
 * holding its input until the line's future completes (a chunk may be under way to the database);
 * a failed line ends the batch, and the caller then {@link #abort aborts} it. Confined to the
 * event loop of the {@link Intake} that made it.
 */
public final class NdjsonReader {
  private final Intake intake;
  private final String oin;
  private final String traceparent;
  private Intake.NdjsonBatch batch;
  private Future<Void> vorige = Future.succeededFuture();
  private int regel;

  NdjsonReader(Intake intake, String oin, String traceparent) {
    this.intake = intake;
    this.oin = oin;
    this.traceparent = traceparent;
  }

  /** One line, without its newline; a trailing CR or spaces are no part of it. */
  public Future<Void> line(Buffer ruw) {
    Buffer b = zonderEinde(ruw);
    if (b.length() == 0) {
      return vorige;
    }
    int nummer = regel++;
    Object value;
    try {
      value = b.toJsonValue();
    } catch (DecodeException e) {
      value = null;
    }
    if (!(value instanceof JsonObject json)) {
      String name = nummer == 0 ? "batch" : "berichten/" + (nummer - 1);
      return Future.failedFuture(ClientErrorException.badRequest(
          "de batch is ongeldig: regel " + (nummer + 1) + " is geen JSON-object",
          VerwerkingsCode.ValidatieFout,
          List.of(new InvalidParam(name, "geen JSON-object"))));
    }
    vorige = nummer == 0
        ? intake.ndjson(oin, json, traceparent).map(nb -> {
          batch = nb;
          return null;
        })
        : vorige.compose(v -> batch.add(json));
    return vorige;
  }

  /** The input ended: the batch committed whole, or a failure (an empty input has no header). */
  public Future<Intake.BatchAntwoord> end() {
    return vorige.compose(x -> batch == null
        ? Future.failedFuture(ClientErrorException.badRequest(
            "de batch is leeg",
            VerwerkingsCode.ValidatieFout,
            List.of(new InvalidParam("batchId", "is verplicht"))))
        : batch.finish());
  }

  /** Nothing of the batch is parked (a line failed, or the client went away). */
  public void abort() {
    if (batch != null) {
      batch.abort();
    }
  }

  private static Buffer zonderEinde(Buffer b) {
    int end = b.length();
    while (end > 0 && (b.getByte(end - 1) == '\r' || b.getByte(end - 1) == ' ')) {
      end--;
    }
    return end == b.length() ? b : b.getBuffer(0, end);
  }
}
