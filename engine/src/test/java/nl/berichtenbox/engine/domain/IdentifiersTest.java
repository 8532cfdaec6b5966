package nl.berichtenbox.engine.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdentifiersTest {
  @ParameterizedTest
  @ValueSource(strings = {"999993653", "111222333", "123456782", "999990019"})
  void validBsnsPassTheElfproef(String bsn) {
    assertTrue(Identifiers.isBsn(bsn));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"999993654", "123456789", "000000000", "12345678", "1234567890", "12345678a", ""})
  void invalidBsnsFail(String bsn) {
    assertFalse(Identifiers.isBsn(bsn));
  }

  @Test
  void elfproefUsesMinusOneForTheLastDigit() {
    // 9*1+8*1+7*1+6*2+5*2+4*2+3*3+2*3 = 69; 69 - 3 = 66 = 6*11
    assertTrue(Identifiers.isBsn("111222333"));
    // 999993653: 355 - 3 = 352 = 32 * 11; with +1 as last weight (358) it would fail
    assertTrue(Identifiers.isBsn("999993653"));
    assertFalse(Identifiers.isBsn("111222336"));
    assertFalse(Identifiers.isBsn(null));
  }

  @Test
  void oinIsTwentyDigits() {
    assertTrue(Identifiers.isOin("00000001234567890000"));
    assertFalse(Identifiers.isOin("0000000123456789000"));
    assertFalse(Identifiers.isOin("0000000123456789000a"));
  }

  @Test
  void onlyCanonicalUuidsParse() {
    assertEquals(
        "6f1c2d4e-1111-4a6b-9c1d-000000000001",
        Identifiers.parseUuid("6f1c2d4e-1111-4a6b-9c1d-000000000001").toString());
    assertNull(Identifiers.parseUuid("1-1-1-1-1"));
    assertNull(Identifiers.parseUuid("6f1c2d4e11114a6b9c1d000000000001"));
  }
}
