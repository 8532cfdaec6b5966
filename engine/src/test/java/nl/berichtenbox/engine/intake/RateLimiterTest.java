package nl.berichtenbox.engine.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** An afnemer's limit is the service's: each of N processes admits its share. */
class RateLimiterTest {

  @Test
  void eachProcessTakesItsShareRoundedUp() {
    AtomicInteger n = new AtomicInteger(0);
    RateLimiter b = new RateLimiter(n::get);
    assertEquals(100, b.aandeel(100), "no heartbeat counted yet: this process alone");
    n.set(1);
    assertEquals(100, b.aandeel(100));
    n.set(3);
    assertEquals(34, b.aandeel(100));
    assertEquals(1, b.aandeel(2), "never less than one a second");
  }

  @Test
  void withTwoProcessesABucketHoldsHalfTheLimit() {
    AtomicInteger n = new AtomicInteger(2);
    RateLimiter b = new RateLimiter(n::get);
    int toegelaten = 0;
    for (int i = 0; i < 100; i++) {
      if (b.admit("00000001234567890000", 40, 1) == 0) {
        toegelaten++;
      }
    }
    // a full bucket holds a second's share (20), refilling at 20/s while the loop runs
    assertTrue(toegelaten >= 20 && toegelaten <= 22, "admitted " + toegelaten);
    assertTrue(b.admit("00000001234567890000", 40, 1) >= 1, "the next one waits");
  }

  @Test
  void noLimitMeansNoLimit() {
    RateLimiter b = new RateLimiter(() -> 5);
    for (int i = 0; i < 1000; i++) {
      assertEquals(0, b.admit("00000001234567890000", null, 1000));
    }
  }
}
