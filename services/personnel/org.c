#include "org.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_doc.h"
#include "cm_id.h"
#include "cm_problem.h"
#include "cm_status.h"
#include "department.h"
#include "events/personnel.h"
#include "personnel.h"
#include "staff.h"

#define S_HEADS_MAX  50 // station heads read (at most one is active)
#define S_DETAIL_MAX 256
#define S_LOCK_KIND  "lock"
#define S_LOCK_ID    "station_head"

// ---- the caller as personnel knows them now

json_t *
org_posts_of(cm_store_t *store, const char *field, const char *id)
{
    assert(store && field && id);
    char key[CM_STORE_KEY_MAX];
    if (!cm_doc_index_key(&department_type, field, id, key, sizeof key)) {
        return json_array(); // an id this long heads nothing
    }
    cm_page_t page;
    if (cm_store_list(store, key, NULL, ORG_POSTS_MAX, false, &page) != 0) {
        return NULL;
    }
    json_t *codes = json_array();
    assert(codes);
    for (size_t i = 0; i < page.count; i++) {
        json_array_append_new(codes, json_string(page.members[i]));
    }
    cm_page_clear(&page);
    return codes;
}

static int
s_refuse(cm_ctx_t *ctx, const char *code, const char *detail)
{
    cm_ctx_fail(ctx, cm_problem_new(403, code, detail));
    return -1;
}

// The actor with staff's facts; NULL when Redis is unavailable. Posts
// count only for the roles that hold them.
static json_t *
s_current(cm_ctx_t *ctx, const json_t *staff)
{
    const char *id = cm_doc_text(staff, "id");
    const char *role = cm_doc_text(staff, "role");
    bool heads =
        strcmp(role, "dept_head") == 0 || strcmp(role, PERSONNEL_TOP_ROLE) == 0;
    bool deputy = strcmp(role, "deputy_head") == 0;
    json_t *head_of =
        heads ? org_posts_of(cm_ctx_store(ctx), "head", id) : json_array();
    json_t *oversees =
        deputy ? org_posts_of(cm_ctx_store(ctx), "deputy", id) : json_array();
    if (!head_of || !oversees) {
        json_decref(head_of);
        json_decref(oversees);
        return NULL;
    }
    json_t *actor = json_deep_copy(cm_ctx_actor(ctx));
    assert(actor);
    json_object_set(actor, "role", json_object_get(staff, "role"));
    json_object_set(actor, "department", json_object_get(staff, "department"));
    json_object_set_new(actor, "status", json_string("active"));
    json_object_set_new(actor, "heads", head_of);
    json_object_set_new(actor, "oversees", oversees);
    return actor;
}

int
org_refresh_actor(cm_ctx_t *ctx)
{
    assert(ctx);
    const char *id = cm_ctx_actor_id(ctx);
    if (!cm_id_parse(id, STAFF_ID_PREFIX, NULL)) {
        return 0; // the gateway's own calls, bootstrap: not a person
    }
    json_t *staff = NULL;
    int64_t version = 0;
    int rc = cm_doc_read(cm_ctx_store(ctx), &staff_type, id, &staff, &version);
    if (rc == CM_ENOTFOUND) {
        return s_refuse(ctx, "account_unknown",
                        "there is no staff member with your id; nothing was "
                        "changed");
    }
    if (rc != 0) {
        cm_doc_fail(ctx, rc, &staff_type, id);
        return -1;
    }
    json_t *actor = NULL;
    if (strcmp(cm_doc_text(staff, "status"), "active") != 0) {
        rc = s_refuse(ctx, "account_inactive",
                      "your account is suspended or has left; nothing was "
                      "changed");
    } else if (!(actor = s_current(ctx, staff))) {
        cm_doc_fail(ctx, CM_EUNAVAILABLE, &staff_type, id);
        rc = -1;
    } else {
        cm_ctx_set_actor(ctx, actor);
    }
    json_decref(staff);
    return rc;
}

