// cm_doc — documents of a service, described once as a document type: where
// they live, how they are listed, which process (cm_workflow) moves them,
// who may read them. Everything a service repeated per noun lives here:
// keys, reads that answer 404/503, ids, ETag and If-Match, history, the
// view a caller gets (version and `actions`), the commit that writes a
// document with its indexes, events and reply.
//
// Storage (the hash tag is the owner, so one commit touches one slot):
//   sm:{owner}:<kind>:<id>             hash: doc, version, state, item
//   sm:{owner}:idx:<kind>s             every document, score = updated ms
//   sm:{owner}:idx:<kind>_<param>:<v>  one index per filter value
//   sm:{owner}:history:<kind>:<id>     stream: every history entry, ever
//   sm:{owner}:counter:<kind>          id counter
//
// A document is a JSON object with at least id, state, created_at,
// updated_at and history. History entries are
//   {"at", "actor": {"id", "role"}, "action", "from", "to", "note"?, "data"?}
// The document keeps the last `history_keep` entries (history_count counts
// them all); every entry is also appended to the history stream in the
// same commit, read page by page with GET …/<id>/history (cm_doc_history).
// So a document's size does not grow with its age. When long entries would
// take the document past CM_DOC_MAX_BYTES, it keeps fewer of them inline.
// A history page ends early, with a cursor, before its entries pass 56 KiB.
//
//   static const cm_filter_t s_filters[] = {
//       {"state", NULL, "open closed"}, {"department"}, {NULL}};
//   const cm_doc_type_t workorder_type = {
//       .owner = "dispatch", .kind = "workorder", .what = "work order",
//       .id_prefix = "WO", .filters = s_filters, .workflow = &s_flow,
//       .list_item = workorder_list_item,
//   };
#ifndef LIBCOMMON_CM_DOC_H
#define LIBCOMMON_CM_DOC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_ctx.h"
#include "cm_id.h"
#include "cm_store.h"
#include "cm_workflow.h"

// History entries a document keeps inline unless its type says otherwise.
#define CM_DOC_HISTORY_KEEP 20
// Longest document kept (compact JSON): a reply must always fit a message.
#define CM_DOC_MAX_BYTES (48 * 1024)
// Longest ETag text with its NUL.
#define CM_DOC_ETAG_MAX 32

typedef enum {
    // The member is a JSON boolean; only `true` is indexed, `false` is
    // served by filtering the full list.
    CM_FILTER_BOOLEAN = 1 << 0,
    // The member is a JSON array of strings (tags, roles): the document is
    // in the index of each of its values, and a value matches a document
    // whose array holds it. Lists parse the items such a filter checks.
    CM_FILTER_ARRAY = 1 << 1,
} cm_filter_flag_t;

// A list filter: query parameter `param` selects documents whose `member`
// equals the value, served by the index sm:{owner}:idx:<kind>_<param>:<v>.
// Filters are listed most selective first: with several in one query, the
// first one present picks the index and the others filter its entries.
typedef struct {
    const char *param;  // query parameter, "state"
    const char *member; // document member; NULL: same as param
    const char *values; // allowed values (space-separated), NULL: any code
    unsigned flags;     // cm_filter_flag_t
} cm_filter_t;

typedef struct cm_doc_type cm_doc_type_t;

// The process of a document (types whose process depends on the document,
// such as a case's kind). NULL: the document has no process.
typedef const cm_workflow_t *(cm_doc_workflow_fn)(const json_t *doc);

