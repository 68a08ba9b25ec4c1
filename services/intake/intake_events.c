#include "intake_events.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case.h"
#include "case_create.h"
#include "cm_field.h"
#include "cm_log.h"
#include "cm_status.h"
#include "cm_time.h"
#include "customer.h"
#include "email_thread.h"
#include "events/dispatch.h"
#include "events/external.h"
#include "intake.h"

#define S_SUBJECT_MAX 320 // a made subject: label and contact

// External event types that record a case, and their channel.
static const struct {
    const char *type;    // CloudEvents type
    const char *channel; // case channel
    const char *label;   // for a generated subject
} s_channels[] = {
    {EXTERNAL_EVENT_CALL_RECEIVED, "phone", "Call"},
    {EXTERNAL_EVENT_EMAIL_RECEIVED, "email", "Email"},
    {EXTERNAL_EVENT_CHAT_STARTED, "chat", "Chat"},
};

// The stored envelope (a cm_envelope event from the gateway, or the
// CloudEvent itself from the hub); NULL when it is not a JSON object.
static json_t *
s_envelope(const cm_event_t *event)
{
    json_t *root = json_loads(event->envelope, 0, NULL);
    if (!json_is_object(root)) {
        cm_log_warn("event.malformed", "stream", event->stream, "id",
                    event->id);
        json_decref(root);
        return NULL;
    }
    return root;
}

// The actor of an event: the envelope's, else the producing system.
static json_t *
s_actor(const json_t *envelope, const char *fallback)
{
    json_t *actor = json_object_get(envelope, "actor");
    if (json_is_object(actor)) {
        return json_incref(actor);
    }
    const char *source = cm_doc_string(envelope, "source");
    json_t *made = json_pack("{s:s, s:s}", "id", source ? source : fallback,
                             "role", "system");
    assert(made);
    return made;
}

// Load the case, copy it, let `edit` change the copy, commit. A case that
// does not exist is logged and the event acknowledged.
static int
s_update_case(cm_store_t *store, cm_commit_t *commit, const char *id,
              const json_t *envelope,
              bool (*edit)(json_t *doc, const json_t *data, const json_t *actor,
                           int64_t now_ms))
{
    json_t *old = NULL;
    int64_t version = 0;
    int rc =
        id ? cm_doc_read(store, &case_type, id, &old, &version) : CM_ENOTFOUND;
    if (rc == CM_ENOTFOUND) {
        cm_log_warn("event.case_unknown", "type",
                    cm_doc_string(envelope, "type"), "case", id ? id : "");
        return 0;
    }
    if (rc) {
        return -1;
    }
    json_t *doc = json_deep_copy(old);
    json_t *actor = s_actor(envelope, "dispatch");
    int64_t now = cm_time_now_ms();
    if (edit(doc, json_object_get(envelope, "data"), actor, now)
        && cm_doc_commit(commit, &case_type, old, doc, version, now) != 0) {
        cm_log_warn("event.case_too_large", "case", id);
    }
    json_decref(actor);
    json_decref(doc);
    json_decref(old);
    return 0;
}

static bool
s_mark_overdue(json_t *doc, const json_t *data, const json_t *actor,
               int64_t now_ms)
{
    json_t *escalation = json_pack(
        "{s:O?, s:O?, s:O?, s:O?}", "target", json_object_get(data, "target"),
        "level", json_object_get(data, "level"), "escalated_to",
        json_object_get(data, "escalated_to"), "deadline",
        json_object_get(data, "deadline"));
    assert(escalation);
    char at[CM_TIME_TEXT_MAX];
    json_object_set_new(escalation, "at",
                        json_string(cm_time_format(now_ms, at)));
    case_append_bounded(doc, "escalations", json_incref(escalation),
                        CASE_ESCALATIONS_KEEP);
    json_object_set_new(doc, "overdue", json_true());
    cm_doc_history_add(doc, actor, "escalated", NULL, NULL, NULL, escalation,
                       now_ms);
    return true;
}

// The staff id a work order was assigned to.
static const char *
s_workorder_assignee(const json_t *data)
{
    const char *names[] = {"assignee", "staff_id", "assigned_to"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *value = cm_doc_string(data, names[i]);
        if (value && *value) {
            return value;
        }
    }
    return NULL;
}

