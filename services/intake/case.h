// case — the case document (domain.md §1) and its JSON mappings: the stored
// document, the summary every intake.case.* event carries, the reply body
// with `version` and `actions`, and history entries. Pure: no I/O.
//
// A case document is a jansson object owned by whoever holds it; these
// functions read or edit it in place.
#ifndef INTAKE_CASE_H
#define INTAKE_CASE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define CASE_ID_PREFIX "CS"
#define CASE_NOTE_MAX  4000 // longest free text accepted in one member

// What a new case is made of. Strings and JSON borrowed for the call.
typedef struct {
    const char *id;          // "CS-12"
    const char *kind;        // inquiry | complaint | tech_support
    const char *channel;     // phone | email | chat | web | api | event
    const char *subject;     // one line
    const char *description; // free text
    const json_t *customer;  // the customer document (id, name, contacts)
    const json_t *actor;     // who recorded it
    const char *linked_from; // the case whose return visit raised it, or NULL
    const json_t *source;    // {"source","id","type"} of an external event
    int64_t now_ms;          // creation time
} case_fields_t;

// A new case in state "recorded" with its first history entry. Caller owns
// the result.
json_t *case_new(const case_fields_t *fields);

// Check a POST /v1/cases body: kind, channel, subject, description, and
// either customer {name, phone?, email?} (one contact at least) or
// customer_id; unknown members named. NULL when fine, else a 400 problem
// (caller owns it).
json_t *case_check_create(const json_t *body);

// The summary carried by every case event: id, kind, state, severity,
// department, assignee, customer_id, channel, promised_reply_at,
// awaiting_customer. Caller owns the result.
json_t *case_summary(const json_t *doc);

// The reply body: a copy of doc with `version` and `actions` (taken).
// Caller owns the result.
json_t *case_to_json(const json_t *doc, int64_t version, json_t *actions);

// A list item without its version: the summary plus subject, customer
// name, overdue, round, created_at and updated_at. It holds every member a
// list filter reads (case_store_filters), so lists filter on it without the
// document. Caller owns the result.
json_t *case_list_entry(const json_t *doc);

// A list item: case_list_entry plus version. Caller owns the result.
json_t *case_list_item(const json_t *doc, int64_t version);

// Append a history entry {at, actor {id, role}, action, from, to, note?,
// data?} and set updated_at. data (taken, may be NULL) holds what the
// action recorded.
void case_history_add(json_t *doc, const json_t *actor, const char *action,
                      const char *from, const char *to, json_t *data,
                      int64_t now_ms);

// Set the state, awaiting_customer and updated_at.
void case_set_state(json_t *doc, const char *state, int64_t now_ms);

// A string member of doc, or NULL when absent or not a string. Borrowed:
// valid while doc lives and the member is not replaced.
const char *case_string(const json_t *doc, const char *member);

// An integer member of doc, or 0.
int64_t case_integer(const json_t *doc, const char *member);

// Set member to a string (NULL: JSON null).
void case_set_string(json_t *doc, const char *member, const char *value);

// Write now_ms as RFC 3339 into member.
void case_set_time(json_t *doc, const char *member, int64_t now_ms);

#endif
