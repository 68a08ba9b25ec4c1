// report — GET /v1/reports/budget?year=&department=: the approved budget
// of a fiscal year against its execution, per line: amount, committed,
// actual, available, variance (amount - actual) and percent used
// ((committed + actual) / amount), with totals.
#ifndef FINANCE_REPORT_H
#define FINANCE_REPORT_H

#include <jansson.h>

#include "cm_ctx.h"
#include "cm_store.h"

void report_budget(cm_ctx_t *ctx);

// The report's totals for year's approved budget (department NULL: every
// line): {amount, committed, actual, available, variance} into *totals
// (caller owns). 0, CM_ENOTFOUND (none approved) or a store status.
int report_budget_totals(cm_store_t *store, long year, const char *department,
                         json_t **totals);

#endif
