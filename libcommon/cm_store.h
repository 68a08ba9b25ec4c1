// cm_store — documents, indexes, counters, idempotency records, durable timers
// and the generic atomic commit (docs/architecture.md §3, §6) on top of
// cm_redis.
//
// Key layout (every key of one owner shares the hash tag {owner}):
//   sm:{owner}:<kind>:<id>          document hash: doc, version, state, ...
//   sm:{owner}:idx:<field>:<value>  index, sorted set, score = update ms
//   sm:{owner}:counter:<kind>       id counter (INCR)
//   sm:{owner}:ledger:<name>        ledger stream, field `entry`; never trimmed
//   sm:{owner}:outbox               outbox stream: seq, epoch, type, envelope
//   sm:{owner}:outbox:meta          hash: seq (last), epoch (set once)
//   sm:{owner}:idem:<actor>:<key>   idempotency: state, fp, response (TTL)
//   sm:{owner}:seen:<event id>      consumer dedupe marker (TTL)
//   sm:{owner}:timers:<name>        durable timers, score = due ms (or the
//                                   lease end while claimed)
// Not thread-safe: one cm_store_t per thread.
#ifndef LIBCOMMON_CM_STORE_H
#define LIBCOMMON_CM_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_config.h"

#define CM_STORE_KEY_MAX            512 // longest key we build
#define CM_STORE_LIBRARY            "sm"
#define CM_VERSION_ANY              (-1) // cm_commit_doc: write whatever the version
#define CM_VERSION_NEW              0 // cm_commit_doc: the document must not exist
#define CM_COMMIT_DOCS_MAX          16   // documents in one commit
#define CM_COMMIT_EVENTS_MAX        16   // outbox events in one commit
#define CM_STREAM_ID_MAX            48   // "<ms>-<n>" and NUL
#define CM_EPOCH_MAX                32   // outbox epoch text and NUL
#define CM_STORE_PAGE_MAX           1000 // largest page of cm_store_list
#define CM_CURSOR_EXTRA             24   // cursor bytes besides the member
#define CM_STORE_NUM_MAX            24   // decimal int64 text and NUL
#define CM_STORE_COUNTER_FIELDS_MAX 16   // fields of one cm_store_counters read

typedef struct cm_store cm_store_t;
typedef struct cm_commit cm_commit_t;
typedef struct cm_redis cm_redis_t;

// A document read by cm_store_get. Caller owns json and state (cm_doc_clear).
typedef struct {
    char *json;      // the `doc` field
    int64_t version; // the `version` field
    char *state;     // the `state` field, NULL when absent
} cm_doc_t;

// One page of an index. Caller owns it (cm_page_clear).
typedef struct {
    size_t count;      // members on this page
    char **members;    // newest first
    int64_t *scores;   // their scores (update ms)
    char *next_cursor; // pass to the next call; NULL on the last page
    int64_t total;     // index size when asked for, else -1
} cm_page_t;

typedef enum {
    CM_COMMIT_OK,        // written
    CM_COMMIT_CONFLICT,  // a version differed: nothing written (409/412)
    CM_COMMIT_DONE,      // idempotency record already final: response set
    CM_COMMIT_MISMATCH,  // idempotency key used with another fingerprint
    CM_COMMIT_DUPLICATE, // dedupe marker present: nothing written
    CM_COMMIT_LIMIT,     // a bounded counter would leave its bounds (422)
} cm_commit_outcome_t;

// What a commit did. Caller owns `response` (cm_commit_result_clear).
typedef struct {
    cm_commit_outcome_t outcome;                             // see above
    size_t version_count;                                    // one per document
    int64_t versions[CM_COMMIT_DOCS_MAX];                    // new versions
    size_t event_count;                                      // one per event
    int64_t seqs[CM_COMMIT_EVENTS_MAX];                      // outbox seq
    char stream_ids[CM_COMMIT_EVENTS_MAX][CM_STREAM_ID_MAX]; // outbox ids
    char epoch[CM_EPOCH_MAX];                                // outbox epoch
    char conflict_key[CM_STORE_KEY_MAX];                     // CONFLICT: key
    int64_t conflict_version;           // its version (0: none)
    char limit_field[CM_STORE_KEY_MAX]; // LIMIT: the counter's field (and
                                        // conflict_key its hash)
    int64_t limit_value;                // LIMIT: its value before
    char *response;                     // DONE: stored reply
} cm_commit_result_t;

