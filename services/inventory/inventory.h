// inventory — the service definition (the catalogue, the stock ledger) and
// what its modules share: the owner name, who keeps the store, and the
// configuration read once at start.
//
// Keys (hash tag {inventory}) besides the document types' own (cm_doc.h):
//   sm:{inventory}:stock:<item>             counters on_hand (all
//       locations), low (0 or 1: the reorder alert is raised)
//   sm:{inventory}:stock:<item>|<location>  counter on_hand
//   sm:{inventory}:idx:stock_item:<item>    the item's locations, score =
//                                           last movement (ms)
//   sm:{inventory}:ledger:item:<item>       every movement of the item, in
//       order, each stamped with the location's balance after it
//   sm:{inventory}:counter:movement         movement ids (MV-n)
//   sm:{inventory}:idx:last_issue           items by their last issue (ms)
//   sm:{inventory}:freeze:<location>        open counts there (count.c)
//   sm:{inventory}:quota:<item>|<dept>|<period>  quota used (requisition.c)
//   sm:{inventory}:timers:qualifications    qualified suppliers, score =
//                                           the end of their earliest
//                                           qualification document's date
//   sm:{inventory}:lots:<item>|<location>   receipt lots by expiry (stock.h)
//   sm:{inventory}:idx:check_due            items by their next stored-goods
//                                           check (ms), check.c
//   sm:{inventory}:timers:check_due         the same, until announced
#ifndef INVENTORY_INVENTORY_H
#define INVENTORY_INVENTORY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "cm_service.h"

#define INVENTORY_OWNER      "inventory"
#define INVENTORY_DEPARTMENT "logistics" // the department that keeps stock
// Who keeps the store: logistics staff of the logistics department, its
// head (as personnel names it), the station head. The roles a row names;
// the place is inventory_keeper_guard's.
#define INVENTORY_KEEPERS "logistics dept_head station_head"
// Who reads the ledger besides the keepers.
#define INVENTORY_LEDGER_READERS    "deputy_head auditor finance"
#define INVENTORY_LOCATIONS_DEFAULT "main-store spare-store"
#define INVENTORY_LOCATIONS_MAX     512 // the configured list, in bytes

// Configuration, read once at start (inventory/...). Read-only afterwards.
typedef struct {
    char locations[INVENTORY_LOCATIONS_MAX]; // storage locations, spaced
    int64_t quality_floor; // a quality score under it suspends a supplier
    int64_t receipt_tolerance_pct; // accepted beyond the ordered quantity
} inventory_t;

// The service definition.
extern const cm_service_def_t inventory_service;

// The configuration of the request's service. Borrowed.
const inventory_t *inventory_of(cm_ctx_t *ctx);

// True when location is one of the configured storage locations.
bool inventory_is_location(cm_ctx_t *ctx, const char *location);

// True when actor (the org view's, cm_org) keeps the store: the station
// head, a `logistics` member of the logistics department, or the head of
// the logistics department. Also a process-row guard.
bool inventory_keeper_guard(const json_t *actor, const json_t *doc);

// inventory_keeper_guard for the request's actor.
bool inventory_is_keeper(cm_ctx_t *ctx);

// True when the request's actor may read the ledger: a keeper, or a
// deputy head, auditor or finance member.
bool inventory_may_read_ledger(cm_ctx_t *ctx);

// An inventory key "sm:{inventory}:<kind>:<id>" into buf
// (CM_STORE_KEY_MAX). Returns buf.
#define inventory_key(buf, kind, id)                                           \
    cm_store_key_fit(buf, INVENTORY_OWNER, kind, id)

#endif
