#include "gateway_checks.h"

#include <assert.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_envelope.h"
#include "cm_id.h"
#include "cm_log.h"
#include "cm_problem.h"
#include "cm_time.h"

// ---- small answers -------------------------------------------------------

static void
s_method_not_allowed(gateway_request_t **request_p, const char *allow)
{
    json_t *headers = json_pack("{s:s}", "Allow", allow);
    json_t *problem = cm_problem_new(405, "method_not_allowed", NULL);
    char detail[128];
    snprintf(detail, sizeof detail, "%s is not allowed here; allowed: %s",
             (*request_p)->method, allow);
    json_object_set_new(problem, "detail", json_string(detail));
    gateway_request_finish_problem(request_p, problem, headers);
    json_decref(headers);
}

static bool
s_is_get(const gateway_request_t *request)
{
    return strcmp(request->method, "GET") == 0
           || strcmp(request->method, "HEAD") == 0;
}

static void
s_push(gateway_request_t *request, gateway_queue_t *queue)
{
    if (gateway_queue_push(queue, request) != 0) {
        gateway_request_t *failed = request;
        gateway_request_fail(&failed, 503, "shutting_down",
                             "the gateway is stopping");
    }
}

// ---- checks before the bus -----------------------------------------------

// An upload (gateway_raw_body_allowed): the bytes as a base64 JSON string
// and the Content-Type beside them. 0, or -1 (finished).
static int
s_raw_body(gateway_request_t **request_p, const char *type)
{
    gateway_request_t *request = *request_p;
    if (request->body_size > (size_t)CM_ENVELOPE_RAW_BODY_MAX) {
        gateway_request_fail(request_p, 413, "payload_too_large",
                             "uploads are limited to 45056 bytes");
        return -1;
    }
    if (strlen(type) > 255 || strpbrk(type, "\r\n")) {
        gateway_request_fail(request_p, 400, "bad_request",
                             "Content-Type is too long");
        return -1;
    }
    size_t length = sodium_base64_ENCODED_LEN(request->body_size,
                                              sodium_base64_VARIANT_ORIGINAL);
    char *text = malloc(length);
    if (!text) {
        gateway_request_fail(request_p, 500, "internal", "out of memory");
        return -1;
    }
    sodium_bin2base64(text, length, (const unsigned char *)request->body_data,
                      request->body_size, sodium_base64_VARIANT_ORIGINAL);
    request->body = json_string(text);
    free(text);
    request->content_type = strdup(type);
    assert(request->body && request->content_type);
    return 0;
}

// Content type and JSON body for a body-carrying method. 0, or -1 (finished).
static int
s_parse_body(gateway_request_t **request_p)
{
    gateway_request_t *request = *request_p;
    bool has_body = request->body_data && request->body_size > 0;
    if (!has_body) {
        return 0;
    }
    const char *type = gateway_request_header(request, "Content-Type");
    if (!gateway_content_type_is_json(type) && type
        && gateway_raw_body_allowed(request->method, request->path)) {
        return s_raw_body(request_p, type);
    }
    if (!gateway_content_type_is_json(type)) {
        gateway_request_fail(request_p, 415, "unsupported_media_type",
                             "request bodies must be application/json");
        return -1;
    }
    json_t *problem = NULL;
    request->body =
        gateway_body_parse(request->body_data, request->body_size, &problem);
    if (!request->body) {
        gateway_request_finish_problem(request_p, problem, NULL);
        return -1;
    }
    return 0;
}

static int
s_read_idempotency_key(gateway_request_t **request_p)
{
    gateway_request_t *request = *request_p;
    const char *key = gateway_request_header(request, "Idempotency-Key");
    if (!key) {
        return 0;
    }
    if (!gateway_idempotency_key_is_valid(key)) {
        gateway_request_fail(request_p, 400, "invalid_idempotency_key",
                             "Idempotency-Key must be 1-255 printable ASCII "
                             "characters without spaces");
        return -1;
    }
    request->idempotency_key = strdup(key);
    return 0;
}

// If-Match travels as the envelope's `if_match`; the service judges it.
static int
s_read_if_match(gateway_request_t **request_p)
{
    gateway_request_t *request = *request_p;
    const char *value = gateway_request_header(request, "If-Match");
    if (!value) {
        return 0;
    }
    if (strlen(value) > GATEWAY_IF_MATCH_MAX) {
        gateway_request_fail(request_p, 400, "bad_request",
                             "If-Match is too long");
        return -1;
    }
    request->if_match = strdup(value);
    assert(request->if_match);
    return 0;
}

// Accept: text/csv travels as the envelope's `accept` (the routes that
// have a CSV form answer with one); anything else means JSON.
static void
s_read_accept(gateway_request_t *request)
{
    const char *value = gateway_request_header(request, "Accept");
    request->accept = value && strstr(value, "text/csv") ? "text/csv" : NULL;
}

