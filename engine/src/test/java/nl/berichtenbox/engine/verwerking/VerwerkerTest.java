package nl.berichtenbox.engine.verwerking;

import static org.junit.jupiter.api.Assertions.assertTrue;

import nl.berichtenbox.engine.store.DatabaseUrl;
import org.junit.jupiter.api.Test;

class VerwerkerTest {
  @Test
  void theRoundsStatementsAreShortEnoughToStayPreparedOnItsConnection() {
    // longer, the client would parse and plan it at every round (issue 21: more than it ran)
    DatabaseUrl url = DatabaseUrl.parse("postgresql://postgres@localhost:5432/postgres");
    var kept = url.connectOptions(url.hosts().get(0)).getPreparedStatementCacheSqlFilter();
    for (String sql :
        new String[] {Verwerker.KIES, Verwerker.BEVESTIG, Verwerker.BEVESTIG_MET_SPOREN}) {
      assertTrue(kept.test(sql), sql.length() + " characters");
    }
  }
}
