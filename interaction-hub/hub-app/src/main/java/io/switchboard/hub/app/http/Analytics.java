package io.switchboard.hub.app.http;

import io.switchboard.hub.core.reports.ReportService;

/** The analytical side's services for the routes (interval reports; docs/reports.md). */
public record Analytics(ReportService reports) {}
