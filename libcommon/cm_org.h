// cm_org — every service's own copy of the org chart, fed by personnel's
// events (and safety-audit's training events), so no service needs a
// synchronous call to know who is who.
//
// What it answers: a person's current role, status, department and
// training status; who heads a department; which deputy head oversees it
// (deputies act only in the departments assigned to them); the one
// station head; the delegations a person holds now. "Department head" has
// one definition: the active staff member a department's `head` names
// (personnel lets only a dept_head of that department be named).
//
// Keys, under the consuming service's hash tag (owner):
//   sm:{owner}:org:staff:<id>          personnel's staff document
//   sm:{owner}:org:department:<code>   personnel's department document
//   sm:{owner}:org:delegation:<id>     a delegation (personnel)
//   sm:{owner}:org:training:<id>       {levels, complete} (safety-audit)
//   sm:{owner}:org:generation          a new random UUID at every change
//   sm:{owner}:idx:org_role:<role>     active staff with that role
//   sm:{owner}:idx:org_dept:<code>     active staff of that department
//   sm:{owner}:idx:org_head:<id>       departments that person heads
//   sm:{owner}:idx:org_deputy:<id>     departments that deputy oversees
//   sm:{owner}:idx:org_delegate:<id>   delegations to that person
//
// A service subscribes with CM_ORG_SUBSCRIPTIONS in its definition and sets
// `org_view` so every request's actor is refreshed from the view before its
// handler runs (cm_org_refresh_actor): a suspended or demoted person's
// cached token cannot act at the service, and the actor carries the facts
// the workflow guards read (`heads`, `oversees`, `delegations`).
#ifndef LIBCOMMON_CM_ORG_H
#define LIBCOMMON_CM_ORG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "cm_ctx.h"
#include "cm_events.h"
#include "cm_store.h"
#include "events/safety.h"

#define CM_ORG_ID_MAX      64  // staff ids and department codes
#define CM_ORG_MEMBERS_MAX 500 // staff read from one role or department

// Subscriptions of a service that keeps an org view (cm_service_def_t).
// The hub topic of safety-audit's events (safety.*), for its subscribers.
#define CM_ORG_SAFETY_TOPIC "evt." SAFETY_EVENT_PREFIX

#define CM_ORG_SUBSCRIPTIONS                                                   \
    {"personnel", cm_org_consume, NULL},                                       \
    {                                                                          \
        "safety-audit", cm_org_consume, CM_ORG_SAFETY_TOPIC                    \
    }

// A cm_consumer_fn: add the effect of a personnel.staff.*,
// personnel.department.*, personnel.delegation.* or
// safety.onboarding.* event to commit (owner: the consuming service).
// Other types are acknowledged and ignored.
int cm_org_consume(cm_store_t *store, const cm_event_t *event,
                   cm_commit_t *commit, void *arg);

// The same for an event given as type and data (tests, replays).
int cm_org_apply(cm_store_t *store, const char *type, const json_t *data,
                 cm_commit_t *commit);

// The copy of staff id / department code, or NULL when unknown or
// unreadable. Caller owns the result.
json_t *cm_org_staff(cm_store_t *store, const char *owner, const char *id);
json_t *cm_org_department(cm_store_t *store, const char *owner,
                          const char *code);

// Whether a request may name department code: 0 when the view knows it and
// it is not dissolved, CM_ENOTFOUND when it does not (or the code cannot be
// one), CM_EUNAVAILABLE when Redis cannot be read.
int cm_org_department_open(cm_store_t *store, const char *owner,
                           const char *code);

// True when a staff document's status is active (absent counts as active).
bool cm_org_is_active(const json_t *staff);

// True when staff id is known and active.
bool cm_org_id_is_active(cm_store_t *store, const char *owner, const char *id);

// Ids of the active staff of a department / with a role, ascending by
// number. Caller owns the result; NULL when Redis is unavailable.
json_t *cm_org_department_staff(cm_store_t *store, const char *owner,
                                const char *code);
json_t *cm_org_role_staff(cm_store_t *store, const char *owner,
                          const char *role);

// The active head of a department, the deputy head overseeing it, the
// station head: the id into out ("" when nobody). 0, or CM_EUNAVAILABLE.
int cm_org_head_of(cm_store_t *store, const char *owner, const char *code,
                   char *out, size_t size);
int cm_org_deputy_over(cm_store_t *store, const char *owner, const char *code,
                       char *out, size_t size);
int cm_org_station_head(cm_store_t *store, const char *owner, char *out,
                        size_t size);

// The actor (borrowed) as the view knows them now: a copy with role,
// department and status from the view, plus `heads` and `oversees`
// (department codes) and `delegations` (active now: [{id, from: actor of
// the delegator with its own heads/oversees, document_types, until}]).
// Unknown to the view (a system account before its event arrived): a copy
// with empty lists. Caller owns the result; NULL when Redis is unavailable.
json_t *cm_org_actor(cm_store_t *store, const char *owner, const json_t *actor);

// cm_org_actor, answered from this thread's cache when the view has not
// changed since (one HGET of the view's generation instead of the staff
// document and its indexes). Same result and ownership.
json_t *cm_org_actor_current(cm_store_t *store, const char *owner,
                             const json_t *actor);

// True when the actor's facts (cm_org_actor) list department in `heads`
// (they head it) or in `oversees` (the deputy assigned to it). False for a
// NULL department.
bool cm_org_heads(const json_t *actor, const char *department);
bool cm_org_oversees(const json_t *actor, const char *department);

// True when actor (cm_org_actor's facts) keeps what a department runs: the
// station head, a `role` member of `department` (finance clerks of the
// finance department keep the books), or the head of `department`. The
// guard of a service whose writes belong to one department's staff.
bool cm_org_keeps(const json_t *actor, const char *role,
                  const char *department);

// Replace the request's actor with cm_org_actor_current. 0, or -1 after
// answering 403 "account_inactive" (suspended or left) or 503. A write
// reads the view's generation at its own moment; a read (GET, HEAD) inside
// a batch takes the look of the reads before it in the same batch.
int cm_org_refresh_actor(cm_ctx_t *ctx);

// Bracket a worker thread's batch of requests, every one of them received
// before cm_org_batch_begin: reads in it share one look at the view's
// generation (a read after a write looks again). Per thread.
void cm_org_batch_begin(void);
void cm_org_batch_end(void);

// The key of owner's view generation into buf (CM_STORE_KEY_MAX bytes),
// for a batch that reads it ahead with its documents. Returns buf.
const char *cm_org_generation_key(const char *owner, char *buf);

// Who a breach at `level` (1..3) in department `code` goes to: 1 its
// head, 2 its deputy or else any active deputy head, 3 the station head.
// The id into out ("" when nobody).
void cm_org_escalation_target(cm_store_t *store, const char *owner,
                              const char *code, int level, char *out,
                              size_t size);

// The training status of a person: true when the three levels of safety
// training are complete. Unknown (no training record) counts as untrained.
bool cm_org_is_trained(cm_store_t *store, const char *owner, const char *id);

// Order two ids by their number ("ST-3" < "ST-12"), then by text.
int cm_org_id_compare(const char *a, const char *b);

#endif
