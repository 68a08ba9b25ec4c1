#include "cm_call.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_envelope.h"
#include "cm_log.h"
#include "cm_mdp_client.h"
#include "cm_status.h"
#include "cm_time.h"

#define S_ENDPOINT_MAX 256
#define S_SOURCE_MAX   64

struct cm_caller {
    char endpoint[S_ENDPOINT_MAX]; // the broker
    char source[S_SOURCE_MAX];     // the calling service
    cm_mdp_client_t *client;       // connected at the first call
};

cm_caller_t *
cm_caller_new(const char *broker_endpoint, const char *source)
{
    assert(broker_endpoint && source);
    cm_caller_t *self = calloc(1, sizeof *self);
    assert(self);
    snprintf(self->endpoint, sizeof self->endpoint, "%s", broker_endpoint);
    snprintf(self->source, sizeof self->source, "%s", source);
    return self;
}

void
cm_caller_destroy(cm_caller_t **self_p)
{
    assert(self_p);
    if (*self_p) {
        cm_mdp_client_destroy(&(*self_p)->client);
        free(*self_p);
        *self_p = NULL;
    }
}

const char *
cm_call_key(char *buf, size_t size, const char *doc_type, const char *id,
            const char *step, int64_t round)
{
    assert(buf && doc_type && id && step);
    int n = snprintf(buf, size, "%s:%s:%s:r%lld", doc_type, id, step,
                     (long long)round);
    return n > 0 && (size_t)n < size ? buf : NULL;
}

void
cm_call_result_clear(cm_call_result_t *result)
{
    assert(result);
    json_decref(result->body);
    json_decref(result->error);
    memset(result, 0, sizeof *result);
}

// The request envelope text of a call. Caller owns the result; NULL when
// it cannot be built.
static char *
s_request_text(cm_ctx_t *ctx, const cm_caller_t *caller, const cm_call_t *call,
               int64_t deadline_ms, char *id, size_t id_size)
{
    json_t *actor =
        json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", caller->source, "role",
                  "system", "department", "", "service", caller->source,
                  "on_behalf_of", cm_ctx_actor_id(ctx));
    char type[128];
    snprintf(type, sizeof type, "%s.call", call->service);
    cm_envelope_request_t fields = {
        .type = type,
        .source = caller->source,
        .correlation_id = cm_envelope_correlation_id(cm_ctx_request(ctx)),
        .deadline_ms = deadline_ms,
        .idempotency_key = call->idempotency_key,
        .actor = actor,
        .method = call->method,
        .path = call->path,
        .query = call->query,
        .body = call->body,
    };
    json_t *request = actor ? cm_envelope_request_new(&fields) : NULL;
    char *text = request ? cm_envelope_encode(request) : NULL;
    if (request) {
        snprintf(id, id_size, "%s", cm_envelope_id(request));
    }
    json_decref(request);
    json_decref(actor);
    return text;
}

static int
s_parse_reply(const char *text, cm_call_result_t *result)
{
    json_t *reply =
        cm_envelope_parse(text, strlen(text), CM_ENVELOPE_REPLY, NULL, 0);
    if (!reply) {
        return CM_EUNAVAILABLE;
    }
    result->status = cm_envelope_status(reply);
    json_t *body = (json_t *)cm_envelope_member(reply, "body");
    json_t *error = (json_t *)cm_envelope_member(reply, "error");
    result->body = body && !json_is_null(body) ? json_incref(body) : NULL;
    result->error = error ? json_incref(error) : NULL;
    json_decref(reply);
    return 0;
}

int
cm_ctx_call(cm_ctx_t *ctx, const cm_call_t *call, cm_call_result_t *result)
{
    assert(ctx && call && call->service && call->method && call->path);
    assert(result);
    memset(result, 0, sizeof *result);
    cm_caller_t *caller = cm_ctx_caller(ctx);
    if (!caller) {
        cm_log_error("call.no_caller", "service", call->service);
        return CM_EUNAVAILABLE;
    }
    if (!caller->client) {
        caller->client = cm_mdp_client_new(caller->endpoint);
    }
    int64_t now = cm_time_now_ms();
    int timeout = call->timeout_ms > 0 ? call->timeout_ms : CM_CALL_TIMEOUT_MS;
    int64_t room = cm_ctx_deadline(ctx) - CM_CALL_MARGIN_MS - now;
    timeout = room < timeout ? (int)room : timeout;
    char id[64] = "";
    char *text =
        timeout > 0 && caller->client
            ? s_request_text(ctx, caller, call, now + timeout, id, sizeof id)
            : NULL;
    char *reply =
        text ? cm_mdp_client_call(caller->client, call->service, text, timeout)
             : NULL;
    int rc = reply ? s_parse_reply(reply, result) : CM_EUNAVAILABLE;
    cm_log_info("call.done", "service", call->service, "path", call->path,
                "#status", CM_LOG_INT(rc == 0 ? result->status : 0), "key",
                call->idempotency_key ? call->idempotency_key : "");
    free(reply);
    free(text);
    return rc;
}

void
cm_ctx_compensate(cm_ctx_t *ctx, const cm_call_t *call,
                  const char *release_path)
{
    assert(ctx && call && release_path);
    char key[CM_CALL_KEY_MAX + 16];
    snprintf(key, sizeof key, "%s:release",
             call->idempotency_key ? call->idempotency_key : "");
    cm_call_t release = *call;
    release.path = release_path;
    release.idempotency_key = key;
    cm_call_result_t result;
    int rc = cm_ctx_call(ctx, &release, &result);
    if (rc != 0 || result.status >= 300) {
        cm_log_warn("call.compensation_failed", "service", call->service,
                    "path", release_path, "#status",
                    CM_LOG_INT(rc == 0 ? result.status : 0));
    }
    cm_call_result_clear(&result);
}
