// org — the organisation rules personnel keeps across its documents:
//
// - "Department head" has one definition: the staff member a department's
//   `head` names, who must be an active dept_head of that department (the
//   station head may head their own department, bootstrap's
//   `management`); a department's `deputy` must be an active deputy head.
//   A person who stops qualifying (demoted, moved, left) is cleared from
//   the posts in the same commit, with a personnel.department.updated
//   event, so the org views other services keep never name them.
// - At most one active station head: creating, promoting or reinstating a
//   second is refused (409); a lock document serialises the check
//   (sm:{personnel}:lock:station_head, written with its version read).
// - The caller as personnel knows them now (org_refresh_actor): read from
//   their own staff record for every request, so a suspension or a
//   demotion counts at once, whatever the gateway cached; `heads` and
//   `oversees` come from the departments' head and deputy indexes. Its
//   own documents, not the org view: the service that writes a fact must
//   see it at once, and personnel's outbox reaches a consumer later.
#ifndef PERSONNEL_ORG_H
#define PERSONNEL_ORG_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "cm_ctx.h"
#include "cm_store.h"

#define ORG_POSTS_MAX   200 // departments one person heads or oversees, read
#define ORG_RELEASE_MAX 12  // posts one commit clears (documents per commit)

// cm_service_def_t.refresh_actor: replace the actor of a request by a staff
// member with their current role, department, `heads` and `oversees`. 0,
// or -1 after answering 403 "account_inactive" (suspended, left),
// 403 "account_unknown" (no such staff member) or 503. Actors that are not
// staff ids (the gateway's own calls, bootstrap) are left as they are.
int org_refresh_actor(cm_ctx_t *ctx);

// The department codes whose `field` ("head" or "deputy") names staff id.
// Caller owns the result; NULL when Redis is unavailable.
json_t *org_posts_of(cm_store_t *store, const char *field, const char *id);

// Check the posts body names for department code (`head`, `deputy`, when
// present and not null; see above). NULL, or a problem to answer: 422
// "org_rule_violated" naming each field, or 503. Caller owns the result.
json_t *org_check_posts(cm_store_t *store, const json_t *body,
                        const char *code);

// Make staff id the one active station head: NULL after adding the lock
// to commit when no other active station head exists, else a problem
// (409 "station_head_exists", 503). Caller owns the result.
json_t *org_claim_station_head(cm_store_t *store, const char *id,
                               cm_commit_t *commit);

// Clear the posts staff (its document after the change) no longer
// qualifies for: each department is added to commit with a history entry
// by the request's actor and a personnel.department.updated event. NULL,
// or a problem (503, 422 when too much for one commit). Caller owns it.
json_t *org_release_posts(cm_ctx_t *ctx, cm_commit_t *commit,
                          const json_t *staff, int64_t now_ms);

#endif
