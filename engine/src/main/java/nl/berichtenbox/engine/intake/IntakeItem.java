package nl.berichtenbox.engine.intake;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import nl.berichtenbox.engine.domain.Bericht;
import nl.berichtenbox.engine.domain.BerichtStatus;
import nl.berichtenbox.engine.domain.InvalidParam;
import nl.berichtenbox.engine.domain.VerwerkingsCode;

/** Types that travel between the HTTP face and the group committer. */
public final class IntakeItem {
  private IntakeItem() {}

  /** The batch a unit belongs to; registered once, with the number of messages it holds. */
  public record BatchHeader(UUID batchId, Instant aanmaakDatum, int totaal) {}

  /** What became of one message of a unit. */
  public record Outcome(
      String berichtId,
      BerichtStatus status,
      VerwerkingsCode code,
      List<InvalidParam> invalidParams,
      Kind kind) {
    public enum Kind {
      PARKED,
      REPLAY,
      CONFLICT,
      REFUSED
    }
  }

  /**
   * One message as offered: valid (to park) or refused on arrival (to receipt). {@code traceparent}
   * is the message's own (a Kafka record's header), null when it shares its request's.
   */
  public record Offered(
      Bericht bericht,
      String rawBerichtId,
      VerwerkingsCode refusal,
      List<InvalidParam> invalidParams,
      String traceparent) {
    public static Offered of(BerichtValidator.Result r) {
      return of(r, null);
    }

    public static Offered of(BerichtValidator.Result r, String traceparent) {
      return new Offered(r.bericht(), r.rawBerichtId(), r.code(), r.invalidParams(), traceparent);
    }
  }
}
