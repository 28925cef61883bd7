package io.switchboard.hub.api.spi;

import io.switchboard.hub.api.Channel;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Where an adapter sets aside what it received but could not take in as a contact (an email that cannot be
 * parsed, a bounce for a message the hub never sent): stored raw with the reason, shown to supervisors, and
 * never blocking the source it came from. Storing the same {@code reference} twice keeps the first.
 */
@FunctionalInterface
public interface Quarantine {

  /**
   * One set-aside message.
   *
   * @param channel the channel it came on
   * @param source where it came from, as an administrator knows it (for example "mailbox support")
   * @param reference the adapter's stable id for it (an email's Message-ID, or mailbox, UIDVALIDITY and UID);
   *     the same reference is stored once
   * @param reason why it was set aside, for the supervisor
   * @param raw the bytes as received (possibly cut at the adapter's limit), never null
   * @param mediaType the raw bytes' media type ({@code message/rfc822} for email)
   * @param facts what could be read of it (From, Subject, Date, Message-ID), for the list; may be empty
   * @param receivedAt when the provider received it
   */
  record Item(Channel channel, String source, String reference, String reason, Buffer raw, String mediaType,
      Map<String, String> facts, Instant receivedAt) {
    public Item {
      Objects.requireNonNull(channel, "channel");
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(reference, "reference");
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(raw, "raw");
      mediaType = mediaType == null ? "application/octet-stream" : mediaType;
      facts = facts == null ? Map.of() : Map.copyOf(facts);
      receivedAt = receivedAt == null ? Instant.now() : receivedAt;
    }
  }

  /**
   * Stores {@code item}.
   *
   * @return true when stored now, false when the same reference was stored before; failed when the store is
   *     unavailable (the adapter should not acknowledge the provider, so it can try again)
   */
  Future<Boolean> store(Item item);

  /** A quarantine that keeps items in memory (single-node tests). */
  static Quarantine inMemory(List<Item> into) {
    List<Item> items = into == null ? new CopyOnWriteArrayList<>() : into;
    return item -> {
      synchronized (items) {
        boolean seen = items.stream().anyMatch(i -> i.channel() == item.channel() && i.reference().equals(item.reference()));
        if (!seen) {
          items.add(item);
        }
        return io.vertx.core.Future.succeededFuture(!seen);
      }
    };
  }
}
