package io.switchboard.hub.api.error;

/**
 * Base of every error the hub reports on purpose. Each subtype carries a stable {@link #code()} that the
 * HTTP edge turns into an RFC 9457 problem type and status; anything else is an internal error.
 */
public abstract sealed class SwitchboardException extends RuntimeException
    permits ValidationException, NotFoundException, ConflictException, AuthenticationException,
        ForbiddenException, RateLimitedException, UnavailableException {

  private final String code;

  protected SwitchboardException(String code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  protected SwitchboardException(String code, String message, Throwable cause) {
    super(message, cause, false, true);
    this.code = code;
  }

  /** A stable, kebab-case code such as {@code validation-failed}. */
  public String code() {
    return code;
  }
}
