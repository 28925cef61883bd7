package io.switchboard.hub.core.customer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.switchboard.hub.api.IdentityKind;
import io.switchboard.hub.api.SenderAddress;
import io.switchboard.hub.api.error.ValidationException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IdentityNormalizerTest {
  private final IdentityNormalizer de = new IdentityNormalizer("DE");

  @ParameterizedTest(name = "[{index}] \"{0}\" in DE -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "030 1234567             | +49301234567",
        "+49 (0)30 1234567       | +49301234567",
        "004930 1234567          | +49301234567",
        "'  030/123 45 67  '     | +49301234567",
        "+49-30-1234567          | +49301234567",
        "0151 1234 5678          | +4915112345678",
        "+1 212 555 0100         | +12125550100",
        "0012125550100           | +12125550100",
        "+44 20 7946 0958        | +442079460958",
      })
  void phoneNumbersInAnyUsualFormBecomeE164(String raw, String e164) {
    assertThat(de.phone(raw, "phone")).isEqualTo(e164);
    assertThat(de.normalize(SenderAddress.phone(raw), "sender.value"))
        .isEqualTo(new IdentityKey(IdentityKind.PHONE, "", e164));
  }

  @ParameterizedTest(name = "[{index}] \"{0}\" in US -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "(212) 555-0100          | +12125550100",
        "212.555.0100            | +12125550100",
        "1 212 555 0100          | +12125550100",
        "+1 (212) 555-0100       | +12125550100",
        "011 49 30 1234567       | +49301234567",
      })
  void nationalNumbersAreReadInTheConfiguredRegion(String raw, String e164) {
    IdentityNormalizer us = new IdentityNormalizer("us");

    assertThat(us.defaultRegion()).isEqualTo("US");
    assertThat(us.phone(raw, "phone")).isEqualTo(e164);
  }

  @Test
  void unknownRegionIsRefusedAtConstruction() {
    assertThatIllegalArgumentException().isThrownBy(() -> new IdentityNormalizer("XX")).withMessageContaining("XX");
    assertThatIllegalArgumentException().isThrownBy(() -> new IdentityNormalizer(null));
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @ValueSource(
      strings = {
        "12", // too short
        "110", // an emergency short number, not a customer's number
        "abc", // not a number
        "call me maybe",
        "+49 30 123456789012345", // too many digits
        "+999 1234567", // no such country
        "   ",
        "+49 30 12345678901234567890123456789012345678901234567890123456789012345", // over 64 characters
      })
  void invalidPhoneNumbersAreRejectedNamingTheField(String raw) {
    assertRejected(() -> de.phone(raw, "customer.phone"), "customer.phone");
    if (!raw.isBlank()) {
      assertRejected(() -> de.normalize(SenderAddress.phone(raw), "sender.value"), "sender.value");
    }
  }

  @Test
  void missingPhoneNumberIsRejectedNamingTheField() {
    assertRejected(() -> de.phone(null, "phone"), "phone");
  }

  @ParameterizedTest(name = "[{index}] \"{0}\" -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "Alice@Example.COM                   | alice@example.com",
        "'  bob.smith+Tag@Mail.Example.org ' | bob.smith+tag@mail.example.org",
        "first.last@sub.example.travel       | first.last@sub.example.travel",
        "x@a-b.de                            | x@a-b.de",
      })
  void emailsAreTrimmedAndLowerCasedAsAWhole(String raw, String normalised) {
    assertThat(de.email(raw, "email")).isEqualTo(normalised);
    assertThat(de.normalize(SenderAddress.email(raw), "sender.value"))
        .isEqualTo(new IdentityKey(IdentityKind.EMAIL, "", normalised));
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @ValueSource(
      strings = {
        "alice",
        "alice@",
        "@example.com",
        "alice@example",
        "alice smith@example.com",
        "alice@exa_mple.com",
        "alice@@example.com",
        "alice@-example.com",
        "alice@example..com",
      })
  void malformedEmailsAreRejectedNamingTheField(String raw) {
    assertRejected(() -> de.email(raw, "email"), "email");
    assertRejected(() -> de.normalize(SenderAddress.email(raw), "sender.value"), "sender.value");
  }

  @Test
  void overlongEmailsAreRejected() {
    String longLocal = "a".repeat(65) + "@example.com";
    String longTotal = "a@" + ("b".repeat(60) + ".").repeat(5) + "com";
    assertThat(longTotal.length()).isGreaterThan(254);

    assertRejected(() -> de.email(longLocal, "email"), "email");
    assertRejected(() -> de.email(longTotal, "email"), "email");
    assertThat(de.email("a".repeat(64) + "@example.com", "email")).startsWith("aaaa");
  }

  @ParameterizedTest(name = "[{index}] {0} \"{1}\" -> {2} \"{3}\"")
  @CsvSource(
      delimiter = '|',
      value = {
        "whatsapp  | +49 151 1234 5678   | whatsapp  | +4915112345678",
        "whatsapp  | 4915112345678       | whatsapp  | +4915112345678",
        "WhatsApp  | 12125550100         | whatsapp  | +12125550100",
        "whatsapp  | 447700900123        | whatsapp  | +447700900123", // reserved UK range: not "valid", still WhatsApp's id
        "whatsapp  | 19999999999         | whatsapp  | +19999999999", // a range libphonenumber does not know yet
        "whatsapp  | 12                  | whatsapp  | +12",
        "whatsapp  | US.13491208655302741918 | whatsapp | US.13491208655302741918", // not a number: kept as given
        "telegram  | 123456789           | telegram  | 123456789",
        "telegram  | @John_Doe           | telegram  | @john_doe",
        "telegram  | '  @ALICE_99  '     | telegram  | @alice_99",
        "messenger | 1234567890123456    | messenger | 1234567890123456",
        "line      | '  U4af4980629  '   | line      | U4af4980629",
        "' Viber ' | Some.Handle        | viber     | Some.Handle",
      })
  void handlesAreNormalisedPerProvider(String provider, String raw, String normalisedProvider, String value) {
    assertThat(de.normalize(SenderAddress.handle(provider, raw), "sender.value"))
        .isEqualTo(new IdentityKey(IdentityKind.HANDLE, normalisedProvider, value));
  }

  @ParameterizedTest(name = "[{index}] {0} \"{1}\"")
  @CsvSource(
      delimiter = '|',
      value = {
        "telegram  | john doe",
        "telegram  | @abc", // usernames have at least 5 characters
        "telegram  | @bad-name",
        "telegram  | John_Doe", // a username needs its @
        "messenger | abc123",
        "messenger | 12 34",
        "messenger | 123456789012345678901234567890123", // over 32 digits
      })
  void malformedHandlesAreRejectedNamingTheField(String provider, String raw) {
    assertRejected(() -> de.normalize(SenderAddress.handle(provider, raw), "sender.value"), "sender.value");
  }

  @ParameterizedTest(name = "[{index}] provider \"{0}\"")
  @ValueSource(strings = {"Whats App", "-whatsapp", "tele/gram", "_x", "provider-name-that-is-far-too-long-x", "télégram"})
  void badProviderNamesAreRejectedNamingTheField(String provider) {
    ValidationException e =
        assertRejected(() -> de.normalize(SenderAddress.handle(provider, "12345"), "sender.value"), "sender.value");
    assertThat(e.getMessage()).contains("provider");
  }

  @Test
  void overlongHandleOfAnUnknownProviderIsRejected() {
    assertRejected(() -> de.normalize(SenderAddress.handle("line", "x".repeat(321)), "sender.value"), "sender.value");
    assertThat(de.normalize(SenderAddress.handle("line", "x".repeat(320)), "sender.value").value()).hasSize(320);
  }

  @Test
  void whatsappSenderIsAlsoLookedUpByItsPhoneNumber() {
    assertThat(de.matchKeys(SenderAddress.handle("whatsapp", "4915112345678"), "sender.value"))
        .containsExactly(
            new IdentityKey(IdentityKind.HANDLE, "whatsapp", "+4915112345678"),
            new IdentityKey(IdentityKind.PHONE, "", "+4915112345678"));
  }

  @Test
  void otherSendersAreLookedUpByTheirOwnIdentityOnly() {
    assertThat(de.matchKeys(SenderAddress.phone("030 1234567"), "sender.value"))
        .containsExactly(new IdentityKey(IdentityKind.PHONE, "", "+49301234567"));
    assertThat(de.matchKeys(SenderAddress.handle("telegram", "123456789"), "sender.value"))
        .containsExactly(new IdentityKey(IdentityKind.HANDLE, "telegram", "123456789"));
    assertThat(de.matchKeys(SenderAddress.email("A@B.de"), "sender.value"))
        .containsExactly(new IdentityKey(IdentityKind.EMAIL, "", "a@b.de"));
  }

  @Test
  void whatsappSenderIsLookedUpByPhoneWhereverItsIdIsAPossibleNumber() {
    assertThat(de.matchKeys(SenderAddress.handle("whatsapp", "447700900123"), "sender.value"))
        .containsExactly(
            new IdentityKey(IdentityKind.HANDLE, "whatsapp", "+447700900123"),
            new IdentityKey(IdentityKind.PHONE, "", "+447700900123"));
    assertThat(de.matchKeys(SenderAddress.handle("whatsapp", "12"), "sender.value"))
        .containsExactly(new IdentityKey(IdentityKind.HANDLE, "whatsapp", "+12"));
    assertThat(de.matchKeys(SenderAddress.handle("whatsapp", "junk"), "sender.value"))
        .containsExactly(new IdentityKey(IdentityKind.HANDLE, "whatsapp", "junk"));
  }

  @Test
  void matchKeysRejectsWhatNormalizeRejects() {
    assertRejected(() -> de.matchKeys(SenderAddress.handle("messenger", "junk"), "sender.value"), "sender.value");
    assertRejected(() -> de.matchKeys(SenderAddress.handle("whatsapp", "x".repeat(321)), "sender.value"), "sender.value");
  }

  private static ValidationException assertRejected(ThrowingCallable call, String field) {
    ValidationException e = catchThrowableOfType(ValidationException.class, call);
    assertThat(e).as("expected a ValidationException").isNotNull();
    assertThat(e.errors()).extracting(ValidationException.FieldError::field).containsExactly(field);
    return e;
  }
}
