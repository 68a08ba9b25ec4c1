// summary — intake's figures for the station report (cm_summary.h):
// GET /internal/summary?from=&to=&department=, services only.
//   period.cases         opened, closed, reopened, and per kind
//                        <kind>_opened, <kind>_closed (the volume counters,
//                        volume_report); backlog: open at the period's end
//   period.satisfaction  confirms, satisfied, unsatisfied, average_score
//                        (the satisfaction index, satisfaction_period)
#ifndef INTAKE_SUMMARY_H
#define INTAKE_SUMMARY_H

#include "cm_ctx.h"

void summary_get(cm_ctx_t *ctx);

#endif
