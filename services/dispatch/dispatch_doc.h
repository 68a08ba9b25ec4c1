// dispatch_doc — helpers every dispatch noun shares: keys under
// sm:{dispatch}:, JSON documents in cm_store hashes, outbox events built
// outside a request, and the common replies.
#ifndef DISPATCH_DISPATCH_DOC_H
#define DISPATCH_DISPATCH_DOC_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "cm_ctx.h"
#include "cm_store.h"
#include "cm_time.h"

// Write "sm:{dispatch}:<kind>:<id>" (id NULL: without) into buf
// (CM_STORE_KEY_MAX bytes). Returns buf; an id too long aborts (ids come
// from validated input of at most CM_ROUTE_SEGMENT_MAX bytes).
const char *dispatch_key(char *buf, const char *kind, const char *id);

// Read the JSON document sm:{dispatch}:<kind>:<id>. 0 and *doc (caller owns
// it) and *version; CM_ENOTFOUND, CM_EUNAVAILABLE or CM_EINTERNAL.
int dispatch_doc_load(cm_store_t *store, const char *kind, const char *id,
                      json_t **doc, int64_t *version);

// Add the document write to commit (expected version as cm_commit_doc), with
// the hash field `state` when state is not NULL. doc is borrowed.
void dispatch_doc_put(cm_commit_t *commit, const char *kind, const char *id,
                      int64_t expected, const json_t *doc, const char *state);

// The size of an index sm:{dispatch}:idx:<name>, or a negative cm_status_t.
int64_t dispatch_index_size(cm_store_t *store, const char *name);

// Add an outbox event built here (reactions and ticks have no request):
// source "dispatch", the given actor (borrowed, may be NULL) and correlation
// id (may be NULL). Takes ownership of data. 0 or -1.
int dispatch_event_add(cm_commit_t *commit, const char *type,
                       const char *subject, int64_t version, json_t *data,
                       const json_t *actor, const char *correlation_id);

// The actor of everything dispatch does on its own:
// {"id":"dispatch","role":"system"}. Caller owns the result.
json_t *dispatch_system_actor(void);

// A JSON RFC 3339 string for epoch ms. Caller owns the result.
json_t *dispatch_time_json(int64_t ms);

// The epoch ms of an RFC 3339 member of doc, or `fallback`.
int64_t dispatch_time_member(const json_t *doc, const char *field,
                             int64_t fallback);

// The string member of doc, or "" (borrowed from doc).
const char *dispatch_string(const json_t *doc, const char *field);

// Reads need an authenticated actor with a role; otherwise answer 403 and
// return false.
bool dispatch_require_reader(cm_ctx_t *ctx);

// Answer a failed store call (CM_ENOTFOUND → 404 with detail, others by
// status).
void dispatch_fail_rc(cm_ctx_t *ctx, int rc, const char *detail);

// Answer 200/201 with doc (taken) and ETag "<version>".
void dispatch_reply_doc(cm_ctx_t *ctx, int status, json_t *doc,
                        int64_t version);

// Set the ETag header for a version.
void dispatch_set_etag(cm_ctx_t *ctx, int64_t version);

// The list limit of a request (query `limit`, default 50, 1..200), or -1
// after answering 400.
int dispatch_query_limit(cm_ctx_t *ctx);

#endif
