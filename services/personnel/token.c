#include "token.h"

#include <assert.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "cm_action.h"
#include "cm_field.h"
#include "cm_id.h"
#include "cm_list.h"
#include "cm_problem.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "events/personnel.h"
#include "personnel.h"
#include "staff.h"

#define S_HASH_BYTES 32
#define S_PATH_MAX   160
#define S_LOOKUP_MAX (5 + TOKEN_HASH_HEX_MAX) // "hash:" + hex
#define S_REASON_MAX 500

// ---- the type

static json_t *s_revoke_effect(cm_action_t *action);

static const cm_field_t s_revoke_fields[] = {
    {"reason", CM_FIELD_TEXT, 0, .max = S_REASON_MAX},
    CM_FIELD_END,
};

static const cm_workflow_row_t s_rows[] = {
    // state(s), action, roles, guards, required, next, event, fields, effect
    {"active expired", "revoke", "deputy_head", 0, NULL, "revoked",
     PERSONNEL_EVENT_TOKEN_REVOKED, s_revoke_fields, s_revoke_effect},
    {"active expired", "revoke", PERSONNEL_ROLES, CM_WORKFLOW_ASSIGNEE, NULL,
     "revoked", PERSONNEL_EVENT_TOKEN_REVOKED, s_revoke_fields,
     s_revoke_effect},
};

const cm_workflow_t token_workflow = {
    .name = "token",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "revoked",
    .superuser_role = PERSONNEL_TOP_ROLE,
    .assignee_field = "staff",
};

// Event data: the token without history and last characters.
static json_t *
s_event_data(const json_t *doc)
{
    json_t *data = json_pack(
        "{s:O?, s:O?, s:O?, s:O?}", "id", json_object_get(doc, "id"), "staff",
        json_object_get(doc, "staff"), "name", json_object_get(doc, "name"),
        "expires_at", json_object_get(doc, "expires_at"));
    assert(data);
    return data;
}

static void
s_item_view(cm_ctx_t *ctx, json_t *item)
{
    (void)ctx; // the same for every caller
    json_object_set_new(item, "state",
                        json_string(token_view_state(item, cm_time_now_ms())));
}

static void
s_decorate(cm_ctx_t *ctx, const json_t *doc, json_t *view)
{
    s_item_view(ctx, view);
    // Managers' actions are for the people they may manage (the handlers
    // checked it before showing the token): the owner revokes their own.
    (void)doc;
}

static const cm_filter_t s_filters[] = {{"staff"}, {NULL}};

const cm_doc_type_t token_type = {
    .owner = PERSONNEL_OWNER,
    .kind = TOKEN_KIND,
    .what = "token",
    .id_prefix = TOKEN_ID_PREFIX,
    .filters = s_filters,
    .workflow = &token_workflow,
    .event_data = s_event_data,
    .decorate = s_decorate,
    .item_view = s_item_view,
};

// ---- pure parts

const char *
token_generate(char *buf)
{
    assert(buf);
    char random[CM_TOKEN_MAX];
    cm_token_random(random);
    snprintf(buf, TOKEN_TEXT_MAX, "%s%s", TOKEN_PREFIX, random);
    sodium_memzero(random, sizeof random);
    return buf;
}

const char *
token_hash(const char *secret, char *hex)
{
    assert(secret && hex);
    unsigned char digest[S_HASH_BYTES];
    crypto_generichash(digest, sizeof digest, (const unsigned char *)secret,
                       strlen(secret), NULL, 0);
    sodium_bin2hex(hex, TOKEN_HASH_HEX_MAX, digest, sizeof digest);
    return hex;
}

static const cm_field_t s_issue_fields[] = {
    {"name", CM_FIELD_STRING, 0, .max = TOKEN_NAME_MAX},
    {"expires_at", CM_FIELD_TIME, 0},
    CM_FIELD_END,
};

json_t *
token_validate_issue(const json_t *body, int64_t now_ms)
{
    json_t *problem = NULL;
    if (!body) {
        return NULL;
    }
    cm_field_check(s_issue_fields, body, &problem);
    const char *expires = cm_doc_string(body, "expires_at");
    int64_t expires_ms = 0;
    if (expires && cm_time_parse(expires, &expires_ms) == 0
        && expires_ms <= now_ms) {
        cm_validate_fail(&problem, "expires_at", "must be in the future");
    }
    return problem;
}

// The last characters of a long secret, or null for a short one (which
// they would half give away). New reference.
static json_t *
s_last_chars(const char *secret)
{
    size_t n = strlen(secret);
    if (n < TOKEN_LAST_MIN_LEN) {
        return json_null();
    }
    return json_string(secret + n - TOKEN_LAST_CHARS);
}

