/**
 * Social messaging channels: {@link io.switchboard.channel.social.WhatsAppAdapter} (WhatsApp Cloud API),
 * {@link io.switchboard.channel.social.MessengerAdapter} (Messenger Platform) and
 * {@link io.switchboard.channel.social.TelegramAdapter} (Telegram Bot API), found by the hub with
 * {@link java.util.ServiceLoader}. Each serves a webhook under {@code /channels/<name>/webhook} and sends
 * agents' replies through the provider's HTTP API. See docs/social.md for the setup.
 */
package io.switchboard.channel.social;
