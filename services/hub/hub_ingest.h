// hub_ingest — other systems' events arriving on the hub's XSUB
// (design.md §3): frames [topic][CloudEvents JSON]. Each is validated,
// de-duplicated by (source, id) and persisted to sm:{ingest}:outbox with the
// same commit path as every service, so the relay publishes it like any
// other event. Invalid input is logged (warn hub.ingest.rejected), dropped.
#ifndef HUB_INGEST_H
#define HUB_INGEST_H

#include <czmq.h>
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_store.h"

#define HUB_INGEST_OWNER      "ingest"
#define HUB_INGEST_FIELD_MAX  200 // longest id, source or type
#define HUB_INGEST_REASON_MAX 256

// Arguments of hub_ingest_actor. Strings borrowed until the actor signals.
typedef struct {
    const char *endpoint;       // XSUB bind endpoint, "tcp://127.0.0.1:5557"
    const char *redis_host;     // Redis for the ingest commits
    int redis_port;             // its port
    const char *redis_password; // "" for none
    int redis_timeout_ms;       // command timeout
    int64_t dedupe_ttl_ms;      // how long (source, id) is remembered
} hub_ingest_args_t;

// Validate one external event: at most 64 KiB, a JSON object with strings
// id, source, type (lower-case dotted), time (RFC 3339), and data; topic
// must be "evt.<type>". Returns the parsed event (caller owns it) or NULL
// with a reason.
json_t *hub_ingest_parse(const char *topic, const char *data, size_t size,
                         char *reason, size_t reason_size);

// Persist a validated event (borrowed) to sm:{ingest}:outbox unless its
// (source, id) was seen within ttl. Result as cm_store_commit (DUPLICATE
// for a repeat); caller owns *result.
int hub_ingest_commit(cm_store_t *store, const json_t *event,
                      int64_t dedupe_ttl_ms, cm_commit_result_t *result);

// zactor body: binds XSUB, subscribes to everything, signals, then sends
// its status as one integer message ("i": 0, or -1 when the bind failed)
// and handles messages until $TERM or interrupt.
// args is a hub_ingest_args_t.
void hub_ingest_actor(zsock_t *pipe, void *args);

#endif
