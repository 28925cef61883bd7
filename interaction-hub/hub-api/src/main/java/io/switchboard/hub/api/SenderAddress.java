package io.switchboard.hub.api;

import java.util.Objects;

/**
 * Who sent an inbound contact, as the channel saw it, before normalisation: a phone number as dialled, an
 * email address as written, or a handle of a provider.
 *
 * @param kind what the value is
 * @param provider for handles, the provider whose namespace the handle lives in (for example {@code telegram});
 *     ignored for phones and emails, where it is stored as the empty string
 * @param value the raw address, not blank
 */
public record SenderAddress(IdentityKind kind, String provider, String value) {
  public SenderAddress {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(value, "value");
    if (value.isBlank()) {
      throw new IllegalArgumentException("sender address must not be blank");
    }
    if (kind == IdentityKind.HANDLE) {
      if (provider == null || provider.isBlank()) {
        throw new IllegalArgumentException("a handle needs its provider");
      }
    } else {
      provider = "";
    }
  }

  public static SenderAddress phone(String number) {
    return new SenderAddress(IdentityKind.PHONE, "", number);
  }

  public static SenderAddress email(String address) {
    return new SenderAddress(IdentityKind.EMAIL, "", address);
  }

  public static SenderAddress handle(String provider, String handle) {
    return new SenderAddress(IdentityKind.HANDLE, provider, handle);
  }
}
