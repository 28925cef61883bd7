package io.switchboard.hub.api.error;

/** A backing service (PostgreSQL, Redis) does not answer. */
public final class UnavailableException extends SwitchboardException {
  public UnavailableException(String message) {
    super("unavailable", message);
  }

  public UnavailableException(String message, Throwable cause) {
    super("unavailable", message, cause);
  }
}
