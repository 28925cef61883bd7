package io.switchboard.channel.social.impl;

import io.switchboard.hub.api.InboundContact;
import io.switchboard.hub.api.error.ValidationException;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** Collects a {@link WebhookBatch} while a normaliser walks a payload. */
public final class BatchBuilder {
  private final List<InboundContact> contacts = new ArrayList<>();
  private final List<JsonObject> sources = new ArrayList<>();
  private final List<WebhookBatch.StatusUpdate> statuses = new ArrayList<>();
  private final List<WebhookBatch.Watermark> watermarks = new ArrayList<>();
  private final List<WebhookBatch.SetAside> setAside = new ArrayList<>();
  private final List<String> callbackQueries = new ArrayList<>();
  private JsonObject current = new JsonObject();

  /**
   * Reads one part of the delivery (a message, a status, an event) with {@code read}. When that part is
   * malformed ({@link MalformedPayloadException}) or holds an impossible value, it is set aside with the reason
   * and what it added is taken back, and the rest of the delivery is read on (issue 9.7: one bad message must
   * not keep the good ones out).
   */
  public void each(String path, JsonObject raw, Runnable read) {
    int c = contacts.size();
    int s = statuses.size();
    int w = watermarks.size();
    JsonObject before = current;
    current = raw;
    try {
      read.run();
    } catch (RuntimeException e) {
      truncate(contacts, c);
      truncate(sources, c);
      truncate(statuses, s);
      truncate(watermarks, w);
      setAside.add(new WebhookBatch.SetAside(path, "malformed: " + e.getMessage(), raw));
    } finally {
      current = before;
    }
  }

  private static void truncate(List<?> list, int size) {
    while (list.size() > size) {
      list.removeLast();
    }
  }

  /**
   * Adds the contact {@code make} builds. A value the hub's vocabulary refuses ({@link ValidationException},
   * such as an over-long field) sets the part aside; an impossible value (coordinates out of range, a blank id)
   * makes the part malformed (see {@link #each}).
   */
  public void contact(String path, Supplier<InboundContact> make) {
    try {
      contacts.add(make.get());
      sources.add(current);
    } catch (ValidationException e) {
      setAside.add(new WebhookBatch.SetAside(path, "refused: " + e.getMessage(), current));
    } catch (IllegalArgumentException e) {
      throw new MalformedPayloadException(path + ": " + e.getMessage());
    }
  }

  public void status(WebhookBatch.StatusUpdate update) {
    statuses.add(update);
  }

  /** A Telegram callback query to answer once the delivery is stored. */
  public void callbackQuery(String id) {
    callbackQueries.add(id);
  }

  public void watermark(WebhookBatch.Watermark watermark) {
    watermarks.add(watermark);
  }

  public WebhookBatch build() {
    return new WebhookBatch(contacts, sources, statuses, watermarks, setAside, callbackQueries);
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
