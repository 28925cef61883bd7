package io.switchboard.hub.app.http;

import io.switchboard.hub.api.Role;
import io.switchboard.hub.core.reports.ReportFigures;
import io.switchboard.hub.core.reports.ReportService;
import io.switchboard.hub.store.ReportStore;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Interval reports (docs/reports.md): {@code GET /api/v1/reports/{queues,agents,channels}} as JSON or CSV,
 * streamed from the report tables row by row; {@code POST /api/v1/reports/rebuild} (admins) computes a past
 * range again. Supervisors see everything; agents only their own agent figures.
 */
final class ReportRoutes {
  /** UTF-8 byte order mark: Excel reads a CSV starting with it as UTF-8. */
  static final String BOM = "\uFEFF";

  record RebuildRequest(String from, String to) {}

  private ReportRoutes() {}

  static void mount(io.vertx.ext.web.Router router, Vertx vertx, ReportService reports,
      io.switchboard.hub.core.reports.CustomerKpis kpis, Authn authn) {
    for (String dim : List.of("queues", "agents", "channels")) {
      router.get("/api/v1/reports/" + dim).handler(authn.staff(Role.AGENT)).handler(ctx -> report(ctx, reports, dim));
    }
    router.get("/api/v1/customers/:id/kpis").handler(authn.staff(Role.AGENT)).handler(ctx ->
        Respond.json(ctx, kpis.of(Params.pathUuid(ctx, "id")), 200, k -> k));
    router.post("/api/v1/reports/rebuild").handler(authn.staff(Role.ADMIN)).handler(ctx -> {
      RebuildRequest req = JsonBodies.read(ctx, RebuildRequest.class);
      Respond.json(ctx, reports.rebuild(req.from(), req.to(), vertx), 202, n -> new JsonObject().put("intervals", n));
    });
  }

  private static void report(RoutingContext ctx, ReportService reports, String dimension) {
    String format = Params.query(ctx, "format");
    boolean csv;
    if (format == null) {
      String accept = ctx.request().getHeader("Accept");
      csv = accept != null && accept.toLowerCase(Locale.ROOT).contains("text/csv");
    } else if (format.equals("csv") || format.equals("json")) {
      csv = format.equals("csv");
    } else {
      throw Problems.BadRequest.field("format", "must be json or csv");
    }
    String bomParam = Params.query(ctx, "bom");
    if (bomParam != null && !bomParam.equals("true") && !bomParam.equals("false")) {
      throw Problems.BadRequest.field("bom", "must be true or false");
    }
    boolean bom = "true".equals(bomParam);
    ReportService.Request request = new ReportService.Request(dimension, Params.query(ctx, "from"), Params.query(ctx, "to"),
        Params.query(ctx, "interval"), Params.query(ctx, "queues"), Params.query(ctx, "agents"), Params.query(ctx, "channels"));
    reports.check(request, Authn.staff(ctx)).onFailure(ctx::fail).onSuccess(q -> {
      ZoneId zone = ZoneId.of(q.zone());
      HttpServerResponse resp = ctx.response();
      StringBuilder head = new StringBuilder();
      if (csv) {
        resp.putHeader("Content-Type", "text/csv; charset=utf-8").putHeader("Content-Disposition",
            "attachment; filename=\"switchboard-" + dimension + "-" + request.from().replaceAll("[^0-9A-Za-z-]", "") + ".csv\"");
        if (bom) {
          head.append(BOM);
        }
        head.append(Csv.line(List.copyOf(ReportFigures.columns(q.dimension()))));
      } else {
        resp.putHeader("Content-Type", "application/json");
        String meta = new JsonObject().put("dimension", dimension).put("interval", unitName(q.unit())).put("zone", zone.getId())
            .put("from", q.from().atZone(zone).toOffsetDateTime().toString())
            .put("to", q.to().atZone(zone).toOffsetDateTime().toString()).encode();
        head.append(meta, 0, meta.length() - 1).append(",\"rows\":[");
      }
      resp.setChunked(true).setStatusCode(200);
      boolean[] first = {true};
      resp.write(head.toString());
      reports.stream(q, new ReportStore.RowSink() {
        @Override
        public void write(ReportStore.ReportRow row) {
          Map<String, Object> f = ReportFigures.figures(q.dimension(), row, zone);
          if (csv) {
            resp.write(Csv.line(new java.util.ArrayList<>(f.values()))); // nulls (averages of nothing) are empty cells
          } else {
            resp.write(Buffer.buffer((first[0] ? "" : ",") + new JsonObject(f).encode()));
          }
          first[0] = false;
        }

        @Override
        public boolean full() {
          return resp.writeQueueFull();
        }

        @Override
        public void onDrain(Runnable resume) {
          resp.drainHandler(v -> resume.run());
        }
      }).onSuccess(n -> resp.end(csv ? "" : "]}")).onFailure(e -> {
        // The status is sent: a client sees a cut-off body (no closing bracket, a short CSV), never a complete-looking one.
        org.slf4j.LoggerFactory.getLogger(ReportRoutes.class).atWarn().setCause(e).log("report stream failed");
        resp.reset();
      });
    });
  }

  static String unitName(ReportStore.Unit u) {
    return switch (u) {
      case MINUTES_15 -> "15m";
      case HOUR -> "hour";
      case DAY -> "day";
      case WEEK -> "week";
    };
  }

  /** RFC 4180 lines for spreadsheets. */
  static final class Csv {
    private Csv() {}

    /** One CRLF-terminated line: numbers as they are (decimals with 2 places), null empty, text escaped. */
    static String line(List<?> values) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < values.size(); i++) {
        if (i > 0) {
          b.append(',');
        }
        Object v = values.get(i);
        if (v == null) {
          continue;
        }
        if (v instanceof Double d) {
          b.append(String.format(Locale.ROOT, "%.2f", d));
        } else if (v instanceof Number n) {
          b.append(n);
        } else {
          b.append(text(v.toString()));
        }
      }
      return b.append("\r\n").toString();
    }

    /**
     * A text cell: quoted when it holds a comma, quote or line break (quotes doubled); text a spreadsheet would
     * run as a formula (starting with =, +, -, @, tab or carriage return) gets a leading apostrophe.
     */
    static String text(String s) {
      if (!s.isEmpty() && "=+-@\t\r".indexOf(s.charAt(0)) >= 0) {
        s = "'" + s;
      }
      if (s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
        return '"' + s.replace("\"", "\"\"") + '"';
      }
      return s;
    }
  }
}
