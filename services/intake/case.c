#include "case.h"

#include <assert.h>

#include "access.h"
#include "case_flow.h"
#include "case_words.h"
#include "volume.h"

// Most selective first: with several filters the first one present picks
// the index that is walked (cm_list.h).
static const cm_filter_t s_filters[] = {
    {"assignee"},
    {"customer", "customer_id"},
    {"department"},
    {"overdue", NULL, NULL, CM_FILTER_BOOLEAN},
    {"state", NULL, CASE_STATES},
    {"kind", NULL, CASE_KINDS},
    {NULL},
};

// The word index and the volume counters, in every commit of a case.
static void
s_indexes(cm_commit_t *commit, const json_t *old, const json_t *doc,
          int64_t now_ms)
{
    case_words_commit(commit, old, doc);
    volume_commit(commit, old, doc, now_ms);
}

const cm_doc_type_t case_type = {
    .owner = CASE_OWNER,
    .kind = "case",
    .what = "case",
    .id_prefix = CASE_ID_PREFIX,
    .path = "/v1/cases",
    .filters = s_filters,
    .workflow_for = case_flow_for,
    .list_item = case_list_item,
    .event_data = case_summary,
    .may_read = access_may_read_case,
    .decorate = access_decorate_case,
    .patch_if_match_required = true,
    .indexes = s_indexes,
};

// The customer as the case keeps it: id, name and the contacts it has.
static json_t *
s_customer_snapshot(const json_t *customer)
{
    json_t *snapshot =
        json_pack("{s:O?, s:O?}", "id", json_object_get(customer, "id"), "name",
                  json_object_get(customer, "name"));
    assert(snapshot);
    const char *contacts[] = {"phone", "email"};
    for (size_t i = 0; i < 2; i++) {
        const char *value = cm_doc_string(customer, contacts[i]);
        if (value) {
            cm_doc_set_string(snapshot, contacts[i], value);
        }
    }
    return snapshot;
}

json_t *
case_new(const case_fields_t *f)
{
    assert(f && f->id && f->kind && f->channel && f->subject && f->customer);
    json_t *doc = cm_doc_new(f->id, "recorded", NULL, f->now_ms);
    json_t *members = json_pack(
        "{s:s, s:s, s:n, s:n, s:n, s:n, s:O?, s:o, s:s, s:s?, s:n, s:b, s:b,"
        " s:i, s:i, s:[], s:[], s:[], s:O?, s:n}",
        "kind", f->kind, "channel", f->channel, "severity", "nature",
        "department", "assignee", "customer_id",
        json_object_get(f->customer, "id"), "customer",
        s_customer_snapshot(f->customer), "subject", f->subject, "description",
        f->description, "promised_reply_at", "awaiting_customer", 0, "overdue",
        0, "round", 1, "unsatisfied_rounds", 0, "escalations", "satisfaction",
        "linked_cases", "created_by", json_object_get(f->actor, "id"),
        "closed_at");
    assert(members);
    json_object_update(doc, members);
    json_decref(members);
    if (f->linked_from) {
        cm_doc_set_string(doc, "linked_from", f->linked_from);
    }
    if (f->source) {
        json_object_set(doc, "source_event", (json_t *)f->source);
    }
    cm_doc_history_add(doc, f->actor, "record", NULL, "recorded", NULL, NULL,
                       f->now_ms);
    return doc;
}

json_t *
case_summary(const json_t *doc)
{
    assert(doc);
    json_t *summary = json_pack(
        "{s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:b}", "id",
        json_object_get(doc, "id"), "kind", json_object_get(doc, "kind"),
        "state", json_object_get(doc, "state"), "severity",
        json_object_get(doc, "severity"), "department",
        json_object_get(doc, "department"), "assignee",
        json_object_get(doc, "assignee"), "customer_id",
        json_object_get(doc, "customer_id"), "channel",
        json_object_get(doc, "channel"), "promised_reply_at",
        json_object_get(doc, "promised_reply_at"), "awaiting_customer",
        json_is_true(json_object_get(doc, "awaiting_customer")));
    assert(summary);
    return summary;
}

json_t *
case_list_item(const json_t *doc)
{
    json_t *item = case_summary(doc);
    const char *copied[] = {"subject", "overdue", "round", "created_at",
                            "updated_at"};
    for (size_t i = 0; i < sizeof copied / sizeof copied[0]; i++) {
        json_t *value = json_object_get(doc, copied[i]);
        json_object_set(item, copied[i], value ? value : json_null());
    }
    json_t *name = json_object_get(json_object_get(doc, "customer"), "name");
    json_object_set(item, "customer_name", name ? name : json_null());
    return item;
}

void
case_append_bounded(json_t *doc, const char *member, json_t *value, size_t keep)
{
    assert(doc && member && value && keep > 0);
    json_t *array = json_object_get(doc, member);
    if (!json_is_array(array)) {
        array = json_array();
        json_object_set_new(doc, member, array);
    }
    json_array_append_new(array, value);
    while (json_array_size(array) > keep) {
        json_array_remove(array, 0);
    }
}
