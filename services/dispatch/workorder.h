// workorder — the work order document, its transitions in memory (through
// workorder_flow), its indexes and its events. Generic: `source` is
// {"type","id"} (a case today; assets, inventory and safety later).
//
// Keys: sm:{dispatch}:workorder:WO-<n> (hash: doc, version, state) and
// indexes under sm:{dispatch}:idx: (score = update ms):
//   wo_all, wo_queue:<dept>, wo_state:<state>, wo_assignee:<staff>,
//   wo_open:<dept> (unfinished), wo_unassigned:<dept> (state open),
//   wo_load:<staff> (unfinished, assigned to staff), wo_source:<type>:<id>,
//   wo_queues (member: department).
#ifndef DISPATCH_WORKORDER_H
#define DISPATCH_WORKORDER_H

#include <jansson.h>
#include <stdint.h>

#include "cm_store.h"
#include "cm_workflow.h"
#include "dispatch.h"

#define WORKORDER_PREFIX     "WO"
#define WORKORDER_TITLE_MAX  200
#define WORKORDER_PRIORITIES "low normal high urgent"

// What the indexes of a document depend on, captured before a change.
typedef struct {
    char state[DISPATCH_NAME_MAX];      // "" for a new document
    char department[DISPATCH_NAME_MAX]; // queue
    char assignee[DISPATCH_NAME_MAX];   // "" when unassigned
} workorder_keys_t;

// A new open work order (not stored). source may be NULL; strings are
// copied. Caller owns the result.
json_t *workorder_new(const char *id, const char *title, const char *dept,
                      const json_t *source, const char *priority,
                      const char *created_by, int64_t now_ms);

// Capture what the indexes depend on (doc NULL: nothing yet).
void workorder_keys(const json_t *doc, workorder_keys_t *keys);

// Apply `action` for `actor` with `body` to doc in memory: state, assignee,
// escalation level, updated_at, one history entry. Returns NULL and fills
// *step, or the problem (404/409/403/400 from the table) and doc unchanged.
// Caller owns the problem.
json_t *workorder_transition(json_t *doc, const char *action,
                             const json_t *actor, const json_t *body,
                             int64_t now_ms, cm_workflow_step_t *step);

// Add the document write (expected version) and its index changes from
// `old` to the document's present values to commit.
void workorder_commit(cm_commit_t *commit, const json_t *doc, int64_t expected,
                      const workorder_keys_t *old, int64_t now_ms);

// The event form: the document without history, with version. Caller
// owns the result.
json_t *workorder_summary(const json_t *doc, int64_t version);

// The document as a client sees it: with version and the actions `actor`
// may take now. Caller owns the result.
json_t *workorder_view(const json_t *doc, int64_t version, const json_t *actor);

// Add event `type` about doc (at `version`) to commit. 0 or -1.
int workorder_event(cm_commit_t *commit, const char *type, const json_t *doc,
                    int64_t version, const json_t *actor,
                    const char *correlation_id);

// Read work order `id`. 0, CM_ENOTFOUND, CM_EUNAVAILABLE, CM_EINTERNAL.
int workorder_load(cm_store_t *store, const char *id, json_t **doc,
                   int64_t *version);

// The newest work order of a source into out (CM_STORE_KEY_MAX bytes; ""
// when none). 0 or a negative cm_status_t.
int workorder_find_by_source(cm_store_t *store, const char *type,
                             const char *id, char *out);

// A new work order id ("WO-<n>") into out (CM_STORE_KEY_MAX). 0 or a
// negative cm_status_t.
int workorder_next_id(cm_store_t *store, char *out);

// If auto assignment is on and somebody is on duty in the work order's
// department, assign it (system actor) in memory and return 1; 0 when it
// stays open (logged as workorder.unassigned); negative cm_status_t when
// Redis is unavailable.
int workorder_auto_assign(const dispatch_t *state, cm_store_t *store,
                          json_t *doc, int64_t now_ms);

#endif
