package io.switchboard.channel.social;

import io.switchboard.channel.social.impl.MetaWebhook;
import io.switchboard.channel.social.impl.Rejection;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/**
 * What WhatsApp and Messenger share as Meta platforms: the webhook's verification handshake with the
 * {@code VERIFY_TOKEN} secret, and the X-Hub-Signature-256 check with the {@code APP_SECRET}.
 */
abstract class MetaAdapter extends SocialAdapter {

  @Override
  void verify(HttpServerRequest request) {
    MetaWebhook.verify(request, context.secret("VERIFY_TOKEN"), envName("VERIFY_TOKEN"));
  }

  @Override
  Rejection authenticate(HttpServerRequest request, Buffer body) {
    return MetaWebhook.authenticate(request, body, context.secret("APP_SECRET"), envName("APP_SECRET"));
  }
}
