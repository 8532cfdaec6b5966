package nl.berichtenbox.engine.domain;

import java.time.ZoneId;

/** Dutch time: in which the service's days, months, office hours and notification limits are counted. */
public final class Tijd {
  private Tijd() {}

  public static final ZoneId NL = ZoneId.of("Europe/Amsterdam");

  /** {@link #NL} as a SQL literal, for {@code AT TIME ZONE} in a statement's text. */
  public static final String NL_SQL = "'" + NL.getId() + "'";
}
