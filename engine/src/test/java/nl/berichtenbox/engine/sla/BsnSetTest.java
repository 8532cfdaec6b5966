package nl.berichtenbox.engine.sla;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The visitors' int set answers as a HashSet would, through its growth, with 0 and the largest BSN. */
class BsnSetTest {
  @Test
  void sameAnswersAsAHashSet() {
    Bezoekers.BsnSet set = new Bezoekers.BsnSet();
    Set<Integer> ref = new HashSet<>();
    SplittableRandom r = new SplittableRandom(7);
    for (int i = 0; i < 300_000; i++) {
      int bsn = i % 3 == 0
          ? r.nextInt(1_000)
          : r.nextInt(1_000_000_000); // many repeats, and the whole range
      assertEquals(ref.add(bsn), set.add(bsn), "bsn " + bsn);
    }
    assertEquals(ref.add(0), set.add(0));
    assertEquals(ref.add(999_999_999), set.add(999_999_999));
    assertEquals(false, set.add(999_999_999));
    assertEquals(ref.size(), set.size());
  }
}
