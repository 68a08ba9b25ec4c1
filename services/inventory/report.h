// report — the stock report (GET /v1/reports/stock): shortages (at or
// under the reorder point), overstock (above the maximum), slow movers (on
// hand with no issue in `slow_days`, default 90) and valuable or limited
// items on hand. Read by the store keepers, deputy heads, finance staff
// and auditors.
#ifndef INVENTORY_REPORT_H
#define INVENTORY_REPORT_H

#include <stdint.h>

#include "cm_ctx.h"
#include "cm_store.h"

void report_stock(cm_ctx_t *ctx);

// The report's shortages now, counted (the report lists at most 200): the
// items of the catalogue into *items, those at or under their reorder
// point into *shortages. 0 or a store status.
int report_shortages(cm_store_t *store, int64_t *items, int64_t *shortages);

#endif
