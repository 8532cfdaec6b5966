package nl.berichtenbox.engine.domain;

/**
 * Life cycle of a message: parked, then delivered or refused. {@link #code} is the value of
 * {@code bericht.status} (and {@code verwerkingsbericht.status}); the SQL writes these numbers as
 * literals, and VerwerkingIT reads them back against this enum. A test afnemer's messages (contract
 * §7.1) have two stored codes of their own that answer as one of these: {@link #TEST_VERWERKT}
 * and {@link #TEST_WACHTEND}.
 */
public enum BerichtStatus {
  ONTVANGEN(0),
  AFGELEVERD(1),
  AFGEWEZEN(2);

  /** Stored for a test message processed as Verwerkt: delivered to the afnemer, in no box. */
  public static final short TEST_VERWERKT = 3;
  /** Stored for a test message whose receipt waits (to 999990032): still parked to the afnemer. */
  public static final short TEST_WACHTEND = 4;

  public final short code;

  BerichtStatus(int code) {
    this.code = (short) code;
  }

  /** The status a stored code means; a code no status has is a defect, not a state. */
  public static BerichtStatus van(int code) {
    if (code == TEST_VERWERKT) {
      return AFGELEVERD;
    } else if (code == TEST_WACHTEND) {
      return ONTVANGEN;
    }
    for (BerichtStatus s : values()) {
      if (s.code == code) {
        return s;
      }
    }
    throw new IllegalStateException("bericht.status " + code + " is no BerichtStatus");
  }
}
