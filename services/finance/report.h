// report — GET /v1/reports/budget?year=&department=: the approved budget
// of a fiscal year against its execution, per line: amount, committed,
// actual, available, variance (amount - actual) and percent used
// ((committed + actual) / amount), with totals.
#ifndef FINANCE_REPORT_H
#define FINANCE_REPORT_H

#include "cm_ctx.h"

void report_budget(cm_ctx_t *ctx);

#endif
