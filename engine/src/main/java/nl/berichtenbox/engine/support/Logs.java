package nl.berichtenbox.engine.support;

import java.util.regex.Pattern;

/**
 * Log hygiene: a BSN must never reach a log line in clear, not even inside a database error; nor
 * a citizen's e-mail address, which a mail server's refusal often quotes.
 */
public final class Logs {
  private static final Pattern NINE_DIGITS = Pattern.compile("(?<!\\d)\\d{9}(?!\\d)");
  private static final Pattern EMAIL =
      Pattern.compile("[^\\s<>()\\[\\]:;,\"']+@[^\\s<>()\\[\\]:;,\"']+");

  private Logs() {}

  /** The exception's class and message, masked as {@link #mask} does. */
  public static String safe(Throwable t) {
    return t.getClass().getSimpleName() + ": " + mask(String.valueOf(t.getMessage()));
  }

  public static String mask(String s) {
    return s == null
        ? null
        : EMAIL.matcher(NINE_DIGITS.matcher(s).replaceAll("*********")).replaceAll("<adres>");
  }
}
