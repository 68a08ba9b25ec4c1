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
#include "gateway_checks.h"
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

static void
s_fail_closing(gateway_request_t **request_p, int status, const char *code,
               const char *detail)
{
    json_t *headers = json_pack("{s:s}", "Connection", "close");
    gateway_request_finish_problem(
        request_p, cm_problem_new(status, code, detail), headers);
    json_decref(headers);
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
    gateway_checks_dispatch(request);
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
        gateway_checks_dispatch(request);
        return;
    }
    s_read(&request, length, s_on_body);
}

// ---- the nng callback ----------------------------------------------------

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
    gateway_checks_begin(request, data->kind);
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
