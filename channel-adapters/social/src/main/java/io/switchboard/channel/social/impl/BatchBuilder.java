package io.switchboard.channel.social.impl;

import io.switchboard.hub.api.InboundContact;
import io.switchboard.hub.api.error.ValidationException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** Collects a {@link WebhookBatch} while a normaliser walks a payload. */
public final class BatchBuilder {
  private final List<InboundContact> contacts = new ArrayList<>();
  private final List<WebhookBatch.StatusUpdate> statuses = new ArrayList<>();
  private final List<WebhookBatch.Watermark> watermarks = new ArrayList<>();
  private final List<String> refused = new ArrayList<>();

  /**
   * Adds the contact {@code make} builds. A value the hub's vocabulary refuses ({@link ValidationException},
   * such as an over-long field) is recorded as refused; an impossible value (coordinates out of range, a blank
   * id) makes the whole payload malformed.
   */
  public void contact(String path, Supplier<InboundContact> make) {
    try {
      contacts.add(make.get());
    } catch (ValidationException e) {
      refused.add(path + ": " + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new MalformedPayloadException(path + ": " + e.getMessage());
    }
  }

  public void status(WebhookBatch.StatusUpdate update) {
    statuses.add(update);
  }

  public void watermark(WebhookBatch.Watermark watermark) {
    watermarks.add(watermark);
  }

  public WebhookBatch build() {
    return new WebhookBatch(contacts, statuses, watermarks, refused);
  }

  /** At most {@code max} characters (display names are limited by the hub). */
  public static String clip(String s, int max) {
    if (s == null) {
      return null;
    }
    String t = s.strip();
    if (t.isEmpty()) {
      return null;
    }
    return t.length() <= max ? t : t.substring(0, max - 1) + "…";
  }
}
