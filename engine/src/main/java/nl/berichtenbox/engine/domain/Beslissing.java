package nl.berichtenbox.engine.domain;

/**
 * How a message is decided (contract §2.3), as SQL over a message's columns under alias {@code b}
 * joined by {@link #JOINS}: one definition, used where intake writes a message already decided
 * and where processing decides the ones intake could not (a test message whose receipt waits, a
 * message parked before V17).
 *
 * <p>Intake decides because the citizen's box and preferences are known there: the 2 kB row is then
 * written once, in its final state, instead of inserted as parked and rewritten (with a new entry
 * in every index) by processing. What processing still does per message is its receipt, counters,
 * e-mail and live update, from a narrow queue ({@code bericht_wachtrij}); until then the afnemer
 * sees it as {@code ONTVANGEN} ({@link #STATUS}).
 */
public final class Beslissing {
  /** The box, preferences, berichtType and test mode of message {@code b}. */
  public static final String JOINS = """
      LEFT JOIN afnemer t ON t.oin = b.oin AND t.testmodus
      LEFT JOIN bericht_type bt ON bt.oin = b.oin AND bt.code = b.bericht_type
      LEFT JOIN berichtenbox bb ON bb.bsn = b.bsn
      LEFT JOIN voorkeur v ON v.bsn = b.bsn AND v.oin = b.oin""";

  /** Whether message {@code b} is a test afnemer's (contract §7.1): no box, no e-mail. */
  public static final String TEST = "(t.oin IS NOT NULL)";

  private Beslissing() {}

  /**
   * The verwerkingsCode of message {@code b} accepted at {@code ontvangenOp}; NULL while a test
   * message's receipt is to wait ({@link Testmodus#LATE_ONTVANGST}).
   */
  public static String code(String ontvangenOp) {
    return """
        CASE
          WHEN b.publicatie_datum > now() + interval '%d days' THEN 'PublicatieDatumLigtTeVerInDeToekomst'
          WHEN bt.actief IS NOT TRUE THEN 'BerichtTypeNietOndersteund'
          WHEN t.oin IS NULL THEN
            CASE WHEN bb.actief IS NOT TRUE OR v.berichten_ontvangen IS NOT TRUE THEN 'NietActiefOfGeabonneerd'
                 ELSE 'Verwerkt' END
          WHEN b.bsn = '%s' THEN 'NietActiefOfGeabonneerd'
          WHEN b.bsn = '%s' THEN 'TechnischProbleem'
          -- no code yet: the receipt waits (status 4) until %d s after acceptance
          WHEN b.bsn = '%s' AND %s > now() - interval '%4$d seconds' THEN NULL
          ELSE 'Verwerkt'
        END""".formatted(
            Bericht.TERMIJN.toDays(),
            Testmodus.NIET_ACTIEF,
            Testmodus.TECHNISCH_PROBLEEM,
            Testmodus.WACHTTIJD.toSeconds(),
            Testmodus.LATE_ONTVANGST,
            ontvangenOp);
  }

  /**
   * The stored status of a message with verwerkingsCode {@code code} ({@link BerichtStatus}: a test
   * message's codes of its own).
   */
  public static String status(String code, String test) {
    return "CASE WHEN %1$s IS NULL THEN %3$d WHEN %1$s <> 'Verwerkt' THEN 2 WHEN %2$s THEN %4$d ELSE 1 END"
        .formatted(code, test, BerichtStatus.TEST_WACHTEND, BerichtStatus.TEST_VERWERKT);
  }

  /** Delivered to a box: its public id, and when the citizen sees it. */
  public static String publiekId(String code, String test) {
    return "CASE WHEN %s = 'Verwerkt' AND NOT %s THEN gen_random_uuid() END".formatted(code, test);
  }

  public static String zichtbaarOp(String code, String test, String publicatieDatum) {
    return "CASE WHEN %s = 'Verwerkt' AND NOT %s THEN coalesce(%s, clock_timestamp()) END"
        .formatted(code, test, publicatieDatum);
  }

  public static String verwerktOp(String code) {
    return "CASE WHEN %s IS NOT NULL THEN clock_timestamp() END".formatted(code);
  }

  /**
   * Status, verwerkingsCode and verwerktOp of message {@code b} as its afnemer sees them (contract
   * §2.4): {@code ONTVANGEN}, without code, while its receipt is yet to be written ({@code w}, its
   * row in {@code bericht_wachtrij}, LEFT JOINed).
   */
  public static final String STATUS = """
      CASE WHEN w.id IS NULL THEN b.status ELSE 0::smallint END AS status,
      CASE WHEN w.id IS NULL THEN b.verwerkings_code END AS verwerkings_code,
      CASE WHEN w.id IS NULL THEN b.verwerkt_op END AS verwerkt_op""";
}
