// case_actions — the data effects of each workflow action on a case: which
// body members are recorded where, and the few actions that do more
// (confirm: satisfaction, rounds, return visit; return-visit: a linked new
// case; reopen: the window; triage of tech support: the technical
// department). case_flow decides whether an action is allowed; this module
// only changes the document and adds to the commit.
#ifndef INTAKE_CASE_ACTIONS_H
#define INTAKE_CASE_ACTIONS_H

#include <jansson.h>
#include <stdint.h>

#include "cm_store.h"
#include "intake.h"

// One action being applied. Pointers borrowed unless marked.
typedef struct {
    json_t *doc;                // the new document, edited in place
    const json_t *body;         // request body (an object, maybe empty)
    const json_t *actor;        // who acts
    const intake_t *intake;     // configuration
    cm_store_t *store;          // for reads (new linked case)
    cm_commit_t *commit;        // writes beside the case's own
    const char *correlation_id; // of the request
    int64_t now_ms;             // time of the action
    const char *next_state;     // the table's next state; confirm sets it
    json_t *event_data;         // owned: members for the main event
    json_t *extra_events;       // owned: [{"type","data"}] after the main one
} case_action_t;

// Apply `action`'s effects. Returns NULL, or a problem (409
// reopen_window_passed, 422, 503; caller owns it) and nothing is to be
// committed.
json_t *case_action_apply(case_action_t *self, const char *action);

#endif
