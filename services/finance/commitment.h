// commitment — budget reserved by another service (inventory's orders,
// assets' repairs) over the broker (cm_call), idempotent by the call key
// (document type, id, step, round), which is also the reservation's id:
//
//   POST /internal/budget/check   {line, amount, document {type, id}}
//        → 200 figures with `fits` and a warning, or 422 over budget (stop)
//   POST /internal/budget/commit  {line, amount, document {type, id, step},
//                                  reservation, expenditure_request?}
//        → 201 a commitment `pending`; it expires (released) after
//          finance/reservation_ttl_ms unless confirmed
//   POST /internal/budget/release {reservation, amount?}
//        → 200: the whole rest, or the unused part when an order closes
//
// A commitment is confirmed when finance consumes the caller's event whose
// data carries `budget_reservation` (the caller's own commit, through its
// outbox). Only callers with role `system` may use these routes.
#ifndef FINANCE_COMMITMENT_H
#define FINANCE_COMMITMENT_H

#include <jansson.h>

#include "cm_ctx.h"
#include "cm_doc.h"
#include "cm_service.h"

#define COMMITMENT_TIMERS   "commitments" // sm:{finance}:timers:commitments
#define COMMITMENT_LEASE_MS 30000
#define COMMITMENT_BATCH    100

extern const cm_doc_type_t commitment_type;

void commitment_check(cm_ctx_t *ctx);
void commitment_commit(cm_ctx_t *ctx);
void commitment_release(cm_ctx_t *ctx);

// Add to commit the confirmation of reservation (a pending commitment
// becomes confirmed; anything else is left alone). 0 or a store status.
int commitment_confirm(cm_store_t *store, cm_commit_t *commit,
                       const char *reservation, const char *by);

// Release every pending commitment past its expiry (the service's tick).
void commitment_expire(cm_store_t *store, int64_t now_ms);

#endif
