package nl.berichtenbox.engine.verwerking;

import static org.junit.jupiter.api.Assertions.assertTrue;

import nl.berichtenbox.engine.store.DatabaseUrl;
import org.junit.jupiter.api.Test;

class VerwerkerTest {
  @Test
  void theRoundIsShortEnoughToStayPreparedOnItsConnection() {
    // longer, the client would parse and plan it at every round (issue 21: more than it ran)
    DatabaseUrl url = DatabaseUrl.parse("postgresql://postgres@localhost:5432/postgres");
    var kept = url.connectOptions(url.hosts().get(0)).getPreparedStatementCacheSqlFilter();
    assertTrue(kept.test(Verwerker.ROUND), Verwerker.ROUND.length() + " characters");
    assertTrue(kept.test(Verwerker.ROUND_MET_SPOREN));
  }
}
