// cm_cloudevent — an event another system publishes (CloudEvents 1.0, JSON
// format), whichever way it arrives: POST /v1/events at the gateway or a
// message on the hub's XSUB. Both entry points use this one module, so an
// event is checked by one set of rules, known by one identity and stored in
// one shape on sm:{ingest}:outbox (docs/architecture.md §4).
//
// Identity: (source, id); ids are unique per source only. The dedupe marker
// is sm:{<owner>}:seen:<hex sha256 of netstring(source) netstring(id)>, a
// netstring being "<byte length>:<bytes>,": no two (source, id) pairs share
// an encoding, whatever characters they hold.
//
// Stored shape: an event envelope (cm_envelope.h) with
//   v 1, id (the event's), type, source, subject (the event's, else
//   "event/<id>"), version 1, time (the event's, as UTC with milliseconds),
//   data (the event's object)
// plus the arrival metadata, which depends on how the event came and is all
// that may differ between two arrivals of the same event:
//   correlation_id (HTTP: the request id; ZeroMQ: a uuid made by the hub)
//   actor          (HTTP: the authenticated publisher; ZeroMQ: absent)
// encoded compactly with members sorted (JSON_COMPACT | JSON_SORT_KEYS), at
// most CM_ENVELOPE_MAX_BYTES. specversion and datacontenttype are checked
// and not stored (always "1.0" and JSON).
#ifndef LIBCOMMON_CM_CLOUDEVENT_H
#define LIBCOMMON_CM_CLOUDEVENT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_store.h"

#define CM_CLOUDEVENT_OWNER       "ingest" // sm:{ingest}:outbox, its markers
#define CM_CLOUDEVENT_SPECVERSION "1.0"
#define CM_CLOUDEVENT_MEMBERS                                                  \
    "specversion id source type time subject datacontenttype data"
// Longest type: the hub relays it under the topic "evt.<type>", which must
// fit CM_OUTBOX_TOPIC_MAX (256 with its NUL).
#define CM_CLOUDEVENT_TYPE_MAX 251
// Longest id and source (bytes): a subject "event/<id>" still fits.
#define CM_CLOUDEVENT_ID_MAX       200
#define CM_CLOUDEVENT_SOURCE_MAX   200
#define CM_CLOUDEVENT_SUBJECT_MAX  250 // longest subject (bytes)
#define CM_CLOUDEVENT_IDENTITY_MAX 65  // sha256 hex and NUL
#define CM_CLOUDEVENT_REASON_MAX   256 // a reason buffer that always suffices

// How an event arrived; borrowed. Not part of its identity.
typedef struct {
    const char *correlation_id; // the arrival's id for logs; NULL: none
    const json_t *actor;        // the authenticated publisher; NULL: none
} cm_cloudevent_arrival_t;

// Check a CloudEvent: a JSON object with only CM_CLOUDEVENT_MEMBERS;
// specversion "1.0"; id and source non-blank strings without control
// characters, at most CM_CLOUDEVENT_ID_MAX / _SOURCE_MAX bytes; type
// lower-case dotted words (a-z 0-9 _ -) of at most CM_CLOUDEVENT_TYPE_MAX;
// time an RFC 3339 date-time with a real calendar date
// (cm_time_parse_strict); data an object; optional subject (like id, at
// most CM_CLOUDEVENT_SUBJECT_MAX) and datacontenttype (a JSON media type).
// Returns NULL when valid, else a 400 problem naming every bad member.
// Caller owns the result.
json_t *cm_cloudevent_check(const json_t *event);

// The identity of (source, id) as sha256 hex into hex
// (CM_CLOUDEVENT_IDENTITY_MAX bytes). Returns hex.
const char *cm_cloudevent_identity(const char *source, const char *id,
                                   char *hex);

// The dedupe marker sm:{owner}:seen:<identity> into key. Returns key, or
// NULL when it does not fit.
const char *cm_cloudevent_marker(char *key, size_t size, const char *owner,
                                 const char *source, const char *id);

// The stored shape of a checked event (borrowed) with its arrival metadata.
// NULL when it cannot be built (the event was not checked). Caller owns the
// result.
json_t *cm_cloudevent_envelope(const json_t *event,
                               const cm_cloudevent_arrival_t *arrival);

// Check `event` and prepare its ingest: a commit for CM_CLOUDEVENT_OWNER
// holding the dedupe marker (kept ttl_ms) and the stored envelope, so that
// a repeat of (source, id) ends as CM_COMMIT_DUPLICATE and writes nothing.
// Returns the commit (caller owns it), or NULL with *problem set (a 400
// naming the bad members, or "data" when the stored event would exceed
// CM_ENVELOPE_MAX_BYTES; caller owns it).
cm_commit_t *cm_cloudevent_commit(const json_t *event,
                                  const cm_cloudevent_arrival_t *arrival,
                                  int64_t ttl_ms, json_t **problem);

// The errors of a problem as one line, "field: message; field: message",
// cut to fit reason (size bytes). Returns reason.
const char *cm_cloudevent_reason(const json_t *problem, char *reason,
                                 size_t size);

#endif
