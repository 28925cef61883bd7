package io.switchboard.hub.api.error;

/** The request clashes with the current state (a stale version, a merge of a merged customer...). */
public final class ConflictException extends SwitchboardException {
  public ConflictException(String message) {
    super("conflict", message);
  }

  public ConflictException(String message, Throwable cause) {
    super("conflict", message, cause);
  }
}
