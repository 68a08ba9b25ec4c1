// access — who the caller is and what their role lets them do. Each check
// that fails answers the request (401 or 403 with a clear detail) and
// returns false, so a handler stops with `if (!access_...) return;`.
#ifndef PERSONNEL_ACCESS_H
#define PERSONNEL_ACCESS_H

#include <stdbool.h>

#include "cm_ctx.h"

// True when role is station_head or deputy_head.
bool access_role_is_manager(const char *role);

// True when the actor has an id and a known role; else answers 401.
bool access_authenticated(cm_ctx_t *ctx);

// True when the actor is authenticated and a manager; else answers 401/403
// naming `what` ("create staff").
bool access_manager(cm_ctx_t *ctx, const char *what);

// True unless the target's role is the top role and the actor's is not:
// a deputy head may not act on the station head's record nor grant the
// role (no escalation above one's own role). Else answers 403.
bool access_may_touch_role(cm_ctx_t *ctx, const char *target_role);

// True when the actor may read `staff_id`'s private data (tokens): the
// person themself, a manager or the auditor. Pure.
bool access_may_read_private(const char *actor_id, const char *actor_role,
                             const char *staff_id);

#endif
