package nl.berichtenbox.engine.store;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.pgclient.PgException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

/** Which failures are the database's absence (retry; no message's fault) and which are not. */
class OnbereikbaarTest {
  private static PgException pg(String state) {
    return new PgException("fout", "FATAL", state, null);
  }

  @Test
  void theDatabaseAwayStartingUpOrFullIsUnreachable() {
    assertTrue(Database.unreachable(new ConnectException("Connection refused")));
    assertTrue(Database.unreachable(
        new RuntimeException("wrapped", new ConnectException("Connection refused"))));
    assertTrue(
        Database.unreachable(pg("57P03"))); // the database system is starting up (CI saw this one)
    assertTrue(Database.unreachable(pg("57P01"))); // admin shutdown
    assertTrue(Database.unreachable(pg("08006"))); // connection failure
    assertTrue(Database.unreachable(pg("53100"))); // disk full
  }

  @Test
  void whatAMessageOrTheCodeCausesIsNot() {
    assertFalse(Database.unreachable(pg("23505"))); // unique violation
    assertFalse(Database.unreachable(pg("P0001"))); // raised by a trigger
    assertFalse(Database.unreachable(pg("22001"))); // value too long
    assertFalse(Database.unreachable(new IllegalStateException("kapot")));
    assertFalse(Database.unreachable(null));
  }
}
