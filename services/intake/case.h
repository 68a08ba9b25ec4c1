// case — the case document (docs/domain.md) as a cm_doc type: where cases
// live, how they are listed (filters, stored list items), which process
// moves them (case_flow), who may read them (access), and the JSON of a new
// case, its list item and the summary every intake.case.* event carries.
//
// Storage (cm_doc.h): sm:{intake}:case:CS-n, the index of every case
// sm:{intake}:idx:cases and one per filter value
// sm:{intake}:idx:case_<filter>:<value>, the history stream
// sm:{intake}:history:case:CS-n, the counter sm:{intake}:counter:case.
//
// Bounds: every free text has a documented maximum (CASE_*_MAX, code
// points; 400 beyond it), the document keeps the last CM_DOC_HISTORY_KEEP
// history entries (all are in the history stream) and the last few
// satisfaction entries, escalations and linked cases (CASE_*_KEEP; each is
// also in the history and, for satisfaction, the satisfaction ledger).
#ifndef INTAKE_CASE_H
#define INTAKE_CASE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_doc.h"
#include "cm_field.h"

#define CASE_OWNER     "intake"
#define CASE_ID_PREFIX "CS"

#define CASE_KINDS    "inquiry complaint tech_support suggestion"
#define CASE_CHANNELS "phone email chat web api event"
#define CASE_STATES                                                            \
    "recorded answered forwarded replied relayed triaged proposed "            \
    "presented resolved assigned diagnosed fixed verified reported "           \
    "confirmed acknowledged adopted not_adopted closed cancelled"

// Longest free texts, in characters (code points). Chosen so that a case
// whose every text is at its maximum still fits CM_DOC_MAX_BYTES in CJK
// (three bytes a character).
#define CASE_SUBJECT_MAX     CM_FIELD_STRING_MAX // one line
#define CASE_DESCRIPTION_MAX 2000                // what the customer reported
#define CASE_TEXT_MAX        1000 // answers, solutions, work records
#define CASE_SHORT_MAX       500  // reasons, opinions, outcomes, comments

// Entries of the growing arrays a case keeps inline (the last ones).
#define CASE_SATISFACTION_KEEP 5
#define CASE_ESCALATIONS_KEEP  10
#define CASE_LINKED_KEEP       20

// The case document type. Borrowed: static data.
extern const cm_doc_type_t case_type;

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

// A new case in state "recorded" with its first history entry ("record").
// Caller owns the result.
json_t *case_new(const case_fields_t *fields);

// The summary carried by every case event: id, kind, state, severity,
// department, assignee, customer_id, channel, promised_reply_at,
// awaiting_customer. Caller owns the result.
json_t *case_summary(const json_t *doc);

// The stored list item (without version): the summary plus subject,
// customer_name, overdue, round, created_at and updated_at. It holds every
// member a list filter reads. Caller owns the result.
json_t *case_list_item(const json_t *doc);

// Append value (taken) to the array member of doc, keeping its last `keep`
// entries.
void case_append_bounded(json_t *doc, const char *member, json_t *value,
                         size_t keep);

#endif
