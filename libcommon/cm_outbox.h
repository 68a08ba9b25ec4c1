// cm_outbox — reading, relaying and safely trimming outbox streams
// `sm:{<svc>}:outbox` (docs/architecture.md §4). Each entry has the fields seq,
// epoch, type and envelope, written by cm_commit_event. Used by the hub and by
// cm_events; services use cm_events. What concerns the streams' consumer
// groups (safe trim, lag, removing dead consumers) is in cm_outbox_groups.c.
#ifndef LIBCOMMON_CM_OUTBOX_H
#define LIBCOMMON_CM_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_envelope.h"
#include "cm_redis.h"
#include "cm_store.h"

#define CM_OUTBOX_PATTERN      "sm:{*}:outbox"
#define CM_OUTBOX_TOPIC_MAX    256 // "evt." + type and NUL
#define CM_OUTBOX_ADDRESS_MAX  (CM_STORE_KEY_MAX + CM_STREAM_ID_MAX)
#define CM_OUTBOX_STREAMS_MAX  1024 // streams one XREAD covers
#define CM_OUTBOX_GROUP_MAX    128  // consumer group name and NUL
#define CM_OUTBOX_CONSUMER_MAX 256  // consumer name ("<service>-<replica>")

// One outbox entry. Caller owns it (cm_event_destroy).
typedef struct {
    char stream[CM_STORE_KEY_MAX]; // "sm:{intake}:outbox"
    char id[CM_STREAM_ID_MAX];     // stream entry id "<ms>-<n>"
    int64_t seq;                   // contiguous per stream
    char epoch[CM_EPOCH_MAX];      // changes when Redis lost the stream
    char *type;                    // "intake.case.created"
    char *envelope;                // JSON as stored (no seq/epoch) or relayed
    int64_t deliveries;            // consumer groups: delivery count
    // cm_consumer: which of its reads (XREADGROUP or XAUTOCLAIM page, one
    // stream's entries) delivered it, counted from 1 per consumer; every
    // entry of that read was committed before the read. 0: not a consumer's.
    uint64_t read;
} cm_event_t;

// Called once per entry read, in stream order. The event is borrowed: valid
// until the callback returns. Return 0 to go on, non-zero to stop.
typedef int(cm_outbox_fn)(const cm_event_t *event, void *arg);

// Parse one stream entry reply ([id, [field, value, ...]]) of `stream`.
// NULL when the entry is malformed or deleted. Caller owns the result.
cm_event_t *cm_event_from_reply(const char *stream, const redisReply *entry);

// A deep copy. Caller owns the result.
cm_event_t *cm_event_dup(const cm_event_t *event);

// Free; safe when *self_p is NULL.
void cm_event_destroy(cm_event_t **self_p);

// The envelope with "seq" and "epoch" set, as relayed on XPUB. NULL when
// the stored envelope is not a JSON object. Caller owns the result (free).
char *cm_event_relay_envelope(const cm_event_t *event);

// Longest correlation id kept while a consumer handles an event.
#define CM_EVENT_CORRELATION_MAX 128

// What a consumer reads from an envelope before its handler runs.
typedef struct {
    char marker[CM_STORE_KEY_MAX];              // sm:{<consumer>}:seen:<id>
    char correlation[CM_EVENT_CORRELATION_MAX]; // log correlation id
} cm_event_identity_t;

// The dedupe marker of `event` for consumer and its log correlation id. The
// dedupe id is the envelope's "id", else "<stream>/<entry>"; with by_source
// (the ingest stream, whose ids come from other systems and are unique only
// per source, as in CloudEvents) the marker is cm_cloudevent_marker of
// (source, id), the identity the entry points dedupe by. The correlation id
// is "correlation_id", else "id", else "".
void cm_event_identity(const cm_event_t *event, const char *consumer,
                       bool by_source, cm_event_identity_t *identity);

// Write the XPUB topic "evt.<type>" into buf. Returns buf or NULL (too long).
const char *cm_event_topic(const cm_event_t *event, char *buf, size_t size);

// Write the relay address "<stream>/<entry id>" into buf (at least
// CM_OUTBOX_ADDRESS_MAX). Returns buf.
const char *cm_event_address(const cm_event_t *event, char *buf, size_t size);

// Split an address back into stream and entry id. 0 or -1 (malformed).
int cm_event_address_parse(const char *address, char *stream,
                           size_t stream_size, char *id, size_t id_size);

// The registry of outbox streams: a set of stream keys that producers add
// themselves to at start (cm_outbox_register), so finding the streams costs
// one SMEMBERS instead of a SCAN of the whole keyspace (1.4 s of Redis time
// with a million keys). It lives outside every producer's hash tag, so it is
// written by its own command, never inside a commit.
#define CM_OUTBOX_REGISTRY "sm:{hub}:streams"

// Add sm:{owner}:outbox to the registry. 0, CM_EUNAVAILABLE or CM_EINTERNAL.
int cm_outbox_register(cm_redis_t *redis, const char *owner);

