package io.switchboard.channel.social.impl;

/**
 * Why a webhook request is refused before its body is read: 401 for a missing or wrong signature or token,
 * 503 when the adapter lacks the secret to check it.
 */
public record Rejection(int status, String code, String title, String detail) {

  public static Rejection notConfigured(String envName, String what) {
    return new Rejection(503, "channel-not-configured", "Channel not configured",
        envName + " is not set, so " + what + "; set it in the hub's environment and restart");
  }

  public static Rejection unauthenticated(String code, String detail) {
    return new Rejection(401, code, "Webhook not authenticated", detail);
  }
}
