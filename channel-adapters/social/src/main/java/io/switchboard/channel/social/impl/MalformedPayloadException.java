package io.switchboard.channel.social.impl;

/**
 * A webhook body that is not what the provider's format promises: not JSON, or a required field missing or
 * of the wrong type. The webhook answers 400 and stores nothing of the batch. The message names the field by
 * its JSON path (for example {@code entry[0].changes[1].value.messages[0].id}).
 */
public final class MalformedPayloadException extends RuntimeException {
  public MalformedPayloadException(String message) {
    super(message, null, false, false);
  }
}
