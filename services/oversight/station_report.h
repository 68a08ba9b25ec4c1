// station_report — the station report across services (regulations ch. 2
// (二)1–2: the heads' periodic summary and analysis):
// GET /v1/reports/station?from=&to=&department=.
//
// The period is [from, to): dates YYYY-MM-DD (UTC), from before to, at
// most 366 days, from within ten years. The previous period is the one of
// the same length just before it. oversight asks each service that holds
// figures (GET /internal/summary, cm_summary.h, over the broker) for both
// periods and answers
//   {"period": {from, to}, "previous_period": {from, to},
//    "department": code | null, "complete": bool,
//    "sections": {<section>: {"service", "available",
//                 "figures": {<name>: {value, previous, change, as_of}}}}}
// sections: cases, satisfaction (intake), sla, work_orders (dispatch),
// stock (inventory), budget (finance), hazards, training (safety-audit's
// sessions), staff_training (personnel's training records).
// A figure of the period has the previous period's value and the change
// (value - previous); a figure as of now (open hazards, shortages,
// unfinished work orders) has no previous value (null) and as_of "now".
// A service that does not answer in time: its sections are there with
// available false and no figures, and complete is false (never a report
// silently missing a section). Accept: text/csv: one row per figure
// (section, service, available, figure, as_of, value, previous, change);
// an unavailable section is one row without a figure.
//
// Readers: the station head, every department (department optional);
// a deputy head only with department naming a department they oversee;
// everyone else 403.
#ifndef OVERSIGHT_STATION_REPORT_H
#define OVERSIGHT_STATION_REPORT_H

#include "cm_ctx.h"

#define STATION_REPORT_SPAN_DAYS    366
#define STATION_REPORT_HISTORY_DAYS 3660 // how far back from may go

void station_report_get(cm_ctx_t *ctx);

#endif
