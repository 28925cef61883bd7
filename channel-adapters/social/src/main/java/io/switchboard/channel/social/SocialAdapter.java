package io.switchboard.channel.social;

import io.switchboard.channel.social.impl.BatchFacts;
import io.switchboard.channel.social.impl.MalformedPayloadException;
import io.switchboard.channel.social.impl.Rejection;
import io.switchboard.channel.social.impl.Settings;
import io.switchboard.channel.social.impl.WebhookBatch;
import io.switchboard.channel.social.impl.WebhookReplies;
import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.InboundContact;
import io.switchboard.hub.api.IntakeResult;
import io.switchboard.hub.api.MessageContent;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.api.spi.ChannelAdapter;
import io.switchboard.hub.api.spi.ChannelContext;
import io.switchboard.hub.api.spi.DeliveryResult;
import io.switchboard.hub.api.spi.OutboundMessage;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the three social adapters share: one webhook endpoint ({@code /channels/<name>/webhook}) that
 * authenticates, parses and normalises a delivery completely before storing any of it, then stores its
 * messages one by one and applies its status reports, and answers the provider only when all of that is done
 * (200), or 5xx so that it delivers again when the hub could not store something. Re-deliveries are harmless:
 * the hub dedupes on the provider's message id.
 *
 * <p>Replies: text only, within the provider's length limit; a provider that cannot be reached is a
 * retryable failure.
 */
abstract class SocialAdapter implements ChannelAdapter {
  private static final Logger log = LoggerFactory.getLogger(SocialAdapter.class);
  static final String WEBHOOK_PATH = "/webhook";
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  ChannelContext context;
  HttpClient http;
  Duration timeout = DEFAULT_TIMEOUT;

  @Override
  public final Channel channel() {
    return Channel.SOCIAL;
  }

  @Override
  public final Kind kind() {
    return Kind.MESSAGE;
  }

  /** The provider's name as people write it ("WhatsApp"), for reasons shown to agents. */
  abstract String providerName();

  /** The keys of {@code channels.<name>} this adapter reads ({@code requestTimeout} is added). */
  abstract Set<String> settingKeys();

  /** Reads the adapter's settings; throws IllegalArgumentException naming the file and the key. */
  abstract void configure(Settings settings);

  /** The secrets the adapter needs, as passed to {@link ChannelContext#secret} (for example APP_SECRET). */
  abstract List<String> secretNames();

  /** Null when the request is the provider's, else why it is refused. */
  abstract Rejection authenticate(HttpServerRequest request, Buffer body);

  /** The delivery as contacts and status reports; throws {@link MalformedPayloadException}. */
  abstract WebhookBatch normalize(JsonObject body);

  /** Answers a GET on the webhook (the subscription handshake); 405 unless the provider has one. */
  void verify(HttpServerRequest request) {
    request.response().putHeader("Allow", "POST");
    WebhookReplies.problem(request.response(), 405, "method-not-allowed", "Method not allowed",
        "the " + name() + " webhook accepts POST only");
  }

  /** Status reports that name no message (receipt watermarks), turned into ones that do. */
  List<WebhookBatch.StatusUpdate> resolve(WebhookBatch.Watermark watermark) {
    return List.of();
  }

  /**
   * Called once a delivery is stored completely, before it is acknowledged; for what the provider wants told
   * (Telegram: answering button presses). Must not block or fail.
   */
  void stored(WebhookBatch batch) {}

  /** The longest reply text the provider takes. */
  abstract int maxTextLength();

  /** Sends a text reply through the provider's API. */
  abstract Future<DeliveryResult> deliver(OutboundMessage message, String text);

  /** The environment variable that holds one of this adapter's secrets. */
  final String envName(String secret) {
    return ("SWITCHBOARD_" + name() + "_" + secret).toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
  }

