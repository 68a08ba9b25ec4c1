#include "cm_ctx.h"

#include <assert.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_envelope.h"
#include "cm_log.h"
#include "cm_outbox.h"
#include "cm_problem.h"
#include "cm_time.h"

#define S_FINGERPRINT_MAX (crypto_hash_sha256_BYTES * 2 + 1)
// Envelope members around a reply body (id, correlation id, status):
// generous, so a body that passes the check always fits.
#define S_REPLY_OVERHEAD_BYTES 1024

struct cm_ctx {
    char *owner;                          // service name
    json_t *request;                      // the request envelope
    cm_store_t *store;                    // borrowed: the thread's store
    void *state;                          // borrowed: the service's state
    cm_route_params_t params;             // captured path parameters
    int status;                           // reply status, 0 while unset
    json_t *headers;                      // reply headers object
    json_t *body;                         // reply body or NULL
    char *raw_body;                       // reply body as JSON text, or NULL
    json_t *problem;                      // error reply or NULL
    char idem_key[CM_STORE_KEY_MAX];      // Redis key, "" without a key
    char fingerprint[S_FINGERPRINT_MAX];  // of method, path and body
    bool idem_final;                      // the idempotency record is final
    const struct cm_approvals *approvals; // borrowed: the matrix, or NULL
    struct cm_caller *caller;             // borrowed: the thread's, or NULL
    char limit_field[CM_STORE_KEY_MAX];   // the last commit's LIMIT field
    int64_t limit_value;                  // and its value before
};

cm_ctx_t *
cm_ctx_new(const char *owner, json_t **request_p, cm_store_t *store,
           void *state)
{
    assert(owner && request_p && *request_p);
    cm_ctx_t *self = calloc(1, sizeof *self);
    assert(self);
    self->owner = strdup(owner);
    assert(self->owner);
    self->request = *request_p;
    *request_p = NULL;
    self->store = store;
    self->state = state;
    self->headers = json_object();
    assert(self->headers);
    return self;
}

void
cm_ctx_destroy(cm_ctx_t **self_p)
{
    assert(self_p);
    cm_ctx_t *self = *self_p;
    if (self) {
        json_decref(self->problem);
        json_decref(self->body);
        free(self->raw_body);
        json_decref(self->headers);
        json_decref(self->request);
        free(self->owner);
        free(self);
        *self_p = NULL;
    }
}

const json_t *
cm_ctx_request(const cm_ctx_t *self)
{
    assert(self);
    return self->request;
}

json_t *
cm_ctx_body(const cm_ctx_t *self)
{
    assert(self);
    json_t *body = json_object_get(self->request, "body");
    return json_is_null(body) ? NULL : body;
}

json_t *
cm_ctx_query_object(const cm_ctx_t *self)
{
    assert(self);
    json_t *query = json_object_get(self->request, "query");
    return json_is_object(query) ? query : NULL;
}

const char *
cm_ctx_query(const cm_ctx_t *self, const char *name)
{
    return json_string_value(json_object_get(cm_ctx_query_object(self), name));
}

json_t *
cm_ctx_actor(const cm_ctx_t *self)
{
    assert(self);
    return json_object_get(self->request, "actor");
}

void
cm_ctx_set_actor(cm_ctx_t *self, json_t *actor)
{
    assert(self && actor);
    json_object_set_new(self->request, "actor", actor);
}

static const char *
s_actor_member(const cm_ctx_t *self, const char *name)
{
    const char *value = json_string_value(
        json_object_get(json_object_get(self->request, "actor"), name));
    return value ? value : "";
}

const char *
cm_ctx_actor_id(const cm_ctx_t *self)
{
    return s_actor_member(self, "id");
}

const char *
cm_ctx_actor_role(const cm_ctx_t *self)
{
    return s_actor_member(self, "role");
}

const char *
cm_ctx_actor_department(const cm_ctx_t *self)
{
    return s_actor_member(self, "department");
}

const char *
cm_ctx_param(const cm_ctx_t *self, const char *name)
{
    assert(self);
    return cm_route_param(&self->params, name);
}

const char *
cm_ctx_method(const cm_ctx_t *self)
{
    const char *method = cm_envelope_method(self->request);
    return method ? method : "";
}

const char *
cm_ctx_path(const cm_ctx_t *self)
{
    const char *path = cm_envelope_path(self->request);
    return path ? path : "";
}

