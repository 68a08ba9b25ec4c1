#include "staff.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "access.h"
#include "cm_id.h"
#include "cm_problem.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "department.h"
#include "listing.h"
#include "personnel.h"
#include "position.h"
#include "record.h"

#define S_CREATE_KEYS  "name role department contact position"
#define S_PATCH_KEYS   "name department contact position"
#define S_FILTERS      "department role status"
#define S_PHONE_CHARS  "0123456789+-() ."
#define S_PHONE_MIN    3
#define S_NOTE_MAX     256
#define S_LOCATION_MAX 128

// ---- validation (pure)

static void
s_validate_phone(const json_t *contact, json_t **problem)
{
    const json_t *phone = json_object_get(contact, "phone");
    if (!phone || json_is_null(phone)) {
        return;
    }
    const char *text = json_string_value(phone);
    size_t n = text ? strlen(text) : 0;
    if (n < S_PHONE_MIN || n > STAFF_PHONE_MAX
        || strspn(text, S_PHONE_CHARS) != n) {
        cm_validate_fail(problem, "contact.phone",
                         "must be 3-32 characters of digits, spaces and +-().");
    }
}

static void
s_validate_email(const json_t *contact, json_t **problem)
{
    const json_t *email = json_object_get(contact, "email");
    if (!email || json_is_null(email)) {
        return;
    }
    const char *text = json_string_value(email);
    const char *at = text ? strchr(text, '@') : NULL;
    bool ok = at && at != text && strchr(at + 1, '@') == NULL
              && strchr(at + 1, '.') && at[1] != '.'
              && text[strlen(text) - 1] != '.'
              && strlen(text) <= STAFF_EMAIL_MAX && !strpbrk(text, " \t\r\n");
    if (!ok) {
        cm_validate_fail(problem, "contact.email",
                         "must be an email address such as a@example.org");
    }
}

static void
s_validate_contact(const json_t *body, json_t **problem)
{
    const json_t *contact = json_object_get(body, "contact");
    if (!contact || json_is_null(contact)) {
        return;
    }
    if (!json_is_object(contact)) {
        cm_validate_fail(problem, "contact",
                         "must be an object with phone and/or email");
        return;
    }
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)contact, key, value)
    {
        if (strcmp(key, "phone") != 0 && strcmp(key, "email") != 0) {
            char field[CM_VALIDATE_NAME_MAX + 16];
            snprintf(field, sizeof field, "contact.%.*s", CM_VALIDATE_NAME_MAX,
                     key);
            cm_validate_fail(problem, field, "is not allowed");
        }
    }
    s_validate_phone(contact, problem);
    s_validate_email(contact, problem);
}

// Checks shared by create and patch for the members present.
static void
s_validate_fields(const json_t *body, json_t **problem)
{
    const char *name = record_string(body, "name");
    if (name && strlen(name) > STAFF_NAME_MAX) {
        cm_validate_fail(problem, "name", "must be at most 200 characters");
    }
    const char *department = record_string(body, "department");
    if (department && !department_code_is_valid(department)) {
        cm_validate_fail(problem, "department", "must be a department id");
    }
    if (cm_validate_string(body, "position", CM_VALIDATE_OPTIONAL, problem)
        && record_string(body, "position")
        && !cm_id_parse(record_string(body, "position"), POSITION_ID_PREFIX,
                        NULL)) {
        cm_validate_fail(problem, "position",
                         "must be a position id such as POS-3");
    }
    s_validate_contact(body, problem);
}

json_t *
staff_validate_create(const json_t *body)
{
    json_t *problem = NULL;
    if (!cm_validate_object(body, &problem)) {
        return problem;
    }
    cm_validate_keys(body, S_CREATE_KEYS, &problem);
    cm_validate_string(body, "name", CM_VALIDATE_REQUIRED, &problem);
    cm_validate_enum(body, "role", PERSONNEL_ROLES, CM_VALIDATE_REQUIRED,
                     &problem);
    cm_validate_string(body, "department", CM_VALIDATE_REQUIRED, &problem);
    s_validate_fields(body, &problem);
    return problem;
}

