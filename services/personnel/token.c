#include "token.h"

#include <assert.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "access.h"
#include "cm_id.h"
#include "cm_problem.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "listing.h"
#include "personnel.h"
#include "record.h"
#include "staff.h"

#define S_HASH_BYTES 32
#define S_PATH_MAX   160
#define S_LOOKUP_MAX (5 + TOKEN_HASH_HEX_MAX) // "hash:" + hex
#define S_REASON_MAX 500

static const cm_workflow_row_t s_rows[] = {
    // state(s), action, roles, guards, required, next, event
    {"active expired", "revoke", "deputy_head", 0, NULL, "revoked",
     "personnel.token.revoked"},
    {"active expired", "revoke", PERSONNEL_ROLES, CM_WORKFLOW_ASSIGNEE, NULL,
     "revoked", "personnel.token.revoked"},
};

const cm_workflow_t token_workflow = {
    .name = "token",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "revoked",
    .superuser_role = PERSONNEL_TOP_ROLE,
    .assignee_field = "staff",
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

json_t *
token_validate_issue(const json_t *body, int64_t now_ms)
{
    json_t *problem = NULL;
    if (!body || !cm_validate_object(body, &problem)) {
        return problem;
    }
    cm_validate_keys(body, "name expires_at", &problem);
    const char *name = record_string(body, "name");
    if (cm_validate_string(body, "name", CM_VALIDATE_OPTIONAL, &problem) && name
        && strlen(name) > TOKEN_NAME_MAX) {
        cm_validate_fail(&problem, "name", "must be at most 100 characters");
    }
    const char *expires = record_string(body, "expires_at");
    int64_t expires_ms = 0;
    if (!cm_validate_string(body, "expires_at", CM_VALIDATE_OPTIONAL, &problem)
        || !expires) {
        return problem;
    }
    if (cm_time_parse(expires, &expires_ms) != 0) {
        cm_validate_fail(&problem, "expires_at",
                         "must be an RFC 3339 time such as "
                         "2030-01-31T00:00:00Z");
    } else if (expires_ms <= now_ms) {
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

// expires_at of body normalised to our format, or null. New reference.
static json_t *
s_expires(const json_t *body)
{
    int64_t ms = 0;
    const char *text = record_string(body, "expires_at");
    if (!text || cm_time_parse(text, &ms) != 0) {
        return json_null();
    }
    char buf[CM_TIME_TEXT_MAX];
    return json_string(cm_time_format(ms, buf));
}

json_t *
token_new_doc(const json_t *body, const char *id, const char *staff_id,
              const char *secret, const char *actor_id, const char *now)
{
    assert(id && staff_id && secret && actor_id && now);
    const char *name = record_string(body, "name");
    json_t *doc = json_pack(
        "{s:s, s:s, s:o, s:s, s:o, s:o, s:s, s:s, s:s, s:n, s:n, s:[]}", "id",
        id, "staff", staff_id, "name", name ? json_string(name) : json_null(),
        "state", "active", "expires_at", s_expires(body), "last4",
        s_last_chars(secret), "created_at", now, "updated_at", now,
        "created_by", actor_id, "revoked_at", "revoked_by", "history");
    assert(doc);
    record_history_add(doc, actor_id, "issue", NULL, now);
    return doc;
}

const char *
token_view_state(const json_t *doc, int64_t now_ms)
{
    const char *state = record_state(doc);
    if (strcmp(state, "active") != 0) {
        return strcmp(state, "revoked") == 0 ? "revoked" : "unknown";
    }
    const char *expires = record_string(doc, "expires_at");
    int64_t expires_ms = 0;
    if (expires && cm_time_parse(expires, &expires_ms) == 0
        && expires_ms <= now_ms) {
        return "expired";
    }
    return "active";
}

json_t *
token_present(cm_ctx_t *ctx, const json_t *doc, int64_t version)
{
    const char *state = token_view_state(doc, cm_time_now_ms());
    json_t *actions =
        cm_workflow_actions(&token_workflow, state, cm_ctx_actor(ctx), doc);
    json_t *view = record_present(doc, version, actions);
    json_object_set_new(view, "state", json_string(state));
    return view;
}

// ---- commits

static const char *
s_index_key(char *buf, size_t size, const char *staff_id)
{
    char id[CM_STORE_KEY_MAX];
    snprintf(id, sizeof id, "token:staff:%s", staff_id);
    return record_key(buf, size, "idx", id);
}

// Event data: the token without history and last characters.
static json_t *
s_event_data(const json_t *doc, int64_t version)
{
    json_t *data = json_pack(
        "{s:O?, s:O?, s:O?, s:O?, s:I}", "id", json_object_get(doc, "id"),
        "staff", json_object_get(doc, "staff"), "name",
        json_object_get(doc, "name"), "expires_at",
        json_object_get(doc, "expires_at"), "version", (json_int_t)version);
    assert(data);
    return data;
}

void
token_commit_issue(cm_ctx_t *ctx, cm_commit_t *commit, const json_t *doc,
                   const char *hash_hex)
{
    const char *id = record_string(doc, "id");
    const char *staff_id = record_string(doc, "staff");
    record_commit_doc(commit, TOKEN_KIND, id, CM_VERSION_NEW, doc);
    char lookup_id[S_LOOKUP_MAX];
    snprintf(lookup_id, sizeof lookup_id, "hash:%s", hash_hex);
    json_t *lookup = json_pack("{s:s, s:s, s:s}", "token", id, "staff",
                               staff_id, "state", "active");
    assert(lookup);
    record_commit_doc(commit, TOKEN_KIND, lookup_id, CM_VERSION_NEW, lookup);
    json_decref(lookup);
    char key[CM_STORE_KEY_MAX];
    const char *built = s_index_key(key, sizeof key, staff_id);
    assert(built);
    cm_commit_index_add(commit, key, id, record_created_ms(doc));
    char subject[S_PATH_MAX];
    snprintf(subject, sizeof subject, "token/%s", id);
    cm_ctx_event(ctx, commit, "personnel.token.issued", subject, 1,
                 s_event_data(doc, 1));
}

// ---- handlers

// The staff member of the path, for the token routes: authenticated, a
// well-formed id, a caller allowed to see private data, an existing
// member. NULL after answering. Caller owns the result.
static json_t *
s_load_owner(cm_ctx_t *ctx, int64_t *version)
{
    if (!access_authenticated(ctx)) {
        return NULL;
    }
    const char *id = cm_ctx_param(ctx, "id");
    if (!cm_id_parse(id, STAFF_ID_PREFIX, NULL)) {
        record_fail(ctx, CM_ENOTFOUND, "staff member", id);
        return NULL;
    }
    if (!access_may_read_private(cm_ctx_actor_id(ctx), cm_ctx_actor_role(ctx),
                                 id)) {
        cm_ctx_fail(ctx, cm_problem_new(403, "forbidden",
                                        "only the staff member, the station "
                                        "head, deputy heads and auditors may "
                                        "see these tokens"));
        return NULL;
    }
    return staff_load(ctx, version);
}

// Check the issue request; true to go on, else answered.
static bool
s_issue_allowed(cm_ctx_t *ctx, const json_t *staff)
{
    if (!access_may_touch_role(ctx, record_string(staff, "role"))) {
        return false;
    }
    if (strcmp(record_state(staff), "active") != 0) {
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
    char now[CM_TIME_TEXT_MAX];
    token_generate(secret);
    token_hash(secret, hash);
    cm_time_format(cm_time_now_ms(), now);
    json_t *doc = token_new_doc(cm_ctx_body(ctx), id, staff_id, secret,
                                cm_ctx_actor_id(ctx), now);
    cm_commit_t *commit = cm_commit_new(PERSONNEL_OWNER);
    token_commit_issue(ctx, commit, doc, hash);
    char location[S_PATH_MAX];
    snprintf(location, sizeof location, "/v1/staff/%s/tokens/%s", staff_id, id);
    int outcome = record_commit_reply(ctx, commit, 201,
                                      token_present(ctx, doc, 1), 1, location);
    if (outcome == CM_COMMIT_OK) {
        json_t *view = token_present(ctx, doc, 1);
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
    int64_t version = 0;
    json_t *staff = s_load_owner(ctx, &version);
    char id[CM_ID_MAX];
    if (staff && s_issue_allowed(ctx, staff)
        && record_next_id(ctx, TOKEN_KIND, TOKEN_ID_PREFIX, id) == 0) {
        s_issue(ctx, record_string(staff, "id"), id);
    }
    json_decref(staff);
}

void
token_list(cm_ctx_t *ctx)
{
    int64_t version = 0;
    json_t *staff = s_load_owner(ctx, &version);
    if (!staff) {
        return;
    }
    json_decref(staff);
    listing_t listing;
    json_t *problem = listing_parse(cm_ctx_query_object(ctx), NULL, &listing);
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    char key[CM_STORE_KEY_MAX];
    if (!s_index_key(key, sizeof key, cm_ctx_param(ctx, "id"))) {
        record_fail(ctx, CM_ENOTFOUND, "staff member", NULL);
        return;
    }
    listing_reply(ctx, key, &listing, TOKEN_KIND, token_present);
}

// The token of the path, owned by the path's staff member; NULL after
// answering 404/503. Access is the caller's concern.
static json_t *
s_load_token(cm_ctx_t *ctx, int64_t *version)
{
    const char *staff_id = cm_ctx_param(ctx, "id");
    const char *id = cm_ctx_param(ctx, "token_id");
    if (!cm_id_parse(staff_id, STAFF_ID_PREFIX, NULL)
        || !cm_id_parse(id, TOKEN_ID_PREFIX, NULL)) {
        record_fail(ctx, CM_ENOTFOUND, "token", id);
        return NULL;
    }
    json_t *doc = record_load(ctx, TOKEN_KIND, "token", id, version);
    if (doc && strcmp(record_string(doc, "staff"), staff_id) != 0) {
        record_fail(ctx, CM_ENOTFOUND, "token", id);
        json_decref(doc);
        return NULL;
    }
    return doc;
}

void
token_get(cm_ctx_t *ctx)
{
    int64_t version = 0;
    json_t *staff = s_load_owner(ctx, &version);
    json_t *doc = staff ? s_load_token(ctx, &version) : NULL;
    if (doc) {
        record_etag(ctx, version);
        cm_ctx_reply(ctx, 200, token_present(ctx, doc, version));
    }
    json_decref(doc);
    json_decref(staff);
}

static json_t *
s_validate_revoke(const json_t *body)
{
    json_t *problem = NULL;
    if (!body || !cm_validate_object(body, &problem)) {
        return problem;
    }
    cm_validate_keys(body, "reason", &problem);
    const char *reason = record_string(body, "reason");
    if (cm_validate_string(body, "reason", CM_VALIDATE_OPTIONAL, &problem)
        && reason && strlen(reason) > S_REASON_MAX) {
        cm_validate_fail(&problem, "reason", "must be at most 500 characters");
    }
    return problem;
}

static void
s_commit_revoke(cm_ctx_t *ctx, json_t *doc, int64_t version,
                const char *event_type)
{
    char now[CM_TIME_TEXT_MAX];
    cm_time_format(cm_time_now_ms(), now);
    json_object_set_new(doc, "state", json_string("revoked"));
    json_object_set_new(doc, "revoked_at", json_string(now));
    json_object_set_new(doc, "revoked_by", json_string(cm_ctx_actor_id(ctx)));
    record_history_add(doc, cm_ctx_actor_id(ctx), "revoke",
                       record_string(cm_ctx_body(ctx), "reason"), now);
    const char *id = record_string(doc, "id");
    cm_commit_t *commit = cm_commit_new(PERSONNEL_OWNER);
    record_commit_doc(commit, TOKEN_KIND, id, version, doc);
    char subject[S_PATH_MAX];
    snprintf(subject, sizeof subject, "token/%s", id);
    cm_ctx_event(ctx, commit, event_type, subject, version + 1,
                 s_event_data(doc, version + 1));
    record_commit_reply(ctx, commit, 200, token_present(ctx, doc, version + 1),
                        version + 1, NULL);
    cm_commit_destroy(&commit);
}

void
token_revoke(cm_ctx_t *ctx)
{
    if (!access_authenticated(ctx)) {
        return;
    }
    int64_t version = 0;
    json_t *doc = s_load_token(ctx, &version);
    if (!doc || !record_if_match(ctx, version)) {
        json_decref(doc);
        return;
    }
    cm_workflow_step_t step;
    json_t *problem = cm_workflow_apply(
        &token_workflow, token_view_state(doc, cm_time_now_ms()), "revoke",
        cm_ctx_actor(ctx), doc, cm_ctx_body(ctx), &step);
    if (!problem) {
        problem = s_validate_revoke(cm_ctx_body(ctx));
    }
    if (problem) {
        cm_ctx_fail(ctx, problem);
    } else {
        s_commit_revoke(ctx, doc, version, step.event_type);
    }
    json_decref(doc);
}
