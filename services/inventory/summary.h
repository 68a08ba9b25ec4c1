// summary — inventory's figures for the station report (cm_summary.h):
// GET /internal/summary?from=&to=, services only. Stock is the station's:
// department does not narrow it.
//   period.stock  write_offs: ledger entries of kind `write_off` in the
//                 period, write_off_quantity: what they took out (both
//                 from the day counters below; zero while no write-off
//                 is recorded)
//   now.stock     items, shortages: items at or under their reorder
//                 point (report_shortages, the stock report's own walk)
//
// Every write_off entry adds, in its own commit (stock_commit_entry):
//   sm:{inventory}:write_offs:<YYYY-MM-DD>  hash: entries, quantity
#ifndef INVENTORY_SUMMARY_H
#define INVENTORY_SUMMARY_H

#include <jansson.h>
#include <stdint.h>

#include "cm_ctx.h"
#include "cm_store.h"

#define SUMMARY_WRITE_OFF "write_off" // the ledger entry kind counted

// Count entry (a ledger entry) in commit when it is a write-off.
void summary_commit_entry(cm_commit_t *commit, const json_t *entry,
                          int64_t now_ms);

void summary_get(cm_ctx_t *ctx);

#endif