static bool
s_set_assignee(json_t *doc, const json_t *data, const json_t *actor,
               int64_t now_ms)
{
    const char *assignee = s_workorder_assignee(data);
    const char *current = cm_doc_string(doc, "assignee");
    if (!assignee || (current && strcmp(current, assignee) == 0)) {
        return false;
    }
    json_t *change =
        json_pack("{s:s?, s:s, s:O?}", "previous", current, "assignee",
                  assignee, "work_order", json_object_get(data, "id"));
    cm_doc_set_string(doc, "assignee", assignee);
    cm_doc_history_add(doc, actor, "assignee_changed", NULL, NULL, NULL, change,
                       now_ms);
    return true;
}

int
intake_events_dispatch(cm_store_t *store, const cm_event_t *event,
                       cm_commit_t *commit, void *arg)
{
    (void)arg; // the reactions need no service state
    assert(store && event && commit);
    json_t *envelope = s_envelope(event);
    json_t *data = json_object_get(envelope, "data");
    int rc = 0;
    if (!envelope) {
        rc = 0; // never retry what cannot be read
    } else if (strcmp(event->type, DISPATCH_EVENT_SLA_BREACHED) == 0) {
        rc = s_update_case(store, commit, cm_doc_string(data, "case_id"),
                           envelope, s_mark_overdue);
    } else if (strcmp(event->type, DISPATCH_EVENT_WORKORDER_ASSIGNED) == 0) {
        // Only the case's own work order (origin "event": dispatch opened
        // it for the case) carries the case's assignment; one that someone
        // opened with the case as its source does not.
        json_t *source = json_object_get(data, "source");
        const char *type = cm_doc_string(source, "type");
        const char *origin = cm_doc_string(data, "origin");
        if (type && strcmp(type, "case") == 0 && origin
            && strcmp(origin, "event") == 0) {
            rc = s_update_case(store, commit, cm_doc_string(source, "id"),
                               envelope, s_set_assignee);
        }
    }
    json_decref(envelope);
    return rc;
}

const char *
intake_events_channel(const char *type)
{
    for (size_t i = 0; type && i < sizeof s_channels / sizeof s_channels[0];
         i++) {
        if (strcmp(s_channels[i].type, type) == 0) {
            return s_channels[i].channel;
        }
    }
    return NULL;
}

static const char *
s_first(const json_t *data, const char *const *names, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        const char *value = cm_doc_string(data, names[i]);
        if (value && *value) {
            return value;
        }
    }
    return NULL;
}

// text cut to at most max code points (whole UTF-8 sequences). Caller
// owns the result (free).
static char *
s_clip(const char *text, size_t max)
{
    size_t bytes = 0;
    size_t count = 0;
    for (; text[bytes]; bytes++) {
        bool lead = ((unsigned char)text[bytes] & 0xC0) != 0x80;
        if (lead && count++ == max) {
            break;
        }
    }
    char *out = strndup(text, bytes);
    assert(out);
    return out;
}

// A contact too long to be one is left out (logged by the caller when
// nothing is left).
static const char *
s_contact(const char *value, size_t max)
{
    return value && cm_field_length(value) <= max ? value : NULL;
}

json_t *
intake_events_customer(const json_t *data)
{
    const char *from = cm_doc_string(data, "from");
    const char *email = cm_doc_string(data, "email");
    const char *phone = cm_doc_string(data, "phone");
    if (!email && from && strchr(from, '@')) {
        email = from;
    } else if (!phone && from && !strchr(from, '@')) {
        phone = from;
    }
    phone = s_contact(phone, CUSTOMER_PHONE_MAX);
    email = s_contact(email, CUSTOMER_EMAIL_MAX);
    if (!phone && !email) {
        return NULL;
    }
    static const char *const names[] = {"name", "from_name", "caller_name",
                                        "customer_name"};
    const char *name = s_first(data, names, 4);
    char *clipped =
        s_clip(name ? name : (email ? email : phone), CM_FIELD_STRING_MAX);
    json_t *customer = json_pack("{s:s, s:s?, s:s?}", "name", clipped, "phone",
                                 phone, "email", email);
    free(clipped);
    return customer;
}