const char *
cm_ctx_owner(const cm_ctx_t *self)
{
    assert(self);
    return self->owner;
}

cm_store_t *
cm_ctx_store(cm_ctx_t *self)
{
    assert(self);
    return self->store;
}

void *
cm_ctx_state(const cm_ctx_t *self)
{
    assert(self);
    return self->state;
}

const struct cm_approvals *
cm_ctx_approvals(const cm_ctx_t *self)
{
    assert(self);
    return self->approvals;
}

void
cm_ctx_set_approvals(cm_ctx_t *self, const struct cm_approvals *matrix)
{
    assert(self);
    self->approvals = matrix;
}

const char *
cm_ctx_limit(const cm_ctx_t *self, int64_t *value)
{
    assert(self);
    if (value) {
        *value = self->limit_value;
    }
    return self->limit_field[0] ? self->limit_field : NULL;
}

struct cm_caller *
cm_ctx_caller(const cm_ctx_t *self)
{
    assert(self);
    return self->caller;
}

void
cm_ctx_set_caller(cm_ctx_t *self, struct cm_caller *caller)
{
    assert(self);
    self->caller = caller;
}

int64_t
cm_ctx_deadline(const cm_ctx_t *self)
{
    return cm_envelope_deadline(self->request);
}

bool
cm_ctx_accepts(const cm_ctx_t *self, const char *type)
{
    assert(self && type);
    const char *accept = cm_envelope_string(self->request, "accept");
    return accept && strcmp(accept, type) == 0;
}

int
cm_ctx_body_bytes(const cm_ctx_t *self, const char **content_type,
                  unsigned char **data, size_t *size)
{
    assert(self && content_type && data && size);
    const char *type = cm_envelope_string(self->request, "content_type");
    const json_t *body = json_object_get(self->request, "body");
    if (!type || !json_is_string(body)) {
        return -1;
    }
    size_t length = json_string_length(body);
    unsigned char *bytes = malloc(length / 4 * 3 + 3);
    assert(bytes);
    size_t used = 0;
    if (sodium_base642bin(bytes, length / 4 * 3 + 3, json_string_value(body),
                          length, NULL, &used, NULL,
                          sodium_base64_VARIANT_ORIGINAL)
        != 0) {
        free(bytes);
        return -1;
    }
    *content_type = type;
    *data = bytes;
    *size = used;
    return 0;
}

void
cm_ctx_reply_bytes(cm_ctx_t *self, int status, const char *content_type,
                   const void *data, size_t size)
{
    assert(self && content_type && (data || size == 0));
    size_t length =
        sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_ORIGINAL);
    char *text = malloc(length);
    assert(text);
    sodium_bin2base64(text, length, data ? data : (const void *)"", size,
                      sodium_base64_VARIANT_ORIGINAL);
    cm_ctx_header(self, "Content-Type", content_type);
    cm_ctx_header(self, "Content-Transfer-Encoding", "base64");
    cm_ctx_reply(self, status, json_string(text));
    free(text);
}

void
cm_ctx_reply_media(cm_ctx_t *self, int status, const char *content_type,
                   char *text)
{
    assert(self && content_type && text);
    cm_ctx_header(self, "Content-Type", content_type);
    json_t *body = json_string(text);
    free(text);
    if (!body) {
        cm_ctx_fail(self, cm_problem_new(500, "reply_unencodable",
                                         "the text is not UTF-8"));
        return;
    }
    cm_ctx_reply(self, status, body);
}

int
cm_ctx_if_match(const cm_ctx_t *self, int64_t *version)
{
    assert(self && version);
    const char *text = cm_envelope_string(self->request, "if_match");
    if (!text) {
        text = cm_ctx_query(self, "if_match");
    }
    if (!text) {
        return 0;
    }
    if (strncmp(text, "W/", 2) == 0) {
        text += 2;
    }
    size_t n = strlen(text);
    bool quoted = n >= 2 && text[0] == '"' && text[n - 1] == '"';
    char digits[24];
    snprintf(digits, sizeof digits, "%.*s", (int)(quoted ? n - 2 : n),
             quoted ? text + 1 : text);
    char *end = NULL;
    long long value = strtoll(digits, &end, 10);
    if (!digits[0] || !end || *end || value < 0) {
        return -1;
    }
    *version = value;
    return 1;
}

void
cm_ctx_set_params(cm_ctx_t *self, const cm_route_params_t *params)
{
    assert(self && params);
    self->params = *params;
}

