package nl.berichtenbox.engine.domain;

/** A failure on our side: 500, or 503 with Retry-After when we shed load or lost the database. */
public class ServerErrorException extends RuntimeException {
  private final int status;
  private final Long retryAfterSeconds;

  public ServerErrorException(int status, String detail, Long retryAfterSeconds, Throwable cause) {
    super(detail, cause);
    this.status = status;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public static ServerErrorException unavailable(String detail, Throwable cause) {
    return new ServerErrorException(503, detail, 1L, cause);
  }

  public int status() {
    return status;
  }

  public Long retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
