#include "bootstrap.h"

#include <assert.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cm_ctx.h"
#include "cm_doc.h"
#include "cm_envelope.h"
#include "cm_log.h"
#include "cm_time.h"
#include "department.h"
#include "events/personnel.h"
#include "personnel.h"
#include "staff.h"
#include "token.h"

#define S_DEADLINE_MS 60000
#define S_SECRET_MAX  (TOKEN_SECRET_MAX + 1)

cm_ctx_t *
bootstrap_ctx_new(cm_store_t *store, const char *actor_id)
{
    json_t *actor = json_pack("{s:s, s:s}", "id", actor_id, "role", "system");
    assert(actor);
    cm_envelope_request_t fields = {
        .type = "personnel.bootstrap",
        .source = PERSONNEL_OWNER,
        .deadline_ms = cm_time_now_ms() + S_DEADLINE_MS,
        .actor = actor,
        .method = "POST",
        .path = "/internal/bootstrap",
    };
    json_t *request = cm_envelope_request_new(&fields);
    json_decref(actor);
    assert(request);
    return cm_ctx_new(PERSONNEL_OWNER, &request, store, NULL);
}

// Whether any staff member exists: 0 or a store error.
static int
s_staff_exist(cm_store_t *store, bool *exist)
{
    char key[CM_STORE_KEY_MAX];
    const char *built =
        cm_doc_index_key(&staff_type, NULL, NULL, key, sizeof key);
    assert(built);
    cm_page_t page;
    int rc = cm_store_list(store, key, NULL, 1, false, &page);
    *exist = rc == 0 && page.count > 0;
    cm_page_clear(&page);
    return rc;
}

// Whether a token with this secret is stored: 0 or a store error.
static int
s_secret_stored(cm_store_t *store, const char *secret, bool *stored)
{
    char hash[TOKEN_HASH_HEX_MAX];
    char key[CM_STORE_KEY_MAX];
    cm_doc_t doc;
    int rc = cm_store_get(
        store, token_lookup_key(token_hash(secret, hash), key), &doc);
    *stored = rc == 0;
    if (rc == 0) {
        cm_doc_clear(&doc);
    }
    return rc == CM_ENOTFOUND ? 0 : rc;
}

// Add the management department (unless it exists), ST-1 and TOK-1. 0,
// or -1 when a document cannot be built.
static int
s_build(cm_ctx_t *ctx, cm_commit_t *commit, const char *name,
        const char *secret, bool department_exists)
{
    int64_t now = cm_time_now_ms();
    const json_t *actor = cm_ctx_actor(ctx);
    int rc = 0;
    if (!department_exists) {
        json_t *body =
            json_pack("{s:s, s:s, s:s}", "code", BOOTSTRAP_DEPARTMENT, "name",
                      "Station management", "head", BOOTSTRAP_STAFF_ID);
        json_t *doc = department_new_doc(body, actor, now);
        rc = cm_doc_commit(commit, &department_type, NULL, doc, CM_VERSION_NEW,
                           now)
             || cm_doc_event(ctx, commit, &department_type,
                             PERSONNEL_EVENT_DEPARTMENT_CREATED, doc, 1, NULL);
        json_decref(doc);
        json_decref(body);
    }
    json_t *body =
        json_pack("{s:s, s:s, s:s}", "name", name, "role", PERSONNEL_TOP_ROLE,
                  "department", BOOTSTRAP_DEPARTMENT);
    assert(body);
    json_t *staff = staff_new_doc(body, BOOTSTRAP_STAFF_ID, actor, now);
    rc = rc
         || cm_doc_commit(commit, &staff_type, NULL, staff, CM_VERSION_NEW, now)
         || cm_doc_event(ctx, commit, &staff_type,
                         PERSONNEL_EVENT_STAFF_CREATED, staff, 1, NULL);
    json_decref(body);
    json_decref(staff);
    body = json_pack("{s:s}", "name", "bootstrap");
    json_t *token = token_new_doc(body, BOOTSTRAP_TOKEN_ID, BOOTSTRAP_STAFF_ID,
                                  secret, actor, now);
    char hash[TOKEN_HASH_HEX_MAX];
    rc = rc
         || token_commit_issue(ctx, commit, token, token_hash(secret, hash),
                               now);
    json_decref(token);
    json_decref(body);
    return rc ? -1 : 0;
}

