#include "customer.h"

#include <assert.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_status.h"
#include "cm_time.h"
#include "cm_validate.h"

#define S_KEYS "name phone email notes"

static void
s_prefixed_fail(json_t **problem, const char *prefix, const char *field,
                const char *message)
{
    char name[CM_VALIDATE_NAME_MAX * 2];
    snprintf(name, sizeof name, "%s%s", prefix, field);
    cm_validate_fail(problem, name, message);
}

// Run the member checks on body into a scratch problem, then copy its
// errors into *problem with prefixed field names.
static void
s_check_members(const json_t *body, const char *prefix, bool patch,
                json_t **problem)
{
    json_t *inner = NULL;
    cm_validate_keys(body, S_KEYS, &inner);
    cm_validate_string(body, "name",
                       patch ? CM_VALIDATE_OPTIONAL : CM_VALIDATE_REQUIRED,
                       &inner);
    const char *fields[] = {"phone", "email", "notes"};
    for (size_t i = 0; i < 3; i++) {
        cm_validate_string(body, fields[i], CM_VALIDATE_OPTIONAL, &inner);
    }
    char buf[CUSTOMER_CONTACT_MAX];
    const char *phone = json_string_value(json_object_get(body, "phone"));
    const char *email = json_string_value(json_object_get(body, "email"));
    if (phone && !customer_phone_normalise(phone, buf, sizeof buf)) {
        cm_validate_fail(&inner, "phone", "must hold digits");
    }
    if (email
        && (!strchr(email, '@')
            || !customer_email_normalise(email, buf, sizeof buf))) {
        cm_validate_fail(&inner, "email", "must be an email address");
    }
    json_t *errors = json_object_get(inner, "errors");
    for (size_t i = 0; i < json_array_size(errors); i++) {
        json_t *error = json_array_get(errors, i);
        s_prefixed_fail(problem, prefix,
                        json_string_value(json_object_get(error, "field")),
                        json_string_value(json_object_get(error, "message")));
    }
    json_decref(inner);
}

json_t *
customer_check(const json_t *body, const char *prefix)
{
    json_t *problem = NULL;
    if (!json_is_object(body)) {
        s_prefixed_fail(&problem, prefix, prefix[0] ? "" : "body",
                        "must be a JSON object");
        return problem;
    }
    s_check_members(body, prefix, false, &problem);
    if (!cm_validate_has_value(body, "phone")
        && !cm_validate_has_value(body, "email")) {
        s_prefixed_fail(&problem, prefix, "phone",
                        "a phone or an email is required");
    }
    return problem;
}

json_t *
customer_check_patch(const json_t *body)
{
    json_t *problem = NULL;
    if (!cm_validate_object(body, &problem)) {
        return problem;
    }
    s_check_members(body, "", true, &problem);
    if (json_object_size(body) == 0) {
        cm_validate_fail(&problem, "body", "must change something");
    }
    return problem;
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

json_t *
customer_new(const char *id, const json_t *body, int64_t now_ms)
{
    assert(id && body);
    char now[CM_TIME_TEXT_MAX];
    cm_time_format(now_ms, now);
    json_t *doc = json_pack(
        "{s:s, s:O, s:O?, s:O?, s:O?, s:s, s:s}", "id", id, "name",
        json_object_get(body, "name"), "phone", json_object_get(body, "phone"),
        "email", json_object_get(body, "email"), "notes",
        json_object_get(body, "notes"), "created_at", now, "updated_at", now);
    assert(doc);
    return doc;
}

static int
s_load_key(cm_store_t *store, const char *key, json_t **doc, int64_t *version)
{
    cm_doc_t raw;
    int rc = cm_store_get(store, key, &raw);
    if (rc) {
        return rc;
    }
    *doc = json_loads(raw.json, 0, NULL);
    *version = raw.version;
    cm_doc_clear(&raw);
    return *doc ? 0 : CM_EINTERNAL;
}

int
customer_load(cm_store_t *store, const char *id, json_t **doc, int64_t *version)
{
    assert(store && id && doc && version);
    char key[CM_STORE_KEY_MAX];
    if (!cm_store_key(key, sizeof key, CUSTOMER_OWNER, "customer", id)) {
        return CM_ENOTFOUND;
    }
    return s_load_key(store, key, doc, version);
}

// The customer id a lookup document names, into id; 0 or a status.
static int
s_lookup(cm_store_t *store, const char *kind, const char *contact, char *id,
         size_t size)
{
    char key[CM_STORE_KEY_MAX];
    if (!cm_store_key(key, sizeof key, CUSTOMER_OWNER, kind, contact)) {
        return CM_ENOTFOUND;
    }
    json_t *doc = NULL;
    int64_t version = 0;
    int rc = s_load_key(store, key, &doc, &version);
    const char *found = json_string_value(json_object_get(doc, "customer_id"));
    if (rc == 0 && found) {
        snprintf(id, size, "%s", found);
    } else if (rc == 0) {
        rc = CM_ENOTFOUND;
    }
    json_decref(doc);
    return rc;
}

int
customer_find(cm_store_t *store, const char *phone, const char *email,
              json_t **doc, int64_t *version)
{
    assert(store && doc && version);
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
    return rc ? rc : customer_load(store, id, doc, version);
}

// A lookup document for a contact the old document did not have.
static void
s_commit_lookup(cm_commit_t *commit, const json_t *old, const json_t *doc,
                const char *member)
{
    const char *now = json_string_value(json_object_get(doc, member));
    const char *before = json_string_value(json_object_get(old, member));
    char contact[CUSTOMER_CONTACT_MAX];
    char before_norm[CUSTOMER_CONTACT_MAX] = "";
    bool phone = strcmp(member, "phone") == 0;
    const char *norm =
        now ? (phone ? customer_phone_normalise(now, contact, sizeof contact)
                     : customer_email_normalise(now, contact, sizeof contact))
            : NULL;
    if (before && phone) {
        customer_phone_normalise(before, before_norm, sizeof before_norm);
    } else if (before) {
        customer_email_normalise(before, before_norm, sizeof before_norm);
    }
    char key[CM_STORE_KEY_MAX];
    if (!norm || strcmp(norm, before_norm) == 0
        || !cm_store_key(key, sizeof key, CUSTOMER_OWNER,
                         phone ? "customer_phone" : "customer_email", norm)) {
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

void
customer_commit(cm_commit_t *commit, const json_t *old, const json_t *doc,
                int64_t expected_version, int64_t now_ms)
{
    assert(commit && doc);
    const char *id = json_string_value(json_object_get(doc, "id"));
    char key[CM_STORE_KEY_MAX];
    char index[CM_STORE_KEY_MAX];
    assert(id);
    const char *built =
        cm_store_key(key, sizeof key, CUSTOMER_OWNER, "customer", id);
    assert(built);
    built =
        cm_store_key(index, sizeof index, CUSTOMER_OWNER, "idx", "customers");
    assert(built);
    char *text = json_dumps(doc, JSON_COMPACT);
    assert(text);
    cm_commit_doc(commit, key, expected_version, text);
    free(text);
    cm_commit_index_add(commit, index, id, now_ms);
    s_commit_lookup(commit, old, doc, "phone");
    s_commit_lookup(commit, old, doc, "email");
}

json_t *
customer_to_json(const json_t *doc, int64_t version)
{
    json_t *out = json_deep_copy(doc);
    assert(out);
    json_object_set_new(out, "version", json_integer(version));
    return out;
}
