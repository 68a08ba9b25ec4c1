#include "recovery.h"

#include <assert.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "bootstrap.h"
#include "cm_config.h"
#include "cm_doc.h"
#include "cm_log.h"
#include "cm_status.h"
#include "cm_store.h"
#include "cm_time.h"
#include "personnel.h"
#include "staff.h"
#include "token.h"

#define S_HEADS_MAX 50 // station heads read (at most one is active)

bool
recovery_requested(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (argv[i] && strcmp(argv[i], RECOVERY_FLAG) == 0) {
            return true;
        }
    }
    return false;
}

// The one active station head's id into out (CM_ID_MAX bytes): 0, -1 when
// there is none or more than one (logged), or a store error.
static int
s_station_head(cm_store_t *store, char *out)
{
    char key[CM_STORE_KEY_MAX];
    const char *built = cm_doc_index_key(&staff_type, "role",
                                         PERSONNEL_TOP_ROLE, key, sizeof key);
    assert(built);
    cm_page_t page;
    int rc = cm_store_list(store, key, NULL, S_HEADS_MAX, false, &page);
    json_t *docs[S_HEADS_MAX];
    int64_t versions[S_HEADS_MAX];
    rc = rc ? rc
            : cm_doc_read_many(store, &staff_type,
                               (const char *const *)page.members, page.count,
                               docs, versions);
    size_t found = 0;
    for (size_t i = 0; rc == 0 && i < page.count; i++) {
        if (docs[i]
            && strcmp(cm_doc_text(docs[i], "role"), PERSONNEL_TOP_ROLE) == 0
            && strcmp(cm_doc_text(docs[i], "status"), "active") == 0) {
            snprintf(out, CM_ID_MAX, "%s", cm_doc_text(docs[i], "id"));
            found++;
        }
        json_decref(docs[i]);
    }
    cm_page_clear(&page);
    if (rc == 0 && found != 1) {
        cm_log_error("personnel.recovery.refused", "reason",
                     found ? "more than one active station head"
                           : "no active station head");
        return -1;
    }
    return rc;
}

// Issue the token; its secret into secret (TOKEN_TEXT_MAX bytes). 0 or -1
// (logged).
static int
s_issue(cm_store_t *store, const char *staff_id, char *secret, char *id)
{
    cm_ctx_t *ctx = bootstrap_ctx_new(store, RECOVERY_ACTOR);
    int rc = cm_doc_next_id(ctx, &token_type, id);
    int64_t now = cm_time_now_ms();
    char hash[TOKEN_HASH_HEX_MAX];
    token_generate(secret);
    json_t *body = json_pack("{s:s}", "name", "recovery");
    json_t *doc =
        token_new_doc(body, id, staff_id, secret, cm_ctx_actor(ctx), now);
    cm_commit_t *commit = cm_commit_new(PERSONNEL_OWNER);
    if (rc == 0
        && token_commit_issue(ctx, commit, doc, token_hash(secret, hash), now)
               == 0) {
        rc = cm_ctx_commit(ctx, commit, 201, NULL) == CM_COMMIT_OK ? 0 : -1;
    } else {
        rc = -1;
    }
    if (rc != 0) {
        cm_log_error("personnel.recovery.failed", "reason",
                     "the token could not be written");
    }
    cm_commit_destroy(&commit);
    json_decref(doc);
    json_decref(body);
    cm_ctx_destroy(&ctx);
    return rc;
}

static int
s_recover(const cm_config_t *config)
{
    cm_store_t *store = cm_store_new_from_config(config);
    char staff_id[CM_ID_MAX] = "";
    char id[CM_ID_MAX] = "";
    char secret[TOKEN_TEXT_MAX];
    int rc = store ? s_station_head(store, staff_id) : CM_EUNAVAILABLE;
    if (rc < -1) {
        cm_log_error("personnel.recovery.failed", "reason",
                     "redis unavailable; nothing was issued");
    }
    rc = rc == 0 ? s_issue(store, staff_id, secret, id) : -1;
    if (rc == 0) {
        cm_log_warn("personnel.recovery.token_issued", "staff", staff_id,
                    "token_id", id, "note",
                    "the new token went to stdout, once; revoke lost tokens "
                    "with it");
        // The operator's one copy of the secret: stdout carries nothing else
        // in this mode (cm_log writes to stderr).
        rc = fputs(secret, stdout) < 0 || fputs("\n", stdout) < 0
                     || fflush(stdout) != 0
                 ? 1
                 : 0;
    } else {
        rc = 1;
    }
    sodium_memzero(secret, sizeof secret);
    cm_store_destroy(&store);
    return rc;
}

int
recovery_main(int argc, char **argv)
{
    cm_log_set_stream(stderr);
    cm_log_init(PERSONNEL_OWNER, RECOVERY_ACTOR);
    if (sodium_init() < 0) {
        cm_log_error("personnel.recovery.failed", "reason", "libsodium");
        return 1;
    }
    char *args[RECOVERY_ARGS_MAX + 1];
    int n = 0;
    for (int i = 0; i < argc && n < RECOVERY_ARGS_MAX; i++) {
        if (strcmp(argv[i], RECOVERY_FLAG) != 0) {
            args[n++] = argv[i];
        }
    }
    args[n] = NULL;
    cm_config_t *config =
        cm_config_load_or_exit(PERSONNEL_OWNER, personnel_options, n, args);
    int rc = s_recover(config);
    cm_config_destroy(&config);
    return rc;
}