// Write everything in one commit: 0 (done or another replica won) or a
// store error.
static int
s_commit(const cm_config_t *config, cm_store_t *store, const char *secret)
{
    json_t *department = NULL;
    int64_t version = 0;
    int rc = cm_doc_read(store, &department_type, BOOTSTRAP_DEPARTMENT,
                         &department, &version);
    json_decref(department);
    if (rc != 0 && rc != CM_ENOTFOUND) {
        return rc;
    }
    cm_ctx_t *ctx = bootstrap_ctx_new(store, BOOTSTRAP_ACTOR);
    cm_commit_t *commit = cm_commit_new(PERSONNEL_OWNER);
    int outcome =
        s_build(ctx, commit, cm_config_str(config, BOOTSTRAP_NAME_OPTION),
                secret, rc == 0)
                == 0
            ? cm_ctx_commit(ctx, commit, 201, NULL)
            : CM_EINTERNAL;
    cm_commit_destroy(&commit);
    cm_ctx_destroy(&ctx);
    if (outcome == CM_COMMIT_CONFLICT) {
        cm_log_notice("personnel.bootstrap.lost_race", "reason",
                      "another replica bootstrapped first");
        return 0;
    }
    return outcome < 0 ? outcome : 0;
}

// Log what bootstrap did. A generated token is logged here, once.
static void
s_report(const char *secret, bool generated)
{
    if (generated) {
        cm_log_warn("personnel.bootstrap.token_generated", "bootstrap_staff",
                    BOOTSTRAP_STAFF_ID, "bootstrap_token_id",
                    BOOTSTRAP_TOKEN_ID, "bootstrap_token", secret, "note",
                    "shown once: keep it, issue personal tokens, then revoke "
                    "it; set SM_PERSONNEL__BOOTSTRAP_TOKEN to choose it");
    } else {
        cm_log_notice("personnel.bootstrap.done", "bootstrap_staff",
                      BOOTSTRAP_STAFF_ID, "bootstrap_token_id",
                      BOOTSTRAP_TOKEN_ID, "bootstrap_token_source",
                      BOOTSTRAP_TOKEN_OPTION);
    }
}

// One attempt: 0 when finished, or a store error (retry). `retry`: an
// earlier attempt's outcome was unknown and may have committed, in which
// case the token must still be shown.
static int
s_attempt(const cm_config_t *config, cm_store_t *store, const char *secret,
          bool generated, bool retry)
{
    bool exist = false;
    int rc = s_staff_exist(store, &exist);
    if (rc == 0 && !exist) {
        rc = s_commit(config, store, secret);
    }
    bool ours = false;
    if (rc == 0 && (!exist || retry)) {
        rc = s_secret_stored(store, secret, &ours);
    }
    if (rc == 0 && ours) {
        s_report(secret, generated);
    } else if (rc == 0 && exist) {
        cm_log_notice("personnel.bootstrap.skipped", "reason", "staff exist");
    }
    return rc;
}

// A given token must be printable ASCII without spaces, and not too long.
static bool
s_token_is_usable(const char *token)
{
    size_t n = strlen(token);
    if (n > TOKEN_SECRET_MAX) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (token[i] <= ' ' || token[i] > '~') {
            return false;
        }
    }
    return true;
}

int
bootstrap_run(const cm_config_t *config, cm_store_t *store)
{
    assert(config && store);
    const char *given = cm_config_str(config, BOOTSTRAP_TOKEN_OPTION);
    if (!s_token_is_usable(given)) {
        cm_log_error("personnel.bootstrap.token_invalid", "reason",
                     "the bootstrap token must be at most 512 printable "
                     "characters without spaces");
        return -1;
    }
    if (given[0] && strlen(given) < BOOTSTRAP_TOKEN_MIN_LEN) {
        cm_log_warn("personnel.bootstrap.token_weak", "reason",
                    "the bootstrap token is shorter than 32 characters");
    }
    char secret[S_SECRET_MAX];
    snprintf(secret, sizeof secret, "%s", given);
    if (!given[0]) {
        token_generate(secret);
    }
    int rc = CM_EUNAVAILABLE;
    for (int i = 0; i < BOOTSTRAP_TRIES && rc == CM_EUNAVAILABLE; i++) {
        if (i > 0) {
            struct timespec pause = {0, BOOTSTRAP_RETRY_MS * 1000000L};
            nanosleep(&pause, NULL);
        }
        rc = s_attempt(config, store, secret, !given[0], i > 0);
    }
    sodium_memzero(secret, sizeof secret);
    if (rc != 0) {
        cm_log_error("personnel.bootstrap.failed", "reason",
                     rc == CM_EUNAVAILABLE ? "redis unreachable"
                                           : "commit failed");
        return -1;
    }
    return 0;
}
