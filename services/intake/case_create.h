// case_create — recording a new case, shared by POST /v1/cases, external
// events (call.received …) and return visits that raise a new issue: find
// or create the customer, number the case, and add the writes and events
// (intake.customer.created when new, intake.case.created) to a commit.
// Events are built here rather than with cm_doc_event because the event
// consumer records cases without a request.
#ifndef INTAKE_CASE_CREATE_H
#define INTAKE_CASE_CREATE_H

#include <jansson.h>
#include <stdint.h>

#include "cm_store.h"

// What to record. Everything borrowed for the call.
typedef struct {
    const char *kind;           // inquiry | complaint | tech_support
    const char *channel;        // phone | email | chat | web | api | event
    const char *subject;        // one line
    const char *description;    // free text
    const json_t *customer;     // {name, phone?, email?}, or NULL
    const char *customer_id;    // an existing customer, or NULL
    const json_t *actor;        // who records it
    const char *correlation_id; // of the request or event, or NULL
    const char *linked_from;    // case whose return visit raised it, or NULL
    const json_t *source;       // external event {source, id, type}, or NULL
    int64_t now_ms;             // time of recording
} case_create_t;

// Check a POST /v1/cases body: kind, channel, subject (at most
// CASE_SUBJECT_MAX), description (CASE_DESCRIPTION_MAX), and either
// customer {name, phone?, email?, notes?} (one contact at least) or
// customer_id; every bad member named. NULL when fine, else a 400 problem
// (caller owns it). Pure.
json_t *case_create_check(const json_t *body);

// Prepare the creation into commit (one INCR for the number, the customer
// lookups; the new documents are written with CM_VERSION_NEW, so a number
// or contact taken meanwhile makes the commit a conflict: try again). *doc
// is the new case (version 1; caller owns it). 0, CM_ENOTFOUND
// (customer_id unknown), CM_EUNAVAILABLE or CM_EINTERNAL (nothing added).
int case_create(cm_store_t *store, const case_create_t *in, cm_commit_t *commit,
                json_t **doc);

// Add event `type` of document doc (kind "case" or "customer", at version)
// to commit: data is the type's event data with `version`, updated with
// extra (taken, may be NULL). 0, or -1 when the envelope cannot be built.
int case_create_event(cm_commit_t *commit, const char *type, const char *kind,
                      const json_t *doc, int64_t version, json_t *extra,
                      const json_t *actor, const char *correlation_id);

#endif
