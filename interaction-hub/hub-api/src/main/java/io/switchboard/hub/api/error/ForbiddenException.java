package io.switchboard.hub.api.error;

/** The caller is known but its role does not allow this. */
public final class ForbiddenException extends SwitchboardException {
  public ForbiddenException(String message) {
    super("forbidden", message);
  }

  public ForbiddenException(String message, Throwable cause) {
    super("forbidden", message, cause);
  }
}
