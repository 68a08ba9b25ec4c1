#include "gateway_http.h"

#include <arpa/inet.h>
#include <assert.h>
#include <nng/nng.h>
#include <nng/supplemental/http/http.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_envelope.h"
#include "cm_log.h"
#include "cm_problem.h"
#include "cm_time.h"
#include "gateway_request.h"

#define S_DRAIN_CHUNK 65536 // scratch buffer for dropping an oversize body

// Data of one registered handler.
typedef struct {
    gateway_t *gateway;  // borrowed
    gateway_kind_t kind; // what requests under this path ask
} s_handler_t;

struct gateway_http {
    gateway_t *gateway;      // borrowed
    nng_http_server *server; // held server
    bool started;            // nng_http_server_start succeeded
    int port;                // bound port
};

// Where a request goes after its body (if any) has been read.
static void s_dispatch(gateway_request_t *request);

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
s_fail_closing(gateway_request_t **request_p, int status, const char *code,
               const char *detail)
{
    json_t *headers = json_pack("{s:s}", "Connection", "close");
    gateway_request_finish_problem(
        request_p, cm_problem_new(status, code, detail), headers);
    json_decref(headers);
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

// ---- body ----------------------------------------------------------------

static void
s_on_drain(void *arg)
{
    gateway_request_t *request = arg;
    int rv = nng_aio_result(request->body_aio);
    size_t got = nng_aio_count(request->body_aio);
    if (rv != 0) {
        nng_aio_finish(request->aio, rv); // nng closes the connection
        gateway_request_destroy(&request);
        return;
    }
    request->body_size -= got < request->body_size ? got : request->body_size;
    if (request->body_size == 0) {
        gateway_request_fail(&request, 413, "payload_too_large",
                             "request bodies are limited to 65536 bytes");
        return;
    }
    nng_iov iov = {request->body_data, request->body_size < S_DRAIN_CHUNK
                                           ? request->body_size
                                           : S_DRAIN_CHUNK};
    nng_aio_set_iov(request->body_aio, 1, &iov);
    nng_http_conn_read(request->conn, request->body_aio);
}

static void
s_on_body(void *arg)
{
    gateway_request_t *request = arg;
    int rv = nng_aio_result(request->body_aio);
    if (rv != 0) {
        cm_log_set_correlation(request->request_id);
        cm_log_warn("http.body_failed", "error", nng_strerror(rv));
        cm_log_set_correlation(NULL);
        nng_aio_finish(request->aio, rv); // nng closes the connection
        gateway_request_destroy(&request);
        return;
    }
    request->body_data[request->body_size] = '\0';
    s_dispatch(request);
}

// Start reading size body bytes; on_read continues. 0 or -1 (finished).
static int
s_read(gateway_request_t **request_p, size_t size, void (*on_read)(void *))
{
    gateway_request_t *request = *request_p;
    size_t buffer =
        size < S_DRAIN_CHUNK || on_read == s_on_body ? size : S_DRAIN_CHUNK;
    request->body_data = malloc(buffer + 1);
    request->body_size = size;
    if (!request->body_data
        || nng_aio_alloc(&request->body_aio, on_read, request) != 0) {
        s_fail_closing(request_p, 500, "internal", "out of memory");
        return -1;
    }
    nng_iov iov = {request->body_data, buffer};
    nng_aio_set_iov(request->body_aio, 1, &iov);
    nng_aio_set_timeout(
        request->body_aio,
        (nng_duration)gateway_settings(request->gateway)->deadline_ms);
    if (on_read == s_on_body) {
        nng_http_conn_read_all(request->conn, request->body_aio);
    } else {
        nng_http_conn_read(request->conn, request->body_aio);
    }
    return 0;
}

// Check framing and size, then read the body or dispatch at once.
static void
s_start_body(gateway_request_t *request)
{
    const char *encoding =
        nng_http_req_get_header(request->http, "Transfer-Encoding");
    const char *length_text =
        nng_http_req_get_header(request->http, "Content-Length");
    size_t length = 0;
    if (encoding) {
        s_fail_closing(&request, 411, "length_required",
                       "chunked request bodies are not supported; send "
                       "Content-Length");
        return;
    }
    if (length_text
        && gateway_content_length_parse(length_text, &length) != 0) {
        s_fail_closing(&request, 400, "bad_request",
                       "Content-Length is not a number");
        return;
    }
    if (length > GATEWAY_DRAIN_MAX_BYTES) {
        s_fail_closing(&request, 413, "payload_too_large",
                       "request bodies are limited to 65536 bytes");
        return;
    }
    if (length > GATEWAY_BODY_MAX_BYTES) {
        s_read(&request, length, s_on_drain);
        return;
    }
    if (length == 0) {
        s_dispatch(request);
        return;
    }
    s_read(&request, length, s_on_body);
}

// ---- checks before the bus -----------------------------------------------

// An upload (gateway_raw_body_allowed): the bytes as a base64 JSON string
// and the Content-Type beside them. 0, or -1 (finished).
static int
s_raw_body(gateway_request_t **request_p, const char *type)
{
    gateway_request_t *request = *request_p;
    if (request->body_size > CM_ENVELOPE_RAW_BODY_MAX) {
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
    const char *type = nng_http_req_get_header(request->http, "Content-Type");
    if (!gateway_content_type_is_json(type) && type
        && gateway_raw_body_allowed(nng_http_req_get_method(request->http),
                                    request->path)) {
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
    const char *key = nng_http_req_get_header(request->http, "Idempotency-Key");
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
    const char *value = nng_http_req_get_header(request->http, "If-Match");
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
    const char *value = nng_http_req_get_header(request->http, "Accept");
    request->accept = value && strstr(value, "text/csv") ? "text/csv" : NULL;
}

// Bearer token present, rate limit, in-flight cap. 0, or -1 (finished).
static int
s_admit(gateway_request_t **request_p)
{
    gateway_request_t *request = *request_p;
    size_t size = 0;
    const char *token = gateway_bearer_token(
        nng_http_req_get_header(request->http, "Authorization"), &size);
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
    const char *last = nng_http_req_get_header(request->http, "Last-Event-ID");
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

static void
s_dispatch(gateway_request_t *request)
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

// ---- the nng callback ----------------------------------------------------

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

static void
s_on_request(nng_aio *aio)
{
    nng_http_req *http = nng_aio_get_input(aio, 0);
    nng_http_handler *handler = nng_aio_get_input(aio, 1);
    nng_http_conn *conn = nng_aio_get_input(aio, 2);
    s_handler_t *data = nng_http_handler_get_data(handler);
    gateway_request_t *request =
        gateway_request_new(data->gateway, aio, http, conn);
    if (!request) {
        nng_aio_finish(aio, NNG_ENOMEM);
        return;
    }
    request->kind = data->kind;
    request->counted = true;
    gateway_in_flight_add(data->gateway, 1);
    snprintf(request->route, sizeof request->route, "%s",
             s_kind_label(data->kind));
    if (data->kind == GATEWAY_KIND_ROUTED) {
        gateway_routes_label(gateway_routes(data->gateway), request->path,
                             request->route);
    }
    const char *id = nng_http_req_get_header(http, "X-Request-Id");
    if (id && gateway_request_id_is_valid(id)) {
        snprintf(request->request_id, sizeof request->request_id, "%s", id);
    } else {
        cm_uuid(request->request_id);
    }
    // Rejected only once the body is read: a body left unread on a
    // keep-alive connection would be parsed as the next request.
    request->bad_request_id = id && strcmp(id, request->request_id) != 0;
    s_start_body(request);
}

static int
s_add_handler(gateway_http_t *self, const char *path, gateway_kind_t kind,
              bool tree)
{
    nng_http_handler *handler = NULL;
    s_handler_t *data = calloc(1, sizeof *data);
    if (!data || nng_http_handler_alloc(&handler, path, s_on_request) != 0) {
        free(data);
        return -1;
    }
    data->gateway = self->gateway;
    data->kind = kind;
    nng_http_handler_set_data(handler, data, free);
    nng_http_handler_set_method(handler, NULL);
    nng_http_handler_collect_body(handler, false, 0);
    if (tree) {
        nng_http_handler_set_tree(handler);
    }
    if (nng_http_server_add_handler(self->server, handler) != 0) {
        nng_http_handler_free(handler);
        return -1;
    }
    return 0;
}

static int
s_add_handlers(gateway_http_t *self)
{
    return s_add_handler(self, "/", GATEWAY_KIND_UNKNOWN, true)
           | s_add_handler(self, "/v1", GATEWAY_KIND_ROUTED, true)
           | s_add_handler(self, "/healthz", GATEWAY_KIND_HEALTHZ, false)
           | s_add_handler(self, "/readyz", GATEWAY_KIND_READYZ, false)
           | s_add_handler(self, "/metrics", GATEWAY_KIND_METRICS, false)
           | s_add_handler(self, "/v1/openapi.yaml", GATEWAY_KIND_OPENAPI,
                           false)
           | s_add_handler(self, "/v1/events", GATEWAY_KIND_INGEST, false)
           | s_add_handler(self, "/v1/events/stream", GATEWAY_KIND_STREAM,
                           false);
}

// nng's own error responses (a request the front end passed but nng would
// not take) carry problem JSON; nng labels them text/html, and the front
// end relabels them.
static int
s_error_pages(gateway_http_t *self)
{
    static const uint16_t codes[] = {400, 404, 405, 408, 413, 414,
                                     415, 431, 500, 501, 503, 505};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        json_t *problem = cm_problem_new(codes[i], NULL, NULL);
        json_t *rendered = cm_problem_render(problem, NULL);
        char *text = json_dumps(rendered, JSON_COMPACT);
        json_decref(problem);
        json_decref(rendered);
        int rv =
            text ? nng_http_server_set_error_page(self->server, codes[i], text)
                 : NNG_ENOMEM;
        free(text);
        if (rv != 0) {
            return -1;
        }
    }
    return 0;
}

gateway_http_t *
gateway_http_new(gateway_t *gateway)
{
    gateway_http_t *self = calloc(1, sizeof *self);
    if (!self) {
        return NULL;
    }
    self->gateway = gateway;
    // Clients reach nng only through the front end (gateway_front).
    char address[300];
    snprintf(address, sizeof address, "http://%s:0", GATEWAY_HTTP_LOOPBACK);
    nng_url *url = NULL;
    int rv = nng_url_parse(&url, address);
    if (rv == 0) {
        rv = nng_http_server_hold(&self->server, url);
        nng_url_free(url);
    }
    if (rv != 0 || s_add_handlers(self) != 0 || s_error_pages(self) != 0) {
        cm_log_error("http.setup_failed", "address", address, "error",
                     nng_strerror(rv ? rv : NNG_EINVAL));
        gateway_http_destroy(&self);
    }
    return self;
}

void
gateway_http_destroy(gateway_http_t **self_p)
{
    if (self_p && *self_p) {
        gateway_http_t *self = *self_p;
        gateway_http_stop(self);
        if (self->server) {
            nng_http_server_release(self->server);
        }
        free(self);
        *self_p = NULL;
    }
}

int
gateway_http_start(gateway_http_t *self)
{
    int rv = nng_http_server_start(self->server);
    if (rv != 0) {
        cm_log_error("http.listen_failed", "error", nng_strerror(rv));
        return -1;
    }
    self->started = true;
    self->port = -1;
    nng_sockaddr address;
    if (nng_http_server_get_addr(self->server, &address) == 0
        && address.s_family == NNG_AF_INET && address.s_in.sa_port != 0) {
        self->port = ntohs(address.s_in.sa_port);
    }
    return 0;
}

int
gateway_http_port(const gateway_http_t *self)
{
    return self->port;
}

void
gateway_http_stop(gateway_http_t *self)
{
    if (self->started) {
        self->started = false;
        nng_http_server_stop(self->server);
    }
}
