// summary — safety-audit's figures for the station report (cm_summary.h):
// GET /internal/summary?from=&to=&department=, services only. From the
// document types' state indexes (score = last change), so a figure of the
// period counts the documents whose last change into that state lies in
// it.
//   period.hazards   closed: hazards closed in the period
//   now.hazards      open (reported, assigned, rectified, verified: not
//                    closed), assigned, overdue: assigned hazards past
//                    their rectification deadline (the assigned hazards
//                    are read, as GET /v1/hazards?state=assigned lists
//                    them). department narrows to its hazards.
//   period.training  held, cancelled: safety training sessions recorded as
//                    held or cancelled in the period
//   now.training     planned
// Sessions are the station's: department does not narrow them.
#ifndef SAFETY_SUMMARY_H
#define SAFETY_SUMMARY_H

#include "cm_ctx.h"

void summary_get(cm_ctx_t *ctx);

#endif
