// access — what the caller's current role and posts let them do to people
// and credentials. The actor is the one org_refresh_actor read from the
// caller's own staff record (role, department, `heads`, `oversees`), never
// what the gateway cached. Checks that fail answer the request (401 or 403
// with a clear detail) and return false, so a handler stops with
// `if (!access_...) return;`; the predicates are pure.
#ifndef PERSONNEL_ACCESS_H
#define PERSONNEL_ACCESS_H

#include <jansson.h>
#include <stdbool.h>

#include "cm_ctx.h"

// True when role is station_head or deputy_head.
bool access_role_is_manager(const char *role);

// True when actor's role is the station head's.
bool access_is_top(const json_t *actor);

// True when actor may manage people of department: the station head, or a
// deputy head whose `oversees` lists it. Pure.
bool access_oversees(const json_t *actor, const char *department);

// True when actor is the station head, the deputy head overseeing
// department or its head (`heads`). Pure.
bool access_manages(const json_t *actor, const char *department);

// True when actor may act on staff (a staff document) as a manager: not on
// a station head unless actor is one, and within the departments actor
// oversees. Pure.
bool access_may_manage(const json_t *actor, const json_t *staff);

// True when actor may read staff's private data (tokens, delegations):
// the person themself, the auditor, or who may manage them. Pure.
bool access_may_read_private(const json_t *actor, const json_t *staff);

// True when actor may grant role: PERSONNEL_MANAGERS roles only the
// station head grants. Pure.
bool access_may_grant(const json_t *actor, const char *role);

// True when the actor has an id and a known role; else answers 401.
bool access_authenticated(cm_ctx_t *ctx);

// True when the actor is authenticated and a manager; else answers 401/403
// naming `what` ("create staff").
bool access_manager(cm_ctx_t *ctx, const char *what);

// A 403 problem saying the caller may not `what`. Caller owns the result.
json_t *access_forbidden(const char *what);

#endif
