package io.switchboard.channel.social;

import io.switchboard.channel.testkit.FakeProvider;
import io.switchboard.channel.testkit.InMemoryChannelContext;
import io.switchboard.hub.api.Channel;
import io.switchboard.hub.api.ConversationId;
import io.switchboard.hub.api.Message;
import io.switchboard.hub.api.spi.DeliveryResult;
import io.switchboard.hub.api.spi.OutboundMessage;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * One adapter started against the channel test kit's {@link InMemoryChannelContext} (its webhook on a real HTTP
 * port) and {@link FakeProvider} (its API base URL, answering as {@link SocialProviders}), with plain JDK HTTP calls to the webhook.
 */
final class Harness implements AutoCloseable {
  record Response(int status, String contentType, String body) {
    io.vertx.core.json.JsonObject json() {
      return new io.vertx.core.json.JsonObject(body);
    }
  }

  /** The conversation replies and earlier messages of these tests belong to. */
  static final ConversationId CONVERSATION = ConversationId.random();

  final Vertx vertx = Vertx.vertx();
  final FakeProvider provider;
  final InMemoryChannelContext context;
  final SocialAdapter adapter;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  Harness(SocialAdapter adapter, Map<String, String> secrets) {
    this(adapter, secrets, Map.of());
  }

  /** {@code settings} go on top of {@code apiBaseUrl} (the fake provider) and a short request timeout. */
  Harness(SocialAdapter adapter, Map<String, String> secrets, Map<String, Object> settings) {
    this.adapter = adapter;
    provider = FakeProvider.start(vertx, SocialProviders::success);
    Map<String, Object> s = new HashMap<>();
    s.put("apiBaseUrl", provider.baseUrl());
    s.put("requestTimeout", "3s");
    s.putAll(settings);
    context = new InMemoryChannelContext(vertx, adapter.name(), Channel.SOCIAL, s, secrets);
    // Status callbacks name messages sent before the test: the hub knows them all.
    context.knowEveryProviderId(true);
    InMemoryChannelContext.await(adapter.start(context));
    // The customer wrote a minute ago: WhatsApp's service window is open unless a test says otherwise.
    context.priorMessage(CONVERSATION, Message.Direction.INBOUND, Instant.now().minusSeconds(60));
  }

  String webhookUrl() {
    return context.baseUrl() + "/webhook";
  }

  static byte[] fixture(String path) {
    try (InputStream in = Harness.class.getResourceAsStream("/fixtures/" + path)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + path);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Response post(Map<String, String> headers, byte[] body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(webhookUrl()))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(b::header);
    return send(b);
  }

  Response get(String query) {
    return send(HttpRequest.newBuilder(URI.create(webhookUrl() + (query.isEmpty() ? "" : "?" + query))).GET());
  }

  Response send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  DeliveryResult send(OutboundMessage message) {
    return InMemoryChannelContext.await(adapter.send(message));
  }

  @Override
  public void close() {
    InMemoryChannelContext.await(adapter.stop());
    context.close();
    provider.close();
    InMemoryChannelContext.await(vertx.close());
  }
}
