// summary — personnel's figures for the station report (cm_summary.h):
// GET /internal/summary?from=&to=&department=, services only.
//   period.staff_training  records: training records entered in the period
//                          (training.h; of the department's staff when
//                          department is given), and per kind
//                          business_knowledge, skills, management,
//                          self_study (learning resources marked studied)
//   now.staff_training     staff: active members of staff (of the
//                          department), the base the records compare with
// Counted from the records' filter indexes (score: when recorded), not a
// scan.
#ifndef PERSONNEL_SUMMARY_H
#define PERSONNEL_SUMMARY_H

#include "cm_ctx.h"

void summary_get(cm_ctx_t *ctx);

#endif
