// report — the stock report (GET /v1/reports/stock): shortages (at or
// under the reorder point), overstock (above the maximum), slow movers (on
// hand with no issue in `slow_days`, default 90) and valuable or limited
// items on hand. Read by the store keepers, deputy heads, finance staff
// and auditors.
#ifndef INVENTORY_REPORT_H
#define INVENTORY_REPORT_H

#include "cm_ctx.h"

void report_stock(cm_ctx_t *ctx);

#endif
