// audit — the tamper-evident audit trail: every event of every outbox the
// service reads, in order per stream, appended to one hash chain that is
// never trimmed (the outbox streams may be; the chain is not).
//
//   entry n = {n, at, stream, entry, type, subject, actor, envelope,
//              prev, hash}
//   hash_n  = BLAKE2b-256(hash_{n-1} ‖ canonical_n)   (libsodium
//             crypto_generichash; hash_0 is 32 zero bytes)
//   canonical_n = the compact JSON, members sorted, of
//             {"stream", "entry", "envelope"}
//
// Keys (hash tag {safety-audit}):
//   sm:{safety-audit}:audit:head            {n, hash, at}: the chain's head;
//                                           its version guards appends
//   sm:{safety-audit}:audit:<n>             entry n
//   sm:{safety-audit}:idx:audit_all         every entry, score n
//   sm:{safety-audit}:idx:audit_at          every entry, score `at` (ms)
//   sm:{safety-audit}:idx:audit_type:<t>    entries of event type t
//   sm:{safety-audit}:idx:audit_actor:<id>  entries whose actor is id
//   sm:{safety-audit}:idx:audit_subject:<s> entries about subject s
//
// `at` is when the entry was appended, never earlier than the entry before
// it, so a time range is a range of n.
#ifndef SAFETY_AUDIT_H
#define SAFETY_AUDIT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "cm_ctx.h"
#include "cm_events.h"
#include "cm_store.h"

#define AUDIT_HASH_BYTES 32
#define AUDIT_HASH_HEX   (AUDIT_HASH_BYTES * 2 + 1)

// The head of the chain: n entries (0: empty), the last hash (hex; the
// zero hash when empty) and the last `at`.
typedef struct {
    int64_t n;
    char hash[AUDIT_HASH_HEX];
    int64_t at_ms;
    int64_t version; // the head document's version (CM_VERSION_NEW: none)
} audit_head_t;

// Read the head. 0, or CM_EUNAVAILABLE / CM_EINTERNAL.
int audit_head_read(cm_store_t *store, audit_head_t *head);

// hash_n as hex into out (AUDIT_HASH_HEX bytes) from the previous hash
// (hex) and entry (its stream, entry and envelope members). 0, or -1 when
// prev is not a hash or the entry lacks what is hashed.
int audit_hash(const char *prev_hex, const json_t *entry, char *out);

// cm_consumer_fn body: append event to the chain in commit (the consumer's
// commit, owner safety-audit, with its dedupe marker). 0 or a negative
// cm_status_t.
int audit_append(cm_store_t *store, const cm_event_t *event,
                 cm_commit_t *commit);

// The stored key of entry n into buf (CM_STORE_KEY_MAX). Returns buf.
const char *audit_entry_key(char *buf, int64_t n);

// The key of an index: "all", "at", or kind ("type", "actor", "subject")
// with value. Returns buf, NULL when it does not fit.
const char *audit_index_key(char *buf, const char *kind, const char *value);

// Entries first..first+count-1 (count ≤ AUDIT_READ_MAX) in one round trip:
// entries[i] NULL when missing or unparseable. 0 (caller owns each) or a
// negative cm_status_t.
#define AUDIT_READ_MAX 500
int audit_read(cm_store_t *store, int64_t first, size_t count,
               json_t **entries);

// The same for the entries numbered ns[0..count).
int audit_read_ids(cm_store_t *store, const int64_t *ns, size_t count,
                   json_t **entries);

// Handlers (audit_http.c): GET /v1/audit, GET /v1/audit/{n}, POST
// /v1/audit/verify, GET /v1/audit/key. The trail is read by auditors and
// the station head only; the public key by anyone.
void audit_list(cm_ctx_t *ctx);
void audit_get(cm_ctx_t *ctx);
void audit_verify(cm_ctx_t *ctx);
void audit_key(cm_ctx_t *ctx);

#endif