// Unknown members, with a pointer to the action for role and status.
static void
s_validate_patch_keys(const json_t *body, json_t **problem)
{
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)body, key, value)
    {
        if (strcmp(key, "role") == 0) {
            cm_validate_fail(problem, key,
                             "is changed with POST "
                             "/v1/staff/{id}/change-role");
        } else if (strcmp(key, "status") == 0 || strcmp(key, "state") == 0) {
            cm_validate_fail(problem, key,
                             "is changed with the suspend, reinstate and "
                             "leave actions");
        } else if (!cm_validate_name_in(S_PATCH_KEYS, key)) {
            cm_validate_fail(problem, key, "is not allowed");
        }
    }
}

json_t *
staff_validate_patch(const json_t *body)
{
    json_t *problem = NULL;
    if (!cm_validate_object(body, &problem)) {
        return problem;
    }
    if (json_object_size(body) == 0) {
        cm_validate_fail(&problem, "body", "names no field to change");
    }
    s_validate_patch_keys(body, &problem);
    const char *required[] = {"name", "department"};
    for (size_t i = 0; i < 2; i++) {
        json_t *value = json_object_get(body, required[i]);
        if (json_is_null(value)) {
            cm_validate_fail(&problem, required[i], "cannot be removed");
        } else if (value) {
            cm_validate_string(body, required[i], CM_VALIDATE_REQUIRED,
                               &problem);
        }
    }
    s_validate_fields(body, &problem);
    return problem;
}

// ---- mapping (pure)

// The contact of a valid body as a new reference: {phone, email} or null.
static json_t *
s_contact(const json_t *body)
{
    const json_t *contact = json_object_get(body, "contact");
    if (!json_is_object(contact)) {
        return json_null();
    }
    const char *phone = record_string(contact, "phone");
    const char *email = record_string(contact, "email");
    return json_pack("{s:o, s:o}", "phone",
                     phone ? json_string(phone) : json_null(), "email",
                     email ? json_string(email) : json_null());
}

json_t *
staff_new_doc(const json_t *body, const char *id, const char *actor_id,
              const char *now)
{
    assert(body && id && actor_id && now);
    const char *position = record_string(body, "position");
    json_t *doc = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:s, s:s, s:[]}", "id",
        id, "name", record_string(body, "name"), "role",
        record_string(body, "role"), "department",
        record_string(body, "department"), "status", "active", "state",
        "active", "contact", s_contact(body), "position",
        position ? json_string(position) : json_null(), "created_at", now,
        "updated_at", now, "created_by", actor_id, "history");
    assert(doc);
    record_history_add(doc, actor_id, "create", NULL, now);
    return doc;
}

void
staff_apply_patch(json_t *doc, const json_t *body)
{
    assert(doc && body);
    const char *strings[] = {"name", "department", "position"};
    for (size_t i = 0; i < 3; i++) {
        json_t *value = json_object_get(body, strings[i]);
        if (value) {
            json_object_set(doc, strings[i], value);
        }
    }
    if (json_object_get(body, "contact")) {
        json_object_set_new(doc, "contact", s_contact(body));
    }
}

// ---- indexes

const char *
staff_index_key(char *buf, size_t size, const char *department,
                const char *role, const char *status)
{
    char id[CM_STORE_KEY_MAX];
    int n =
        snprintf(id, sizeof id, "staff:%s:%s:%s", department ? department : "*",
                 role ? role : "*", status ? status : "*");
    if (n < 0 || (size_t)n >= sizeof id) {
        return NULL;
    }
    return record_key(buf, size, "idx", id);
}

void
staff_index_keys(const json_t *doc,
                 char keys[STAFF_INDEX_COUNT][CM_STORE_KEY_MAX])
{
    const char *department = record_string(doc, "department");
    const char *role = record_string(doc, "role");
    const char *status = record_string(doc, "status");
    for (unsigned mask = 0; mask < STAFF_INDEX_COUNT; mask++) {
        const char *built = staff_index_key(
            keys[mask], CM_STORE_KEY_MAX, (mask & 1) ? department : NULL,
            (mask & 2) ? role : NULL, (mask & 4) ? status : NULL);
        assert(built); // values are validated short names
    }
}

// ---- views, events, commits

json_t *
staff_actions(cm_ctx_t *ctx, const json_t *doc)
{
    const char *role = record_string(doc, "role");
    if (role && strcmp(role, PERSONNEL_TOP_ROLE) == 0
        && strcmp(cm_ctx_actor_role(ctx), PERSONNEL_TOP_ROLE) != 0) {
        return json_array();
    }
    return cm_workflow_actions(&staff_workflow, record_state(doc),
                               cm_ctx_actor(ctx), doc);
}

