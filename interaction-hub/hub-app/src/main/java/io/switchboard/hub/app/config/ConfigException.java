package io.switchboard.hub.app.config;

/** Configuration that cannot be used; the message names the file (or variable) and the key. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