// A document type. Static data.
struct cm_doc_type {
    const char *owner;          // service and hash tag, "dispatch"
    const char *kind;           // key part, "workorder"
    const char *what;           // in messages, "work order"
    const char *id_prefix;      // "WO" → WO-1, WO-2, …
    const char *path;           // collection path, "/v1/work-orders" (Location)
    const cm_filter_t *filters; // ends with a NULL param; may be NULL
    const cm_workflow_t *workflow;    // the process, or NULL
    cm_doc_workflow_fn *workflow_for; // or per document
    // The list item stored beside the document (field `item`), without
    // version. NULL: the document without its history. Caller owns the
    // result. Every member a filter reads must be in it.
    json_t *(*list_item)(const json_t *doc);
    // Without list_item: the members, besides history, the list item
    // leaves out (names separated by spaces: "repairs acceptances").
    const char *list_omits;
    // The data of the type's events. NULL: the list item. Caller owns it.
    json_t *(*event_data)(const json_t *doc);
    // Need-to-know: may the actor read this document (or list item)? NULL:
    // every authenticated actor may. Lists leave out what it refuses; a
    // single read answers 404, so existence does not leak.
    bool (*may_read)(cm_ctx_t *ctx, const json_t *doc);
    // More members of the view for this caller (computed ones). May be NULL.
    void (*decorate)(cm_ctx_t *ctx, const json_t *doc, json_t *view);
    bool if_match_required;       // PATCH and actions without If-Match: 428
    bool patch_if_match_required; // PATCH alone without If-Match: 428
    size_t history_keep; // inline history entries; 0: CM_DOC_HISTORY_KEEP
    // A list item as this caller sees it: edit item in place (members that
    // depend on the time or the caller, as decorate does for the view).
    // May be NULL. When set, lists parse every item they page.
    void (*item_view)(cm_ctx_t *ctx, json_t *item);
    // Index entries the type keeps besides its filters' (internal ones no
    // list reads: counts, lookups), moved from old (NULL for a new
    // document) to doc in the same commit. May be NULL.
    void (*indexes)(cm_commit_t *commit, const json_t *old, const json_t *doc,
                    int64_t now_ms);
};

// ---- keys and reads

// "sm:{owner}:<kind>:<id>" into buf. Returns buf, NULL when it does not fit.
const char *cm_doc_key(const cm_doc_type_t *type, const char *id, char *buf,
                       size_t size);

// The key of document id's history stream. Returns buf, NULL when it does
// not fit.
const char *cm_doc_history_key(const cm_doc_type_t *type, const char *id,
                               char *buf, size_t size);

// The index key of filter `param` = value (param NULL: every document).
// Returns buf, NULL when it does not fit.
const char *cm_doc_index_key(const cm_doc_type_t *type, const char *param,
                             const char *value, char *buf, size_t size);

// Read and parse document id. 0 (caller owns *doc), CM_ENOTFOUND,
// CM_EUNAVAILABLE, or CM_EINTERNAL (unparseable; logged).
int cm_doc_read(cm_store_t *store, const cm_doc_type_t *type, const char *id,
                json_t **doc, int64_t *version);

// cm_doc_read of n ids in one round trip: docs[i] NULL when ids[i] names
// nothing. 0 (caller owns every docs[i]) or a status (all NULL).
int cm_doc_read_many(cm_store_t *store, const cm_doc_type_t *type,
                     const char *const *ids, size_t n, json_t **docs,
                     int64_t *versions);

// One document to read: its type and id (both borrowed).
typedef struct {
    const cm_doc_type_t *type;
    const char *id;
} cm_doc_ref_t;

// cm_doc_read_many of documents of different types: everything a step
// needs, in one round trip.
int cm_doc_read_refs(cm_store_t *store, const cm_doc_ref_t *refs, size_t n,
                     json_t **docs, int64_t *versions);

// Answer a failed read or write: 404 naming what and id, 503 with
// Retry-After, else 500.
void cm_doc_fail(cm_ctx_t *ctx, int rc, const cm_doc_type_t *type,
                 const char *id);

// cm_doc_read for a handler: NULL after answering (404/503/500). Caller
// owns the result.
json_t *cm_doc_load(cm_ctx_t *ctx, const cm_doc_type_t *type, const char *id,
                    int64_t *version);

// The next unused id ("WO-12") into id (CM_ID_MAX bytes): 0, or -1 after
// answering 503/500.
int cm_doc_next_id(cm_ctx_t *ctx, const cm_doc_type_t *type, char *id);

// ---- members

// The string member of doc, or NULL. Borrowed.
const char *cm_doc_string(const json_t *doc, const char *member);
// The string member of doc, or "" when absent. Borrowed.
const char *cm_doc_text(const json_t *doc, const char *member);
// The integer member of doc, or 0.
int64_t cm_doc_integer(const json_t *doc, const char *member);
// Set member to a string (NULL: JSON null).
void cm_doc_set_string(json_t *doc, const char *member, const char *value);
// Set member to the RFC 3339 text of epoch ms.
void cm_doc_set_time(json_t *doc, const char *member, int64_t ms);
// The epoch ms of an RFC 3339 member, or fallback.
int64_t cm_doc_time(const json_t *doc, const char *member, int64_t fallback);
// The document's state, "" when absent. Borrowed.
const char *cm_doc_state(const json_t *doc);
// The process of a document of this type (NULL when it has none).
const cm_workflow_t *cm_doc_workflow(const cm_doc_type_t *type,
                                     const json_t *doc);