json_t *
staff_present(cm_ctx_t *ctx, const json_t *doc, int64_t version)
{
    return record_present(doc, version, staff_actions(ctx, doc));
}

json_t *
staff_event_data(const json_t *doc, int64_t version)
{
    json_t *data = json_pack(
        "{s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:I}", "id",
        json_object_get(doc, "id"), "name", json_object_get(doc, "name"),
        "role", json_object_get(doc, "role"), "department",
        json_object_get(doc, "department"), "status",
        json_object_get(doc, "status"), "position",
        json_object_get(doc, "position"), "version", (json_int_t)version);
    assert(data);
    return data;
}

static bool
s_key_in(char keys[STAFF_INDEX_COUNT][CM_STORE_KEY_MAX], const char *key)
{
    for (size_t i = 0; i < STAFF_INDEX_COUNT; i++) {
        if (strcmp(keys[i], key) == 0) {
            return true;
        }
    }
    return false;
}

void
staff_commit_add(cm_ctx_t *ctx, cm_commit_t *commit, const json_t *doc,
                 const json_t *old_doc, int64_t expected_version,
                 const char *event_type, json_t *data)
{
    const char *id = record_string(doc, "id");
    record_commit_doc(commit, STAFF_KIND, id, expected_version, doc);
    char keys[STAFF_INDEX_COUNT][CM_STORE_KEY_MAX];
    staff_index_keys(doc, keys);
    if (old_doc) {
        char old_keys[STAFF_INDEX_COUNT][CM_STORE_KEY_MAX];
        staff_index_keys(old_doc, old_keys);
        for (size_t i = 0; i < STAFF_INDEX_COUNT; i++) {
            if (!s_key_in(keys, old_keys[i])) {
                cm_commit_index_remove(commit, old_keys[i], id);
            }
        }
    }
    int64_t score = record_created_ms(doc);
    for (size_t i = 0; i < STAFF_INDEX_COUNT; i++) {
        cm_commit_index_add(commit, keys[i], id, score);
    }
    char subject[S_LOCATION_MAX];
    snprintf(subject, sizeof subject, "staff/%s", id);
    int64_t version =
        expected_version == CM_VERSION_NEW ? 1 : expected_version + 1;
    cm_ctx_event(ctx, commit, event_type, subject, version, data);
}

json_t *
staff_load(cm_ctx_t *ctx, int64_t *version)
{
    const char *id = cm_ctx_param(ctx, "id");
    if (!cm_id_parse(id, STAFF_ID_PREFIX, NULL)) {
        record_fail(ctx, CM_ENOTFOUND, "staff member", id);
        return NULL;
    }
    return record_load(ctx, STAFF_KIND, "staff member", id, version);
}

// ---- handlers

// The department and position body names must exist. 0 when they do,
// else -1 after answering (400 naming them, or 503).
static int
s_check_references(cm_ctx_t *ctx, const json_t *body)
{
    json_t *problem = NULL;
    const char *department = record_string(body, "department");
    const char *position = record_string(body, "position");
    bool exists = true;
    if (department) {
        if (record_exists(ctx, DEPARTMENT_KIND, department, &exists) != 0) {
            return -1;
        }
        if (!exists) {
            cm_validate_fail(&problem, "department", "no such department");
        }
    }
    if (position) {
        if (record_exists(ctx, POSITION_KIND, position, &exists) != 0) {
            json_decref(problem);
            return -1;
        }
        if (!exists) {
            cm_validate_fail(&problem, "position", "no such position");
        }
    }
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return -1;
    }
    return 0;
}

void
staff_create(cm_ctx_t *ctx)
{
    if (!access_manager(ctx, "manage staff")) {
        return;
    }
    const json_t *body = cm_ctx_body(ctx);
    json_t *problem = staff_validate_create(body);
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    char id[CM_ID_MAX];
    if (!access_may_touch_role(ctx, record_string(body, "role"))
        || s_check_references(ctx, body) != 0
        || record_next_id(ctx, STAFF_KIND, STAFF_ID_PREFIX, id) != 0) {
        return;
    }
    char now[CM_TIME_TEXT_MAX];
    cm_time_format(cm_time_now_ms(), now);
    json_t *doc = staff_new_doc(body, id, cm_ctx_actor_id(ctx), now);
    cm_commit_t *commit = cm_commit_new(PERSONNEL_OWNER);
    staff_commit_add(ctx, commit, doc, NULL, CM_VERSION_NEW,
                     "personnel.staff.created", staff_event_data(doc, 1));
    char location[S_LOCATION_MAX];
    snprintf(location, sizeof location, "/v1/staff/%s", id);
    record_commit_reply(ctx, commit, 201, staff_present(ctx, doc, 1), 1,
                        location);
    cm_commit_destroy(&commit);
    json_decref(doc);
}

