#include "case.h"

#include <assert.h>
#include <string.h>

#include "case_flow.h"
#include "cm_time.h"
#include "cm_validate.h"

#define S_CREATE_KEYS "kind channel customer customer_id subject description"

static json_t *
s_string_or_null(const char *value)
{
    json_t *text = value ? json_string(value) : json_null();
    return text ? text : json_null();
}

const char *
case_string(const json_t *doc, const char *member)
{
    return json_string_value(json_object_get(doc, member));
}

int64_t
case_integer(const json_t *doc, const char *member)
{
    return (int64_t)json_integer_value(json_object_get(doc, member));
}

void
case_set_string(json_t *doc, const char *member, const char *value)
{
    assert(doc && member);
    json_object_set_new(doc, member, s_string_or_null(value));
}

void
case_set_time(json_t *doc, const char *member, int64_t now_ms)
{
    char text[CM_TIME_TEXT_MAX];
    case_set_string(doc, member, cm_time_format(now_ms, text));
}

static json_t *
s_customer_snapshot(const json_t *customer)
{
    json_t *snapshot = json_pack("{s:O?, s:O?, s:O?, s:O?}", "id",
                                 json_object_get(customer, "id"), "name",
                                 json_object_get(customer, "name"), "phone",
                                 json_object_get(customer, "phone"), "email",
                                 json_object_get(customer, "email"));
    assert(snapshot);
    return snapshot;
}

json_t *
case_new(const case_fields_t *f)
{
    assert(f && f->id && f->kind && f->channel && f->subject && f->customer);
    json_t *doc = json_pack(
        "{s:s, s:s, s:s, s:s, s:n, s:n, s:n, s:n, s:O?, s:o, s:s, s:s?,"
        " s:n, s:b, s:b, s:i, s:i, s:[], s:[], s:[], s:O?, s:n, s:[]}",
        "id", f->id, "kind", f->kind, "channel", f->channel, "state",
        "recorded", "severity", "nature", "department", "assignee",
        "customer_id", json_object_get(f->customer, "id"), "customer",
        s_customer_snapshot(f->customer), "subject", f->subject, "description",
        f->description, "promised_reply_at", "awaiting_customer", 0, "overdue",
        0, "round", 1, "unsatisfied_rounds", 0, "escalations", "satisfaction",
        "linked_cases", "created_by", json_object_get(f->actor, "id"),
        "closed_at", "history");
    assert(doc);
    if (f->linked_from) {
        case_set_string(doc, "linked_from", f->linked_from);
    }
    if (f->source) {
        json_object_set(doc, "source_event", (json_t *)f->source);
    }
    case_set_time(doc, "created_at", f->now_ms);
    case_history_add(doc, f->actor, "record", NULL, "recorded", NULL,
                     f->now_ms);
    return doc;
}

static void
s_check_customer(const json_t *body, json_t **problem)
{
    const json_t *customer = json_object_get(body, "customer");
    bool has_id = cm_validate_has_value(body, "customer_id");
    if (!customer && !has_id) {
        cm_validate_fail(problem, "customer", "is required (or customer_id)");
        return;
    }
    if (customer && has_id) {
        cm_validate_fail(problem, "customer",
                         "give either customer or customer_id");
        return;
    }
    if (has_id) {
        cm_validate_string(body, "customer_id", CM_VALIDATE_REQUIRED, problem);
        return;
    }
    if (!json_is_object(customer)) {
        cm_validate_fail(problem, "customer", "must be an object");
        return;
    }
    if (!cm_validate_has_value(customer, "phone")
        && !cm_validate_has_value(customer, "email")) {
        cm_validate_fail(problem, "customer.phone",
                         "customer needs a phone or an email");
    }
}

json_t *
case_check_create(const json_t *body)
{
    json_t *problem = NULL;
    if (!cm_validate_object(body, &problem)) {
        return problem;
    }
    cm_validate_keys(body, S_CREATE_KEYS, &problem);
    cm_validate_enum(body, "kind", CASE_KINDS, CM_VALIDATE_REQUIRED, &problem);
    cm_validate_enum(body, "channel", CASE_CHANNELS, CM_VALIDATE_REQUIRED,
                     &problem);
    cm_validate_string(body, "subject", CM_VALIDATE_REQUIRED, &problem);
    cm_validate_string(body, "description", CM_VALIDATE_REQUIRED, &problem);
    s_check_customer(body, &problem);
    return problem;
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
case_to_json(const json_t *doc, int64_t version, json_t *actions)
{
    assert(doc);
    json_t *out = json_deep_copy(doc);
    assert(out);
    json_object_set_new(out, "version", json_integer(version));
    json_object_set_new(out, "actions", actions ? actions : json_array());
    return out;
}

json_t *
case_list_entry(const json_t *doc)
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

json_t *
case_list_item(const json_t *doc, int64_t version)
{
    json_t *item = case_list_entry(doc);
    json_object_set_new(item, "version", json_integer(version));
    return item;
}

void
case_history_add(json_t *doc, const json_t *actor, const char *action,
                 const char *from, const char *to, json_t *data, int64_t now_ms)
{
    assert(doc && action);
    char at[CM_TIME_TEXT_MAX];
    json_t *entry = json_pack(
        "{s:s, s:{s:O?, s:O?}, s:s, s:o, s:o}", "at",
        cm_time_format(now_ms, at), "actor", "id", json_object_get(actor, "id"),
        "role", json_object_get(actor, "role"), "action", action, "from",
        s_string_or_null(from), "to", s_string_or_null(to));
    assert(entry);
    json_t *note = data ? json_object_get(data, "note") : NULL;
    if (note) {
        json_object_set(entry, "note", note);
        json_object_del(data, "note");
    }
    if (data && json_object_size(data) > 0) {
        json_object_set(entry, "data", data);
    }
    json_decref(data);
    json_t *history = json_object_get(doc, "history");
    if (!json_is_array(history)) {
        history = json_array();
        json_object_set_new(doc, "history", history);
    }
    json_array_append_new(history, entry);
    case_set_time(doc, "updated_at", now_ms);
}

void
case_set_state(json_t *doc, const char *state, int64_t now_ms)
{
    assert(doc && state);
    case_set_string(doc, "state", state);
    json_object_set_new(doc, "awaiting_customer",
                        json_boolean(case_flow_awaits_customer(state)));
    case_set_time(doc, "updated_at", now_ms);
}
