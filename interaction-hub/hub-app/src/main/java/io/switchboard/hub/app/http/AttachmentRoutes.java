package io.switchboard.hub.app.http;

import io.switchboard.hub.api.Attachment;
import io.switchboard.hub.api.AttachmentId;
import io.switchboard.hub.api.Role;
import io.switchboard.hub.core.messaging.AttachmentService;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;

/**
 * {@code /api/v1/attachments}: staff upload a file as the raw request body (its media type as Content-Type,
 * its name percent-encoded in {@code X-File-Name} or {@code ?name=}) and download attachments they may see.
 * Uploads are read here, not by the JSON body handler: the request is paused until the caller is
 * authenticated, and no more than the limit is ever buffered (413 at once when Content-Length says more).
 */
final class AttachmentRoutes {
  static final String PATH = "/api/v1/attachments";

  private AttachmentRoutes() {}

  static void mount(Router router, AttachmentService attachments, Authn authn, long maxBytes) {
    router.post(PATH).handler(ctx -> {
      ctx.request().pause();
      ctx.next();
    }).handler(authn.staff(Role.AGENT)).handler(ctx -> {
      String name = fileName(ctx);
      String mediaType = ctx.request().getHeader("Content-Type");
      Respond.json(ctx, readBody(ctx.request(), maxBytes).compose(body ->
          attachments.upload(Authn.staff(ctx), name, mediaType, body)).onSuccess(a ->
          ctx.response().putHeader("Location", PATH + "/" + a.id())), 201, AttachmentRoutes::json);
    });
    router.get(PATH + "/:id").handler(authn.staff(Role.AGENT)).handler(ctx -> {
      AttachmentId id = Params.pathId(ctx, "id", AttachmentId::parse);
      attachments.download(Authn.staff(ctx), id).onSuccess(d -> {
        Attachment a = d.attachment();
        ctx.response().setStatusCode(200)
            .putHeader("Content-Type", a.mediaType())
            .putHeader("Content-Length", Long.toString(d.bytes().length()))
            .putHeader("Content-Disposition", contentDisposition(a.fileName()))
            .putHeader("X-Content-Type-Options", "nosniff")
            .putHeader("Content-Security-Policy", "default-src 'none'; sandbox")
            .putHeader("Cache-Control", "private, no-store")
            .end(d.bytes());
      }).onFailure(ctx::fail);
    });
  }

  /** The attachment as the API shows it. */
  static JsonObject json(Attachment a) {
    return new JsonObject().put("id", a.id().toString()).put("fileName", a.fileName()).put("mediaType", a.mediaType())
        .put("sizeBytes", a.sizeBytes()).put("sha256", a.sha256());
  }

  /** The file name from {@code X-File-Name} (percent-encoded UTF-8) or {@code ?name=}; exactly one of them. */
  private static String fileName(RoutingContext ctx) {
    String header = ctx.request().getHeader("X-File-Name");
    String query = Params.query(ctx, "name");
    if (header != null && query != null) {
      throw Problems.BadRequest.field("name", "give the file name once: X-File-Name header or ?name=, not both");
    }
    return header != null ? percentDecode(header, "X-File-Name") : query;
  }

  /** Strict percent-decoding of UTF-8 ('+' stays '+'); a malformed escape or invalid UTF-8 is a 400. */
  static String percentDecode(String raw, String field) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        if (i + 2 >= raw.length() || Character.digit(raw.charAt(i + 1), 16) < 0 || Character.digit(raw.charAt(i + 2), 16) < 0) {
          throw Problems.BadRequest.field(field, "malformed percent-encoding");
        }
        out.write(Character.digit(raw.charAt(i + 1), 16) * 16 + Character.digit(raw.charAt(i + 2), 16));
        i += 2;
      } else if (c > 0x7e || c < 0x20) {
        throw Problems.BadRequest.field(field, "must be percent-encoded UTF-8");
      } else {
        out.write(c);
      }
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(out.toByteArray())).toString();
    } catch (CharacterCodingException e) {
      throw Problems.BadRequest.field(field, "is not UTF-8 once percent-decoded");
    }
  }

  /** {@code attachment} with an ASCII fallback name and the exact name in RFC 5987 form. */
  static String contentDisposition(String fileName) {
    StringBuilder ascii = new StringBuilder();
    fileName.codePoints().forEach(c -> ascii.append(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != ';' ? (char) c : '_'));
    String encoded = URLEncoder.encode(fileName, StandardCharsets.UTF_8).replace("+", "%20");
    return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
  }

  /**
   * Reads the (paused) request body, never holding more than {@code max} bytes: a Content-Length above it
   * fails at once, a longer chunked body as soon as it passes the limit (the connection is then closed).
   */
  private static Future<Buffer> readBody(HttpServerRequest request, long max) {
    String length = request.getHeader("Content-Length");
    if (length != null) {
      long declared;
      try {
        declared = Long.parseLong(length.strip());
      } catch (NumberFormatException e) {
        return Future.failedFuture(new Problems.BadRequest("Content-Length is not a number"));
      }
      if (declared > max) {
        closeAfterResponse(request);
        return Future.failedFuture(tooLarge(max));
      }
    }
    Promise<Buffer> promise = Promise.promise();
    Buffer body = Buffer.buffer();
    request.handler(chunk -> {
      if (promise.future().isComplete()) {
        return;
      }
      if (body.length() + chunk.length() > max) {
        closeAfterResponse(request);
        promise.tryFail(tooLarge(max));
        return;
      }
      body.appendBuffer(chunk);
    });
    request.endHandler(v -> promise.tryComplete(body));
    request.exceptionHandler(promise::tryFail);
    request.resume();
    return promise.future();
  }

  /**
   * After a 413: on HTTP/1.x the connection closes after the response (the rest of the body is not read);
   * on HTTP/2 the rest of the stream is read and dropped, never kept.
   */
  private static void closeAfterResponse(HttpServerRequest request) {
    if (request.version() == io.vertx.core.http.HttpVersion.HTTP_1_0 || request.version() == io.vertx.core.http.HttpVersion.HTTP_1_1) {
      request.pause();
      request.response().putHeader("Connection", "close");
    } else {
      request.handler(chunk -> { });
      request.resume();
    }
  }

  private static Problems.BadRequest tooLarge(long max) {
    return new Problems.BadRequest(413, "payload-too-large", "the file is larger than the " + max + " bytes this hub accepts", null);
  }
}