json_t *
token_new_doc(const json_t *body, const char *id, const char *staff_id,
              const char *secret, const json_t *actor, int64_t now_ms)
{
    assert(id && staff_id && secret);
    json_t *doc = cm_doc_new(id, "active", NULL, now_ms);
    const char *name = cm_doc_string(body, "name");
    json_object_set_new(doc, "staff", json_string(staff_id));
    json_object_set_new(doc, "name", name ? json_string(name) : json_null());
    int64_t expires = cm_doc_time(body, "expires_at", -1);
    if (expires >= 0) {
        cm_doc_set_time(doc, "expires_at", expires);
    } else {
        json_object_set_new(doc, "expires_at", json_null());
    }
    json_object_set_new(doc, "last4", s_last_chars(secret));
    json_object_set_new(doc, "revoked_at", json_null());
    json_object_set_new(doc, "revoked_by", json_null());
    json_object_set(doc, "created_by", json_object_get(actor, "id"));
    if (actor) {
        cm_doc_history_add(doc, actor, "issue", NULL, "active", NULL, NULL,
                           now_ms);
    }
    return doc;
}

const char *
token_view_state(const json_t *doc, int64_t now_ms)
{
    const char *state = cm_doc_state(doc);
    if (strcmp(state, "active") != 0) {
        return strcmp(state, "revoked") == 0 ? "revoked" : "unknown";
    }
    return cm_doc_time(doc, "expires_at", INT64_MAX) <= now_ms ? "expired"
                                                               : "active";
}

// ---- commits

const char *
token_lookup_key(const char *hash_hex, char *buf)
{
    char lookup_id[S_LOOKUP_MAX];
    snprintf(lookup_id, sizeof lookup_id, "hash:%s", hash_hex);
    const char *built =
        cm_doc_key(&token_type, lookup_id, buf, CM_STORE_KEY_MAX);
    assert(built);
    return buf;
}

int
token_commit_issue(cm_ctx_t *ctx, cm_commit_t *commit, json_t *doc,
                   const char *hash_hex, int64_t now_ms)
{
    if (cm_doc_commit(commit, &token_type, NULL, doc, CM_VERSION_NEW, now_ms)
        != 0) {
        return -1;
    }
    json_t *lookup =
        json_pack("{s:O, s:O, s:s}", "token", json_object_get(doc, "id"),
                  "staff", json_object_get(doc, "staff"), "state", "active");
    assert(lookup);
    char *text = json_dumps(lookup, JSON_COMPACT | JSON_SORT_KEYS);
    assert(text);
    char key[CM_STORE_KEY_MAX];
    cm_commit_doc(commit, token_lookup_key(hash_hex, key), CM_VERSION_NEW,
                  text);
    cm_commit_field(commit, "state", "active");
    free(text);
    json_decref(lookup);
    return cm_doc_event(ctx, commit, &token_type, PERSONNEL_EVENT_TOKEN_ISSUED,
                        doc, 1, NULL);
}

// ---- handlers

// The staff member of the path, for the token routes: authenticated, a
// caller allowed to see their private data (access.h), and the station
// head's tokens only for the station head (and the auditor, who changes
// nothing). NULL after answering. Caller owns the result.
static json_t *
s_load_owner(cm_ctx_t *ctx)
{
    if (!access_authenticated(ctx)) {
        return NULL;
    }
    int64_t version = 0;
    json_t *staff =
        cm_doc_load(ctx, &staff_type, cm_ctx_param(ctx, "id"), &version);
    if (staff && !access_may_read_private(cm_ctx_actor(ctx), staff)) {
        cm_ctx_fail(ctx, access_forbidden("see this staff member's tokens"));
        json_decref(staff);
        return NULL;
    }
    return staff;
}

// For a write on staff's tokens: the owner (revoking their own) or who may
// manage them. True to go on, else answered 403.
static bool
s_may_write(cm_ctx_t *ctx, const json_t *staff, bool owner_may)
{
    const json_t *actor = cm_ctx_actor(ctx);
    bool owner =
        strcmp(cm_doc_text(actor, "id"), cm_doc_text(staff, "id")) == 0;
    if ((owner_may && owner) || access_may_manage(actor, staff)) {
        return true;
    }
    json_t *problem = staff_refuse_top(actor, staff);
    cm_ctx_fail(ctx, problem ? problem
                             : access_forbidden("manage the credentials of "
                                                "staff outside the "
                                                "departments you oversee"));
    return false;
}

// Check the issue request; true to go on, else answered.
static bool
s_issue_allowed(cm_ctx_t *ctx, const json_t *staff)
{
    if (!s_may_write(ctx, staff, false)) {
        return false;
    }
    if (strcmp(cm_doc_state(staff), "active") != 0) {
        cm_ctx_fail(ctx, cm_problem_new(409, "staff_not_active",
                                        "tokens are issued to active staff "
                                        "only"));
        return false;
    }
    json_t *problem = token_validate_issue(cm_ctx_body(ctx), cm_time_now_ms());
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return false;
    }
    return true;
}

