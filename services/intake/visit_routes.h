// visit_routes — regular return visits to customers (回訪), asked of
// dispatch as work orders of the desk:
//   POST /v1/return-visits {"customers": [ids] (1..VISIT_CUSTOMERS_MAX),
//                           "due_at": future RFC 3339, "note"?}
// Every customer must exist (422 naming customers[i]); one commit
// publishes, per customer, intake.customer.work_requested with the key
// customer-visit/<id>/<due date>: the same customer and day twice make one
// work order. The desk (and the station head) schedules them; 201 with
// {"scheduled": [{"customer", "key"}]}.
#ifndef INTAKE_VISIT_ROUTES_H
#define INTAKE_VISIT_ROUTES_H

#include "cm_ctx.h"

#define VISIT_CUSTOMERS_MAX 200

void visit_routes_schedule(cm_ctx_t *ctx);

#endif
