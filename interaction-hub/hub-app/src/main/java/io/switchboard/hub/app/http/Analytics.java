package io.switchboard.hub.app.http;

import io.switchboard.hub.core.reports.ReportService;
import io.switchboard.hub.core.webhooks.WebhookService;

/**
 * The analytical side's services for the routes: interval reports and satisfaction surveys (docs/reports.md),
 * webhooks (docs/webhooks.md).
 */
public record Analytics(ReportService reports, WebhookService webhooks,
    io.switchboard.hub.core.reports.CustomerKpis customerKpis, io.switchboard.hub.core.csat.SurveyService surveys) {}
