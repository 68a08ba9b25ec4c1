// case_event — the outbox events of intake (design.md §3, §4): envelopes
// built here for both request handlers and event consumers, so every
// intake.case.* event carries the case summary (case_summary) plus the
// members of its action, and intake.customer.* the customer document.
#ifndef INTAKE_CASE_EVENT_H
#define INTAKE_CASE_EVENT_H

#include <jansson.h>
#include <stdint.h>

#include "cm_store.h"

// Add event `type` for case doc (at `version`, after the change) to commit:
// subject "case/<id>", data = summary + members of extra (taken, may be
// NULL). actor and correlation_id may be NULL. 0, or -1 when the envelope
// cannot be built (logged).
int case_event_add(cm_commit_t *commit, const char *type, const json_t *doc,
                   int64_t version, json_t *extra, const json_t *actor,
                   const char *correlation_id);

// Add event `type` for customer doc: subject "customer/<id>", data = the
// document. 0 or -1 as above.
int customer_event_add(cm_commit_t *commit, const char *type, const json_t *doc,
                       int64_t version, const json_t *actor,
                       const char *correlation_id);

#endif
