// workorder — the work order document type (cm_doc): who works on what,
// for which department, from which source, needing which skill (`skill`:
// null, or a name personnel lists in staff records' `skills`). Generic:
// `source` is
// {"type","id"} (a case today; assets, inventory and safety later), and
// `origin` says who opened it: "event" (dispatch, for its source's own
// process: the one work order of a case, whose assignment intake copies to
// the case) or "request" (someone through POST /v1/work-orders).
//
// Keys (cm_doc.h): sm:{dispatch}:workorder:WO-<n>, the list filters'
// indexes sm:{dispatch}:idx:workorder_<param>:<value> (assignee, open_in,
// queue, state) and the type's own indexes under sm:{dispatch}:idx:
//   wo_load:<staff>        unfinished work orders assigned to staff
//   wo_unassigned:<dept>   open (unassigned) work orders of a department
//   wo_source:<type>:<id>  work orders of a source
//   wo_queues              departments that have had work orders
#ifndef DISPATCH_WORKORDER_H
#define DISPATCH_WORKORDER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_doc.h"
#include "cm_store.h"

#define WORKORDER_STATES                                                       \
    "open assigned accepted in_progress done verified closed"
#define WORKORDER_UNFINISHED "open assigned accepted in_progress"
#define WORKORDER_PRIORITIES "low normal high urgent"
#define WORKORDER_TITLE_MAX  200
#define WORKORDER_SOURCES    "case" // source types dispatch can check
#define WORKORDER_OPEN_IN    0      // index of filter "open_in" (the queue)
#define WORKORDER_SKILL_MAX  32     // characters of a skill name

#define WORKORDER_ORIGIN_EVENT   "event"   // opened by dispatch for its source
#define WORKORDER_ORIGIN_REQUEST "request" // POST /v1/work-orders
#define WORKORDER_ORIGIN_SERVICE                                               \
    "service" // asked by another service's event
              // (work_request.h)

// The document type. Static.
extern const cm_doc_type_t workorder_type;

// A new open work order (not stored) made by actor (borrowed; NULL:
// dispatch itself). source may be NULL; strings are copied. Caller owns
// the result.
json_t *workorder_new(const char *id, const char *title, const char *dept,
                      const json_t *source, const char *priority,
                      const char *origin, const json_t *actor, int64_t now_ms);

// True when skill is a skill name as personnel keeps them: 2-32 characters
// of a-z, 0-9 and _, starting with a letter. Pure.
bool workorder_skill_is_valid(const char *skill);

// cm_field check of a `skill` member (workorder_skill_is_valid).
bool workorder_check_skill(const json_t *value, const char *field,
                           json_t **problem_p);
// Work request kinds that are field work whatever the request says.
#define WORKORDER_FIELD_KINDS "maintenance repair"
// Case kinds whose work order is field work (technical support).
#define WORKORDER_FIELD_CASE_KINDS "tech_support"

// True when the work order is field work, which only people whose
// three-level safety training is complete may take: its `field_work`
// member (a technical support case's work order; POST's field_work), or
// the work request's field_work or kind (WORKORDER_FIELD_KINDS). Pure.
bool workorder_is_field_work(const json_t *doc);

// True when a work order in `state` still needs work (load, queues).
bool workorder_is_unfinished(const char *state);

// Set the work order's due date from an RFC 3339 text (null when absent
// or unreadable): workorder_due.h escalates it once it passes.
void workorder_set_due(json_t *doc, const json_t *due_at);

// Dispatch's own `action` (its role's rows) on doc at version, in memory
// (cm_action_apply as dispatch's actor; the effect may add to commit); the
// events to publish are appended to `events`. NULL, or the problem (doc
// unchanged). Caller owns the problem.
json_t *workorder_apply_own(cm_store_t *store, cm_commit_t *commit, json_t *doc,
                            int64_t version, const char *action,
                            const json_t *body, int64_t now_ms, json_t *events);

// Add a change dispatch made on its own to commit: doc written over old
// (old NULL and version CM_VERSION_NEW for a new one) and each of `events`
// ([{type, data}], cm_action_apply's) published at the new version by
// dispatch's actor. 0, or -1 when the document or an event is too large.
int workorder_commit_own(cm_commit_t *commit, const json_t *old, json_t *doc,
                         int64_t version, const json_t *events,
                         const char *correlation_id, int64_t now_ms);

// The unfinished work orders assigned to staff: a count, or a negative
// cm_status_t.
int64_t workorder_load_of(cm_store_t *store, const char *staff);

// The unfinished and unassigned counts of a department's queue. 0 or a
// negative cm_status_t.
int workorder_queue_counts(cm_store_t *store, const char *dept,
                           int64_t *unfinished, int64_t *unassigned);

// The departments that have had work orders (at most limit), newest
// first. Caller owns *page (cm_page_clear). 0 or a negative cm_status_t.
int workorder_departments(cm_store_t *store, size_t limit, cm_page_t *page);

#endif
