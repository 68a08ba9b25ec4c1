#include "customer.h"

#include <assert.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "case.h"
#include "case_flow.h"
#include "cm_action.h"
#include "cm_id.h"
#include "cm_problem.h"
#include "cm_status.h"
#include "cm_validate.h"
#include "events/intake.h"

const cm_field_t customer_fields[] = {
    {"name", CM_FIELD_STRING, CM_FIELD_REQUIRED},
    {"phone", CM_FIELD_STRING, 0, .max = CUSTOMER_PHONE_MAX},
    {"email", CM_FIELD_STRING, 0, .max = CUSTOMER_EMAIL_MAX},
    {"notes", CM_FIELD_TEXT, 0, .max = CUSTOMER_NOTES_MAX},
    CM_FIELD_END,
};

static const cm_field_t s_update_fields[] = {
    {"name", CM_FIELD_STRING, 0, .to = "name"},
    {"phone", CM_FIELD_STRING, 0, .max = CUSTOMER_PHONE_MAX, .to = "phone"},
    {"email", CM_FIELD_STRING, 0, .max = CUSTOMER_EMAIL_MAX, .to = "email"},
    {"notes", CM_FIELD_TEXT, 0, .max = CUSTOMER_NOTES_MAX, .to = "notes"},
    CM_FIELD_END,
};

static json_t *s_update(cm_action_t *action);

static const cm_workflow_row_t s_rows[] = {
    {"active", "update", "cs_agent deputy_head", 0, NULL, CM_WORKFLOW_STAY,
     INTAKE_EVENT_CUSTOMER_UPDATED, s_update_fields, s_update,
     case_flow_at_desk},
};

static const cm_workflow_t s_flow = {
    .name = "customer",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "",
    .superuser_role = "station_head",
};

static void s_drop_empty(json_t *doc);

// The list item: the customer without notes and history.
static json_t *
s_list_item(const json_t *doc)
{
    json_t *item = json_copy((json_t *)doc);
    assert(item);
    json_object_del(item, "history");
    json_object_del(item, "notes");
    s_drop_empty(item); // customers stored with null contacts
    return item;
}

// The data of customer events: the document without its history.
static json_t *
s_event_data(const json_t *doc)
{
    json_t *data = json_deep_copy(doc);
    assert(data);
    json_object_del(data, "history");
    return data;
}

const cm_doc_type_t customer_type = {
    .owner = CASE_OWNER,
    .kind = "customer",
    .what = "customer",
    .id_prefix = "CU",
    .path = "/v1/customers",
    .workflow = &s_flow,
    .list_item = s_list_item,
    .event_data = s_event_data,
    .decorate = access_decorate_customer,
};

// Contacts that must normalise: phone digits, an email with '@'.
static bool
s_check_contacts(const json_t *body, const char *path, json_t **problem_p)
{
    char buf[CUSTOMER_CONTACT_MAX];
    char name[CM_VALIDATE_NAME_MAX * 2];
    const char *phone = cm_doc_string(body, "phone");
    const char *email = cm_doc_string(body, "email");
    bool fine = true;
    if (phone && !customer_phone_normalise(phone, buf, sizeof buf)) {
        snprintf(name, sizeof name, "%s%sphone", path ? path : "",
                 path ? "." : "");
        fine = cm_validate_fail(problem_p, name, "must hold digits");
    }
    if (email
        && (!strchr(email, '@')
            || !customer_email_normalise(email, buf, sizeof buf))) {
        snprintf(name, sizeof name, "%s%semail", path ? path : "",
                 path ? "." : "");
        fine = cm_validate_fail(problem_p, name, "must be an email address");
    }
    return fine;
}

bool
customer_check(const json_t *body, const char *path, json_t **problem_p)
{
    assert(problem_p);
    bool fine =
        path ? cm_field_check_object(customer_fields, body, path, problem_p)
             : cm_field_check(customer_fields, body, problem_p);
    if (!json_is_object(body)) {
        return false;
    }
    fine = s_check_contacts(body, path, problem_p) && fine;
    if (!cm_validate_has_value(body, "phone")
        && !cm_validate_has_value(body, "email")) {
        char name[CM_VALIDATE_NAME_MAX * 2];
        snprintf(name, sizeof name, "%s%sphone", path ? path : "",
                 path ? "." : "");
        fine = cm_validate_fail(problem_p, name,
                                "a phone or an email is required");
    }
    return fine;
}

const char *
customer_phone_normalise(const char *phone, char *buf, size_t size)
{
    assert(phone && buf && size > 1);
    size_t n = 0;
    for (const char *p = phone; *p; p++) {
        bool keep = isdigit((unsigned char)*p) || (*p == '+' && n == 0);
        if (keep && n + 1 >= size) {
            return NULL;
        }
        if (keep) {
            buf[n++] = *p;
        }
    }
    buf[n] = '\0';
    return n > 0 && strcmp(buf, "+") != 0 ? buf : NULL;
}

