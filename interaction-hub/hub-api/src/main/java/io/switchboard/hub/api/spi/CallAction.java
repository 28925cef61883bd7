package io.switchboard.hub.api.spi;

/** What staff can do to a live session (a call) through {@link ChannelAdapter#control}. */
public enum CallAction {
  /** End the call for both sides. */
  HANG_UP
}
