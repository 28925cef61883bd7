package io.switchboard.hub.api.error;

/** The named resource does not exist, or the caller may not see it. */
public final class NotFoundException extends SwitchboardException {
  public NotFoundException(String message) {
    super("not-found", message);
  }

  public NotFoundException(String message, Throwable cause) {
    super("not-found", message, cause);
  }
}