// ---- posts

static void
s_violation(json_t **problem, const char *field, const char *message)
{
    if (!*problem) {
        *problem = cm_problem_new(422, "org_rule_violated",
                                  "a department's head must be an active "
                                  "dept_head of it, its deputy an active "
                                  "deputy head");
    }
    cm_problem_add_error(*problem, field, message);
}

// Why staff may not hold `field` of department code, or NULL. A post is
// given only to an active person; a suspended one keeps it.
static const char *
s_unfit(const json_t *staff, const char *field, const char *code, bool keeping)
{
    const char *role = cm_doc_text(staff, "role");
    const char *status = cm_doc_text(staff, "status");
    if (keeping ? strcmp(status, "left") == 0 : strcmp(status, "active") != 0) {
        return "must be an active staff member";
    }
    if (strcmp(field, "deputy") == 0) {
        return strcmp(role, "deputy_head") == 0 ? NULL
                                                : "must be a deputy head";
    }
    bool in_department = strcmp(cm_doc_text(staff, "department"), code) == 0;
    bool may_head =
        strcmp(role, "dept_head") == 0 || strcmp(role, PERSONNEL_TOP_ROLE) == 0;
    return may_head && in_department ? NULL
                                     : "must be a dept_head of this department";
}

// One post of body: adds to *problem; -1 when Redis is unavailable.
static int
s_check_post(cm_store_t *store, const json_t *body, const char *field,
             const char *code, json_t **problem)
{
    const char *id = cm_doc_string(body, field);
    if (!id) {
        return 0;
    }
    json_t *staff = NULL;
    int64_t version = 0;
    int rc = cm_id_parse(id, STAFF_ID_PREFIX, NULL)
                 ? cm_doc_read(store, &staff_type, id, &staff, &version)
                 : CM_ENOTFOUND;
    if (rc == CM_ENOTFOUND) {
        s_violation(problem, field, "no such staff member");
    } else if (rc == 0 && s_unfit(staff, field, code, false)) {
        s_violation(problem, field, s_unfit(staff, field, code, false));
    }
    json_decref(staff);
    return rc == 0 || rc == CM_ENOTFOUND ? 0 : -1;
}

json_t *
org_check_posts(cm_store_t *store, const json_t *body, const char *code)
{
    assert(store && code);
    json_t *problem = NULL;
    if (s_check_post(store, body, "head", code, &problem) != 0
        || s_check_post(store, body, "deputy", code, &problem) != 0) {
        json_decref(problem);
        return cm_problem_new(503, "store_unavailable",
                              "the store is unavailable; retry");
    }
    return problem;
}

// ---- one station head

// True when another active station head than id exists; -1 unavailable.
static int
s_other_station_head(cm_store_t *store, const char *id)
{
    char key[CM_STORE_KEY_MAX];
    const char *built = cm_doc_index_key(&staff_type, "role",
                                         PERSONNEL_TOP_ROLE, key, sizeof key);
    assert(built);
    cm_page_t page;
    if (cm_store_list(store, key, NULL, S_HEADS_MAX, false, &page) != 0) {
        return -1;
    }
    json_t *docs[S_HEADS_MAX];
    int64_t versions[S_HEADS_MAX];
    int rc =
        cm_doc_read_many(store, &staff_type, (const char *const *)page.members,
                         page.count, docs, versions);
    int other = rc == 0 ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < page.count; i++) {
        if (docs[i] && strcmp(cm_doc_text(docs[i], "id"), id) != 0
            && strcmp(cm_doc_text(docs[i], "role"), PERSONNEL_TOP_ROLE) == 0
            && strcmp(cm_doc_text(docs[i], "status"), "active") == 0) {
            other = 1;
        }
        json_decref(docs[i]);
    }
    cm_page_clear(&page);
    return other;
}

