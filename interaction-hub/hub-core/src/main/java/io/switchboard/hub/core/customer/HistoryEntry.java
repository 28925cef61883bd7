package io.switchboard.hub.core.customer;

import io.switchboard.hub.api.Interaction;
import io.switchboard.hub.api.Message;
import java.util.List;

/** One interaction of a customer's history with its messages, oldest message first. */
public record HistoryEntry(Interaction interaction, List<Message> messages) {
  public HistoryEntry {
    messages = List.copyOf(messages);
  }
}
