package io.switchboard.channel.social.impl;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/**
 * What WhatsApp and Messenger webhooks share (both are Meta "Webhooks" products): the subscription handshake
 * and the body signature.
 *
 * <p>Format: https://developers.facebook.com/docs/graph-api/webhooks/getting-started — the handshake is a GET
 * with {@code hub.mode=subscribe}, {@code hub.verify_token} (the token entered in the app dashboard) and
 * {@code hub.challenge}, answered with the challenge; every POST carries {@code X-Hub-Signature-256:
 * sha256=<hex HMAC-SHA256 of the raw body keyed with the app secret>}.
 */
public final class MetaWebhook {
  private static final int MAX_CHALLENGE = 1024;

  private MetaWebhook() {}

  /** Answers the handshake: 200 with the challenge as text when the token matches, else 403 (503 without a token). */
  public static void verify(HttpServerRequest request, String verifyToken, String verifyTokenEnv) {
    if (verifyToken == null) {
      Rejection r = Rejection.notConfigured(verifyTokenEnv, "the webhook subscription cannot be verified");
      WebhookReplies.problem(request.response(), r.status(), r.code(), r.title(), r.detail());
      return;
    }
    String mode = request.getParam("hub.mode");
    String token = request.getParam("hub.verify_token");
    String challenge = request.getParam("hub.challenge");
    if (!"subscribe".equals(mode) || !Signatures.constantTimeEquals(verifyToken, token)) {
      WebhookReplies.problem(request.response(), 403, "verification-failed", "Webhook verification failed",
          "hub.mode must be 'subscribe' and hub.verify_token must equal the configured verify token");
      return;
    }
    if (challenge == null || challenge.isEmpty() || challenge.length() > MAX_CHALLENGE) {
      WebhookReplies.problem(request.response(), 400, "malformed-payload", "Malformed verification request",
          "hub.challenge is required (at most " + MAX_CHALLENGE + " characters)");
      return;
    }
    WebhookReplies.text(request.response(), 200, challenge);
  }

  /** Null when the body carries a valid signature, else why not. */
  public static Rejection authenticate(HttpServerRequest request, Buffer body, String appSecret, String appSecretEnv) {
    if (appSecret == null) {
      return Rejection.notConfigured(appSecretEnv, "webhook signatures cannot be checked and nothing is accepted");
    }
    String header = request.getHeader(Signatures.META_HEADER);
    if (header == null || header.isBlank()) {
      return Rejection.unauthenticated("signature-missing", Signatures.META_HEADER + " is required");
    }
    if (!Signatures.metaSignatureValid(appSecret, body.getBytes(), header)) {
      return Rejection.unauthenticated("signature-invalid",
          Signatures.META_HEADER + " does not match the body signed with the app secret");
    }
    return null;
  }
}