// ---- idempotency

static bool
s_idem_key_is_valid(const char *key)
{
    size_t n = strlen(key);
    if (n == 0 || n > CM_CTX_IDEM_KEY_MAX) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (key[i] <= ' ' || key[i] > '~') {
            return false;
        }
    }
    return true;
}

// sha256(method "\n" path "\n" canonical body) as hex.
static void
s_fingerprint(const cm_ctx_t *self, char *out)
{
    json_t *body = json_object_get(self->request, "body");
    char *text =
        body ? json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY)
             : NULL;
    crypto_hash_sha256_state state;
    crypto_hash_sha256_init(&state);
    const char *parts[] = {cm_ctx_method(self), "\n", cm_ctx_path(self), "\n",
                           text ? text : "null"};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        crypto_hash_sha256_update(&state, (const unsigned char *)parts[i],
                                  strlen(parts[i]));
    }
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&state, digest);
    sodium_bin2hex(out, S_FINGERPRINT_MAX, digest, sizeof digest);
    free(text);
}

// Reply with a response stored by an earlier attempt.
static void
s_reply_stored(cm_ctx_t *self, const char *response)
{
    json_t *stored = json_loads(response, 0, NULL);
    json_t *status = json_object_get(stored, "status");
    if (!json_is_integer(status)) {
        json_decref(stored);
        cm_ctx_fail_status(self, CM_EINTERNAL, "stored response unreadable");
        return;
    }
    json_t *headers = json_object_get(stored, "headers");
    if (json_is_object(headers)) {
        json_object_update(self->headers, headers);
    }
    json_t *body = json_object_get(stored, "body");
    cm_ctx_reply(self, (int)json_integer_value(status),
                 body && !json_is_null(body) ? json_incref(body) : NULL);
    cm_ctx_header(self, "Idempotent-Replayed", "true");
    json_decref(stored);
}

static void
s_idem_answer(cm_ctx_t *self, cm_idem_state_t state, const char *response)
{
    switch (state) {
    case CM_IDEM_DONE:
        self->idem_final = true;
        s_reply_stored(self, response);
        break;
    case CM_IDEM_RUNNING:
        self->idem_final = true; // not ours: never release it
        cm_ctx_fail(self, cm_problem_new(409, "request_in_progress",
                                         "a request with this Idempotency-Key "
                                         "is still running"));
        break;
    case CM_IDEM_MISMATCH:
        self->idem_final = true;
        cm_ctx_fail(self, cm_problem_new(422, "idempotency_key_reused",
                                         "this Idempotency-Key was used for "
                                         "a different request"));
        break;
    case CM_IDEM_NEW:
        break;
    }
}

int
cm_ctx_idempotency_begin(cm_ctx_t *self)
{
    assert(self);
    const char *key = cm_envelope_string(self->request, "idempotency_key");
    if (!key) {
        return 0;
    }
    if (!s_idem_key_is_valid(key)) {
        json_t *problem = cm_problem_new(400, "validation_failed",
                                         "malformed Idempotency-Key");
        cm_problem_add_error(problem, "Idempotency-Key",
                             "must be 1-255 printable characters, no spaces");
        cm_ctx_fail(self, problem);
        return 1;
    }
    char scope[CM_STORE_KEY_MAX];
    snprintf(scope, sizeof scope, "%s:%s", cm_ctx_actor_id(self), key);
    if (!cm_store_key(self->idem_key, sizeof self->idem_key, self->owner,
                      "idem", scope)) {
        cm_ctx_fail_status(self, CM_EINVAL, "Idempotency-Key too long");
        self->idem_key[0] = '\0';
        return 1;
    }
    s_fingerprint(self, self->fingerprint);
    int64_t ttl = cm_ctx_deadline(self) - cm_time_now_ms();
    cm_idem_state_t state = CM_IDEM_NEW;
    char *response = NULL;
    if (cm_store_idem_begin(self->store, self->idem_key, self->fingerprint,
                            ttl > 100 ? ttl : 100, &state, &response)
        != 0) {
        self->idem_key[0] = '\0';
        cm_ctx_fail_status(self, CM_EUNAVAILABLE, "store unavailable");
        return 1;
    }
    s_idem_answer(self, state, response);
    free(response);
    return state == CM_IDEM_NEW ? 0 : 1;
}

