package nl.berichtenbox.engine.domain;

import java.util.UUID;
import java.util.regex.Pattern;

/** Checks of the domain's identifiers: BSN (elfproef), OIN, berichtType codes and UUIDs. */
public final class Identifiers {
  private static final Pattern UUID_PATTERN = Pattern.compile(
      "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
  private static final Pattern BERICHT_TYPE = Pattern.compile("^[A-Za-z0-9._-]{1,8}$");

  private Identifiers() {}

  /** Nine digits whose weighted sum (9..2, and -1 for the last) is divisible by 11; never all zeros. */
  public static boolean isBsn(String s) {
    if (s == null || s.length() != 9) {
      return false;
    }
    int sum = 0;
    boolean allZero = true;
    for (int i = 0; i < 9; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
      int d = c - '0';
      allZero &= d == 0;
      sum += i == 8 ? -d : d * (9 - i);
    }
    return !allZero && sum % 11 == 0;
  }

  public static boolean isOin(String s) {
    if (s == null || s.length() != 20) {
      return false;
    }
    for (int i = 0; i < 20; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  public static boolean isBerichtTypeCode(String s) {
    return s != null && BERICHT_TYPE.matcher(s).matches();
  }

  /** Parses a UUID in its canonical 8-4-4-4-12 form only (UUID.fromString accepts far more). */
  public static UUID parseUuid(String s) {
    if (s == null || !UUID_PATTERN.matcher(s).matches()) {
      return null;
    }
    return UUID.fromString(s);
  }
}
