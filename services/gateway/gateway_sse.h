// gateway_sse — one Server-Sent Events connection. nng 1.5 has no
// streaming response API, so the handler hijacks the connection
// (nng_http_hijack) and this object writes the HTTP head and the event
// stream on it with nng_http_conn_write_all, one write in flight and the
// rest buffered; a read that fails tells that the client left. The events
// thread owns it; nng's callbacks touch only its buffer under a mutex.
#ifndef GATEWAY_SSE_H
#define GATEWAY_SSE_H

#include <jansson.h>
#include <nng/nng.h>
#include <nng/supplemental/http/http.h>
#include <stdbool.h>
#include <stddef.h>

// Unsent bytes before a slow client is dropped.
#define GATEWAY_SSE_BUFFER_MAX ((size_t)1024 * 1024)
#define GATEWAY_SSE_RETRY_MS   2000 // reconnect delay we suggest

typedef struct gateway_sse gateway_sse_t;

// Take over a hijacked connection (conn and http become owned) for actor
// (a new reference is kept) and write the response head. NULL on failure
// (conn and http are then closed and freed). Caller owns the result.
gateway_sse_t *gateway_sse_new(nng_http_conn *conn, nng_http_req *http,
                               const json_t *actor, const char *request_id);

// Close the connection and free; safe when *self_p is NULL. Waits for nng's
// callbacks on it to end.
void gateway_sse_destroy(gateway_sse_t **self_p);

// Queue size bytes to send. 0, or -1 when the client is gone or too slow
// (then it should be destroyed).
int gateway_sse_write(gateway_sse_t *self, const char *text, size_t size);

// True once the client left, a write failed or the buffer overflowed.
bool gateway_sse_is_closed(gateway_sse_t *self);

// The actor of the stream. Borrowed.
const json_t *gateway_sse_actor(const gateway_sse_t *self);

// The request id, for logs. Borrowed.
const char *gateway_sse_request_id(const gateway_sse_t *self);

// The last entry id sent from stream ("0-0" when none). Borrowed.
const char *gateway_sse_last_id(gateway_sse_t *self, const char *stream);

// Remember the last entry id sent from stream.
void gateway_sse_set_last_id(gateway_sse_t *self, const char *stream,
                             const char *id);

// True when actor may see the event envelope: every event for
// station_head, deputy_head and auditor; for others the events whose
// subject is in the actor's department (data.department), whoever acted.
bool gateway_sse_visible(const json_t *actor, const json_t *envelope);

// One SSE frame: "id: <id>\nevent: <type>\ndata: <line>\n…\n" (data split on
// newlines). Caller owns the result (free()); NULL on allocation failure.
char *gateway_sse_frame(const char *id, const char *type, const char *data);

#endif
