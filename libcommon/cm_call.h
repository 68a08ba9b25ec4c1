// cm_call — one service asks another over the broker while handling a
// request: inventory asks finance to check and commit budget as part of
// approving an order.
//
// A call is a request envelope like any other, on the same broker, to the
// callee's internal routes (`/internal/...`: the gateway never forwards a
// path outside /v1, so only services reach them), with:
//   - a deadline inside the caller's own (the caller must still answer);
//   - an idempotency key derived from what the call is for — (document
//     type, id, step, round), cm_call_key — so a retry of the caller's
//     request (same Idempotency-Key from its client) repeats the call and
//     gets the callee's stored answer instead of committing twice;
//   - the actor {"id": <caller service>, "role": "system", "service":
//     <caller service>, "on_behalf_of": <the person>}, so the callee logs
//     who asked and authorizes the calling service.
//
// What happens when things fail (the saga the finance and inventory
// services follow):
//   - the callee answers an error: the caller answers with it (or its own
//     problem) and commits nothing;
//   - no answer in time (callee killed, broker gone): the outcome is
//     unknown; the caller commits nothing and answers 503 (retry with the
//     same Idempotency-Key). What the callee may have committed is a
//     reservation that expires unless confirmed (the callee's rule), and a
//     retry confirms the same reservation (same key);
//   - the callee committed but the caller's own commit then fails for
//     sure (version conflict): cm_ctx_compensate sends the release call
//     (key + ":release"), best effort, and the reservation's expiry covers
//     a lost release.
// Confirmation rides on the caller's own commit: its event (e.g.
// inventory.order.approved) carries the call key, and the callee confirms
// the reservation when it consumes that event — atomic with the caller's
// state change through the outbox.
#ifndef LIBCOMMON_CM_CALL_H
#define LIBCOMMON_CM_CALL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_ctx.h"

#define CM_CALL_KEY_MAX         200  // cm_call_key result with NUL
#define CM_CALL_TIMEOUT_MS      1000 // default wait for the callee
#define CM_CALL_MARGIN_MS       150  // kept for the caller's own commit
#define CM_CALL_INTERNAL_PREFIX "/internal/"

typedef struct cm_caller cm_caller_t;

// A caller for one thread: connects to the broker at the first call.
// source is the calling service's name (borrowed: static). Caller owns the
// result.
cm_caller_t *cm_caller_new(const char *broker_endpoint, const char *source);

// Free; safe when *self_p is NULL.
void cm_caller_destroy(cm_caller_t **self_p);

// One call.
typedef struct {
    const char *service;         // "finance"
    const char *method;          // "POST"
    const char *path;            // "/internal/budget/commit"
    const json_t *body;          // borrowed; NULL: none
    const json_t *query;         // borrowed object of strings; NULL: {}
    const char *idempotency_key; // cm_call_key, or NULL for reads
    int timeout_ms;              // 0: CM_CALL_TIMEOUT_MS
} cm_call_t;

// Its outcome when an answer came. Caller owns body and error
// (cm_call_result_clear).
typedef struct {
    int status;    // the callee's status
    json_t *body;  // the callee's body, or NULL
    json_t *error; // the callee's problem, or NULL
} cm_call_result_t;

// "<doc type>:<id>:<step>:r<round>" into buf (CM_CALL_KEY_MAX bytes).
// Returns buf, NULL when it does not fit.
const char *cm_call_key(char *buf, size_t size, const char *doc_type,
                        const char *id, const char *step, int64_t round);

// Call another service for the request ctx is handling. 0 when an answer
// came (result filled, any status); CM_EUNAVAILABLE when none did in time
// or the call could not be sent (outcome unknown; nothing filled).
int cm_ctx_call(cm_ctx_t *ctx, const cm_call_t *call, cm_call_result_t *result);

// Best-effort compensation after the caller's own commit failed for sure:
// call->service at release_path with the same body and the key
// idempotency_key + ":release". Logged; the callee's expiry covers a loss.
void cm_ctx_compensate(cm_ctx_t *ctx, const cm_call_t *call,
                       const char *release_path);

// Free what a result holds and zero it.
void cm_call_result_clear(cm_call_result_t *result);

#endif