typedef enum {
    CM_IDEM_NEW,      // marker set: go ahead, finish with the commit
    CM_IDEM_RUNNING,  // another attempt is running (409)
    CM_IDEM_DONE,     // finished before: answer the stored response
    CM_IDEM_MISMATCH, // same key, other request (422)
} cm_idem_state_t;

// Connect (see cm_redis_new) and load the Lua library. Succeeds while Redis
// is down; the library is loaded on every (re)connect. Caller owns the
// result; NULL for bad arguments.
cm_store_t *cm_store_new(const char *host, int port, const char *password,
                         int timeout_ms);

// cm_store_new from the redis/* options. Caller owns the result.
cm_store_t *cm_store_new_from_config(const cm_config_t *config);

// Another store on the server of `other` (its own connection, for another
// thread). Caller owns the result.
cm_store_t *cm_store_new_like(const cm_store_t *other);

// Close and free; safe when *self_p is NULL.
void cm_store_destroy(cm_store_t **self_p);

// The connection, for cm_events and cm_outbox. Borrowed: valid until
// cm_store_destroy.
cm_redis_t *cm_store_redis(cm_store_t *self);

// Round trip to Redis: 0 or CM_EUNAVAILABLE.
int cm_store_ping(cm_store_t *self);

// Write "sm:{owner}:kind" or "sm:{owner}:kind:id" (id NULL: without) into
// buf. Returns buf, or NULL when it does not fit.
const char *cm_store_key(char *buf, size_t size, const char *owner,
                         const char *kind, const char *id);

// cm_store_key into buf of CM_STORE_KEY_MAX bytes for parts that always
// fit (ids validated shorter than a key): one that does not is a bug and
// aborts. Returns buf. Services name it <service>_key.
const char *cm_store_key_fit(char *buf, const char *owner, const char *kind,
                             const char *id);

// Read a document. 0, CM_ENOTFOUND, CM_EUNAVAILABLE, or CM_EINTERNAL for a
// reply of the wrong type. Caller owns *doc on success (cm_doc_clear).
int cm_store_get(cm_store_t *self, const char *key, cm_doc_t *doc);

// Free what a cm_doc_t holds and zero it.
void cm_doc_clear(cm_doc_t *doc);

// Read `field` (NULL: "doc"), version and state of n documents in one round
// trip (pipelined HMGET). docs[i].json holds that field, NULL when the
// document or the field is absent; docs[i].version is 0 when the document is
// absent. 0, CM_EUNAVAILABLE, or CM_EINTERNAL when a reply has the wrong
// type (a key that is not a hash). Caller owns docs[0..n) on success
// (cm_docs_clear); on failure they are cleared.
int cm_store_get_many(cm_store_t *self, const char *const *keys, size_t n,
                      const char *field, cm_doc_t *docs);

// cm_doc_clear for each of n documents.
void cm_docs_clear(cm_doc_t *docs, size_t n);

// Read the documents at keys[0..n) in one round trip and keep them:
// cm_store_get of one of these keys answers from what was read (absent
// stays absent) until cm_store_prefetch_drop or this store's next commit.
// What was kept before is dropped first. On failure nothing is kept, and
// each read goes to Redis itself. A worker does this for its batch of reads.
void cm_store_prefetch(cm_store_t *self, const char *const *keys, size_t n);

// Forget what cm_store_prefetch kept.
void cm_store_prefetch_drop(cm_store_t *self);

// Read the integer fields `fields[0..nfields)` of n hashes in one round trip
// (pipelined HMGET): values[i * nfields + j] is field j of keys[i], 0 when
// the hash or the field is absent. What cm_commit_counter writes (a stock
// balance, a budget line's figures). 0, CM_EUNAVAILABLE, or CM_EINTERNAL
// when a key is not a hash or a field is not an integer.
int cm_store_counters(cm_store_t *self, const char *const *keys, size_t n,
                      const char *const *fields, size_t nfields,
                      int64_t *values);

// One page of an index, newest first (ties by member, descending). cursor
// NULL for the first page. limit 1..CM_STORE_PAGE_MAX. Returns 0,
// CM_EINVAL (bad cursor or limit), CM_EUNAVAILABLE or CM_EINTERNAL. Caller
// owns *page on success (cm_page_clear).
int cm_store_list(cm_store_t *self, const char *index_key, const char *cursor,
                  size_t limit, bool with_total, cm_page_t *page);