// Build the event envelope from fields (borrowed; data must be an object)
// and add it to commit, which appends it to the owner's outbox with the next
// seq. Returns 0, or -1 (logged as event.unbuildable) when the envelope
// cannot be built: bad UTF-8, a missing member, over 64 KiB.
int cm_outbox_append(cm_commit_t *commit, const cm_envelope_event_t *fields);

// Every registered outbox stream (SMEMBERS of the registry). *streams is an
// array of *count strings; caller owns it (cm_store_strings_free). 0,
// CM_EUNAVAILABLE or CM_EINTERNAL.
int cm_outbox_discover(cm_redis_t *redis, char ***streams, size_t *count);

// Every outbox stream in the keyspace (SCAN MATCH sm:{*}:outbox TYPE
// stream), registered or not: the slow safety net for producers that could
// not register. Same ownership and results as cm_outbox_discover.
int cm_outbox_scan(cm_redis_t *redis, char ***streams, size_t *count);

// One step of that scan: one SCAN call (COUNT 100) from cursor ("0" to
// begin; CM_OUTBOX_CURSOR_MAX bytes), which becomes the next one ("0": the
// pass is complete). Streams found in this step as cm_outbox_scan gives
// them. Lets a caller spread a pass over time instead of holding Redis for
// the whole keyspace.
#define CM_OUTBOX_CURSOR_MAX 24
int cm_outbox_scan_step(cm_redis_t *redis, char *cursor, char ***streams,
                        size_t *count);

// XREAD COUNT count [BLOCK block_ms] over n streams after the given ids
// (block_ms < 0: no BLOCK). Calls fn per entry. Returns entries read,
// CM_EUNAVAILABLE or CM_EINTERNAL.
int cm_outbox_read(cm_redis_t *redis, size_t n, const char *const *streams,
                   const char *const *after_ids, size_t count, int block_ms,
                   cm_outbox_fn *fn, void *arg);

// XRANGE stream (after_id + COUNT count. Calls fn per entry. Returns entries
// read, CM_EUNAVAILABLE or CM_EINTERNAL.
int cm_outbox_range(cm_redis_t *redis, const char *stream, const char *after_id,
                    size_t count, cm_outbox_fn *fn, void *arg);

// The oldest entry id that some consumer group still needs (its first
// pending entry, or the first after its last-delivered id), into id
// (CM_STREAM_ID_MAX). 0, CM_ENOTFOUND (no group), CM_EUNAVAILABLE or
// CM_EINTERNAL.
int cm_outbox_oldest_needed(cm_redis_t *redis, const char *stream, char *id);

// Trim stream below min(oldest id any group needs, entry after
// keep_after_id) less `retention` entries, with XTRIM MINID. keep_after_id
// (the hub cursor) may be NULL. Sets *trimmed to the entries removed. 0,
// CM_EUNAVAILABLE or CM_EINTERNAL.
int cm_outbox_trim(cm_redis_t *redis, const char *stream,
                   const char *keep_after_id, size_t retention,
                   int64_t *trimmed);

// Compare two stream ids ("<ms>-<n>"): <0, 0, >0.
int cm_outbox_id_compare(const char *a, const char *b);

// How far one consumer group is behind on one outbox stream.
typedef struct {
    char stream[CM_STORE_KEY_MAX];   // "sm:{intake}:outbox"
    char group[CM_OUTBOX_GROUP_MAX]; // the consuming service
    int64_t lag;     // entries after the group's last-delivered id, counted
                     // by seq (last entry's seq - first undelivered's + 1);
                     // for entries without seq, XINFO GROUPS "lag", else
                     // the pending count
    int64_t pending; // delivered but not acknowledged
} cm_outbox_lag_t;

// Lag and pending of every consumer group of every outbox stream
// (cm_outbox_discover, XINFO GROUPS, the last entry per stream and the first
// undelivered one per group). Not XINFO GROUPS "lag": after Redis reloads a
// rewritten AOF it stays off by the entries read since the rewrite. *lags
// is an array of *count entries, NULL when there are none; caller owns it
// (free). 0, CM_EUNAVAILABLE or CM_EINTERNAL (nothing owned).
int cm_outbox_lags(cm_redis_t *redis, cm_outbox_lag_t **lags, size_t *count);

// A consumer cm_outbox_reap removed.
typedef struct {
    char group[CM_OUTBOX_GROUP_MAX];       // its consumer group
    char consumer[CM_OUTBOX_CONSUMER_MAX]; // its name, "<service>-<replica>"
} cm_outbox_reaped_t;

// Remove from every consumer group of stream each consumer that has nothing
// pending and was idle longer than idle_ms (a replica that is gone: its name
// would stay in XINFO CONSUMERS for ever). One atomic FCALL
// sm_reap_consumers, so a consumer delivered an entry meanwhile is kept; a
// live replica removed while quiet is added again by Redis at its next
// read. *reaped is an array of *count (NULL when none); caller owns it
// (free). 0, CM_EUNAVAILABLE or CM_EINTERNAL (e.g. the function library
// loaded in Redis is older than sm_reap_consumers).
int cm_outbox_reap(cm_redis_t *redis, const char *stream, int64_t idle_ms,
                   cm_outbox_reaped_t **reaped, size_t *count);

#endif
