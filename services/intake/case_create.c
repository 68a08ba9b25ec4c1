#include "case_create.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "case.h"
#include "cm_id.h"
#include "cm_outbox.h"
#include "cm_status.h"
#include "cm_validate.h"
#include "customer.h"
#include "events/intake.h"

#define S_SUBJECT_MAX 128

static bool
s_check_customer(const json_t *value, const char *field, json_t **problem_p)
{
    return customer_check(value, field, problem_p);
}

static const cm_field_t s_create_fields[] = {
    {"kind", CM_FIELD_ENUM, CM_FIELD_REQUIRED, CASE_KINDS},
    {"channel", CM_FIELD_ENUM, CM_FIELD_REQUIRED, CASE_CHANNELS},
    {"subject", CM_FIELD_STRING, CM_FIELD_REQUIRED, .max = CASE_SUBJECT_MAX},
    {"description", CM_FIELD_TEXT, CM_FIELD_REQUIRED,
     .max = CASE_DESCRIPTION_MAX},
    {"customer", CM_FIELD_OBJECT, 0, .check = s_check_customer},
    {"customer_id", CM_FIELD_CODE},
    CM_FIELD_END,
};

json_t *
case_create_check(const json_t *body)
{
    json_t *problem = NULL;
    cm_field_check(s_create_fields, body, &problem);
    bool has_customer = json_object_get(body, "customer") != NULL;
    bool has_id = cm_validate_has_value(body, "customer_id");
    if (json_is_object(body) && !has_customer && !has_id) {
        cm_validate_fail(&problem, "customer", "is required (or customer_id)");
    } else if (has_customer && has_id) {
        cm_validate_fail(&problem, "customer",
                         "give either customer or customer_id");
    }
    return problem;
}

// The customer of the new case: loaded, matched by contact, or made (then
// *created is true and the caller commits it). 0 or a status.
static int
s_resolve_customer(cm_store_t *store, const case_create_t *in,
                   json_t **customer, bool *created)
{
    int64_t version = 0;
    *created = false;
    if (in->customer_id) {
        return cm_doc_read(store, &customer_type, in->customer_id, customer,
                           &version);
    }
    int rc =
        customer_find(store, cm_doc_string(in->customer, "phone"),
                      cm_doc_string(in->customer, "email"), customer, &version);
    if (rc != CM_ENOTFOUND) {
        return rc;
    }
    int64_t number = 0;
    rc = cm_store_next_id(store, CASE_OWNER, customer_type.kind, &number);
    if (rc) {
        return rc;
    }
    char id[CM_ID_MAX];
    *customer = customer_new(cm_id_format(customer_type.id_prefix, number, id),
                             in->customer, in->actor, in->now_ms);
    *created = true;
    return 0;
}

int
case_create_event(cm_commit_t *commit, const char *type, const char *kind,
                  const json_t *doc, int64_t version, json_t *extra,
                  const json_t *actor, const char *correlation_id)
{
    assert(commit && type && kind && doc);
    bool is_case = strcmp(kind, case_type.kind) == 0;
    json_t *data =
        is_case ? case_type.event_data(doc) : customer_type.event_data(doc);
    json_object_set_new(data, "version", json_integer(version));
    if (json_is_object(extra)) {
        json_object_update(data, extra);
    }
    json_decref(extra);
    char subject[S_SUBJECT_MAX];
    snprintf(subject, sizeof subject, "%s/%s", kind, cm_doc_text(doc, "id"));
    cm_envelope_event_t fields = {
        .type = type,
        .source = CASE_OWNER,
        .subject = subject,
        .version = version,
        .correlation_id = correlation_id,
        .actor = json_is_object(actor) ? actor : NULL,
        .data = data,
    };
    int rc = cm_outbox_append(commit, &fields);
    json_decref(data);
    return rc;
}

// The case's number; with a customer given by contact, the contact's
// lookups ride in the same round trip (customer_find then reads them from
// what was kept), so matching the customer costs one round trip less.
static int
s_take_number(cm_store_t *store, const case_create_t *in, int64_t *number)
{
    if (in->customer_id) {
        return cm_store_next_id(store, CASE_OWNER, case_type.kind, number);
    }
    char keys[2][CM_STORE_KEY_MAX];
    size_t n = customer_lookup_keys(cm_doc_string(in->customer, "phone"),
                                    cm_doc_string(in->customer, "email"), keys);
    const char *names[2] = {keys[0], keys[1]};
    return cm_store_next_id_prefetch(store, CASE_OWNER, case_type.kind, number,
                                     names, n);
}

int
case_create(cm_store_t *store, const case_create_t *in, cm_commit_t *commit,
            json_t **doc)
{
    assert(store && in && commit && doc);
    *doc = NULL;
    json_t *customer = NULL;
    bool created = false;
    int64_t number = 0;
    // A given customer_id is read first: a missing one takes no number.
    int rc = in->customer_id
                 ? s_resolve_customer(store, in, &customer, &created)
                 : 0;
    rc = rc ? rc : s_take_number(store, in, &number);
    if (rc == 0 && !in->customer_id) {
        rc = s_resolve_customer(store, in, &customer, &created);
        cm_store_prefetch_drop(store); // the lookups are used up
    }
    if (rc) {
        json_decref(customer);
        return rc;
    }
    char id[CM_ID_MAX];
    case_fields_t fields = {
        .id = cm_id_format(CASE_ID_PREFIX, number, id),
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
        rc =
            customer_commit(commit, NULL, customer, CM_VERSION_NEW, in->now_ms);
        rc = rc ? rc
                : case_create_event(commit, INTAKE_EVENT_CUSTOMER_CREATED,
                                    customer_type.kind, customer, 1, NULL,
                                    in->actor, in->correlation_id);
    }
    rc = rc ? rc
            : cm_doc_commit(commit, &case_type, NULL, *doc, CM_VERSION_NEW,
                            in->now_ms);
    rc = rc ? rc
            : case_create_event(commit, INTAKE_EVENT_CASE_CREATED,
                                case_type.kind, *doc, 1, NULL, in->actor,
                                in->correlation_id);
    json_decref(customer);
    if (rc) {
        json_decref(*doc);
        *doc = NULL;
        return CM_EINTERNAL;
    }
    return 0;
}
