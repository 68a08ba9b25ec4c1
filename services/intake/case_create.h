// case_create — recording a new case, shared by POST /v1/cases, external
// events (call.received …) and return visits that raise a new issue: find
// or create the customer, number the case, and add the writes and events
// (intake.customer.created when new, intake.case.created) to a commit.
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

// Prepare the creation into commit; *doc is the new case (version 1;
// caller owns it). 0, CM_ENOTFOUND (customer_id unknown),
// CM_EUNAVAILABLE or CM_EINTERNAL (nothing added then).
int case_create(cm_store_t *store, const case_create_t *in, cm_commit_t *commit,
                json_t **doc);

#endif