void
cm_ctx_idempotency_end(cm_ctx_t *self)
{
    assert(self);
    if (self->idem_key[0] && !self->idem_final) {
        // Harmless if it fails: the marker expires at the request deadline.
        (void)cm_store_idem_release(self->store, self->idem_key,
                                    self->fingerprint);
    }
}

// ---- replies

void
cm_ctx_reply(cm_ctx_t *self, int status, json_t *body)
{
    assert(self && status >= 100 && status <= 599);
    json_decref(self->body);
    json_decref(self->problem);
    self->problem = NULL;
    free(self->raw_body);
    self->raw_body = NULL;
    self->status = status;
    self->body = body;
}

void
cm_ctx_reply_raw(cm_ctx_t *self, int status, char *json_text)
{
    assert(self && json_text);
    cm_ctx_reply(self, status, NULL);
    self->raw_body = json_text;
}

void
cm_ctx_header(cm_ctx_t *self, const char *name, const char *value)
{
    assert(self && name && value);
    json_t *text = json_string(value);
    if (text) {
        json_object_set_new(self->headers, name, text);
    }
}

void
cm_ctx_fail(cm_ctx_t *self, json_t *problem)
{
    assert(self && problem);
    json_decref(self->body);
    self->body = NULL;
    free(self->raw_body);
    self->raw_body = NULL;
    json_decref(self->problem);
    self->problem = problem;
    self->status = cm_problem_status(problem);
}

void
cm_ctx_fail_status(cm_ctx_t *self, cm_status_t status, const char *detail)
{
    cm_ctx_fail(self, cm_problem_from_status(status, detail));
}

bool
cm_ctx_has_reply(const cm_ctx_t *self)
{
    assert(self);
    return self->status != 0;
}

int
cm_ctx_status(const cm_ctx_t *self)
{
    assert(self);
    return self->status;
}

int
cm_ctx_event(cm_ctx_t *self, cm_commit_t *commit, const char *type,
             const char *subject, int64_t version, json_t *data)
{
    assert(self && commit && type && subject);
    cm_envelope_event_t fields = {
        .type = type,
        .source = self->owner,
        .subject = subject,
        .version = version,
        .correlation_id = cm_envelope_correlation_id(self->request),
        .actor = cm_ctx_actor(self),
        .data = data,
    };
    int rc = cm_outbox_append(commit, &fields);
    json_decref(data);
    return rc;
}

static void
s_commit_failed(cm_ctx_t *self, int rc, const cm_commit_result_t *result)
{
    if (rc == CM_EUNAVAILABLE) {
        cm_ctx_fail(self, cm_problem_new(503, "store_unavailable",
                                         "the outcome is unknown: retry "
                                         "with the same Idempotency-Key"));
        cm_ctx_header(self, "Retry-After", "1");
    } else if (rc != 0) {
        cm_ctx_fail_status(self, CM_EINTERNAL, "commit failed");
    } else if (result->outcome == CM_COMMIT_CONFLICT) {
        cm_ctx_fail(self, cm_problem_new(409, "version_conflict",
                                         "the document changed meanwhile; "
                                         "read it again and retry"));
    } else if (result->outcome == CM_COMMIT_LIMIT) {
        snprintf(self->limit_field, sizeof self->limit_field, "%s",
                 result->limit_field);
        self->limit_value = result->limit_value;
        json_t *problem = cm_problem_new(422, "limit_exceeded",
                                         "the change would pass a limit; "
                                         "nothing was changed");
        cm_problem_set(problem, "field", json_string(result->limit_field));
        cm_problem_set(problem, "current", json_integer(result->limit_value));
        cm_ctx_fail(self, problem);
    } else if (result->outcome == CM_COMMIT_MISMATCH) {
        self->idem_final = true;
        cm_ctx_fail(self, cm_problem_new(422, "idempotency_key_reused",
                                         "this Idempotency-Key was used for "
                                         "a different request"));
    }
}

static char *
s_response_text(const cm_ctx_t *self, int status, const json_t *body)
{
    json_t *response =
        json_pack("{s:i, s:O, s:O}", "status", status, "headers", self->headers,
                  "body", body ? body : json_null());
    assert(response);
    char *text = json_dumps(response, JSON_COMPACT);
    json_decref(response);
    return text;
}

