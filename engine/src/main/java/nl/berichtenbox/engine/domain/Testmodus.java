package nl.berichtenbox.engine.domain;

import java.time.Duration;
import java.util.List;

/**
 * Test mode for afnemers (contract §7.1): the documented BSNs whose outcome a test afnemer can
 * choose. Any other valid BSN is {@code Verwerkt}; codes that follow from the input arise as in
 * production.
 */
public final class Testmodus {
  /** Refused with {@code NietActiefOfGeabonneerd}; the one BSN the Validatieservice refuses. */
  public static final String NIET_ACTIEF = "999990019";
  /** Refused with {@code TechnischProbleem}. */
  public static final String TECHNISCH_PROBLEEM = "999990020";
  /** {@code Verwerkt}, but its receipt comes only {@link #WACHTTIJD} after acceptance. */
  public static final String LATE_ONTVANGST = "999990032";

  public static final Duration WACHTTIJD = Duration.ofSeconds(60);
  /** What the Abonnementservice's ALLES and MUTATIES answer a test afnemer. */
  public static final List<String> ABONNEES = List.of("999990007", "999990044", "999990056");

  private Testmodus() {}

  /** Whether the Validatieservice answers a test afnemer that it can send to this citizen. */
  public static boolean ontvangbaar(String bsn) {
    return !NIET_ACTIEF.equals(bsn);
  }
}