// The filter values must be well formed; adds to *problem.
static void
s_validate_filters(cm_ctx_t *ctx, json_t **problem)
{
    const char *department = cm_ctx_query(ctx, "department");
    if (department && !department_code_is_valid(department)) {
        cm_validate_fail(problem, "department", "must be a department id");
    }
    const json_t *query = cm_ctx_query_object(ctx);
    if (cm_ctx_query(ctx, "role")) {
        cm_validate_enum(query, "role", PERSONNEL_ROLES, CM_VALIDATE_OPTIONAL,
                         problem);
    }
    if (cm_ctx_query(ctx, "status")) {
        cm_validate_enum(query, "status", STAFF_STATUSES, CM_VALIDATE_OPTIONAL,
                         problem);
    }
}

void
staff_list(cm_ctx_t *ctx)
{
    if (!access_authenticated(ctx)) {
        return;
    }
    listing_t listing;
    json_t *problem =
        listing_parse(cm_ctx_query_object(ctx), S_FILTERS, &listing);
    s_validate_filters(ctx, &problem);
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    char key[CM_STORE_KEY_MAX];
    const char *built =
        staff_index_key(key, sizeof key, cm_ctx_query(ctx, "department"),
                        cm_ctx_query(ctx, "role"), cm_ctx_query(ctx, "status"));
    assert(built); // filter values are validated short names
    listing_reply(ctx, key, &listing, STAFF_KIND, staff_present);
}

void
staff_get(cm_ctx_t *ctx)
{
    if (access_authenticated(ctx)) {
        record_get(ctx, staff_load, staff_present);
    }
}

// "name, contact": the members a patch changes, for history and events.
static void
s_changed_fields(const json_t *body, char *note, size_t size)
{
    note[0] = '\0';
    const char *key;
    json_t *value;
    size_t used = 0;
    json_object_foreach((json_t *)body, key, value)
    {
        int n =
            snprintf(note + used, size - used, "%s%s", used ? ", " : "", key);
        if (n < 0 || (size_t)n >= size - used) {
            break;
        }
        used += (size_t)n;
    }
}

// Validate, apply and write a patch to doc (at version).
static void
s_patch_doc(cm_ctx_t *ctx, json_t *doc, int64_t version, const json_t *body)
{
    json_t *problem = staff_validate_patch(body);
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    if (s_check_references(ctx, body) != 0) {
        return;
    }
    json_t *old_doc = json_deep_copy(doc);
    assert(old_doc);
    char now[CM_TIME_TEXT_MAX];
    char note[S_NOTE_MAX];
    cm_time_format(cm_time_now_ms(), now);
    s_changed_fields(body, note, sizeof note);
    staff_apply_patch(doc, body);
    record_history_add(doc, cm_ctx_actor_id(ctx), "update", note, now);
    json_t *data = staff_event_data(doc, version + 1);
    json_object_set_new(data, "changed", json_string(note));
    cm_commit_t *commit = cm_commit_new(PERSONNEL_OWNER);
    staff_commit_add(ctx, commit, doc, old_doc, version,
                     "personnel.staff.updated", data);
    record_commit_reply(ctx, commit, 200, staff_present(ctx, doc, version + 1),
                        version + 1, NULL);
    cm_commit_destroy(&commit);
    json_decref(old_doc);
}

void
staff_patch(cm_ctx_t *ctx)
{
    if (!access_manager(ctx, "manage staff")) {
        return;
    }
    int64_t version = 0;
    json_t *doc = staff_load(ctx, &version);
    if (!doc || !access_may_touch_role(ctx, record_string(doc, "role"))
        || !record_if_match(ctx, version)) {
        json_decref(doc);
        return;
    }
    cm_workflow_step_t step;
    json_t *problem =
        cm_workflow_apply(&staff_workflow, record_state(doc), "update",
                          cm_ctx_actor(ctx), doc, cm_ctx_body(ctx), &step);
    if (problem) {
        cm_ctx_fail(ctx, problem);
    } else {
        s_patch_doc(ctx, doc, version, cm_ctx_body(ctx));
    }
    json_decref(doc);
}