const char *
customer_email_normalise(const char *email, char *buf, size_t size)
{
    assert(email && buf && size > 1);
    while (isspace((unsigned char)*email)) {
        email++;
    }
    size_t n = strlen(email);
    while (n > 0 && isspace((unsigned char)email[n - 1])) {
        n--;
    }
    if (n == 0 || n >= size || memchr(email, ' ', n)) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        buf[i] = (char)tolower((unsigned char)email[i]);
    }
    buf[n] = '\0';
    return buf;
}

// Members that are null or blank are left out: a customer shows only the
// contacts it has.
static void
s_drop_empty(json_t *doc)
{
    const char *members[] = {"phone", "email", "notes"};
    for (size_t i = 0; i < 3; i++) {
        if (!cm_validate_has_value(doc, members[i])) {
            json_object_del(doc, members[i]);
        }
    }
}

json_t *
customer_new(const char *id, const json_t *body, const json_t *actor,
             int64_t now_ms)
{
    assert(id && body);
    json_t *doc = cm_doc_new(id, "active", actor, now_ms);
    const char *members[] = {"name", "phone", "email", "notes"};
    for (size_t i = 0; i < 4; i++) {
        json_t *value = json_object_get(body, members[i]);
        if (value) {
            json_object_set(doc, members[i], value);
        }
    }
    s_drop_empty(doc);
    return doc;
}

// The customer id a lookup document names, into id; 0 or a status.
static int
s_lookup(cm_store_t *store, const char *kind, const char *contact, char *id,
         size_t size)
{
    char key[CM_STORE_KEY_MAX];
    if (!cm_store_key(key, sizeof key, CASE_OWNER, kind, contact)) {
        return CM_ENOTFOUND;
    }
    cm_doc_t raw;
    int rc = cm_store_get(store, key, &raw);
    if (rc) {
        return rc;
    }
    json_t *doc = json_loads(raw.json, 0, NULL);
    cm_doc_clear(&raw);
    const char *found = cm_doc_string(doc, "customer_id");
    if (found) {
        snprintf(id, size, "%s", found);
    }
    json_decref(doc);
    return found ? 0 : CM_ENOTFOUND;
}

size_t
customer_lookup_keys(const char *phone, const char *email,
                     char (*keys)[CM_STORE_KEY_MAX])
{
    char contact[CUSTOMER_CONTACT_MAX];
    size_t n = 0;
    if (phone && customer_phone_normalise(phone, contact, sizeof contact)
        && cm_store_key(keys[n], CM_STORE_KEY_MAX, CASE_OWNER, "customer_phone",
                        contact)) {
        n++;
    }
    if (email && customer_email_normalise(email, contact, sizeof contact)
        && cm_store_key(keys[n], CM_STORE_KEY_MAX, CASE_OWNER, "customer_email",
                        contact)) {
        n++;
    }
    return n;
}

int
customer_find(cm_store_t *store, const char *phone, const char *email,
              json_t **doc, int64_t *version)
{
    assert(store && doc && version);
    *doc = NULL;
    char contact[CUSTOMER_CONTACT_MAX];
    char id[CM_STORE_KEY_MAX];
    int rc = CM_ENOTFOUND;
    if (phone && customer_phone_normalise(phone, contact, sizeof contact)) {
        rc = s_lookup(store, "customer_phone", contact, id, sizeof id);
    }
    if (rc == CM_ENOTFOUND && email
        && customer_email_normalise(email, contact, sizeof contact)) {
        rc = s_lookup(store, "customer_email", contact, id, sizeof id);
    }
    return rc ? rc : cm_doc_read(store, &customer_type, id, doc, version);
}

// The normalised contact of member in doc into buf, or NULL.
static const char *
s_normalised(const json_t *doc, const char *member, char *buf, size_t size)
{
    const char *value = cm_doc_string(doc, member);
    if (!value) {
        return NULL;
    }
    return strcmp(member, "phone") == 0
               ? customer_phone_normalise(value, buf, size)
               : customer_email_normalise(value, buf, size);
}

static void
s_commit_lookup(cm_commit_t *commit, const json_t *old, const json_t *doc,
                const char *member)
{
    char now[CUSTOMER_CONTACT_MAX];
    char before[CUSTOMER_CONTACT_MAX];
    const char *norm = s_normalised(doc, member, now, sizeof now);
    const char *was =
        old ? s_normalised(old, member, before, sizeof before) : NULL;
    char kind[32];
    snprintf(kind, sizeof kind, "customer_%s", member);
    char key[CM_STORE_KEY_MAX];
    if (!norm || (was && strcmp(norm, was) == 0)
        || !cm_store_key(key, sizeof key, CASE_OWNER, kind, norm)) {
        return;
    }
    json_t *lookup =
        json_pack("{s:O}", "customer_id", json_object_get(doc, "id"));
    char *text = json_dumps(lookup, JSON_COMPACT);
    assert(text);
    cm_commit_doc(commit, key, CM_VERSION_NEW, text);
    free(text);
    json_decref(lookup);
}

