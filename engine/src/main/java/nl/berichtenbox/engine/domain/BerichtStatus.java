package nl.berichtenbox.engine.domain;

/** Life cycle of a message: parked, then delivered or refused. */
public enum BerichtStatus {
  ONTVANGEN,
  AFGELEVERD,
  AFGEWEZEN
}