// The first page (cm_store_list without a cursor or total) of each of n
// indexes in one round trip. 0, CM_EINVAL (bad limit), CM_EUNAVAILABLE or
// CM_EINTERNAL; caller owns pages[0..n) on success (cm_page_clear each),
// on failure they are cleared.
int cm_store_list_many(cm_store_t *self, const char *const *index_keys,
                       size_t n, size_t limit, cm_page_t *pages);

// Free what a cm_page_t holds and zero it.
void cm_page_clear(cm_page_t *page);

// The cursor that resumes a list after item i of page ("<score>:<member>",
// what cm_store_list takes and next_cursor holds) into buf. Returns buf, or
// NULL when it does not fit (strlen(member) + CM_CURSOR_EXTRA always does).
const char *cm_page_cursor(char *buf, size_t size, const cm_page_t *page,
                           size_t i);

// Next number of the counter sm:{owner}:counter:kind (INCR) into *number.
// 0, CM_EUNAVAILABLE or CM_EINTERNAL.
int cm_store_next_id(cm_store_t *self, const char *owner, const char *kind,
                     int64_t *number);

// cm_store_next_id, and in the same round trip the documents at keys[0..n)
// kept as cm_store_prefetch keeps them (what is kept before is dropped;
// when they cannot be read, nothing is kept and each read goes to Redis).
// For a create that takes its number and reads what it looks up at once.
int cm_store_next_id_prefetch(cm_store_t *self, const char *owner,
                              const char *kind, int64_t *number,
                              const char *const *keys, size_t n);

// Start an idempotent request: sets a "running" marker expiring after ttl_ms
// (the request deadline) unless a record exists. On CM_IDEM_DONE *response
// is the stored reply (caller owns it, free). 0, CM_EUNAVAILABLE, CM_EINTERNAL.
int cm_store_idem_begin(cm_store_t *self, const char *key,
                        const char *fingerprint, int64_t ttl_ms,
                        cm_idem_state_t *state, char **response);

// Drop our "running" marker after a request failed without a commit, so a
// retry may run. 0, CM_EUNAVAILABLE or CM_EINTERNAL.
int cm_store_idem_release(cm_store_t *self, const char *key,
                          const char *fingerprint);

// Add or move a durable timer. 0, CM_EUNAVAILABLE or CM_EINTERNAL.
int cm_store_timer_add(cm_store_t *self, const char *key, const char *member,
                       int64_t due_ms);

// Atomically lease up to `limit` timers due at now_ms: each is returned to
// exactly one caller and re-scored to now_ms + lease_ms, so it falls due
// again if the caller dies before finishing it. Finish each with the commit
// of its effect (cm_commit_index_remove on key, or cm_commit_index_add at
// the next due time) or with cm_store_timer_settle. *members is an array of
// *count strings; caller owns both (cm_store_strings_free). 0,
// CM_EUNAVAILABLE or CM_EINTERNAL.
int cm_store_timer_claim(cm_store_t *self, const char *key, int64_t now_ms,
                         int64_t lease_ms, size_t limit, char ***members,
                         size_t *count);

// End the lease of a claimed timer (lease_until_ms: the claim's now_ms +
// lease_ms): remove it (next_due_ms <= 0) or move it to next_due_ms, unless
// a commit moved it since the claim (then it is left as it is). 0,
// CM_EUNAVAILABLE or CM_EINTERNAL.
int cm_store_timer_settle(cm_store_t *self, const char *key, const char *member,
                          int64_t lease_until_ms, int64_t next_due_ms);

// Free an array of count strings from cm_store; sets *strings_p to NULL.
void cm_store_strings_free(char ***strings_p, size_t count);

// A change to make atomically; all keys under sm:{owner}: (asserted). Caller
// owns the result.
cm_commit_t *cm_commit_new(const char *owner);

// Free; safe when *self_p is NULL.
void cm_commit_destroy(cm_commit_t **self_p);

// The owner given to cm_commit_new. Borrowed: valid until destroy.
const char *cm_commit_owner(const cm_commit_t *self);

// Write document `key` (field doc = doc_json) if its version is
// expected_version (CM_VERSION_NEW: absent; CM_VERSION_ANY: no check); the
// version becomes old + 1. Strings are copied.
void cm_commit_doc(cm_commit_t *self, const char *key, int64_t expected_version,
                   const char *doc_json);

