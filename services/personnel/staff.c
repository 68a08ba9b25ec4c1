#include "staff.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "access.h"
#include "cm_action.h"
#include "cm_field.h"
#include "cm_id.h"
#include "cm_list.h"
#include "cm_problem.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "department.h"
#include "events/personnel.h"
#include "org.h"
#include "personnel.h"
#include "position.h"
#include "staff_action.h"

#define S_PHONE_CHARS "0123456789+-() ."
#define S_PHONE_MIN   3
#define S_FIELD_MAX   (CM_VALIDATE_NAME_MAX + 16)

// ---- body tables (pure)

static void
s_check_phone(const json_t *contact, json_t **problem)
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
s_check_email(const json_t *contact, json_t **problem)
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

static bool
s_check_contact(const json_t *contact, const char *field, json_t **problem)
{
    (void)field; // errors name contact.<member>
    size_t before = json_array_size(json_object_get(*problem, "errors"));
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)contact, key, value)
    {
        if (strcmp(key, "phone") != 0 && strcmp(key, "email") != 0) {
            char name[S_FIELD_MAX];
            snprintf(name, sizeof name, "contact.%.*s", CM_VALIDATE_NAME_MAX,
                     key);
            cm_validate_fail(problem, name, "is not allowed");
        }
    }
    s_check_phone(contact, problem);
    s_check_email(contact, problem);
    return json_array_size(json_object_get(*problem, "errors")) == before;
}

static bool
s_check_department(const json_t *value, const char *field, json_t **problem)
{
    return department_code_is_valid(json_string_value(value))
           || cm_validate_fail(problem, field, "must be a department id");
}

static bool
s_check_position(const json_t *value, const char *field, json_t **problem)
{
    return cm_id_parse(json_string_value(value), POSITION_ID_PREFIX, NULL)
           || cm_validate_fail(problem, field,
                               "must be a position id such as POS-3");
}

