// hub_ingest — other systems' events arriving on the hub's XSUB
// (docs/architecture.md §4): frames [topic][CloudEvents JSON]. Each is checked
// by the same rules as POST /v1/events (cm_cloudevent_check), de-duplicated by
// the same (source, id) identity and persisted to sm:{ingest}:outbox in the
// same shape (cm_cloudevent_commit), so an event is one event whichever way it
// came; the relay then publishes it like any other. Invalid input is logged
// (warn hub.ingest.rejected with the reason, the topic and the source,
// bounded and made printable) and dropped.
#ifndef HUB_INGEST_H
#define HUB_INGEST_H

#include <czmq.h>
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_cloudevent.h"
#include "cm_store.h"

#define HUB_INGEST_REASON_MAX    CM_CLOUDEVENT_REASON_MAX
#define HUB_INGEST_LOG_FIELD_MAX 128 // topic or source in a log line, and NUL

// Arguments of hub_ingest_actor. Strings borrowed until the actor signals.
typedef struct {
    const char *endpoint;       // XSUB bind endpoint, "tcp://127.0.0.1:5557"
    const char *redis_host;     // Redis for the ingest commits
    int redis_port;             // its port
    const char *redis_password; // "" for none
    int redis_timeout_ms;       // command timeout
    int64_t dedupe_ttl_ms;      // how long (source, id) is remembered
} hub_ingest_args_t;

// Validate one external event: at most 64 KiB, a JSON object (duplicate
// members refused) that passes cm_cloudevent_check, under the topic
// "evt.<type>". Returns the parsed event (caller owns it) or NULL with a
// reason ("<field>: <message>[; ...]").
json_t *hub_ingest_parse(const char *topic, const char *data, size_t size,
                         char *reason, size_t reason_size);

// Persist a validated event (borrowed) to sm:{ingest}:outbox unless its
// (source, id) was seen within ttl; correlation_id (borrowed, may be NULL)
// is its arrival's id. Result as cm_store_commit (DUPLICATE for a repeat;
// caller owns *result), or CM_EINVAL with a reason when it cannot be stored
// (too large).
int hub_ingest_commit(cm_store_t *store, const json_t *event,
                      const char *correlation_id, int64_t dedupe_ttl_ms,
                      cm_commit_result_t *result, char *reason,
                      size_t reason_size);

// Copy size bytes of untrusted text into out (out_size bytes, at least 4)
// for a log line: printable ASCII kept, every other byte '?', and text that
// does not fit cut with "...". Returns out.
const char *hub_ingest_sanitize(const void *text, size_t size, char *out,
                                size_t out_size);

// zactor body: binds XSUB, subscribes to everything, signals, then sends
// its status as one integer message ("i": 0, or -1 when the bind failed)
// and handles messages until $TERM or interrupt.
// args is a hub_ingest_args_t.
void hub_ingest_actor(zsock_t *pipe, void *args);

#endif