  @Override
  public Future<Void> start(ChannelContext ctx) {
    try {
      Set<String> keys = new java.util.HashSet<>(settingKeys());
      keys.add("requestTimeout");
      Settings settings = Settings.of(name(), ctx.settings(), keys);
      timeout = settings.duration("requestTimeout", DEFAULT_TIMEOUT);
      configure(settings);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    context = ctx;
    http = ctx.vertx().createHttpClient(new HttpClientOptions()
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
        .setName("switchboard-" + name()));
    ctx.http().route(WEBHOOK_PATH, this::webhook);
    // The public base URL is not asked for here: the hub may not know its port before adapters have started.
    String webhook = "/channels/" + name() + WEBHOOK_PATH;
    List<String> missing = secretNames().stream().filter(s -> ctx.secret(s) == null).map(this::envName).toList();
    if (missing.isEmpty()) {
      log.atInfo().addKeyValue("adapter", name()).addKeyValue("webhook", webhook).log("social channel ready");
    } else {
      log.atWarn().addKeyValue("adapter", name()).addKeyValue("missing", missing).addKeyValue("webhook", webhook)
          .log("social channel started without its secrets: webhooks are refused (503) and replies fail until they are set");
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> stop() {
    return http == null ? Future.succeededFuture() : http.close();
  }

  @Override
  public final Future<DeliveryResult> send(OutboundMessage message) {
    if (!(message.content() instanceof MessageContent.Text text)) {
      return done(message, new DeliveryResult.Failed(
          providerName() + " replies carry text only; this message is " + message.content().summary(), false));
    }
    if (text.body().length() > maxTextLength()) {
      return done(message, new DeliveryResult.Failed(providerName() + " takes at most " + maxTextLength()
          + " characters per message; this reply has " + text.body().length() + ": shorten or split it", false));
    }
    Future<DeliveryResult> attempt;
    try {
      attempt = deliver(message, text.body());
    } catch (RuntimeException e) {
      attempt = Future.failedFuture(e);
    }
    return attempt
        .recover(e -> Future.succeededFuture(new DeliveryResult.Failed(
            providerName() + " API could not be reached: " + e.getMessage(), true)))
        .compose(result -> done(message, result));
  }

  private Future<DeliveryResult> done(OutboundMessage m, DeliveryResult result) {
    switch (result) {
      case DeliveryResult.Delivered d -> log.atDebug().addKeyValue("adapter", name()).addKeyValue("messageId", m.messageId())
          .addKeyValue("interactionId", m.interactionId()).addKeyValue("providerMessageId", d.providerMessageId())
          .log("reply accepted by the provider");
      // The hub's delivery relay logs failures with the interaction; this adds the adapter's view for debugging.
      case DeliveryResult.Failed f -> log.atDebug().addKeyValue("adapter", name()).addKeyValue("messageId", m.messageId())
          .addKeyValue("interactionId", m.interactionId()).addKeyValue("retryable", f.retryable())
          .log("reply not delivered: " + f.reason());
    }
    return Future.succeededFuture(result);
  }

  /** The webhook: GET is the handshake, POST a delivery. */
  final void webhook(HttpServerRequest request, Buffer body) {
    switch (request.method().name()) {
      case "GET" -> verify(request);
      case "POST" -> receive(request, body);
      default -> {
        request.response().putHeader("Allow", "GET, POST");
        WebhookReplies.problem(request.response(), 405, "method-not-allowed", "Method not allowed",
            "the " + name() + " webhook accepts GET (verification) and POST (deliveries)");
      }
    }
  }

  private void receive(HttpServerRequest request, Buffer body) {
    Rejection rejection = authenticate(request, body);
    if (rejection != null) {
      log.atWarn().addKeyValue("adapter", name()).addKeyValue("remote", request.remoteAddress())
          .addKeyValue("status", rejection.status()).log("webhook refused: " + rejection.detail());
      WebhookReplies.problem(request.response(), rejection.status(), rejection.code(), rejection.title(), rejection.detail());
      return;
    }
    WebhookBatch batch;
    try {
      Object json;
      try {
        json = body.length() == 0 ? null : Json.decodeValue(body);
      } catch (RuntimeException e) {
        json = null;
      }
      if (!(json instanceof JsonObject object)) {
        throw new MalformedPayloadException("the body is not a JSON object");
      }
      batch = normalize(object);
    } catch (MalformedPayloadException e) {
      // Authenticated, so the provider's: kept for supervisors (once, however often it is delivered again).
      log.atWarn().addKeyValue("adapter", name()).log("malformed webhook refused: " + e.getMessage());
      quarantine(new WebhookBatch.SetAside("", "malformed: " + e.getMessage(), new JsonObject()), body)
          .onComplete(x -> WebhookReplies.problem(request.response(), 400, "malformed-payload", "Malformed webhook payload",
              e.getMessage()));
      return;
    } catch (RuntimeException e) {
      log.atError().setCause(e).addKeyValue("adapter", name()).log("webhook could not be read");
      WebhookReplies.problem(request.response(), 500, "internal-error", "Internal error",
          "the hub could not read this delivery; it has been logged");
      return;
    }
    store(batch).onComplete(ar -> {
      Tally t = ar.succeeded() ? ar.result() : new Tally();
      if (ar.failed() || t.failed > 0) {
        Throwable cause = ar.failed() ? ar.cause() : t.firstFailure;
        log.atError().setCause(cause).addKeyValue("adapter", name()).addKeyValue("stored", t.stored)
            .addKeyValue("failed", t.failed).log("webhook delivery not fully stored; answering 500 so the provider delivers it again");
        WebhookReplies.problem(request.response(), 500, "store-unavailable", "Not stored",
            "the hub could not store this delivery; deliver it again later");
        return;
      }
      stored(batch);
      WebhookReplies.json(request.response(), 200, new JsonObject()
          .put("stored", t.stored).put("duplicates", t.duplicates)
          .put("refused", t.refused).put("quarantined", t.quarantined).put("statuses", t.statuses));
    });
  }

  /**
   * Stores the contacts in order (a failure does not stop the others), then applies the status reports, then puts
   * what could not be taken in (unreadable parts, contacts the hub refused) in the quarantine.
   */
  private Future<Tally> store(WebhookBatch batch) {
    Tally tally = new Tally();
    List<WebhookBatch.SetAside> setAside = new ArrayList<>(batch.setAside());
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < batch.contacts().size(); i++) {
      InboundContact c = batch.contacts().get(i);
      JsonObject source = batch.sources().get(i);
      chain = chain.compose(x -> context.inbound().accept(c))
          .map(r -> {
            tally.taken(c, r);
            return (Void) null;
          })
          .recover(e -> {
            if (e instanceof ValidationException v) {
              setAside.add(new WebhookBatch.SetAside(c.externalId(), "refused by the hub: " + v.getMessage(), source));
            } else {
              tally.fail(e);
            }
            return Future.succeededFuture();
          });
    }
    List<WebhookBatch.StatusUpdate> updates = new ArrayList<>(batch.statuses());
    for (WebhookBatch.Watermark w : batch.watermarks()) {
      updates.addAll(resolve(w));
    }
    for (WebhookBatch.StatusUpdate u : updates) {
      chain = chain.compose(x -> context.deliveries().update(Channel.SOCIAL, u.providerMessageId(), u.status(), u.reason()))
          .map(updated -> {
            if (updated) {
              tally.statuses++;
            }
            log.atDebug().addKeyValue("adapter", name()).addKeyValue("providerMessageId", u.providerMessageId())
                .addKeyValue("status", u.status().wireName()).addKeyValue("known", updated).log("status report");
            return (Void) null;
          })
          .recover(e -> {
            tally.fail(e);
            return Future.succeededFuture();
          });
    }
    chain = chain.compose(x -> {
      Future<Void> q = Future.succeededFuture();
      for (WebhookBatch.SetAside a : setAside) {
        tally.refused++;
        log.atWarn().addKeyValue("adapter", name()).addKeyValue("path", a.path())
            .log("webhook message not taken in, set aside for supervisors: " + a.reason());
        q = q.compose(y -> quarantine(a, null))
            .map(stored -> {
              tally.quarantined++;
              return (Void) null;
            })
            .recover(e -> {
              tally.fail(e);
              return Future.succeededFuture();
            });
      }
      return q;
    });
    return chain.map(x -> tally);
  }

  /**
   * Puts a part of a delivery in the hub's quarantine ({@link ChannelContext#quarantine()}), shown to supervisors.
   * Its reference is the provider's id where the part has one, else a hash of its bytes, so a delivery that comes
   * again is kept once.
   *
   * @param whole the whole body, when the delivery could not be read at all (then {@code part.raw} is empty)
   */
  private Future<Boolean> quarantine(WebhookBatch.SetAside part, Buffer whole) {
    Buffer raw = whole != null ? whole : part.raw().toBuffer();
    java.util.Map<String, String> facts = new java.util.LinkedHashMap<>();
    for (String key : List.of("id", "mid", "message_id", "update_id", "from", "type", "timestamp", "date")) {
      Object v = part.raw().getValue(key);
      if (v instanceof String || v instanceof Number) {
        facts.put(key, BatchFacts.clip(String.valueOf(v)));
      }
    }
    if (!part.path().isEmpty()) {
      facts.put("path", BatchFacts.clip(part.path()));
    }
    Object id = facts.getOrDefault("id", facts.getOrDefault("mid", facts.get("update_id")));
    String reference = name() + ":" + (id != null && whole == null ? id + ":" + BatchFacts.sha256(raw).substring(0, 16)
        : "sha256:" + BatchFacts.sha256(raw));
    return context.quarantine().store(new io.switchboard.hub.api.spi.Quarantine.Item(Channel.SOCIAL, name() + " webhook",
        reference, BatchFacts.clip(part.reason()), raw, "application/json", facts, java.time.Instant.now()));
  }

  /** What became of one delivery's parts. */
  private final class Tally {
    int stored;
    int duplicates;
    int refused;
    int statuses;
    int quarantined;
    int failed;
    Throwable firstFailure;

    void taken(InboundContact c, IntakeResult r) {
      if (r.outcome() == IntakeResult.Outcome.DUPLICATE) {
        duplicates++;
      } else {
        stored++;
      }
      log.atDebug().addKeyValue("adapter", name()).addKeyValue("externalId", c.externalId())
          .addKeyValue("outcome", r.outcome()).addKeyValue("interactionId", r.interactionId()).log("webhook message taken in");
    }

    void fail(Throwable e) {
      failed++;
      if (firstFailure == null) {
        firstFailure = e;
      }
    }
  }
}
