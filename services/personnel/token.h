// token — bearer tokens of staff members (docs/architecture.md §13): random,
// shown once, stored only as a hash. Keys:
//   sm:{personnel}:token:TOK-n          the token document (no secret)
//   sm:{personnel}:token:hash:<hex>     lookup: {"token": id, "staff": id}
//   sm:{personnel}:idx:token_staff:ST-n the staff member's tokens
// A token is a cm_doc type; its list items and view show the state a
// caller sees (expired once expires_at has passed).
//
// Who: a staff member reads and revokes their own tokens; the station head
// and the deputy head overseeing the member's department issue, read and
// revoke them; the auditor reads them. Only the station head acts on a
// station head's tokens.
//
// The hash is BLAKE2b-256 (libsodium crypto_generichash), fast on purpose:
// issued tokens carry 256 random bits, so a slow password hash would add
// nothing against guessing and would make every resolution expensive.
#ifndef PERSONNEL_TOKEN_H
#define PERSONNEL_TOKEN_H

#include <jansson.h>
#include <stdint.h>

#include "cm_ctx.h"
#include "cm_doc.h"
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

// Who may revoke a token: its owner, or a manager (the handlers add who
// may manage the owner, access.h).
extern const cm_workflow_t token_workflow;

// The document type.
extern const cm_doc_type_t token_type;

// Write a new random token "smt_<64 hex>" into buf (TOKEN_TEXT_MAX bytes).
// Returns buf.
const char *token_generate(char *buf);

// Write the hex BLAKE2b-256 of secret into hex (TOKEN_HASH_HEX_MAX bytes).
// Returns hex.
const char *token_hash(const char *secret, char *hex);

// Check an issue body (NULL: none) at now_ms: name, expires_at in the
// future. NULL or a 400 problem; caller owns it.
json_t *token_validate_issue(const json_t *body, int64_t now_ms);

// A new active token document for staff_id, issued by actor at now_ms.
// Caller owns it.
json_t *token_new_doc(const json_t *body, const char *id, const char *staff_id,
                      const char *secret, const json_t *actor, int64_t now_ms);

// The state a caller sees: "revoked", "expired" (active, past expires_at)
// or "active". Borrowed static string.
const char *token_view_state(const json_t *doc, int64_t now_ms);

// Add to commit the new token doc with its index entry, its lookup entry
// (by secret hash) and its event (shared with bootstrap and recovery). 0,
// or -1 when the document or event cannot be built.
int token_commit_issue(cm_ctx_t *ctx, cm_commit_t *commit, json_t *doc,
                       const char *hash_hex, int64_t now_ms);

// The lookup key of a secret's hash into buf (CM_STORE_KEY_MAX bytes).
// Returns buf.
const char *token_lookup_key(const char *hash_hex, char *buf);

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
