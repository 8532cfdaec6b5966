package nl.berichtenbox.engine.intake;

/**
 * Whether intake has lately been at its limit: a message had to wait because every transaction the
 * group committer may have under way was. Processing reads it to leave the cores to intake then: a
 * second round side by side speeds up a backlog, but taken from intake it cost a sender a 503
 * (issue 21: the norm suite's intake capacity 6 634/s with one round, 4 621/s with two, run back to
 * back). Shared by the process's intakes (one per event loop) and its processor; any thread.
 */
public final class IntakeSaturation {
  /** How long after the last wait intake counts as at its limit. */
  static final long VENSTER_NANOS = 1_000_000_000L;

  private volatile long laatst = System.nanoTime() - 2 * VENSTER_NANOS;

  /** A message waits for a transaction slot (the group committer says so). */
  public void wacht() {
    laatst = System.nanoTime();
  }

  /** Whether a message waited for a transaction slot within the last second. */
  public boolean verzadigd() {
    return System.nanoTime() - laatst < VENSTER_NANOS;
  }
}
