// summary — finance's figures for the station report (cm_summary.h):
// GET /internal/summary?from=&to=&department=, services only.
//   period.budget  the approved budget of the fiscal year of the period's
//                  last day against its execution (report_budget_totals,
//                  the budget report's own computation): year, amount,
//                  committed, actual, available, variance, percent_used;
//                  all null when that year has no approved budget.
// The figures are the year's to date (execution counters are not kept per
// day), so a previous period in the same year shows the same figures.
#ifndef FINANCE_SUMMARY_H
#define FINANCE_SUMMARY_H

#include "cm_ctx.h"

void summary_get(cm_ctx_t *ctx);

#endif
