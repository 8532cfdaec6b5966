package nl.berichtenbox.engine.domain;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;

/**
 * One validated message to one citizen, as parked. {@code digest} is the SHA-256 of the
 * canonical JSON of the message as sent: equal digests mean an idempotent re-delivery.
 */
public record Bericht(
    UUID berichtId,
    String berichtType,
    String bsn,
    String onderwerp,
    String berichtTekst,
    String referentie,
    Instant publicatieDatum,
    LocalDate eindDatumHandelingsTermijn,
    List<Bijlage> bijlagen,
    byte[] digest) {

  /**
   * The contract's 13 days: a publicatieDatum at most this far ahead, a batch's aanmaakDatum at
   * most this far back (checked at intake, and again for the publicatieDatum when processed).
   */
  public static final Duration TERMIJN = Duration.ofDays(13);

  /** A PDF attachment, decoded. */
  public record Bijlage(String omschrijving, int volgorde, String mediaType, byte[] inhoud) {}

  /** Approximate bytes this message takes in a write batch; used to bound batch memory. */
  public int weight() {
    int w = 512 + onderwerp.length() * 2 + berichtTekst.length() * 2;
    for (Bijlage b : bijlagen) {
      w += b.inhoud().length;
    }
    return w;
  }
}
