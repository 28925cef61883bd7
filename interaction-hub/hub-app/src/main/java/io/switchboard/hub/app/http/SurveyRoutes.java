package io.switchboard.hub.app.http;

import io.switchboard.hub.api.error.ConflictException;
import io.switchboard.hub.api.error.ForbiddenException;
import io.switchboard.hub.api.error.NotFoundException;
import io.switchboard.hub.api.error.ValidationException;
import io.switchboard.hub.core.csat.SurveyService;
import io.switchboard.hub.store.SurveyStore.Survey;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * Answering a satisfaction survey through its signed link (docs/reports.md "CSAT"), without a login: the link's
 * signature is the credential for that one survey.
 *
 * <ul>
 *   <li>{@code GET /survey/{token}}: the rating page (plain HTML, no script) the email links to;</li>
 *   <li>{@code POST /survey/{token}}: its form ({@code rating}, {@code comment}), answered with a page;</li>
 *   <li>{@code POST /api/v1/surveys/answers} {@code {"token", "rating", "comment"}}: the same as JSON (OpenAPI).</li>
 * </ul>
 */
final class SurveyRoutes {
  /** Form bodies of the rating page: a rating and a comment of at most 1,000 characters fit easily. */
  static final int PAGE_BODY_LIMIT = 16 * 1024;

  record AnswerRequest(String token, Integer rating, String comment) {}

  private SurveyRoutes() {}

  static void mount(Router router, SurveyService surveys) {
    router.post("/api/v1/surveys/answers").handler(ctx -> {
      AnswerRequest req = JsonBodies.read(ctx, AnswerRequest.class);
      Respond.json(ctx, surveys.answerWithLink(req.token(), req.rating(), req.comment()), 200, SurveyRoutes::json);
    });
    router.get("/survey/:token").handler(ctx -> surveys.page(ctx.pathParam("token"))
        .onSuccess(p -> html(ctx, 200, p.survey().status().equals("answered") ? thanks(p.survey())
            : p.survey().status().equals("sent") ? form(ctx.pathParam("token"), p, null) : closed()))
        .onFailure(e -> error(ctx, e)));
    router.post("/survey/:token").handler(BodyHandler.create(false).setBodyLimit(PAGE_BODY_LIMIT)).handler(ctx -> {
      String token = ctx.pathParam("token");
      String ratingRaw = ctx.request().getFormAttribute("rating");
      Integer rating = ratingRaw != null && ratingRaw.matches("[1-5]") ? Integer.valueOf(ratingRaw) : ratingRaw == null ? null : 0;
      surveys.answerWithLink(token, rating, ctx.request().getFormAttribute("comment"))
          .onSuccess(s -> html(ctx, 200, thanks(s)))
          .onFailure(e -> error(ctx, e));
    });
  }

  static JsonObject json(Survey s) {
    return new JsonObject().put("interactionId", s.interactionId().toString()).put("rating", s.rating())
        .put("comment", s.comment()).put("answeredAt", s.answeredAt() == null ? null : s.answeredAt().toString());
  }

  private static void error(RoutingContext ctx, Throwable e) {
    int status;
    String message;
    switch (e) {
      case ValidationException v -> {
        status = 422;
        message = v.errors().isEmpty() ? v.getMessage() : v.errors().get(0).message();
      }
      case ForbiddenException f -> {
        status = 403;
        message = f.getMessage();
      }
      case NotFoundException n -> {
        status = 404;
        message = n.getMessage();
      }
      case ConflictException c -> {
        status = 409;
        message = c.getMessage();
      }
      default -> {
        ctx.fail(e);
        return;
      }
    }
    html(ctx, status, page("Survey", "<p>" + esc(message) + "</p>"));
  }

  private static String form(String token, SurveyService.Page p, String problem) {
    StringBuilder b = new StringBuilder();
    b.append("<h1>").append(esc(p.question())).append("</h1>");
    if (problem != null) {
      b.append("<p class=problem>").append(esc(problem)).append("</p>");
    }
    b.append("<form method=post action=\"/survey/").append(esc(token)).append("\"><fieldset><legend>1 = poor, 5 = excellent</legend>");
    for (int i = 1; i <= 5; i++) {
      b.append("<label><input type=radio name=rating value=").append(i).append(i == 5 ? " required" : "").append("> ")
          .append(i).append("</label> ");
    }
    b.append("</fieldset><label for=comment>").append(esc(p.commentPrompt())).append("</label>")
        .append("<textarea id=comment name=comment maxlength=").append(SurveyService.MAX_COMMENT).append(" rows=4></textarea>")
        .append("<button type=submit>Send</button></form>");
    return page("Your opinion", b.toString());
  }

  private static String thanks(Survey s) {
    return page("Thank you", "<h1>Thank you!</h1><p>Your rating: " + s.rating() + " of 5.</p>");
  }

  private static String closed() {
    return page("Survey", "<p>This survey can no longer be answered.</p>");
  }

  private static String page(String title, String body) {
    return "<!doctype html><html lang=en><head><meta charset=utf-8><meta name=viewport content=\"width=device-width\">"
        + "<title>" + esc(title) + "</title><style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem}"
        + "fieldset{border:0;padding:0;margin:1rem 0}label{margin-right:.8rem}textarea{display:block;width:100%;margin:.5rem 0 1rem}"
        + "button{padding:.5rem 1.5rem}.problem{color:#a00}</style></head><body>" + body + "</body></html>";
  }

  private static void html(RoutingContext ctx, int status, String html) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "text/html; charset=utf-8")
        .putHeader("Cache-Control", "no-store").putHeader("Referrer-Policy", "no-referrer").end(html);
  }

  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }
}
