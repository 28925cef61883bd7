package io.switchboard.hub.api.error;

/** No valid credentials were presented. */
public final class AuthenticationException extends SwitchboardException {
  public AuthenticationException(String message) {
    super("unauthenticated", message);
  }

  public AuthenticationException(String message, Throwable cause) {
    super("unauthenticated", message, cause);
  }
}
