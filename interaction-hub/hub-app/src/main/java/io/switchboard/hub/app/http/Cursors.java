package io.switchboard.hub.app.http;

import io.switchboard.hub.api.Interaction;
import io.switchboard.hub.store.InteractionStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/** Opaque page cursors: the (createdAt, id) of the last item of a page, base64url. */
final class Cursors {
  private Cursors() {}

  static InteractionStore.Cursor parse(String raw) {
    if (raw == null) {
      return null;
    }
    try {
      String text = new String(Base64.getUrlDecoder().decode(raw), StandardCharsets.UTF_8);
      int bar = text.indexOf('|');
      return new InteractionStore.Cursor(Instant.parse(text.substring(0, bar)), UUID.fromString(text.substring(bar + 1)));
    } catch (RuntimeException e) {
      throw Problems.BadRequest.field("cursor", "is not a cursor this API returned");
    }
  }

  /** The cursor of the next page, or null when this page was not full. */
  static String next(List<Interaction> page, int limit) {
    if (page.size() < limit || page.isEmpty()) {
      return null;
    }
    Interaction last = page.get(page.size() - 1);
    String text = last.createdAt() + "|" + last.id();
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
