package io.switchboard.hub.core.messaging;

import io.switchboard.hub.api.Attachment;
import io.switchboard.hub.api.AttachmentId;
import io.switchboard.hub.api.Role;
import io.switchboard.hub.api.error.NotFoundException;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.core.auth.Principal;
import io.switchboard.hub.store.AttachmentStore;
import io.switchboard.hub.store.Stores;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Files staff attach to email replies: uploaded first (unused), then claimed by the reply that attaches
 * them ({@link MessageService}). Who may read one: the uploader while it is unused; once used, whoever may
 * see the interaction of its message (the agent working it, supervisors and admins). Anything else is
 * reported as not found, so an attachment's existence does not leak.
 */
public final class AttachmentService {
  private static final Logger log = LoggerFactory.getLogger(AttachmentService.class);

  /** The media type of a file uploaded without one. */
  public static final String DEFAULT_MEDIA_TYPE = "application/octet-stream";
  public static final int MAX_FILE_NAME = 255;
  public static final int MAX_MEDIA_TYPE = 255;
  private static final String TOKEN = "[A-Za-z0-9!#$&^_.+-]+";
  private static final Pattern MEDIA_TYPE = Pattern.compile(
      TOKEN + "/" + TOKEN + "(\\s*;\\s*" + TOKEN + "=(" + TOKEN + "|\"[^\"\\\\\\p{Cntrl}]*\"))*");

  /** An attachment with its bytes, for download. */
  public record Download(Attachment attachment, Buffer bytes) {}

  /**
   * How many bytes of uploads not yet sent with a reply may wait: per member of staff and in total. Past either,
   * uploads are refused (409) until replies use them or the sweeper deletes them.
   */
  public record Quotas(long perUserBytes, long totalBytes) {
    public static Quotas defaults() {
      return new Quotas(100L * 1024 * 1024, 2L * 1024 * 1024 * 1024);
    }
  }

  private final Stores stores;
  private final Quotas quotas;

  public AttachmentService(Stores stores) {
    this(stores, Quotas.defaults());
  }

  public AttachmentService(Stores stores, Quotas quotas) {
    this.stores = stores;
    this.quotas = quotas;
  }

  /**
   * Stores an uploaded file as an unused attachment of {@code by}.
   *
   * @param fileName the file's name as the client gave it (already percent-decoded)
   * @param mediaType the request's Content-Type, or null ({@value #DEFAULT_MEDIA_TYPE})
   * @throws ValidationException (as a failed future) for an empty body, a bad file name or media type
   */
  public Future<Attachment> upload(Principal.Staff by, String fileName, String mediaType, Buffer bytes) {
    Attachment a;
    try {
      if (bytes == null || bytes.length() == 0) {
        throw new ValidationException("body", "is empty; send the file's bytes as the request body");
      }
      a = new Attachment(AttachmentId.random(), fileName(fileName), mediaType(mediaType), bytes.length(), sha256(bytes));
    } catch (ValidationException e) {
      return Future.failedFuture(e);
    }
    return stores.attachments().unusedBytes(stores.db().pool(), by.agentId()).compose(used -> {
      if (used[0] + a.sizeBytes() > quotas.perUserBytes()) {
        return Future.failedFuture(new io.switchboard.hub.api.error.ConflictException("your unsent uploads would pass "
            + quotas.perUserBytes() + " bytes (" + used[0] + " waiting); send or remove them, or wait for them to be swept"));
      }
      if (used[1] + a.sizeBytes() > quotas.totalBytes()) {
        return Future.failedFuture(new io.switchboard.hub.api.error.ConflictException(
            "the hub holds too many unsent uploads; try again later"));
      }
      return Future.succeededFuture();
    }).compose(ok -> stores.attachments().insert(stores.db().pool(), a, by.agentId(), bytes, Instant.now())).map(x -> {
      log.atInfo().addKeyValue("attachmentId", a.id()).addKeyValue("agentId", by.agentId()).addKeyValue("sizeBytes", a.sizeBytes())
          .log("attachment uploaded");
      return a;
    });
  }

  /** The attachment and its bytes, if {@code viewer} may read it; otherwise not found. */
  public Future<Download> download(Principal.Staff viewer, AttachmentId id) {
    var sql = stores.db().pool();
    return stores.attachments().find(sql, id).compose(found -> {
      if (found.isEmpty() || !visible(viewer, found.get())) {
        return Future.failedFuture(new NotFoundException("no attachment " + id));
      }
      return stores.attachments().bytes(sql, id).compose(bytes -> bytes.isEmpty()
          ? Future.failedFuture(new NotFoundException("no attachment " + id))
          : Future.succeededFuture(new Download(found.get().attachment(), bytes.get())));
    });
  }

  /** Deletes at most {@code limit} attachments never used and older than {@code age}; returns how many. */
  public Future<Integer> deleteUnused(Duration age, int limit) {
    return stores.attachments().deleteUnused(stores.db().pool(), age, limit);
  }

  private static boolean visible(Principal.Staff viewer, AttachmentStore.Stored a) {
    if (a.messageId() == null) {
      return viewer.agentId().equals(a.uploadedBy());
    }
    return viewer.role().atLeast(Role.SUPERVISOR) || viewer.agentId().equals(a.interactionAgent());
  }

  /**
   * A file name safe to store and to send back in a Content-Disposition header: no path separators, no
   * control characters, not "." or "..", at most {@value #MAX_FILE_NAME} characters.
   */
  static String fileName(String raw) {
    String name = raw == null ? "" : raw.strip();
    if (name.isEmpty()) {
      throw new ValidationException("fileName", "is required (X-File-Name header or ?name=, percent-encoded UTF-8)");
    }
    if (name.length() > MAX_FILE_NAME) {
      throw new ValidationException("fileName", "is longer than " + MAX_FILE_NAME + " characters");
    }
    if (name.indexOf('/') >= 0 || name.indexOf('\\') >= 0) {
      throw new ValidationException("fileName", "must not contain path separators (/ or \\)");
    }
    if (name.codePoints().anyMatch(c -> Character.isISOControl(c) || c == 0x2028 || c == 0x2029
        || Character.getType(c) == Character.FORMAT)) {
      throw new ValidationException("fileName", "must not contain control characters");
    }
    if (name.equals(".") || name.equals("..")) {
      throw new ValidationException("fileName", "is not a file name");
    }
    return name;
  }

  static String mediaType(String raw) {
    if (raw == null || raw.isBlank()) {
      return DEFAULT_MEDIA_TYPE;
    }
    String type = raw.strip();
    if (type.length() > MAX_MEDIA_TYPE || !MEDIA_TYPE.matcher(type).matches()) {
      throw new ValidationException("mediaType", "the Content-Type '" + (type.length() > 64 ? type.substring(0, 61) + "..." : type)
          + "' is not a media type (type/subtype)");
    }
    int semi = type.indexOf(';');
    String essence = (semi < 0 ? type : type.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
    return semi < 0 ? essence : essence + type.substring(semi);
  }

  static String sha256(Buffer bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.getBytes()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
