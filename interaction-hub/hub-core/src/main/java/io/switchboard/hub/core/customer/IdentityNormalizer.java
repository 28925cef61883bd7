package io.switchboard.hub.core.customer;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import io.switchboard.hub.api.IdentityKind;
import io.switchboard.hub.api.SenderAddress;
import io.switchboard.hub.api.error.ValidationException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Turns raw addresses into the normalised identities customers are matched by:
 *
 * <ul>
 *   <li>phone numbers to E.164 (libphonenumber), national numbers read in the configured default region;
 *   <li>emails lower-cased as a whole (mailboxes are matched case-insensitively in practice);
 *   <li>handles per provider: WhatsApp ids (the provider's {@code wa_id}, authoritative) are kept as {@code +<digits>}
 *       (E.164 where libphonenumber calls the number valid; digits it does not know, such as a reserved or newly
 *       allocated range, as they are) or, when they are not digits at all, as given; Telegram and Messenger ids are
 *       numeric, Telegram usernames ({@code @name}) are case-insensitive, other providers keep the handle as
 *       given, trimmed.
 * </ul>
 *
 * Thread-safe.
 */
public final class IdentityNormalizer {
  private static final Pattern EMAIL =
      Pattern.compile("^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$");
  private static final Pattern DIGITS = Pattern.compile("^[0-9]{1,32}$");
  private static final Pattern PROVIDER = Pattern.compile("^[a-z0-9][a-z0-9_-]{0,31}$");
  private static final Pattern TELEGRAM_USERNAME = Pattern.compile("^@[A-Za-z0-9_]{5,32}$");

  private final PhoneNumberUtil phones = PhoneNumberUtil.getInstance();
  private final String defaultRegion;

  /**
   * @param defaultRegion ISO 3166 region for numbers written without a country code, such as {@code DE}
   * @throws IllegalArgumentException for a region libphonenumber does not know
   */
  public IdentityNormalizer(String defaultRegion) {
    String region = defaultRegion == null ? "" : defaultRegion.toUpperCase(Locale.ROOT);
    if (!phones.getSupportedRegions().contains(region)) {
      throw new IllegalArgumentException("unknown phone region '" + defaultRegion + "' (customers.defaultRegion)");
    }
    this.defaultRegion = region;
  }

  public String defaultRegion() {
    return defaultRegion;
  }

  /**
   * Normalises one address.
   *
   * @param field the input field it came from, named in the error
   * @throws ValidationException when it is not a valid address of its kind
   */
  public IdentityKey normalize(SenderAddress address, String field) {
    return switch (address.kind()) {
      case PHONE -> new IdentityKey(IdentityKind.PHONE, "", phone(address.value(), field));
      case EMAIL -> new IdentityKey(IdentityKind.EMAIL, "", email(address.value(), field));
      case HANDLE -> handle(address.provider(), address.value(), field);
    };
  }

  /**
   * The identities to look a sender up by, best first. A WhatsApp sender is also the owner of that phone
   * number, so a customer who called from it is found too: wherever the id parses as a possible number (valid
   * or not in libphonenumber's tables), the phone is the second key. A new customer gets all of them.
   */
  public List<IdentityKey> matchKeys(SenderAddress address, String field) {
    IdentityKey key = normalize(address, field);
    if (key.kind() == IdentityKind.HANDLE && key.provider().equals("whatsapp")) {
      String phone = possiblePhone(key.value());
      return phone == null ? List.of(key) : List.of(key, new IdentityKey(IdentityKind.PHONE, "", phone));
    }
    return List.of(key);
  }

  /** E.164 of an international number ({@code +<digits>}) libphonenumber calls possible, else null. */
  private String possiblePhone(String international) {
    if (!international.startsWith("+")) {
      return null;
    }
    try {
      PhoneNumber n = phones.parse(international, defaultRegion);
      return phones.isPossibleNumber(n) ? phones.format(n, PhoneNumberUtil.PhoneNumberFormat.E164) : null;
    } catch (NumberParseException e) {
      return null;
    }
  }

  /**
   * A WhatsApp id as stored: never refused, since WhatsApp has already delivered the message from it (issue 9.7).
   * A valid number in E.164 (as before, so identities stored earlier still match), other digits as
   * {@code +<digits>}, anything else (an id that is not a number) as given.
   */
  private String whatsappId(String text) {
    String international = text.startsWith("+") ? text : "+" + text;
    try {
      PhoneNumber n = phones.parse(international, defaultRegion);
      if (phones.isValidNumber(n)) {
        return phones.format(n, PhoneNumberUtil.PhoneNumberFormat.E164);
      }
    } catch (NumberParseException e) {
      // not a number libphonenumber reads: see below
    }
    String digits = international.substring(1).replaceAll("[\\s().-]", "");
    return DIGITS.matcher(digits).matches() ? "+" + digits : text;
  }

  /** E.164 form of a phone number. */
  public String phone(String raw, String field) {
    String text = raw == null ? "" : raw.strip();
    if (text.isEmpty() || text.length() > 64) {
      throw new ValidationException(field, "is not a phone number");
    }
    try {
      PhoneNumber n = phones.parse(text, defaultRegion);
      if (!phones.isValidNumber(n)) {
        throw new ValidationException(field, "'" + text + "' is not a valid phone number");
      }
      return phones.format(n, PhoneNumberUtil.PhoneNumberFormat.E164);
    } catch (NumberParseException e) {
      throw new ValidationException(field, "'" + text + "' is not a phone number (" + e.getErrorType() + ")");
    }
  }

  /** Lower-cased email address. */
  public String email(String raw, String field) {
    String text = raw == null ? "" : raw.strip();
    if (text.length() > 254 || !EMAIL.matcher(text).matches() || text.indexOf('@') > 64) {
      throw new ValidationException(field, "'" + abbreviate(text) + "' is not a valid email address");
    }
    return text.toLowerCase(Locale.ROOT);
  }

  private IdentityKey handle(String rawProvider, String raw, String field) {
    String provider = rawProvider == null ? "" : rawProvider.strip().toLowerCase(Locale.ROOT);
    if (!PROVIDER.matcher(provider).matches()) {
      throw new ValidationException(field, "provider '" + abbreviate(provider) + "' is not a valid provider name");
    }
    String text = raw == null ? "" : raw.strip();
    if (text.isEmpty() || text.length() > 320) {
      throw new ValidationException(field, "is not a valid " + provider + " handle");
    }
    String value =
        switch (provider) {
          case "whatsapp" -> whatsappId(text);
          case "messenger" -> digits(text, provider, field);
          case "telegram" -> {
            if (DIGITS.matcher(text).matches()) {
              yield text;
            }
            if (TELEGRAM_USERNAME.matcher(text).matches()) {
              yield text.toLowerCase(Locale.ROOT);
            }
            throw new ValidationException(field, "'" + abbreviate(text) + "' is neither a Telegram user id nor an @username");
          }
          default -> text;
        };
    return new IdentityKey(IdentityKind.HANDLE, provider, value);
  }

  private static String digits(String text, String provider, String field) {
    if (!DIGITS.matcher(text).matches()) {
      throw new ValidationException(field, "'" + abbreviate(text) + "' is not a numeric " + provider + " id");
    }
    return text;
  }

  private static String abbreviate(String s) {
    return s.length() <= 64 ? s : s.substring(0, 61) + "...";
  }
}