json_t *
org_claim_station_head(cm_store_t *store, const char *id, cm_commit_t *commit)
{
    assert(store && id && commit);
    char key[CM_STORE_KEY_MAX];
    const char *built =
        cm_store_key(key, sizeof key, PERSONNEL_OWNER, S_LOCK_KIND, S_LOCK_ID);
    assert(built);
    cm_doc_t lock;
    int rc = cm_store_get(store, key, &lock);
    int64_t version = rc == 0 ? lock.version : CM_VERSION_NEW;
    if (rc == 0) {
        cm_doc_clear(&lock);
    }
    int other =
        rc == 0 || rc == CM_ENOTFOUND ? s_other_station_head(store, id) : -1;
    if (other < 0) {
        return cm_problem_new(503, "store_unavailable",
                              "the store is unavailable; retry");
    }
    if (other) {
        return cm_problem_new(409, "station_head_exists",
                              "the station has an active station head; only "
                              "one may be active");
    }
    json_t *holder = json_pack("{s:s}", "station_head", id);
    char *text = json_dumps(holder, JSON_COMPACT);
    assert(text);
    cm_commit_doc(commit, key, version, text);
    free(text);
    json_decref(holder);
    return NULL;
}

// ---- releasing posts

// Clear `field` of department code (it names staff id): add the document
// and its event to commit. NULL or a problem.
static json_t *
s_release(cm_ctx_t *ctx, cm_commit_t *commit, const char *code,
          const char *field, int64_t now_ms)
{
    int64_t version = 0;
    json_t *old = NULL;
    int rc =
        cm_doc_read(cm_ctx_store(ctx), &department_type, code, &old, &version);
    if (rc == CM_ENOTFOUND) {
        return NULL; // an index entry being removed
    }
    if (rc != 0) {
        return cm_problem_new(503, "store_unavailable",
                              "the store is unavailable; retry");
    }
    json_t *doc = json_deep_copy(old);
    assert(doc);
    char note[S_DETAIL_MAX];
    snprintf(note, sizeof note, "%s %s no longer qualifies", field,
             cm_doc_text(old, field));
    json_object_set_new(doc, field, json_null());
    cm_doc_history_add(doc, cm_ctx_actor(ctx), "release", NULL, NULL, note,
                       json_pack("{s:n}", field), now_ms);
    json_t *problem = NULL;
    if (cm_doc_commit(commit, &department_type, old, doc, version, now_ms) != 0
        || cm_doc_event(ctx, commit, &department_type,
                        PERSONNEL_EVENT_DEPARTMENT_UPDATED, doc, version + 1,
                        NULL)
               != 0) {
        problem = cm_problem_new(422, "document_too_large",
                                 "the department would pass its size limit");
    }
    json_decref(doc);
    json_decref(old);
    return problem;
}

json_t *
org_release_posts(cm_ctx_t *ctx, cm_commit_t *commit, const json_t *staff,
                  int64_t now_ms)
{
    assert(ctx && commit && staff);
    const char *fields[] = {"head", "deputy"};
    json_t *problem = NULL;
    size_t released = 0;
    for (size_t f = 0; !problem && f < 2; f++) {
        json_t *codes = org_posts_of(cm_ctx_store(ctx), fields[f],
                                     cm_doc_text(staff, "id"));
        if (!codes) {
            return cm_problem_new(503, "store_unavailable",
                                  "the store is unavailable; retry");
        }
        for (size_t i = 0; !problem && i < json_array_size(codes); i++) {
            const char *code = json_string_value(json_array_get(codes, i));
            if (s_unfit(staff, fields[f], code, true)
                && ++released > ORG_RELEASE_MAX) {
                problem = cm_problem_new(422, "too_many_posts",
                                         "clear some of this person's posts "
                                         "first");
            } else if (s_unfit(staff, fields[f], code, true)) {
                problem = s_release(ctx, commit, code, fields[f], now_ms);
            }
        }
        json_decref(codes);
    }
    return problem;
}
