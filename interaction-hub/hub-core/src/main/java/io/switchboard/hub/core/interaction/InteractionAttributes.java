package io.switchboard.hub.core.interaction;

import io.switchboard.hub.api.InboundContact;
import io.switchboard.hub.api.InteractionId;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.store.Stores;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A channel adapter adds facts to an interaction after intake (a caller asked to be called back while waiting, and
 * from which number): {@code InteractionControl.updateAttributes}. The attributes are merged into the interaction's
 * (routing rules and the console see them; an offer made afterwards carries them) and the reason is recorded as a
 * transition. Names and values are held to intake's metadata limits; control characters are refused.
 *
 * <p>Publishes {@link #ATTRIBUTES_CHANGED} ({@code interactionId, attributes, reason, adapter}) on this node's event
 * bus.
 */
public final class InteractionAttributes {
  private static final Logger log = LoggerFactory.getLogger(InteractionAttributes.class);
  private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_.\\-]{0,63}");

  /** Event: an adapter changed an interaction's attributes. */
  public static final String ATTRIBUTES_CHANGED = io.switchboard.hub.api.event.HubEvents.ATTRIBUTES_CHANGED;

  private final Vertx vertx;
  private final Stores stores;
  private final Clock clock;

  public InteractionAttributes(Vertx vertx, Stores stores, Clock clock) {
    this.vertx = vertx;
    this.stores = stores;
    this.clock = clock;
  }

  /**
   * @return true when the interaction was changed, false when it is finished or unknown; failed with
   *     {@link ValidationException} for names or values outside the limits
   */
  public Future<Boolean> update(InteractionId id, Map<String, String> attributes, String reason, String adapter) {
    if (attributes == null || attributes.isEmpty() || attributes.size() > InboundContact.MAX_METADATA_ENTRIES) {
      return Future.failedFuture(new ValidationException("attributes", "must hold 1 to "
          + InboundContact.MAX_METADATA_ENTRIES + " entries"));
    }
    Map<String, String> clean = new LinkedHashMap<>();
    for (var e : attributes.entrySet()) {
      if (e.getKey() == null || !NAME.matcher(e.getKey()).matches()) {
        return Future.failedFuture(new ValidationException("attributes", "'" + e.getKey() + "' is not an attribute name"));
      }
      String v = e.getValue();
      if (v == null || v.length() > InboundContact.MAX_METADATA_VALUE || v.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
        return Future.failedFuture(new ValidationException("attributes." + e.getKey(),
            "must be a text of at most " + InboundContact.MAX_METADATA_VALUE + " characters without control characters"));
      }
      clean.put(e.getKey(), v);
    }
    String why = reason == null || reason.isBlank() ? "attributes changed" : reason.strip();
    String recorded = why.length() > 500 ? why.substring(0, 500) : why;
    return stores.db().inTransaction(tx -> stores.interactions().mergeAttributes(tx, id, clean, recorded, clock.instant()))
        .map(changed -> {
          if (changed.isEmpty()) {
            log.atInfo().addKeyValue("interactionId", id).addKeyValue("adapter", adapter)
                .log("attributes not changed: the interaction is finished or unknown");
            return false;
          }
          log.atInfo().addKeyValue("interactionId", id).addKeyValue("adapter", adapter).addKeyValue("reason", recorded)
              .addKeyValue("attributes", clean.keySet()).log("interaction attributes changed by its channel");
          vertx.eventBus().publish(ATTRIBUTES_CHANGED, new JsonObject().put("interactionId", id.toString())
              .put("attributes", new JsonObject(new LinkedHashMap<String, Object>(clean))).put("reason", recorded)
              .put("adapter", adapter));
          return true;
        });
  }
}
