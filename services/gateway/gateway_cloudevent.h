// gateway_cloudevent — checks a CloudEvents 1.0 JSON event posted to
// POST /v1/events and turns it into what the ingest stream stores. Pure.
#ifndef GATEWAY_CLOUDEVENT_H
#define GATEWAY_CLOUDEVENT_H

#include <jansson.h>

#include "gateway_input.h"

#define GATEWAY_CLOUDEVENT_FIELDS                                              \
    "id source type specversion time data subject datacontenttype"
#define GATEWAY_INGEST_OWNER "ingest" // sm:{ingest}:outbox

// Validate event: required id, source, type (non-blank strings),
// specversion "1.0", time (RFC 3339), data (object); optional subject and
// datacontenttype (strings); any other member is named as not allowed.
// Returns NULL when valid, else a 400 problem listing every error. Caller
// owns the result.
json_t *gateway_cloudevent_check(const json_t *event);

// The dedupe marker key sm:{ingest}:seen:<sha256 hex of source "\n" id>
// into key (at least 128 bytes). Returns key.
const char *gateway_cloudevent_seen_key(const json_t *event, char *key,
                                        size_t size);

// The event envelope stored on the ingest stream (cm_envelope event: type,
// source, subject (the event's, else "event/<id>"), version 1, time of the
// event, correlation_id, actor, data). Caller owns the result; NULL when it
// cannot be built.
json_t *gateway_cloudevent_envelope(const json_t *event, const json_t *actor,
                                    const char *correlation_id);

#endif
