#include "case_create.h"

#include <assert.h>
#include <string.h>

#include "case.h"
#include "case_event.h"
#include "case_store.h"
#include "cm_id.h"
#include "cm_status.h"
#include "customer.h"

// The customer of the new case: loaded, matched by contact, or made (then
// *created is true and the caller commits it). 0 or a status.
static int
s_resolve_customer(cm_store_t *store, const case_create_t *in,
                   json_t **customer, bool *created)
{
    int64_t version = 0;
    *created = false;
    if (in->customer_id) {
        return customer_load(store, in->customer_id, customer, &version);
    }
    const char *phone =
        json_string_value(json_object_get(in->customer, "phone"));
    const char *email =
        json_string_value(json_object_get(in->customer, "email"));
    int rc = customer_find(store, phone, email, customer, &version);
    if (rc != CM_ENOTFOUND) {
        return rc;
    }
    int64_t number = 0;
    rc = cm_store_next_id(store, CUSTOMER_OWNER, "customer", &number);
    if (rc) {
        return rc;
    }
    char id[CM_ID_MAX];
    *customer = customer_new(cm_id_format(CUSTOMER_ID_PREFIX, number, id),
                             in->customer, in->now_ms);
    *created = true;
    return 0;
}

int
case_create(cm_store_t *store, const case_create_t *in, cm_commit_t *commit,
            json_t **doc)
{
    assert(store && in && commit && doc);
    *doc = NULL;
    json_t *customer = NULL;
    bool created = false;
    int rc = s_resolve_customer(store, in, &customer, &created);
    char id[CM_ID_MAX];
    if (rc == 0) {
        rc = case_store_next_id(store, id);
    }
    if (rc) {
        json_decref(customer);
        return rc;
    }
    case_fields_t fields = {
        .id = id,
        .kind = in->kind,
        .channel = in->channel,
        .subject = in->subject,
        .description = in->description,
        .customer = customer,
        .actor = in->actor,
        .linked_from = in->linked_from,
        .source = in->source,
        .now_ms = in->now_ms,
    };
    *doc = case_new(&fields);
    if (created) {
        customer_commit(commit, NULL, customer, CM_VERSION_NEW, in->now_ms);
        rc = customer_event_add(commit, "intake.customer.created", customer, 1,
                                in->actor, in->correlation_id);
    }
    case_store_commit(commit, NULL, *doc, CM_VERSION_NEW, in->now_ms);
    if (rc == 0) {
        rc = case_event_add(commit, "intake.case.created", *doc, 1, NULL,
                            in->actor, in->correlation_id);
    }
    json_decref(customer);
    if (rc) {
        json_decref(*doc);
        *doc = NULL;
        return CM_EINTERNAL;
    }
    return 0;
}