// Set another hash field (state, fields indexes need) on the last document.
void cm_commit_field(cm_commit_t *self, const char *name, const char *value);

// Add / remove an index or timer entry.
void cm_commit_index_add(cm_commit_t *self, const char *key, const char *member,
                         int64_t score);
void cm_commit_index_remove(cm_commit_t *self, const char *key,
                            const char *member);

// Add / remove a member of a set (no order, no score): an index whose
// members are small integers stays compact in Redis (an intset).
void cm_commit_member_add(cm_commit_t *self, const char *key,
                          const char *member);
void cm_commit_member_remove(cm_commit_t *self, const char *key,
                             const char *member);

// A timer that follows a document: member due at due_ms, or off the timer
// key when due_ms <= 0 (the document no longer falls due).
void cm_commit_timer(cm_commit_t *self, const char *key, const char *member,
                     int64_t due_ms);

// No bound for cm_commit_counter.
#define CM_COUNTER_NO_MIN INT64_MIN
#define CM_COUNTER_NO_MAX INT64_MAX

// Add delta to the integer field of hash key, provided the field's value
// after every delta of this commit on it stays within [min, max]; otherwise
// the whole commit writes nothing and ends CM_COMMIT_LIMIT (result names the
// key, field and the value before). Stock balances that never go negative,
// budget lines that never overspend: checked and written atomically,
// whatever the concurrency.
void cm_commit_counter(cm_commit_t *self, const char *key, const char *field,
                       int64_t delta, int64_t min, int64_t max);

// Append an entry to a ledger stream (never trimmed).
void cm_commit_ledger(cm_commit_t *self, const char *key,
                      const char *entry_json);

// Append an entry to a ledger stream stamped with the value of the counter
// (counter_key, counter_field) once every delta of this commit is applied:
// the stream entry holds `member` = that integer beside `entry`, and
// cm_stream_read returns it as the entry's member `member`. A running
// balance that is exact whatever the concurrency, with no read before the
// commit (a stock ledger's balance after, an account's). member must not
// be "entry".
void cm_commit_ledger_stamped(cm_commit_t *self, const char *key,
                              const char *entry_json, const char *counter_key,
                              const char *counter_field, const char *member);

// Append an event to sm:{owner}:outbox with the next seq and the epoch.
void cm_commit_event(cm_commit_t *self, const char *type,
                     const char *envelope_json);

// Finish an idempotency record (cm_store_idem_begin) with the final reply,
// kept for ttl_ms. A final record already there ends the commit as DONE.
void cm_commit_idempotency(cm_commit_t *self, const char *key,
                           const char *fingerprint, const char *response,
                           int64_t ttl_ms);

// Set a dedupe marker for ttl_ms; if it exists the commit is DUPLICATE.
void cm_commit_dedupe(cm_commit_t *self, const char *key, int64_t ttl_ms);

// The length of the commit's op list so far: equal before and after a step
// when the step added nothing.
size_t cm_commit_size(const cm_commit_t *self);

// True when nothing was added.
bool cm_commit_is_empty(const cm_commit_t *self);

// The argv of FCALL sm_commit <numkeys> KEYS... ARGV..., for cm_store_commit;
// numkeys (size bytes, CM_STORE_NUM_MAX will do) receives the key count text.
// *argc is set. Caller frees the array only: the strings are borrowed from
// the commit (valid until it changes or is destroyed).
const char **cm_commit_argv(const cm_commit_t *commit, char *numkeys,
                            size_t size, int *argc);

// Run the commit in one FCALL. 0 when it ran (result->outcome says how);
// CM_EUNAVAILABLE (outcome unknown; retry with the same idempotency key) or
// CM_EINTERNAL. Caller owns *result (cm_commit_result_clear).
int cm_store_commit(cm_store_t *self, const cm_commit_t *commit,
                    cm_commit_result_t *result);

// Pipeline n commits: one round trip. rcs[i] and results[i] as for
// cm_store_commit. Returns 0 when every reply arrived, else CM_EUNAVAILABLE.
int cm_store_commit_batch(cm_store_t *self, const cm_commit_t *const *commits,
                          size_t n, cm_commit_result_t *results, int *rcs);

// Free what a result holds.
void cm_commit_result_clear(cm_commit_result_t *result);

#endif
