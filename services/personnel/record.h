// record — what every personnel document shares: keys, reads, history,
// the view a caller gets (version, actions), If-Match, and the commit that
// writes a document with its ETag and Location.
//
// A document is stored as sm:{personnel}:<kind>:<id> with `doc` (JSON,
// without version and actions), `version` and `state`.
#ifndef PERSONNEL_RECORD_H
#define PERSONNEL_RECORD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_ctx.h"
#include "cm_store.h"
#include "cm_workflow.h"

// Query member the gateway fills from the If-Match header.
#define RECORD_IF_MATCH "if_match"

// Attempts to find an unused id before giving up (ids taken by bootstrap).
#define RECORD_ID_ATTEMPTS 8

// Load the document the request's path names: NULL after answering
// 404/503. Caller owns the result.
typedef json_t *(record_load_fn)(cm_ctx_t *ctx, int64_t *version);

// What the caller sees of doc at version. Caller owns the result.
typedef json_t *(record_present_fn)(cm_ctx_t *ctx, const json_t *doc,
                                    int64_t version);

// Check a body's shape: NULL or a 400 problem; caller owns it.
typedef json_t *(record_validate_fn)(const json_t *body);

// Write sm:{personnel}:<kind>:<id> into buf. Returns buf, NULL when it
// does not fit.
const char *record_key(char *buf, size_t size, const char *kind,
                       const char *id);

// Read and parse a document. 0, CM_ENOTFOUND, CM_EUNAVAILABLE or
// CM_EINTERNAL (unparseable). On 0 caller owns *doc.
int record_read(cm_store_t *store, const char *kind, const char *id,
                json_t **doc, int64_t *version);

// record_read for n ids of one kind (borrowed) in one round trip:
// docs[i] and versions[i] for ids[i], docs[i] NULL when it names no
// document. 0 (caller owns every docs[i]), CM_EUNAVAILABLE or CM_EINTERNAL
// (a document unparseable); on failure every docs[i] is NULL.
int record_read_many(cm_store_t *store, const char *kind,
                     const char *const *ids, size_t n, json_t **docs,
                     int64_t *versions);

// Answer the request for a failed read or write: 404 naming `what` and
// id, 503 with Retry-After, or 500.
void record_fail(cm_ctx_t *ctx, int rc, const char *what, const char *id);

// record_read for a handler: on failure answers (record_fail) and returns
// NULL. Caller owns the result.
json_t *record_load(cm_ctx_t *ctx, const char *kind, const char *what,
                    const char *id, int64_t *version);

// Whether a document exists: 0 with *exists set, or -1 after answering 503.
int record_exists(cm_ctx_t *ctx, const char *kind, const char *id,
                  bool *exists);

// Next unused "<prefix>-<n>" from counter `kind` into id (CM_ID_MAX bytes).
// 0, or -1 after answering 503/500.
int record_next_id(cm_ctx_t *ctx, const char *kind, const char *prefix,
                   char *id);

// Append {actor, time, action, note} to doc.history and set updated_at to
// time. note may be NULL (stored as null).
void record_history_add(json_t *doc, const char *actor_id, const char *action,
                        const char *note, const char *time);

// What a caller sees: doc with `version` and `actions` (taken). Caller
// owns the result.
json_t *record_present(const json_t *doc, int64_t version, json_t *actions);

// Parse an If-Match value: 3, "3" or W/"3". 0, or -1 when malformed.
int record_parse_if_match(const char *text, int64_t *version);

// True when the request has no if_match or it equals version; otherwise
// answers 412 (stale) or 400 (malformed) and returns false.
bool record_if_match(cm_ctx_t *ctx, int64_t version);

// GET of one document: load it, set its ETag and answer 200 with present's
// view. load answers when there is nothing to show.
void record_get(cm_ctx_t *ctx, record_load_fn *load,
                record_present_fn *present);

// The document a PATCH changes: loaded, If-Match checked, the "update"
// step of workflow allowed for the actor and the body valid (validate).
// Sets *version and *step. Caller owns the result; NULL after answering.
json_t *record_patch_begin(cm_ctx_t *ctx, record_load_fn *load,
                           const cm_workflow_t *workflow,
                           record_validate_fn *validate, int64_t *version,
                           cm_workflow_step_t *step);

// An event's data for doc at version: the document without its history,
// with `version`. Caller owns the result.
json_t *record_event_data(const json_t *doc, int64_t version);

// Add document `id` of `kind` to commit, expecting expected_version, with
// its `state` member as the state field.
void record_commit_doc(cm_commit_t *commit, const char *kind, const char *id,
                       int64_t expected_version, const json_t *doc);

// Set ETag ("<version>") and, when location is not NULL, Location; then run
// the commit (cm_ctx_commit) answering status with body (taken). A version
// conflict answers 412 when the request had if_match, else 409. Returns
// the cm_ctx_commit outcome.
int record_commit_reply(cm_ctx_t *ctx, cm_commit_t *commit, int status,
                        json_t *body, int64_t version, const char *location);

// The document's created_at as epoch ms (index score); now when absent.
int64_t record_created_ms(const json_t *doc);

// Set the ETag header to "<version>".
void record_etag(cm_ctx_t *ctx, int64_t version);

// The document's state, "" when absent. Borrowed.
const char *record_state(const json_t *doc);

// The string member `field` of doc, or NULL. Borrowed.
const char *record_string(const json_t *doc, const char *field);

#endif