int
cm_ctx_commit(cm_ctx_t *self, cm_commit_t *commit, int status, json_t *body)
{
    assert(self && commit);
    // The reply must be sendable before anything is written: a commit
    // whose reply cannot be encoded would leave the client retrying a
    // change that happened.
    char *response = s_response_text(self, status, body);
    if (!response
        || strlen(response) + S_REPLY_OVERHEAD_BYTES > CM_ENVELOPE_MAX_BYTES) {
        free(response);
        json_decref(body);
        json_object_clear(self->headers);
        cm_ctx_fail(self, cm_problem_new(422, "reply_too_large",
                                         "the result would be too large to "
                                         "send; nothing was changed"));
        return CM_EINVAL;
    }
    if (self->idem_key[0]) {
        cm_commit_idempotency(commit, self->idem_key, self->fingerprint,
                              response, CM_CTX_IDEM_TTL_MS);
    }
    free(response);
    if (cm_commit_is_empty(commit)) {
        // Nothing to write (no key, no change): answer without Redis rather
        // than send Redis an empty commit.
        self->idem_final = true;
        cm_ctx_reply(self, status, body);
        return CM_COMMIT_OK;
    }
    cm_commit_result_t result;
    memset(&result, 0, sizeof result);
    int rc = cm_store_commit(self->store, commit, &result);
    if (rc == 0
        && (result.outcome == CM_COMMIT_OK
            || result.outcome == CM_COMMIT_DUPLICATE)) {
        self->idem_final = true;
        cm_ctx_reply(self, status, body);
    } else if (rc == 0 && result.outcome == CM_COMMIT_DONE) {
        self->idem_final = true;
        json_decref(body);
        // The stored reply's headers, not the ETag/Location of this attempt.
        json_object_clear(self->headers);
        s_reply_stored(self, result.response ? result.response : "{}");
    } else {
        json_decref(body);
        // Nothing was written: drop the ETag/Location set for the reply.
        json_object_clear(self->headers);
        s_commit_failed(self, rc, &result);
    }
    int outcome = rc == 0 ? (int)result.outcome : rc;
    cm_commit_result_clear(&result);
    return outcome;
}

json_t *
cm_ctx_reply_envelope(const cm_ctx_t *self)
{
    assert(self);
    if (self->problem) {
        json_t *reply =
            cm_envelope_error_reply_new(self->request, self->problem);
        if (reply && json_object_size(self->headers)) {
            json_object_set(reply, "headers", self->headers);
        }
        return reply;
    }
    json_t *raw = self->raw_body
                      ? json_loads(self->raw_body, JSON_DECODE_ANY, NULL)
                      : NULL;
    if (self->raw_body && !raw) {
        return NULL; // the caller broke cm_ctx_reply_raw's promise
    }
    json_t *reply =
        cm_envelope_reply_new(self->request, self->status ? self->status : 500,
                              self->headers, raw ? raw : self->body);
    json_decref(raw);
    return reply;
}

// The encoded envelope (an object without `body`) with `,"body":` and body
// inserted before its closing brace; NULL past CM_ENVELOPE_MAX_BYTES.
static char *
s_splice_body(const json_t *envelope, const char *body)
{
    static const char member[] = ",\"body\":";
    const size_t member_size = sizeof member - 1;
    char *text = json_dumps(envelope, JSON_COMPACT);
    if (!text) {
        return NULL;
    }
    size_t head = strlen(text) - 1; // up to, without, the closing brace
    assert(head >= 1 && text[head] == '}');
    size_t body_size = strlen(body);
    size_t total = head + member_size + body_size + 1;
    if (total > CM_ENVELOPE_MAX_BYTES) {
        free(text);
        return NULL;
    }
    char *spliced = realloc(text, total + 1);
    assert(spliced);
    memcpy(spliced + head, member, member_size);
    memcpy(spliced + head + member_size, body, body_size);
    spliced[total - 1] = '}';
    spliced[total] = '\0';
    return spliced;
}

char *
cm_ctx_reply_text(const cm_ctx_t *self)
{
    assert(self);
    if (!self->raw_body) {
        json_t *reply = cm_ctx_reply_envelope(self);
        char *text = reply ? cm_envelope_encode(reply) : NULL;
        json_decref(reply);
        return text;
    }
    json_t *reply =
        cm_envelope_reply_new(self->request, self->status, self->headers, NULL);
    if (!reply) {
        return NULL;
    }
    json_object_del(reply, "body");
    char *text = s_splice_body(reply, self->raw_body);
    json_decref(reply);
    return text;
}
