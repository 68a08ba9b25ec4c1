// cm_envelope — the JSON envelope of every request, reply and event
// (docs/architecture.md §2). Field names follow CloudEvents 1.0:
//
//   request {v,id,type,source,time,correlation_id,deadline,idempotency_key?,
//            fingerprint?,if_match?,accept?,actor,method,path,query?,body?}
//   reply   {v,id,correlation_id,status,headers?,body? | error?}
//   event   {v,id,type,source,subject,version,time,correlation_id?,actor?,
//            epoch?,seq?,data}
//
// Parsing is strict: duplicate keys, unknown top-level fields, missing
// required fields and wrong types are errors with a reason naming the field.
// Encoded envelopes are at most CM_ENVELOPE_MAX_BYTES.
#ifndef LIBCOMMON_CM_ENVELOPE_H
#define LIBCOMMON_CM_ENVELOPE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define CM_ENVELOPE_VERSION 1
#define CM_ENVELOPE_MAX_BYTES                                                  \
    65536 // docs/architecture.md §2: messages ≤ 64 KiB
#define CM_ENVELOPE_REASON_MAX 256 // a reason buffer that always suffices
// Longest raw (non-JSON) body a request or reply carries as base64: its
// base64 text (4/3) and the envelope's other members stay within
// CM_ENVELOPE_MAX_BYTES.
#define CM_ENVELOPE_RAW_BODY_MAX (44 * 1024)

typedef enum {
    CM_ENVELOPE_REQUEST,
    CM_ENVELOPE_REPLY,
    CM_ENVELOPE_EVENT
} cm_envelope_kind_t;

// What a request is built from. Strings and JSON values are borrowed; the
// builder copies or references them. NULL optional members are left out
// (idempotency_key) or defaulted (correlation_id: the new id, query: {},
// body: null).
typedef struct {
    const char *type;            // "intake.case.forward"
    const char *source;          // "gateway/<host>"
    const char *correlation_id;  // NULL: the request's own id
    int64_t deadline_ms;         // epoch ms after which nobody waits
    const char *idempotency_key; // NULL when absent
    const json_t *actor;         // {"id","role","department"}
    const char *method;          // "POST"
    const char *path;            // "/v1/cases/CS-12/forward"
    const json_t *query;         // object, NULL: {}
    const json_t *body;          // any JSON, NULL: null
    const char *fingerprint;     // sha256 hex of method, path, body; or NULL
    const char *if_match;        // the If-Match header's value, or NULL
    const char *accept;          // "text/csv" when the client asked for it
    // A body that is not JSON (an upload): its Content-Type, with the body
    // a JSON string holding the bytes in base64 (CM_ENVELOPE_RAW_BODY_MAX
    // bytes at most, so the envelope stays within its bound). NULL: JSON.
    const char *content_type;
} cm_envelope_request_t;

// What an event is built from; seq and epoch are added later by the hub.
typedef struct {
    const char *type;           // "intake.case.forwarded"
    const char *source;         // "intake"
    const char *subject;        // "case/CS-12"
    int64_t version;            // the document version after the change
    const char *correlation_id; // NULL when absent
    const json_t *actor;        // NULL when absent
    const json_t *data;         // object
} cm_envelope_event_t;

// Parse and validate `size` bytes as an envelope of `kind`. Returns NULL on
// failure and writes a reason naming the field into reason (may be NULL).
// Caller owns the result.
json_t *cm_envelope_parse(const char *data, size_t size,
                          cm_envelope_kind_t kind, char *reason,
                          size_t reason_size);

// Validate an already parsed envelope. Returns 0, or -1 with a reason.
int cm_envelope_validate(const json_t *envelope, cm_envelope_kind_t kind,
                         char *reason, size_t reason_size);

// The cheap look the broker takes at a request: parse (duplicates rejected,
// size limited) and read only `id` (into id, id_size bytes) and `deadline`.
// Returns 0, or -1 with a reason; id is "" when it could not be read.
int cm_envelope_peek_request(const char *data, size_t size, char *id,
                             size_t id_size, int64_t *deadline_ms, char *reason,
                             size_t reason_size);

// A new request with a fresh id and the current time. Returns NULL when a
// required member is NULL or a string is not UTF-8. Caller owns the result.
json_t *cm_envelope_request_new(const cm_envelope_request_t *fields);

// A reply to `request` (its id becomes correlation_id). headers (object) and
// body are borrowed and may be NULL. Caller owns the result.
json_t *cm_envelope_reply_new(const json_t *request, int status,
                              const json_t *headers, const json_t *body);

// An error reply for the request whose id is correlation_id; the status is
// the problem's (cm_problem.h), the problem goes under "error". Borrowed
// problem. Caller owns the result.
json_t *cm_envelope_error_new(const char *correlation_id,
                              const json_t *problem);

// cm_envelope_error_new for a parsed request. Caller owns the result.
json_t *cm_envelope_error_reply_new(const json_t *request,
                                    const json_t *problem);

// A new event with a fresh id and the current time; NULL when a required
// member is NULL or invalid. Caller owns the result.
json_t *cm_envelope_event_new(const cm_envelope_event_t *fields);

// Top-level string member, or NULL. Borrowed: valid while envelope lives.
const char *cm_envelope_string(const json_t *envelope, const char *field);

// The common members. Borrowed strings, NULL when absent.
const char *cm_envelope_id(const json_t *envelope);
const char *cm_envelope_type(const json_t *envelope);
const char *cm_envelope_correlation_id(const json_t *envelope);
const char *cm_envelope_method(const json_t *envelope);
const char *cm_envelope_path(const json_t *envelope);

// Deadline in epoch ms of a request, 0 when absent.
int64_t cm_envelope_deadline(const json_t *envelope);

// Status of a reply, 0 when absent.
int cm_envelope_status(const json_t *envelope);

// Object/any members (actor, query, body, headers, error, data). Borrowed:
// valid while envelope lives; NULL when absent.
json_t *cm_envelope_member(const json_t *envelope, const char *field);

// Encode compactly. Returns NULL when the text would exceed
// CM_ENVELOPE_MAX_BYTES. Caller owns the result (free()).
char *cm_envelope_encode(const json_t *envelope);

#endif