// Bearer token present, rate limit, in-flight cap. 0, or -1 (finished).
static int
s_admit(gateway_request_t **request_p)
{
    gateway_request_t *request = *request_p;
    size_t size = 0;
    const char *token = gateway_bearer_token(
        gateway_request_header(request, "Authorization"), &size);
    if (!token) {
        json_t *headers = json_pack("{s:s}", "WWW-Authenticate", "Bearer");
        gateway_request_finish_problem(
            request_p,
            cm_problem_new(401, "unauthorized",
                           "an Authorization: Bearer token is required"),
            headers);
        json_decref(headers);
        return -1;
    }
    request->token = strndup(token, size);
    gateway_sha256_hex(token, size, request->token_hash);
    int64_t retry_ms = 0;
    if (!gateway_limiter_take(gateway_limiter(request->gateway),
                              request->token_hash, cm_time_mono_ms(),
                              &retry_ms)) {
        char seconds[24];
        snprintf(seconds, sizeof seconds, "%lld",
                 (long long)((retry_ms + 999) / 1000));
        json_t *headers = json_pack("{s:s}", "Retry-After", seconds);
        gateway_request_finish_problem(
            request_p,
            cm_problem_new(429, "rate_limited",
                           "too many requests for this token"),
            headers);
        json_decref(headers);
        return -1;
    }
    const gateway_settings_t *settings = gateway_settings(request->gateway);
    if (gateway_in_flight(request->gateway) > settings->max_in_flight) {
        json_t *headers = json_pack("{s:s}", "Retry-After", "1");
        gateway_request_finish_problem(
            request_p,
            cm_problem_new(503, "overloaded",
                           "the gateway holds too many requests"),
            headers);
        json_decref(headers);
        return -1;
    }
    return 0;
}

// ---- endpoints -----------------------------------------------------------

static void
s_routed(gateway_request_t *request)
{
    const gateway_routes_t *routes = gateway_routes(request->gateway);
    request->service = gateway_routes_lookup(routes, request->path);
    gateway_routes_label(routes, request->path, request->route);
    if (!request->service) {
        gateway_request_fail(&request, 404, "not_found",
                             "no service owns this path");
        return;
    }
    if (s_admit(&request) != 0 || s_parse_body(&request) != 0
        || s_read_idempotency_key(&request) != 0
        || s_read_if_match(&request) != 0) {
        return;
    }
    s_read_accept(request);
    s_push(request, gateway_bus_queue(request->gateway));
}

static void
s_ingest(gateway_request_t *request)
{
    if (strcmp(request->method, "POST") != 0) {
        s_method_not_allowed(&request, "POST");
        return;
    }
    if (s_admit(&request) != 0 || s_parse_body(&request) != 0) {
        return;
    }
    if (!request->body) {
        gateway_request_fail(&request, 400, "validation_failed",
                             "a CloudEvents JSON body is required");
        return;
    }
    s_push(request, gateway_bus_queue(request->gateway));
}

static void
s_stream(gateway_request_t *request)
{
    if (!s_is_get(request)) {
        s_method_not_allowed(&request, "GET");
        return;
    }
    if (s_admit(&request) != 0) {
        return;
    }
    const char *last = gateway_request_header(request, "Last-Event-ID");
    request->last_event_id = last ? strdup(last) : NULL;
    s_push(request, gateway_bus_queue(request->gateway));
}

static void
s_local(gateway_request_t *request)
{
    if (!s_is_get(request)) {
        s_method_not_allowed(&request, "GET, HEAD");
        return;
    }
    if (request->kind == GATEWAY_KIND_HEALTHZ) {
        gateway_request_finish_json(&request, 200, NULL,
                                    json_pack("{s:s}", "status", "ok"));
        return;
    }
    if (request->kind == GATEWAY_KIND_OPENAPI) {
        size_t size = 0;
        const char *text = gateway_openapi(request->gateway, &size);
        if (!text) {
            gateway_request_fail(&request, 404, "not_found",
                                 "the OpenAPI document is not available");
            return;
        }
        gateway_request_finish(&request, 200, NULL, "application/yaml", text,
                               size);
        return;
    }
    s_push(request, gateway_bus_queue(request->gateway)); // readyz, metrics
}

void
gateway_checks_dispatch(gateway_request_t *request)
{
    if (request->bad_request_id) {
        gateway_request_fail(&request, 400, "invalid_request_id",
                             "X-Request-Id must be 1-128 characters of "
                             "[A-Za-z0-9._-]");
        return;
    }
    switch (request->kind) {
    case GATEWAY_KIND_ROUTED:
        s_routed(request);
        break;
    case GATEWAY_KIND_INGEST:
        s_ingest(request);
        break;
    case GATEWAY_KIND_STREAM:
        s_stream(request);
        break;
    case GATEWAY_KIND_UNKNOWN:
        gateway_request_fail(&request, 404, "not_found", "no such path");
        break;
    default:
        s_local(request);
        break;
    }
}

// ---- a new request --------------------------------------------------------

static const char *
s_kind_label(gateway_kind_t kind)
{
    static const char *labels[] = {"other",
                                   "/healthz",
                                   "/readyz",
                                   "/metrics",
                                   "/v1/openapi.yaml",
                                   "/v1/events",
                                   "/v1/events/stream",
                                   "other"};
    return labels[kind];
}

void
gateway_checks_begin(gateway_request_t *request, gateway_kind_t kind)
{
    request->kind = kind;
    request->counted = true;
    gateway_in_flight_add(request->gateway, 1);
    snprintf(request->route, sizeof request->route, "%s", s_kind_label(kind));
    if (kind == GATEWAY_KIND_ROUTED) {
        gateway_routes_label(gateway_routes(request->gateway), request->path,
                             request->route);
    }
    const char *id = gateway_request_header(request, "X-Request-Id");
    if (id && gateway_request_id_is_valid(id)) {
        snprintf(request->request_id, sizeof request->request_id, "%s", id);
    } else {
        cm_uuid(request->request_id);
    }
    // Rejected only once the body is read: a body left unread on a
    // keep-alive connection would be parsed as the next request.
    request->bad_request_id = id && strcmp(id, request->request_id) != 0;
}
