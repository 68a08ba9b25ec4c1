// dispatch — the service object: definition (routes, options,
// subscriptions, start, tick), the state shared by its handlers, and what
// every dispatch noun shares (its own actor, PUT of a whole document).
#ifndef DISPATCH_DISPATCH_H
#define DISPATCH_DISPATCH_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "cm_config.h"
#include "cm_ctx.h"
#include "cm_doc.h"
#include "cm_service.h"

#define DISPATCH_OWNER           "dispatch"
#define DISPATCH_NAME_MAX        64  // department, policy and calendar names
#define DISPATCH_ATTACH_TEXT_MAX 512 // attachment directory and type list
#define DISPATCH_TICK_MS         250 // how often due timers are claimed
#define DISPATCH_TIMER_BATCH     100 // timers claimed per tick

// The role of dispatch's own actor ({"id":"dispatch","role":"dispatch"}):
// the process rows only dispatch may take (assigning from a case or a
// roster, completing, closing and escalating work orders) name it. No token
// carries it (personnel grants only the station's roles), so neither a person
// nor a system account can take those rows over HTTP.
#define DISPATCH_SELF_ROLE "dispatch"

// A claimed timer falls due again this long after its claim unless the
// escalation's commit moved or removed it (a replica died meanwhile).
#define DISPATCH_TIMER_LEASE_MS 30000

// What every handler, event reaction and tick reads. Written once by the
// start hook before any thread runs; read-only afterwards.
typedef struct {
    const cm_config_t *config;                   // borrowed: process lifetime
    bool auto_assign;                            // dispatch/auto_assign
    char assign_policy[DISPATCH_NAME_MAX];       // dispatch/assign_policy
    int64_t escalation_step_ms;                  // 0: the target's duration
    char default_department[DISPATCH_NAME_MAX];  // queue of case clocks
    char attach_dir[DISPATCH_ATTACH_TEXT_MAX];   // dispatch/attachments_dir
    char attach_types[DISPATCH_ATTACH_TEXT_MAX]; // dispatch/attachment_types
    size_t attach_max_bytes; // dispatch/attachment_max_bytes
} dispatch_t;

// The service definition main.c runs.
extern const cm_service_def_t dispatch_service;

// The actor of everything dispatch does on its own. Caller owns the result.
json_t *dispatch_self_actor(void);

// Whether the org view knows department `code`: 0, CM_ENOTFOUND or
// CM_EUNAVAILABLE.
int dispatch_department_known(cm_store_t *store, const char *code);

// For routes that take no query parameters: true, or false after
// answering 400 naming each one given.
bool dispatch_query_none(cm_ctx_t *ctx);

// Add the write of one of dispatch's own records (a document without
// history, list or indexes: clocks, the case records) to commit: the JSON,
// its `state` hash field, expected version as cm_commit_doc. Its id must
// fit a key (ids are checked where they enter).
void dispatch_record_put(cm_commit_t *commit, const cm_doc_type_t *type,
                         const json_t *record, int64_t expected);

// A new document of a type, in its state before the first PUT. Caller
// owns the result.
typedef json_t *(dispatch_blank_fn)(const char *id, int64_t now_ms);

// PUT <path>/{id}: the type's "update" row (who may, the body, its effect)
// on the stored document through the action pipeline (If-Match, history,
// reply with the view), or on `blank(id)` when none is stored yet (then
// If-Match may only be "0") or the stored one predates document history
// (it is replaced). 200 either way.
void dispatch_put(cm_ctx_t *ctx, const cm_doc_type_t *type, const char *id,
                  dispatch_blank_fn *blank);

#endif
