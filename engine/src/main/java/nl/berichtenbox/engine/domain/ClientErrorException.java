package nl.berichtenbox.engine.domain;

import java.util.List;

/**
 * A failure the caller caused. Carries its HTTP status and problem members so the HTTP face
 * renders it without knowing where it came from (the Eclipse Hono pattern).
 */
public class ClientErrorException extends RuntimeException {
  private final int status;
  private final String title;
  private final VerwerkingsCode verwerkingsCode;
  private final List<InvalidParam> invalidParams;
  private final Long retryAfterSeconds;

  public ClientErrorException(int status, String title, String detail) {
    this(status, title, detail, null, List.of(), null);
  }

  public ClientErrorException(
      int status,
      String title,
      String detail,
      VerwerkingsCode code,
      List<InvalidParam> invalidParams,
      Long retryAfterSeconds) {
    super(detail, null, false, false);
    this.status = status;
    this.title = title;
    this.verwerkingsCode = code;
    this.invalidParams = List.copyOf(invalidParams);
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public static ClientErrorException badRequest(String detail, List<InvalidParam> params) {
    return new ClientErrorException(400, "Ongeldige invoer", detail, null, params, null);
  }

  public static ClientErrorException badRequest(
      String detail, VerwerkingsCode code, List<InvalidParam> params) {
    return new ClientErrorException(400, "Ongeldige invoer", detail, code, params, null);
  }

  public static ClientErrorException notFound(String detail) {
    return new ClientErrorException(404, "Niet gevonden", detail);
  }

  public static ClientErrorException conflict(String detail, VerwerkingsCode code) {
    return new ClientErrorException(409, "Conflict", detail, code, List.of(), null);
  }

  public int status() {
    return status;
  }

  public String title() {
    return title;
  }

  public VerwerkingsCode verwerkingsCode() {
    return verwerkingsCode;
  }

  public List<InvalidParam> invalidParams() {
    return invalidParams;
  }

  public Long retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