// Write the token and answer 201. The idempotency record keeps the reply
// without the secret (stored only hashed); the live reply then gets it.
static void
s_issue(cm_ctx_t *ctx, const char *staff_id, const char *id)
{
    char secret[TOKEN_TEXT_MAX];
    char hash[TOKEN_HASH_HEX_MAX];
    int64_t now = cm_time_now_ms();
    token_generate(secret);
    token_hash(secret, hash);
    json_t *doc = token_new_doc(cm_ctx_body(ctx), id, staff_id, secret,
                                cm_ctx_actor(ctx), now);
    cm_commit_t *commit = cm_commit_new(PERSONNEL_OWNER);
    char location[S_PATH_MAX];
    snprintf(location, sizeof location, "/v1/staff/%s/tokens/%s", staff_id, id);
    cm_ctx_header(ctx, "Location", location);
    if (token_commit_issue(ctx, commit, doc, hash, now) != 0) {
        cm_ctx_fail_status(ctx, CM_EINVAL, "the token is too large");
    } else if (cm_doc_reply_commit(ctx, commit, &token_type, 201, doc, 1)
               == CM_COMMIT_OK) {
        json_t *view = cm_doc_view(ctx, &token_type, doc, 1);
        json_object_set_new(view, "token", json_string(secret));
        cm_ctx_reply(ctx, 201, view);
    }
    sodium_memzero(secret, sizeof secret);
    cm_commit_destroy(&commit);
    json_decref(doc);
}

void
token_issue(cm_ctx_t *ctx)
{
    if (!access_manager(ctx, "issue tokens")) {
        return;
    }
    json_t *staff = s_load_owner(ctx);
    char id[CM_ID_MAX];
    if (staff && s_issue_allowed(ctx, staff)
        && cm_doc_next_id(ctx, &token_type, id) == 0) {
        s_issue(ctx, cm_doc_text(staff, "id"), id);
    }
    json_decref(staff);
}

// The list is the path's staff member's: the `staff` filter is the path.
static json_t *
s_scope(cm_ctx_t *ctx, const cm_doc_type_t *type, cm_list_query_t *query)
{
    (void)type; // one filter: staff, the first
    if (query->values[0]) {
        json_t *problem = NULL;
        cm_validate_fail(&problem, "staff", "is not a parameter of this list");
        return problem;
    }
    query->values[0] = cm_ctx_param(ctx, "id");
    return NULL;
}

void
token_list(cm_ctx_t *ctx)
{
    json_t *staff = s_load_owner(ctx);
    if (staff) {
        cm_list_run(ctx, &token_type, s_scope);
    }
    json_decref(staff);
}

// The token of the path, owned by the path's staff member; NULL after
// answering 404/503. Caller owns the result.
static json_t *
s_load_token(cm_ctx_t *ctx, int64_t *version)
{
    const char *id = cm_ctx_param(ctx, "token_id");
    if (!cm_id_parse(id, TOKEN_ID_PREFIX, NULL)) {
        cm_doc_fail(ctx, CM_ENOTFOUND, &token_type, id);
        return NULL;
    }
    json_t *doc = cm_doc_load(ctx, &token_type, id, version);
    if (doc
        && strcmp(cm_doc_text(doc, "staff"), cm_ctx_param(ctx, "id")) != 0) {
        cm_doc_fail(ctx, CM_ENOTFOUND, &token_type, id);
        json_decref(doc);
        return NULL;
    }
    return doc;
}

void
token_get(cm_ctx_t *ctx)
{
    int64_t version = 0;
    json_t *staff = s_load_owner(ctx);
    json_t *doc = staff ? s_load_token(ctx, &version) : NULL;
    if (doc) {
        cm_doc_etag(ctx, version);
        cm_ctx_reply(ctx, 200, cm_doc_view(ctx, &token_type, doc, version));
    }
    json_decref(doc);
    json_decref(staff);
}

static json_t *
s_revoke_effect(cm_action_t *a)
{
    cm_doc_set_time(a->doc, "revoked_at", a->now_ms);
    cm_doc_set_string(a->doc, "revoked_by", cm_doc_text(a->actor, "id"));
    return NULL;
}

void
token_revoke(cm_ctx_t *ctx)
{
    int64_t version = 0;
    json_t *staff = s_load_owner(ctx);
    json_t *doc = staff && s_may_write(ctx, staff, true)
                      ? s_load_token(ctx, &version)
                      : NULL;
    if (doc) {
        cm_action_run_named(ctx, &token_type, cm_ctx_param(ctx, "token_id"),
                            "revoke");
    }
    json_decref(doc);
    json_decref(staff);
}
