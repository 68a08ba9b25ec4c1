// summary — dispatch's figures for the station report (cm_summary.h):
// GET /internal/summary?from=&to=&department=, services only.
//   period.sla          clocks stopped in the period (sla_report_rows, the
//                       SLA report's own computation): stopped, on_time,
//                       breached, escalated (level 2 or more), compliance
//                       (on time per 100 stopped), and per target
//                       <target>_stopped, <target>_breached
//   period.work_orders  closed: work orders closed whose last change lies
//                       in the period (state index, score = updated)
//   now.work_orders     unfinished (open assigned accepted in_progress) and
//                       each of those states (the state indexes; with a
//                       department, intersected with its queue index)
#ifndef DISPATCH_SUMMARY_H
#define DISPATCH_SUMMARY_H

#include "cm_ctx.h"

void summary_get(cm_ctx_t *ctx);

#endif
