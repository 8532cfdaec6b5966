package nl.berichtenbox.engine.support;

import java.util.regex.Pattern;

/** Log hygiene: a BSN must never reach a log line in clear, not even inside a database error. */
public final class Logs {
  private static final Pattern NINE_DIGITS = Pattern.compile("(?<!\\d)\\d{9}(?!\\d)");

  private Logs() {}

  /** The exception's class and message with every 9-digit run masked. */
  public static String safe(Throwable t) {
    return t.getClass().getSimpleName() + ": " + mask(String.valueOf(t.getMessage()));
  }

  public static String mask(String s) {
    return s == null ? null : NINE_DIGITS.matcher(s).replaceAll("*********");
  }
}
