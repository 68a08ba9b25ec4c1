// cm_ctx — one request being handled by a service (cm_service.h).
//
// A handler reads the request through the context (body, query, actor, path
// parameters, its thread's store) and answers exactly once: cm_ctx_reply,
// cm_ctx_fail, or cm_ctx_commit (which writes the change, its events and
// the idempotency record in one atomic call and then sets the reply).
//
//   static void
//   s_get_staff(cm_ctx_t *ctx)
//   {
//       json_t *doc = ...;                    // read through cm_ctx_store
//       cm_ctx_header(ctx, "ETag", "\"3\"");
//       cm_ctx_reply(ctx, 200, doc);          // takes ownership of doc
//   }
#ifndef LIBCOMMON_CM_CTX_H
#define LIBCOMMON_CM_CTX_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "cm_route.h"
#include "cm_status.h"
#include "cm_store.h"

// How long a finished idempotency record is kept.
#define CM_CTX_IDEM_TTL_MS (24LL * 3600 * 1000)

// Longest accepted Idempotency-Key (IETF httpapi draft: a short string).
#define CM_CTX_IDEM_KEY_MAX 255

typedef struct cm_ctx cm_ctx_t;

// A context for a parsed request envelope. Takes ownership of *request_p.
// owner is the service name (hash tag and event source); store and state
// are borrowed for the life of the context. Caller owns the result.
cm_ctx_t *cm_ctx_new(const char *owner, json_t **request_p, cm_store_t *store,
                     void *state);

// Free; safe when *self_p is NULL.
void cm_ctx_destroy(cm_ctx_t **self_p);

// ---- the request (all borrowed: valid until cm_ctx_destroy)

// The whole request envelope.
const json_t *cm_ctx_request(const cm_ctx_t *self);
// The body (NULL when the request has none or it is JSON null).
json_t *cm_ctx_body(const cm_ctx_t *self);
// The query string value of `name`, or NULL.
const char *cm_ctx_query(const cm_ctx_t *self, const char *name);
// The whole query object, NULL when the request has none.
json_t *cm_ctx_query_object(const cm_ctx_t *self);
// The actor object {"id","role","department"} (never NULL; may be empty).
json_t *cm_ctx_actor(const cm_ctx_t *self);
// Replace the actor (the org view's fresher facts, cm_org). Takes
// ownership of actor.
void cm_ctx_set_actor(cm_ctx_t *self, json_t *actor);
// Members of the actor, "" when absent.
const char *cm_ctx_actor_id(const cm_ctx_t *self);
const char *cm_ctx_actor_role(const cm_ctx_t *self);
const char *cm_ctx_actor_department(const cm_ctx_t *self);
// A path parameter captured by the route ("id"), or NULL.
const char *cm_ctx_param(const cm_ctx_t *self, const char *name);
// The method and path of the request.
const char *cm_ctx_method(const cm_ctx_t *self);
const char *cm_ctx_path(const cm_ctx_t *self);
// The service name (hash tag of every key the service writes).
const char *cm_ctx_owner(const cm_ctx_t *self);
// The calling thread's store.
cm_store_t *cm_ctx_store(cm_ctx_t *self);
// The state the service registered (cm_service_def_t.state).
void *cm_ctx_state(const cm_ctx_t *self);
// The approval matrix the service loaded (cm_approval.h), or NULL.
const struct cm_approvals *cm_ctx_approvals(const cm_ctx_t *self);
// Set it (cm_service does this; borrowed for the life of the context).
void cm_ctx_set_approvals(cm_ctx_t *self, const struct cm_approvals *matrix);
// The thread's caller for service-to-service calls (cm_call.h), or NULL.
struct cm_caller *cm_ctx_caller(const cm_ctx_t *self);
// Set it (cm_service does this; borrowed for the life of the context).
void cm_ctx_set_caller(cm_ctx_t *self, struct cm_caller *caller);
// The request deadline, epoch ms.
int64_t cm_ctx_deadline(const cm_ctx_t *self);

// The version an If-Match header asks for (the gateway passes the header as
// the envelope's `if_match`; a query parameter `if_match` also counts):
// "\"3\"", "W/\"3\"" or "3". Returns 1 and sets *version when present,
// 0 when absent, -1 when malformed (answer 400).
int cm_ctx_if_match(const cm_ctx_t *self, int64_t *version);

// Set the route parameters found by the service (cm_service does this).
void cm_ctx_set_params(cm_ctx_t *self, const cm_route_params_t *params);

// ---- idempotency (cm_service drives it; handlers only commit)