size_t
customer_name_key(const char *name, char *out, size_t size)
{
    size_t n = 0;
    bool space = true; // drop leading and repeated white space
    for (const char *p = name ? name : ""; *p && n + 1 < size; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == ' ' || c < 0x20) { // tabs, line breaks and other controls
            if (!space) {
                out[n++] = ' ';
            }
            space = true;
            continue;
        }
        out[n++] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
        space = false;
    }
    while (n > 0 && out[n - 1] == ' ') {
        n--;
    }
    out[n] = '\0';
    return n;
}

const char *
customer_names_key(char *key)
{
    return cm_store_key(key, CM_STORE_KEY_MAX, CASE_OWNER, "idx",
                        "customer_names");
}

// The name index member of doc: "<normalised name>\x1f<id>" (the
// separator sorts before every printable character, so a name sorts before
// its longer extensions).
static bool
s_name_member(const json_t *doc, char *out, size_t size)
{
    char norm[CUSTOMER_NAME_KEY_MAX];
    if (!doc
        || customer_name_key(cm_doc_string(doc, "name"), norm, sizeof norm)
               == 0) {
        return false;
    }
    int n = snprintf(out, size, "%s\x1f%s", norm, cm_doc_text(doc, "id"));
    return n > 0 && (size_t)n < size;
}

static void
s_commit_name(cm_commit_t *commit, const json_t *old, const json_t *doc)
{
    char key[CM_STORE_KEY_MAX];
    char now[CUSTOMER_NAME_KEY_MAX + CM_ID_MAX];
    char before[CUSTOMER_NAME_KEY_MAX + CM_ID_MAX];
    bool has_now = s_name_member(doc, now, sizeof now);
    bool had = s_name_member(old, before, sizeof before);
    if (!customer_names_key(key)
        || (has_now && had && strcmp(now, before) == 0)) {
        return;
    }
    if (had) {
        cm_commit_index_remove(commit, key, before);
    }
    if (has_now) {
        cm_commit_index_add(commit, key, now, 0);
    }
}

void
customer_commit_lookups(cm_commit_t *commit, const json_t *old,
                        const json_t *doc)
{
    assert(commit && doc);
    s_commit_lookup(commit, old, doc, "phone");
    s_commit_lookup(commit, old, doc, "email");
    s_commit_name(commit, old, doc);
}

int
customer_commit(cm_commit_t *commit, const json_t *old, json_t *doc,
                int64_t expected_version, int64_t now_ms)
{
    assert(commit && doc);
    int rc = cm_doc_commit(commit, &customer_type, old, doc, expected_version,
                           now_ms);
    if (rc == 0) {
        customer_commit_lookups(commit, old, doc);
    }
    return rc;
}

json_t *
customer_contacts_taken(cm_store_t *store, const json_t *body,
                        const char *self_id)
{
    const char *members[] = {"phone", "email"};
    for (size_t i = 0; i < 2; i++) {
        const char *value = cm_doc_string(body, members[i]);
        json_t *found = NULL;
        int64_t version = 0;
        int rc = value ? customer_find(store, i == 0 ? value : NULL,
                                       i == 1 ? value : NULL, &found, &version)
                       : CM_ENOTFOUND;
        const char *id = cm_doc_text(found, "id");
        json_t *problem = NULL;
        if (rc == 0 && (!self_id || strcmp(id, self_id) != 0)) {
            problem = cm_problem_new(409, "customer_exists",
                                     "a customer with this phone or email "
                                     "exists");
            cm_problem_set(problem, "customer_id", json_string(id));
        } else if (rc && rc != CM_ENOTFOUND) {
            problem = cm_problem_from_status(rc, "customers unreadable");
        }
        json_decref(found);
        if (problem) {
            return problem;
        }
    }
    return NULL;
}

// PATCH: contacts normalise, one stays, none belongs to another customer.
static json_t *
s_update(cm_action_t *a)
{
    json_t *problem = NULL;
    s_check_contacts(a->body, NULL, &problem);
    s_drop_empty(a->doc);
    if (!problem && !cm_doc_string(a->doc, "phone")
        && !cm_doc_string(a->doc, "email")) {
        cm_validate_fail(&problem, "phone", "a phone or an email is required");
    }
    if (!problem) {
        problem = customer_contacts_taken(a->store, a->body,
                                          cm_doc_text(a->doc, "id"));
    }
    if (!problem) {
        customer_commit_lookups(a->commit, a->old, a->doc);
    }
    return problem;
}