bool
staff_skill_is_valid(const char *skill)
{
    size_t n = skill ? strlen(skill) : 0;
    return n >= 2 && n <= STAFF_SKILL_MAX && skill[0] >= 'a' && skill[0] <= 'z'
           && strspn(skill, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

bool
staff_check_skill(const json_t *value, const char *field, json_t **problem)
{
    return staff_skill_is_valid(json_string_value(value))
           || cm_validate_fail(problem, field,
                               "must be 2-32 characters: a-z, 0-9 and _, "
                               "starting with a letter");
}

void
staff_check_skills_unique(const json_t *body, json_t **problem)
{
    const json_t *skills = json_object_get(body, "skills");
    for (size_t i = 0; i < json_array_size(skills); i++) {
        const char *a = json_string_value(json_array_get(skills, i));
        for (size_t j = 0; a && j < i; j++) {
            const char *b = json_string_value(json_array_get(skills, j));
            if (b && strcmp(a, b) == 0) {
                char name[S_FIELD_MAX];
                snprintf(name, sizeof name, "skills[%zu]", i);
                cm_validate_fail(problem, name, "is listed twice");
                break;
            }
        }
    }
}

// contract: {kind, start, end?}; end not before start, required for the
// kinds that end.
bool
staff_check_contract(const json_t *contract, const char *field,
                     json_t **problem)
{
    static const cm_field_t parts[] = {
        {"kind", CM_FIELD_ENUM, CM_FIELD_REQUIRED,
         .values = STAFF_CONTRACT_KINDS},
        {"start", CM_FIELD_DATE, CM_FIELD_REQUIRED},
        {"end", CM_FIELD_DATE, 0},
        CM_FIELD_END,
    };
    if (!cm_field_check_object(parts, contract, field, problem)) {
        return false;
    }
    const char *kind = cm_doc_text(contract, "kind");
    const char *start = cm_doc_text(contract, "start");
    const char *end = cm_doc_string(contract, "end");
    char name[S_FIELD_MAX];
    snprintf(name, sizeof name, "%s.end", field);
    bool ends =
        strcmp(kind, "fixed_term") == 0 || strcmp(kind, "probation") == 0;
    if (!end && ends) {
        return cm_validate_fail(problem, name,
                                "is required for a fixed_term or probation "
                                "contract");
    }
    if (end && strcmp(end, start) < 0) {
        return cm_validate_fail(problem, name, "must not be before start");
    }
    return true;
}

static const cm_field_t s_create_fields[] = {
    {"name", CM_FIELD_STRING, CM_FIELD_REQUIRED, .max = STAFF_NAME_MAX},
    {"role", CM_FIELD_ENUM, CM_FIELD_REQUIRED, .values = PERSONNEL_ROLES},
    {"department", CM_FIELD_ANY, CM_FIELD_REQUIRED,
     .check = s_check_department},
    {"contact", CM_FIELD_OBJECT, 0, .check = s_check_contact},
    {"position", CM_FIELD_ANY, 0, .check = s_check_position},
    {"contract", CM_FIELD_OBJECT, 0, .check = staff_check_contract},
    {"skills", CM_FIELD_ARRAY, 0, .max = STAFF_SKILLS_MAX,
     .check = staff_check_skill},
    CM_FIELD_END,
};

static const cm_field_t s_patch_fields[] = {
    {"name", CM_FIELD_STRING, 0, .max = STAFF_NAME_MAX},
    {"department", CM_FIELD_ANY, 0, .check = s_check_department},
    {"contact", CM_FIELD_OBJECT, 0, .check = s_check_contact},
    {"position", CM_FIELD_ANY, 0, .check = s_check_position},
    {"contract", CM_FIELD_OBJECT, 0, .check = staff_check_contract},
    {"skills", CM_FIELD_ARRAY, 0, .max = STAFF_SKILLS_MAX,
     .check = staff_check_skill},
    CM_FIELD_END,
};

json_t *
staff_validate_create(const json_t *body)
{
    json_t *problem = NULL;
    if (!json_is_object(body)) {
        cm_validate_fail(&problem, "body", "must be a JSON object");
        return problem;
    }
    cm_field_check(s_create_fields, body, &problem);
    staff_check_skills_unique(body, &problem);
    return problem;
}

// Role and status are not fields: point at the actions instead. Returns
// body without them (caller owns it).
static json_t *
s_patch_hints(const json_t *body, json_t **problem)
{
    json_t *rest = json_copy((json_t *)body); // shallow: members shared
    assert(rest);
    if (json_object_get(body, "role")) {
        cm_validate_fail(problem, "role",
                         "is changed with POST /v1/staff/{id}/change-role");
        json_object_del(rest, "role");
    }
    const char *statuses[] = {"status", "state"};
    for (size_t i = 0; i < 2; i++) {
        if (json_object_get(body, statuses[i])) {
            cm_validate_fail(problem, statuses[i],
                             "is changed with the suspend, reinstate and "
                             "leave actions");
            json_object_del(rest, statuses[i]);
        }
    }
    return rest;
}

json_t *
staff_validate_patch(const json_t *body)
{
    json_t *problem = NULL;
    if (!json_is_object(body) || json_object_size(body) == 0) {
        cm_validate_fail(&problem, "body",
                         json_is_object(body) ? "names no field to change"
                                              : "must be a JSON object");
        return problem;
    }
    json_t *rest = s_patch_hints(body, &problem);
    const char *required[] = {"name", "department"};
    for (size_t i = 0; i < 2; i++) {
        if (json_is_null(json_object_get(rest, required[i]))) {
            cm_validate_fail(&problem, required[i], "cannot be removed");
        }
    }
    cm_field_check(s_patch_fields, rest, &problem);
    staff_check_skills_unique(rest, &problem);
    json_decref(rest);
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
    const char *phone = cm_doc_string(contact, "phone");
    const char *email = cm_doc_string(contact, "email");
    return json_pack("{s:o, s:o}", "phone",
                     phone ? json_string(phone) : json_null(), "email",
                     email ? json_string(email) : json_null());
}

// The contract of a valid body as a new reference: {kind, start, end} or
// null.
static json_t *
s_contract(const json_t *body)
{
    const json_t *contract = json_object_get(body, "contract");
    if (!json_is_object(contract)) {
        return json_null();
    }
    const char *end = cm_doc_string(contract, "end");
    return json_pack("{s:O, s:O, s:o}", "kind",
                     json_object_get(contract, "kind"), "start",
                     json_object_get(contract, "start"), "end",
                     end ? json_string(end) : json_null());
}

// The skills of a valid body as a new reference (a copy; [] when absent).
static json_t *
s_skills(const json_t *body)
{
    const json_t *skills = json_object_get(body, "skills");
    return json_is_array(skills) ? json_deep_copy(skills) : json_array();
}

json_t *
staff_new_doc(const json_t *body, const char *id, const json_t *actor,
              int64_t now_ms)
{
    assert(body && id);
    json_t *doc = cm_doc_new(id, "active", actor, now_ms);
    const char *position = cm_doc_string(body, "position");
    json_object_set(doc, "name", json_object_get(body, "name"));
    json_object_set(doc, "role", json_object_get(body, "role"));
    json_object_set(doc, "department", json_object_get(body, "department"));
    json_object_set_new(doc, "status", json_string("active"));
    json_object_set_new(doc, "contact", s_contact(body));
    json_object_set_new(doc, "position",
                        position ? json_string(position) : json_null());
    json_object_set_new(doc, "contract", s_contract(body));
    json_object_set_new(doc, "skills", s_skills(body));
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
    if (json_object_get(body, "contract")) {
        json_object_set_new(doc, "contract", s_contract(body));
    }
    if (json_object_get(body, "skills")) {
        json_object_set_new(doc, "skills", s_skills(body));
    }
}

json_t *
staff_event_data(const json_t *doc)
{
    json_t *data = json_pack("{s:O?, s:O?, s:O?, s:O?, s:O?, s:O?}", "id",
                             json_object_get(doc, "id"), "name",
                             json_object_get(doc, "name"), "role",
                             json_object_get(doc, "role"), "department",
                             json_object_get(doc, "department"), "status",
                             json_object_get(doc, "status"), "position",
                             json_object_get(doc, "position"));
    assert(data);
    // Records made before contracts and skills were kept: null and [].
    const json_t *skills = json_object_get(doc, "skills");
    json_object_set_new(data, "contract",
                        json_deep_copy(json_object_get(doc, "contract")));
    if (!json_object_get(data, "contract")) {
        json_object_set_new(data, "contract", json_null());
    }
    json_object_set_new(data, "skills",
                        json_is_array(skills) ? json_deep_copy(skills)
                                              : json_array());
    // Hired through recruitment: untrained until safety-audit's onboarding.
    json_t *training = json_object_get(doc, "training_status");
    if (json_is_string(training)) {
        json_object_set(data, "training_status", training);
    }
    return data;
}

json_t *
staff_refuse_top(const json_t *actor, const json_t *staff)
{
    if (!access_is_top(staff) || access_is_top(actor)) {
        return NULL;
    }
    return access_forbidden("act on the station head's record or tokens "
                            "(only the station head does)");
}

// The caller's view: nothing to do on a station head's record but for a
// station head.
static void
s_decorate(cm_ctx_t *ctx, const json_t *doc, json_t *view)
{
    json_t *refused = staff_refuse_top(cm_ctx_actor(ctx), doc);
    if (refused) {
        json_object_set_new(view, "actions", json_array());
    }
    json_decref(refused);
}

static const cm_filter_t s_filters[] = {
    {"department"},
    {"role", NULL, PERSONNEL_ROLES},
    {"status", NULL, STAFF_STATUSES},
    {NULL},
};

const cm_doc_type_t staff_type = {
    .owner = PERSONNEL_OWNER,
    .kind = STAFF_KIND,
    .what = "staff member",
    .id_prefix = STAFF_ID_PREFIX,
    .path = "/v1/staff",
    .filters = s_filters,
    .workflow = &staff_workflow,
    .event_data = staff_event_data,
    .decorate = s_decorate,
};

// ---- handlers

// Whether document id of type exists: adds "no such <what>" to *problem;
// -1 when Redis is unavailable.
static int
s_exists(cm_store_t *store, const cm_doc_type_t *type, const char *field,
         const char *id, json_t **problem)
{
    if (!id) {
        return 0;
    }
    json_t *doc = NULL;
    int64_t version = 0;
    int rc = cm_doc_read(store, type, id, &doc, &version);
    json_decref(doc);
    if (rc == CM_ENOTFOUND) {
        char message[64];
        snprintf(message, sizeof message, "no such %s", type->what);
        cm_validate_fail(problem, field, message);
    }
    return rc == 0 || rc == CM_ENOTFOUND ? 0 : -1;
}

json_t *
staff_check_references(cm_store_t *store, const json_t *body)
{
    json_t *problem = NULL;
    if (s_exists(store, &department_type, "department",
                 cm_doc_string(body, "department"), &problem)
            != 0
        || s_exists(store, &position_type, "position",
                    cm_doc_string(body, "position"), &problem)
               != 0) {
        json_decref(problem);
        return cm_problem_new(503, "store_unavailable",
                              "the store is unavailable; retry");
    }
    return problem;
}

// Who may create this person: a manager granting the role, in a
// department they oversee. NULL or a problem.
static json_t *
s_create_allowed(cm_ctx_t *ctx, const json_t *body)
{
    const json_t *actor = cm_ctx_actor(ctx);
    if (!access_may_grant(actor, cm_doc_string(body, "role"))) {
        return access_forbidden("grant this role (only the station head "
                                "grants station_head and deputy_head)");
    }
    if (!access_oversees(actor, cm_doc_string(body, "department"))) {
        return access_forbidden("create staff in a department you do not "
                                "oversee");
    }
    return staff_check_references(cm_ctx_store(ctx), body);
}

// Write a new staff member; the one station head is claimed in the same
// commit.
static void
s_create_commit(cm_ctx_t *ctx, json_t *doc, int64_t now)
{
    cm_commit_t *commit = cm_commit_new(PERSONNEL_OWNER);
    json_t *problem = NULL;
    if (access_is_top(doc)) {
        problem = org_claim_station_head(cm_ctx_store(ctx),
                                         cm_doc_text(doc, "id"), commit);
    }
    if (!problem
        && (cm_doc_commit(commit, &staff_type, NULL, doc, CM_VERSION_NEW, now)
                != 0
            || cm_doc_event(ctx, commit, &staff_type,
                            PERSONNEL_EVENT_STAFF_CREATED, doc, 1, NULL)
                   != 0)) {
        problem = cm_problem_new(422, "document_too_large",
                                 "the staff member is too large");
    }
    if (problem) {
        cm_ctx_fail(ctx, problem);
    } else {
        cm_doc_reply_commit(ctx, commit, &staff_type, 201, doc, 1);
    }
    cm_commit_destroy(&commit);
}

void
staff_create(cm_ctx_t *ctx)
{
    if (!access_manager(ctx, "manage staff")) {
        return;
    }
    const json_t *body = cm_ctx_body(ctx);
    json_t *problem = staff_validate_create(body);
    problem = problem ? problem : s_create_allowed(ctx, body);
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    char id[CM_ID_MAX];
    if (cm_doc_next_id(ctx, &staff_type, id) != 0) {
        return;
    }
    int64_t now = cm_time_now_ms();
    json_t *doc = staff_new_doc(body, id, cm_ctx_actor(ctx), now);
    s_create_commit(ctx, doc, now);
    json_decref(doc);
}

void
staff_list(cm_ctx_t *ctx)
{
    if (access_authenticated(ctx)) {
        cm_list_run(ctx, &staff_type, NULL);
    }
}

void
staff_get(cm_ctx_t *ctx)
{
    if (access_authenticated(ctx)) {
        cm_doc_get(ctx, &staff_type);
    }
}

void
staff_patch(cm_ctx_t *ctx)
{
    if (access_authenticated(ctx)) {
        cm_action_patch(ctx, &staff_type);
    }
}

void
staff_history(cm_ctx_t *ctx)
{
    if (access_authenticated(ctx)) {
        cm_doc_history(ctx, &staff_type);
    }
}

void
staff_act(cm_ctx_t *ctx)
{
    if (access_authenticated(ctx)) {
        cm_action_run(ctx, &staff_type);
    }
}
