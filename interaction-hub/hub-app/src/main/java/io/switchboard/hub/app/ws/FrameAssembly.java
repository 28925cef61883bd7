package io.switchboard.hub.app.ws;

import io.vertx.core.buffer.Buffer;

/**
 * Puts a client's WebSocket frames back together into one text message: a text frame starts a message, continuation
 * frames add to it, the final frame completes it. A message larger than {@code maxBytes} is dropped as it grows (its
 * later frames are read and discarded) and reported once when it ends; binary messages are not part of the protocol
 * and are reported once when they end. One instance per socket, used on the socket's event loop only.
 */
final class FrameAssembly {
  /** What a frame completed: nothing yet, a text message, a message that grew too large, or a binary message. */
  sealed interface Outcome {
    /** The message goes on in later frames (or the frame was ignored). */
    record Incomplete() implements Outcome {}

    /** A whole text message. */
    record Text(String text) implements Outcome {}

    /** A text message over the limit ended. */
    record TooLarge() implements Outcome {}

    /** A binary message ended. */
    record Binary() implements Outcome {}
  }

  private static final Outcome INCOMPLETE = new Outcome.Incomplete();

  private final int maxBytes;
  private Buffer partial;
  private boolean partialTooLarge;
  private boolean partialBinary;

  FrameAssembly(int maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** A text frame: starts a new message (dropping an unfinished one). */
  Outcome text(Buffer data, boolean last) {
    partial = null;
    partialTooLarge = false;
    return add(data, last);
  }

  /** A binary frame: the start of a binary message. */
  Outcome binary(boolean last) {
    partialBinary = !last;
    return last ? new Outcome.Binary() : INCOMPLETE;
  }

  /** A continuation frame: adds to the message in progress; ignored when none is. */
  Outcome continuation(Buffer data, boolean last) {
    if (partialBinary) {
      return binary(last);
    }
    if (partial != null || partialTooLarge) {
      return add(data, last);
    }
    return INCOMPLETE;
  }

  private Outcome add(Buffer data, boolean last) {
    if (!partialTooLarge) {
      partial = partial == null ? data.copy() : partial.appendBuffer(data);
      if (partial.length() > maxBytes) {
        partial = null;
        partialTooLarge = true;
      }
    }
    if (!last) {
      return INCOMPLETE;
    }
    if (partialTooLarge) {
      partialTooLarge = false;
      return new Outcome.TooLarge();
    }
    String text = partial.toString();
    partial = null;
    return new Outcome.Text(text);
  }
}
