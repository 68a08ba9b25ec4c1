// token — bearer tokens of staff members (design.md §10): random, shown
// once, stored only as a hash. Keys:
//   sm:{personnel}:token:TOK-n          the token document (no secret)
//   sm:{personnel}:token:hash:<hex>     lookup: {"token": id, "staff": id}
//   sm:{personnel}:idx:token:staff:ST-n the staff member's tokens
//
// The hash is BLAKE2b-256 (libsodium crypto_generichash), fast on purpose:
// issued tokens carry 256 random bits, so a slow password hash would add
// nothing against guessing and would make every resolution expensive.
#ifndef PERSONNEL_TOKEN_H
#define PERSONNEL_TOKEN_H

#include <jansson.h>
#include <stdint.h>

#include "cm_ctx.h"
#include "cm_store.h"
#include "cm_workflow.h"

#define TOKEN_KIND         "token"
#define TOKEN_ID_PREFIX    "TOK"
#define TOKEN_PREFIX       "smt_" // makes a leaked token recognisable
#define TOKEN_TEXT_MAX     72     // "smt_" + 64 hex characters and NUL
#define TOKEN_HASH_HEX_MAX 65     // 32 bytes as hex and NUL
#define TOKEN_SECRET_MAX   512    // longest token a resolve accepts
#define TOKEN_NAME_MAX     100
#define TOKEN_LAST_CHARS   4  // shown to tell tokens apart
#define TOKEN_LAST_MIN_LEN 32 // shorter secrets show no last chars

// Who may revoke a token: its owner, or a manager.
extern const cm_workflow_t token_workflow;

// Write a new random token "smt_<64 hex>" into buf (TOKEN_TEXT_MAX bytes).
// Returns buf.
const char *token_generate(char *buf);

// Write the hex BLAKE2b-256 of secret into hex (TOKEN_HASH_HEX_MAX bytes).
// Returns hex.
const char *token_hash(const char *secret, char *hex);

// Check an issue body (NULL: none) at now_ms: name, expires_at in the
// future. NULL or a 400 problem; caller owns it.
json_t *token_validate_issue(const json_t *body, int64_t now_ms);

// A new active token document for staff_id. Caller owns it.
json_t *token_new_doc(const json_t *body, const char *id, const char *staff_id,
                      const char *secret, const char *actor_id,
                      const char *now);

// The state a caller sees: "revoked", "expired" (active, past expires_at)
// or "active". Borrowed static string.
const char *token_view_state(const json_t *doc, int64_t now_ms);

// What the caller sees (never the secret). Caller owns the result.
json_t *token_present(cm_ctx_t *ctx, const json_t *doc, int64_t version);

// Add to commit the new token doc, its lookup entry (by secret hash), its
// index entry and its event (shared with bootstrap).
void token_commit_issue(cm_ctx_t *ctx, cm_commit_t *commit, const json_t *doc,
                        const char *hash_hex);

// Route handlers: POST/GET /v1/staff/{id}/tokens,
// GET/DELETE /v1/staff/{id}/tokens/{token_id},
// POST /v1/staff/{id}/tokens/{token_id}/revoke,
// POST /internal/tokens/resolve.
void token_issue(cm_ctx_t *ctx);
void token_list(cm_ctx_t *ctx);
void token_get(cm_ctx_t *ctx);
void token_revoke(cm_ctx_t *ctx);
void token_resolve(cm_ctx_t *ctx);

#endif