// ---- new documents and history

// A new document {id, state, created_at, updated_at, created_by, history:
// [], history_count: 0}, with a first history entry "create" when actor is
// not NULL. Caller owns the result.
json_t *cm_doc_new(const char *id, const char *state, const json_t *actor,
                   int64_t now_ms);

// Append a history entry and set updated_at. from/to may be NULL (no state
// change); note may be NULL; data (taken, may be NULL or {}) is what the
// action recorded.
void cm_doc_history_add(json_t *doc, const json_t *actor, const char *action,
                        const char *from, const char *to, const char *note,
                        json_t *data, int64_t now_ms);

// ---- the caller's view

// Set the ETag header to "<version>".
void cm_doc_etag(cm_ctx_t *ctx, int64_t version);

// If-Match on a write of a document at `version`: true to go on. Otherwise
// answered 412 (stale), 428 (absent and the type requires it) or 400
// (malformed) and false.
bool cm_doc_if_match(cm_ctx_t *ctx, const cm_doc_type_t *type, int64_t version);

// The actions the caller may take now on doc. Caller owns the result.
json_t *cm_doc_actions(cm_ctx_t *ctx, const cm_doc_type_t *type,
                       const json_t *doc);

// What the caller sees: doc with `version` and `actions`, decorated. Caller
// owns the result.
json_t *cm_doc_view(cm_ctx_t *ctx, const cm_doc_type_t *type, const json_t *doc,
                    int64_t version);

// The list item of doc (type->list_item or the document without history).
// Caller owns the result.
json_t *cm_doc_list_item(const cm_doc_type_t *type, const json_t *doc);

// ---- writes

// Add the write of doc to commit: trims the inline history to the last
// history_keep entries, fewer when the document would otherwise pass
// CM_DOC_MAX_BYTES (entries added since `old` also go to the history
// stream), writes doc (expected_version
// as cm_commit_doc; CM_VERSION_NEW for a new one) with its state and list
// item, and moves its index entries (old NULL for a new document) to score
// now_ms, the type's own `indexes` too. doc is edited (history trimmed). 0,
// or CM_EINVAL when doc passes CM_DOC_MAX_BYTES without any inline history
// (nothing added).
int cm_doc_commit(cm_commit_t *commit, const cm_doc_type_t *type,
                  const json_t *old, json_t *doc, int64_t expected_version,
                  int64_t now_ms);

// Add an event of doc at version to commit: subject "<kind>/<id>", data =
// type's event data with `version`, updated with extra (taken, may be
// NULL). 0, or -1 when the envelope cannot be built.
int cm_doc_event(cm_ctx_t *ctx, cm_commit_t *commit, const cm_doc_type_t *type,
                 const char *event_type, const json_t *doc, int64_t version,
                 json_t *extra);

// cm_doc_event for a change the service makes outside a request (an event
// reaction, a timer): the same subject and data, source the type's owner,
// the given actor (may be NULL) and correlation id (may be NULL). extra is
// taken (may be NULL). 0, or -1 when the envelope cannot be built.
int cm_doc_event_add(cm_commit_t *commit, const cm_doc_type_t *type,
                     const char *event_type, const json_t *doc, int64_t version,
                     const json_t *actor, const char *correlation_id,
                     json_t *extra);

// Run commit (cm_ctx_commit) answering status with the caller's view of doc
// at version, its ETag and, for 201, its Location. A version conflict
// answers 412 when the request had If-Match, else 409. Returns the
// cm_ctx_commit outcome.
int cm_doc_reply_commit(cm_ctx_t *ctx, cm_commit_t *commit,
                        const cm_doc_type_t *type, int status,
                        const json_t *doc, int64_t version);

// ---- handlers

// GET <path>/{id}: the view with its ETag (404 when may_read refuses).
void cm_doc_get(cm_ctx_t *ctx, const cm_doc_type_t *type);

// GET <path>/{id}/history?cursor=&limit=: every history entry, oldest
// first, a page at a time ({"items", "next_cursor"}).
void cm_doc_history(cm_ctx_t *ctx, const cm_doc_type_t *type);

#endif