// Start the idempotency protocol when the request carries a key: 0 to go
// on, or a reply is already set (stored response, 409 running, 422 reused,
// 400 malformed key, 503) and 1 is returned.
int cm_ctx_idempotency_begin(cm_ctx_t *self);
// After the handler: drop the "running" marker if nothing was committed.
void cm_ctx_idempotency_end(cm_ctx_t *self);

// ---- the reply

// Answer with status and body (NULL: no body). Takes ownership of body.
void cm_ctx_reply(cm_ctx_t *self, int status, json_t *body);
// Answer with status and a body given as JSON text, spliced into the reply
// envelope as it is (no parse, no re-encoding): for read paths that hold
// pre-encoded JSON. The caller guarantees json_text is exactly one valid
// JSON value in UTF-8; it is not checked. Takes ownership of json_text
// (free()). Commits (cm_ctx_commit) keep taking json_t bodies.
void cm_ctx_reply_raw(cm_ctx_t *self, int status, char *json_text);
// True when the client asked for media type `type` ("text/csv": the
// gateway passes Accept: text/csv as the envelope's `accept`).
bool cm_ctx_accepts(const cm_ctx_t *self, const char *type);
// Answer with a text body (takes text, malloc'd): the envelope body is a
// JSON string and the Content-Type header names its media type; the
// gateway sends it as it is ("text/csv; charset=utf-8").
void cm_ctx_reply_media(cm_ctx_t *self, int status, const char *content_type,
                        char *text);
// The raw body of an upload (the gateway sends a body that is not JSON as
// base64 with its Content-Type; cm_envelope_request_t.content_type): 0 with
// *content_type (borrowed) and *data (malloc'd, caller frees) of *size
// bytes; -1 when the request carries a JSON body or bad base64.
int cm_ctx_body_bytes(const cm_ctx_t *self, const char **content_type,
                      unsigned char **data, size_t *size);
// Answer with bytes (a download; size at most CM_ENVELOPE_RAW_BODY_MAX):
// the envelope body is their base64, the headers name the Content-Type and
// `Content-Transfer-Encoding: base64`, and the gateway sends the bytes
// themselves (without that header).
void cm_ctx_reply_bytes(cm_ctx_t *self, int status, const char *content_type,
                        const void *data, size_t size);
// Set a reply header ("ETag", "Location", "Allow", "Retry-After").
void cm_ctx_header(cm_ctx_t *self, const char *name, const char *value);
// Answer with a problem (cm_problem.h). Takes ownership of problem.
void cm_ctx_fail(cm_ctx_t *self, json_t *problem);
// Answer with the default problem for status, and a detail (may be NULL).
void cm_ctx_fail_status(cm_ctx_t *self, cm_status_t status, const char *detail);
// True once a reply or a problem is set.
bool cm_ctx_has_reply(const cm_ctx_t *self);
// The reply status (0 while none is set).
int cm_ctx_status(const cm_ctx_t *self);

// Add an event to commit: type "intake.case.created", subject "case/CS-1",
// the document version after the change, and data (taken). The envelope
// gets the request's correlation id and actor. Returns 0, or -1 when the
// envelope cannot be built (bad UTF-8, too large).
int cm_ctx_event(cm_ctx_t *self, cm_commit_t *commit, const char *type,
                 const char *subject, int64_t version, json_t *data);

// Run commit atomically, adding to it the idempotency record of this request
// (when it has a key) holding the reply (status, headers set so far, body),
// then set that reply. Takes ownership of body. A version conflict answers 409
// "version_conflict", a reused key 422, Redis unreachable 503; a stored
// response (DONE) is answered as stored. A reply that would not fit a
// message is refused before anything is written (422 "reply_too_large",
// CM_EINVAL). Returns the commit outcome (>= 0) or a negative cm_status_t.
int cm_ctx_commit(cm_ctx_t *self, cm_commit_t *commit, int status,
                  json_t *body);

// After cm_ctx_commit ended CM_COMMIT_LIMIT (its default answer: 422
// "limit_exceeded" naming the counter field and its value): the field
// (borrowed) and *value, so a service can answer with its own problem
// (cm_ctx_fail replaces the reply). NULL when the last commit hit no limit.
const char *cm_ctx_limit(const cm_ctx_t *self, int64_t *value);

// The reply envelope for the request (a raw body is parsed into it).
// Caller owns the result; NULL when it cannot be built.
json_t *cm_ctx_reply_envelope(const cm_ctx_t *self);

// The reply envelope encoded for the wire, a raw body (cm_ctx_reply_raw)
// spliced in as given. NULL when it cannot be encoded or would pass
// CM_ENVELOPE_MAX_BYTES. Caller owns the result (free()).
char *cm_ctx_reply_text(const cm_ctx_t *self);

#endif
