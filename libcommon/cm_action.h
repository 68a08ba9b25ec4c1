// cm_action — the one pipeline of every state change a caller asks for:
// POST <collection>/{id}/{action} and PATCH <collection>/{id}.
//
//   load the document (404/503) → If-Match (412/428) → the process row for
//   (state, action, actor) with its body checks (cm_workflow: 404 unknown
//   action, 409 wrong state, 403 not yours, 400 every bad field) → copy the
//   row's fields into the document → the row's effect → next state →
//   history entry → one commit: document, indexes, history stream, the
//   row's event and any extra events, idempotency record → reply with the
//   caller's view (version, actions) and ETag.
//
// A service declares, per document type, one cm_workflow table whose rows
// carry everything about an action (cm_workflow.h: states, roles, guards,
// fields, effect, next state or chooser, event type), and routes
//   {"POST", "/v1/work-orders/{id}/{action}", workorder_act}
// to a handler that calls cm_action_run(ctx, &workorder_type).
//
// An effect sees the request through this struct and may edit `doc`, add to
// `commit` (other documents, ledger entries, timers), set `next_state`, add
// members to the event (`event_data`) and more events (cm_action_event).
#ifndef LIBCOMMON_CM_ACTION_H
#define LIBCOMMON_CM_ACTION_H

#include <jansson.h>
#include <stdint.h>

#include "cm_ctx.h"
#include "cm_doc.h"
#include "cm_store.h"
#include "cm_workflow.h"

#define CM_ACTION_EVENTS_MAX 8 // extra events of one action

struct cm_action {
    cm_ctx_t *ctx;                // the request (borrowed); NULL in apply
    const cm_doc_type_t *type;    // the document's type
    const char *name;             // the action, "assign"
    const cm_workflow_row_t *row; // the row that allowed it
    const json_t *old;            // the document as loaded (borrowed)
    json_t *doc;                  // the document being changed (owned by run)
    const json_t *body;           // the request body ({} when none)
    const json_t *actor;          // the caller (cm_ctx_actor)
    cm_store_t *store;            // the thread's store, for reads
    cm_commit_t *commit;          // everything written, atomically
    int64_t version;              // the document's version before
    int64_t now_ms;               // the time of the action
    const char *next_state;       // from the row; an effect may set it
    json_t *event_data;           // added to the row's event data
    json_t *history_data;         // what the history entry records (the body)
    json_t *events;               // extra events: [{type, data}]
    int status;                   // reply status (200)
    // Set by an effect that called another service (cm_call): run after the
    // commit with its outcome (cm_ctx_commit's), e.g. to compensate when
    // the commit failed for sure. `saga` holds what it needs (owned by run).
    void (*after_commit)(cm_action_t *self, int outcome);
    json_t *saga;
};

// POST …/{id}/{action}: the whole pipeline above for a document of type
// (path parameters `id` and `action`).
void cm_action_run(cm_ctx_t *ctx, const cm_doc_type_t *type);

// The same for a named action on a document the handler names (custom
// routes such as PATCH, which runs action "update").
void cm_action_run_named(cm_ctx_t *ctx, const cm_doc_type_t *type,
                         const char *id, const char *action);

// PATCH …/{id}: action "update" of the type's process, whose row lists the
// editable fields; at least one must be present (400 otherwise).
void cm_action_patch(cm_ctx_t *ctx, const cm_doc_type_t *type);

// An action the service takes on its own, outside a request (an event
// reaction, a timer, a step folded into a create). Strings and values are
// borrowed.
typedef struct {
    const cm_doc_type_t *type; // the document's type
    const char *action;        // "assign"
    const json_t *actor;       // who acts: the service's own actor
    const json_t *body;        // what the action records; NULL: {}
    cm_store_t *store;         // for the effect's reads
    cm_commit_t *commit;       // for the effect's other writes
    int64_t version;           // the document's version (0: not stored yet)
    int64_t now_ms;            // the time of the action
} cm_action_own_t;

// The middle of the pipeline for an action of the service's own: the
// process row for (state, action, actor) with its body checks, the copy,
// the effect (which sees ctx NULL), the next state and the history entry,
// all applied to doc in memory. Nothing is loaded, matched, written or
// answered: the caller writes doc (cm_doc_commit) and publishes the events
// appended to `events` ([{type, data}]: the row's event with the body and
// the effect's event_data, then the effect's extra events) at the version
// it writes (cm_doc_event_add). Effects that call other services
// (after_commit, saga) do not belong here: after_commit is not run.
// Returns NULL, or the problem the request pipeline would answer (doc and
// events unchanged). Caller owns it.
json_t *cm_action_apply(const cm_action_own_t *own, json_t *doc,
                        json_t *events);

// Add another event of the action's document (data taken: added to the
// type's event data). Effects call this; the events follow the row's.
void cm_action_event(cm_action_t *self, const char *type, json_t *data);

// A 409 problem for a rule of the domain that refuses the action
// ("reopen_window_passed"), with the document's state and the actions the
// caller may take. Caller owns the result.
json_t *cm_action_refuse(cm_action_t *self, int status, const char *code,
                         const char *detail);

#endif
