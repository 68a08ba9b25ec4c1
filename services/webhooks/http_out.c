#include "http_out.h"

#include <assert.h>
#include <nng/nng.h>
#include <nng/supplemental/http/http.h>
#include <nng/supplemental/tls/tls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// The TLS configuration of an https client: 0 or an nng error.
static int
s_tls(nng_http_client *client, const nng_url *url, const char *ca_file)
{
    nng_tls_config *tls = NULL;
    int rv = nng_tls_config_alloc(&tls, NNG_TLS_MODE_CLIENT);
    if (rv == 0) {
        rv = nng_tls_config_server_name(tls, url->u_hostname);
    }
    if (rv == 0 && ca_file && *ca_file) {
        rv = nng_tls_config_ca_file(tls, ca_file);
    }
    if (rv == 0) {
        rv = nng_tls_config_auth_mode(tls, NNG_TLS_AUTH_MODE_REQUIRED);
    }
    if (rv == 0) {
        rv = nng_http_client_set_tls(client, tls);
    }
    if (tls) {
        nng_tls_config_free(tls); // the client holds its own reference
    }
    return rv;
}

static int
s_request(nng_http_req *req, const http_out_header_t *headers, size_t count,
          const char *body, size_t body_size)
{
    int rv = nng_http_req_set_method(req, "POST");
    rv = rv ? rv
            : nng_http_req_set_header(req, "Content-Type", "application/json");
    rv = rv ? rv
            : nng_http_req_set_header(req, "User-Agent",
                                      "stationmaster-webhooks/1");
    for (size_t i = 0; rv == 0 && i < count; i++) {
        rv = nng_http_req_set_header(req, headers[i].name, headers[i].value);
    }
    return rv ? rv : nng_http_req_copy_data(req, body, body_size);
}

struct http_out_call {
    nng_url *url;
    nng_http_client *client;
    nng_http_req *req;
    nng_http_res *res;
    nng_aio *aio;
};

static void
s_call_free(http_out_call_t *call)
{
    if (call->aio) {
        nng_aio_free(call->aio);
    }
    if (call->res) {
        nng_http_res_free(call->res);
    }
    if (call->req) {
        nng_http_req_free(call->req);
    }
    if (call->client) {
        nng_http_client_free(call->client);
    }
    if (call->url) {
        nng_url_free(call->url);
    }
    free(call);
}

http_out_call_t *
http_out_start(const char *url, const http_out_header_t *headers,
               size_t header_count, const char *body, size_t body_size,
               int timeout_ms, const char *ca_file, http_out_result_t *result)
{
    memset(result, 0, sizeof *result);
    http_out_call_t *call = calloc(1, sizeof *call);
    assert(call);
    int rv = nng_url_parse(&call->url, url);
    rv = rv ? rv : nng_http_client_alloc(&call->client, call->url);
    if (rv == 0 && strcmp(call->url->u_scheme, "https") == 0) {
        rv = s_tls(call->client, call->url, ca_file);
    }
    rv = rv ? rv : nng_http_req_alloc(&call->req, call->url);
    rv = rv ? rv : s_request(call->req, headers, header_count, body, body_size);
    rv = rv ? rv : nng_http_res_alloc(&call->res);
    rv = rv ? rv : nng_aio_alloc(&call->aio, NULL, NULL);
    if (rv != 0) {
        snprintf(result->error, sizeof result->error, "%s", nng_strerror(rv));
        s_call_free(call);
        return NULL;
    }
    nng_aio_set_timeout(call->aio, timeout_ms);
    nng_http_client_transact(call->client, call->req, call->res, call->aio);
    return call;
}

int
http_out_finish(http_out_call_t **call_p, http_out_result_t *result)
{
    http_out_call_t *call = *call_p;
    memset(result, 0, sizeof *result);
    nng_aio_wait(call->aio);
    int rv = nng_aio_result(call->aio);
    if (rv == 0) {
        result->status = (int)nng_http_res_get_status(call->res);
    } else {
        snprintf(result->error, sizeof result->error, "%s", nng_strerror(rv));
    }
    s_call_free(call);
    *call_p = NULL;
    return rv == 0 ? 0 : -1;
}

int
http_out_post(const char *url, const http_out_header_t *headers,
              size_t header_count, const char *body, size_t body_size,
              int timeout_ms, const char *ca_file, http_out_result_t *result)
{
    http_out_call_t *call =
        http_out_start(url, headers, header_count, body, body_size, timeout_ms,
                       ca_file, result);
    return call ? http_out_finish(&call, result) : -1;
}
