// POST /internal/tokens/resolve: the gateway's token → actor lookup.
#include "token.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "cm_doc.h"
#include "cm_id.h"
#include "cm_log.h"
#include "cm_problem.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "staff.h"

#define S_LOOKUP_MAX  (5 + TOKEN_HASH_HEX_MAX) // "hash:" + hex
#define S_CALLER_ID   "gateway"
#define S_CALLER_ROLE "system"

// Why a token did not resolve, for the log (never the secret).
typedef struct {
    const char *reason;       // "unknown", "revoked", "expired", ...
    char token_id[CM_ID_MAX]; // when known
} s_refusal_t;

// Read a document; CM_ENOTFOUND is a refusal with `reason`.
static int
s_read(cm_store_t *store, const char *id, const cm_doc_type_t *type,
       json_t **doc, s_refusal_t *refusal, const char *reason)
{
    int64_t version = 0;
    int rc = cm_doc_read(store, type, id, doc, &version);
    if (rc == CM_ENOTFOUND) {
        refusal->reason = reason;
        return CM_EUNAUTHORIZED;
    }
    return rc;
}

// The token document for secret: 0, CM_EUNAUTHORIZED or a store error.
static int
s_find_token(cm_store_t *store, const char *secret, json_t **token,
             s_refusal_t *refusal)
{
    char hash[TOKEN_HASH_HEX_MAX];
    char lookup_id[S_LOOKUP_MAX];
    snprintf(lookup_id, sizeof lookup_id, "hash:%s", token_hash(secret, hash));
    json_t *lookup = NULL;
    int rc = s_read(store, lookup_id, &token_type, &lookup, refusal, "unknown");
    if (rc != 0) {
        return rc;
    }
    const char *id = cm_doc_string(lookup, "token");
    snprintf(refusal->token_id, sizeof refusal->token_id, "%s", id ? id : "");
    json_decref(lookup);
    rc = s_read(store, refusal->token_id, &token_type, token, refusal,
                "unknown");
    if (rc != 0) {
        return rc;
    }
    const char *state = token_view_state(*token, cm_time_now_ms());
    if (strcmp(state, "active") != 0) {
        refusal->reason = state;
        json_decref(*token);
        *token = NULL;
        return CM_EUNAUTHORIZED;
    }
    return 0;
}

// The actor for secret: 0 with *actor (caller owns), CM_EUNAUTHORIZED
// with refusal set, or a store error.
static int
s_resolve(cm_store_t *store, const char *secret, json_t **actor,
          s_refusal_t *refusal)
{
    json_t *token = NULL;
    json_t *staff = NULL;
    int rc = s_find_token(store, secret, &token, refusal);
    if (rc == 0) {
        const char *staff_id = cm_doc_string(token, "staff");
        rc = s_read(store, staff_id ? staff_id : "", &staff_type, &staff,
                    refusal, "unknown_staff");
    }
    if (rc == 0 && strcmp(cm_doc_state(staff), "active") != 0) {
        refusal->reason = "staff_not_active";
        rc = CM_EUNAUTHORIZED;
    }
    if (rc == 0) {
        *actor = json_pack("{s:O, s:O, s:O, s:O, s:O, s:O}", "id",
                           json_object_get(staff, "id"), "role",
                           json_object_get(staff, "role"), "department",
                           json_object_get(staff, "department"), "name",
                           json_object_get(staff, "name"), "token",
                           json_object_get(token, "id"), "expires_at",
                           json_object_get(token, "expires_at"));
        rc = *actor ? 0 : CM_EINTERNAL;
    }
    json_decref(staff);
    json_decref(token);
    return rc;
}

// Only the gateway resolves tokens; true when the caller is it.
static bool
s_caller_is_gateway(cm_ctx_t *ctx)
{
    if (strcmp(cm_ctx_actor_id(ctx), S_CALLER_ID) == 0
        && strcmp(cm_ctx_actor_role(ctx), S_CALLER_ROLE) == 0) {
        return true;
    }
    cm_ctx_fail(ctx, cm_problem_new(403, "forbidden",
                                    "only the gateway resolves tokens"));
    return false;
}

static json_t *
s_validate(const json_t *body)
{
    json_t *problem = NULL;
    if (!cm_validate_object(body, &problem)) {
        return problem;
    }
    cm_validate_keys(body, "token", &problem);
    const char *secret = cm_doc_string(body, "token");
    if (cm_validate_string(body, "token", CM_VALIDATE_REQUIRED, &problem)
        && strlen(secret) > TOKEN_SECRET_MAX) {
        cm_validate_fail(&problem, "token", "is too long");
    }
    return problem;
}

void
token_resolve(cm_ctx_t *ctx)
{
    if (!s_caller_is_gateway(ctx)) {
        return;
    }
    json_t *problem = s_validate(cm_ctx_body(ctx));
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    json_t *actor = NULL;
    s_refusal_t refusal = {.reason = "unknown", .token_id = ""};
    int rc =
        s_resolve(cm_ctx_store(ctx), cm_doc_string(cm_ctx_body(ctx), "token"),
                  &actor, &refusal);
    if (rc == 0) {
        cm_ctx_reply(ctx, 200, actor);
    } else if (rc == CM_EUNAUTHORIZED) {
        cm_log_info("personnel.token.refused", "reason", refusal.reason,
                    "token_id", refusal.token_id);
        cm_ctx_fail(ctx, cm_problem_new(401, "invalid_token",
                                        "the token is unknown, revoked or "
                                        "expired, or its owner is not "
                                        "active"));
    } else {
        cm_doc_fail(ctx, rc, &token_type, NULL);
    }
}