// Subject and description from the data, or made from the contact, cut to
// their maxima (an event cannot be refused: it is already persisted).
// Caller owns both (free).
static void
s_texts(const json_t *data, const char *type, const json_t *customer,
        char **subject, char **description)
{
    static const char *const subjects[] = {"subject", "topic", "title"};
    static const char *const bodies[] = {"description", "body", "text",
                                         "summary", "message"};
    const char *given = s_first(data, subjects, 3);
    const char *label = "Contact";
    for (size_t i = 0; i < sizeof s_channels / sizeof s_channels[0]; i++) {
        label =
            strcmp(s_channels[i].type, type) == 0 ? s_channels[i].label : label;
    }
    const char *contact = cm_doc_string(customer, "phone");
    contact = contact ? contact : cm_doc_string(customer, "email");
    char made[S_SUBJECT_MAX];
    snprintf(made, sizeof made, "%s from %s", label, contact);
    *subject = s_clip(given ? given : made, CASE_SUBJECT_MAX);
    const char *text = s_first(data, bodies, 5);
    *description = s_clip(text ? text : *subject, CASE_DESCRIPTION_MAX);
}

static int
s_record(const intake_t *intake, cm_store_t *store, const json_t *envelope,
         const char *type, cm_commit_t *commit)
{
    const json_t *data = json_object_get(envelope, "data");
    if (strcmp(type, EXTERNAL_EVENT_EMAIL_RECEIVED) == 0) {
        // An answer to one of a case's emails joins that case.
        static const char *const bodies[] = {"description", "body", "text",
                                             "summary", "message"};
        const char *text = s_first(data, bodies, 5);
        char *clipped = s_clip(text ? text : "", CASE_TEXT_MAX);
        json_t *actor = s_actor(envelope, "ingest");
        int threaded = email_thread_reply(intake, store, commit, envelope,
                                          actor, clipped, cm_time_now_ms());
        json_decref(actor);
        free(clipped);
        if (threaded != 0) {
            return threaded < 0 ? -1 : 0;
        }
    }
    json_t *customer = intake_events_customer(data);
    if (!customer) {
        cm_log_warn("event.unusable", "type", type, "id",
                    cm_doc_string(envelope, "id"), "reason",
                    "data names no phone or email");
        return 0;
    }
    char *subject = NULL;
    char *description = NULL;
    s_texts(data, type, customer, &subject, &description);
    json_t *actor = s_actor(envelope, "ingest");
    json_t *source = json_pack("{s:O?, s:O?, s:s}", "source",
                               json_object_get(envelope, "source"), "id",
                               json_object_get(envelope, "id"), "type", type);
    const char *correlation = cm_doc_string(envelope, "correlation_id");
    case_create_t in = {
        .kind = "inquiry",
        .channel = intake_events_channel(type),
        .subject = subject,
        .description = description,
        .customer = customer,
        .actor = actor,
        .correlation_id =
            correlation ? correlation : cm_doc_string(envelope, "id"),
        .source = source,
        .now_ms = cm_time_now_ms(),
    };
    json_t *doc = NULL;
    int rc = case_create(store, &in, commit, &doc);
    if (rc == 0) {
        email_thread_remember(commit, data, cm_doc_text(doc, "id"));
        // The commit may still find the event seen (a redelivery): then
        // nothing is written and this number stays unused.
        cm_log_debug("event.case_prepared", "case", cm_doc_string(doc, "id"),
                     "type", type);
    }
    json_decref(doc);
    json_decref(source);
    json_decref(actor);
    json_decref(customer);
    free(subject);
    free(description);
    return rc ? -1 : 0;
}

int
intake_events_ingest(cm_store_t *store, const cm_event_t *event,
                     cm_commit_t *commit, void *arg)
{
    const intake_t *intake = arg;
    assert(store && event && commit && intake);
    const char *channel = intake_events_channel(event->type);
    if (!channel) {
        cm_log_debug("event.ignored", "type", event->type, "id", event->id);
        return 0;
    }
    json_t *envelope = s_envelope(event);
    int rc =
        envelope ? s_record(intake, store, envelope, event->type, commit) : 0;
    json_decref(envelope);
    return rc;
}
