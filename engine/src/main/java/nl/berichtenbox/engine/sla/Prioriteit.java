package nl.berichtenbox.engine.sla;

import java.time.Duration;
import java.time.Instant;

/**
 * An incident's priority by the agreement's impact × urgency matrix, and its resolution deadline:
 * P1 within 6 clock hours, P2 within 20 and P3 within 30 office hours.
 */
public enum Prioriteit {
  P1(1),
  P2(2),
  P3(3);

  public final int nummer;

  Prioriteit(int nummer) {
    this.nummer = nummer;
  }

  /** HOOG, MIDDEN or LAAG each. */
  public enum Niveau {
    HOOG,
    MIDDEN,
    LAAG
  }

  public static Prioriteit van(Niveau impact, Niveau urgentie) {
    if (impact == Niveau.HOOG && urgentie == Niveau.HOOG) {
      return P1;
    }
    if ((impact == Niveau.HOOG && urgentie == Niveau.MIDDEN)
        || (impact == Niveau.MIDDEN && urgentie == Niveau.HOOG)) {
      return P2;
    }
    return P3;
  }

  public Instant deadline(Instant gemeldOp) {
    return switch (this) {
      case P1 -> gemeldOp.plus(Duration.ofHours(6));
      case P2 -> Kantooruren.plus(gemeldOp, Duration.ofHours(20));
      case P3 -> Kantooruren.plus(gemeldOp, Duration.ofHours(30));
    };
  }
}
