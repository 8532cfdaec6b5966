package nl.berichtenbox.engine.domain;

/**
 * Life cycle of a message: parked, then delivered or refused. {@link #code} is the value of
 * {@code bericht.status} (and {@code verwerkingsbericht.status}); the SQL writes these numbers as
 * literals, and VerwerkingIT reads them back against this enum.
 */
public enum BerichtStatus {
  ONTVANGEN(0),
  AFGELEVERD(1),
  AFGEWEZEN(2);

  public final short code;

  BerichtStatus(int code) {
    this.code = (short) code;
  }

  /** The status a stored code means; a code no status has is a defect, not a state. */
  public static BerichtStatus van(int code) {
    for (BerichtStatus s : values()) {
      if (s.code == code) {
        return s;
      }
    }
    throw new IllegalStateException("bericht.status " + code + " is no BerichtStatus");
  }
}
