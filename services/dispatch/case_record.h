// case_record — what dispatch knows of each case, kept from intake's
// intake.case.* events (intake owns cases; dispatch keeps this record to
// react to each event once, to start clocks at the case's own time, and to
// check the source of a work order):
//
//   sm:{dispatch}:case:<id>
//   {"id", "kind", "state", "severity", "department", "assignee",
//    "created_at", "version", "applied": [event types], "workorder_id",
//    "updated_at"}
//
// `version` is the highest case version applied and `applied` the event
// types applied at that version (one intake action may publish several
// events at one version: confirmed and closed). An event at a lower
// version, or of a type already applied at its version, has been handled:
// a redelivery (its dedupe marker expired, or an entry claimed from a
// killed replica) is recognised by the case id, whatever its marker says.
// `workorder_id` is the case's own work order (origin "event").
#ifndef DISPATCH_CASE_RECORD_H
#define DISPATCH_CASE_RECORD_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "cm_doc.h"
#include "cm_store.h"

typedef enum {
    CASE_RECORD_NEW,       // not applied yet: react
    CASE_RECORD_DUPLICATE, // this type at this version was applied
    CASE_RECORD_STALE,     // a later version was applied
} case_record_seen_t;

// Where records live. Static.
extern const cm_doc_type_t case_record_type;

// Read the record of case id: 0 and *record (NULL when dispatch has heard
// nothing of it; caller owns it) and *version (CM_VERSION_NEW then), or a
// negative cm_status_t.
int case_record_load(cm_store_t *store, const char *id, json_t **record,
                     int64_t *version);

// Whether an event of `type` at case `version` was applied (record may be
// NULL; version 0 means the event carries none: always NEW). Pure.
case_record_seen_t case_record_seen(const json_t *record, const char *type,
                                    int64_t version);

// The record after applying an event (type, case version, data: the case
// summary) that case_record_seen called NEW, at event_ms (the envelope's
// time) and now_ms. record may be NULL. Caller owns the result. Pure.
json_t *case_record_next(const json_t *record, const char *type,
                         int64_t version, const json_t *data, int64_t event_ms,
                         int64_t now_ms);

// When the case was created (epoch ms): the record's created_at, else
// fallback. Pure.
int64_t case_record_created_ms(const json_t *record, int64_t fallback);

// Add the write of record (expected version as cm_commit_doc) to commit.
void case_record_commit(cm_commit_t *commit, const json_t *record,
                        int64_t expected);

// Whether actor (refreshed from the org view: heads, oversees) may act for
// the case: the station head, the head or overseeing deputy of its
// department, its assignee, or — while nobody is assigned — the staff of
// its department. Pure.
bool case_record_may_act(const json_t *record, const json_t *actor);

#endif
