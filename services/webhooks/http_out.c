#include "http_out.h"

#include <nng/nng.h>
#include <nng/supplemental/http/http.h>
#include <nng/supplemental/tls/tls.h>
#include <stdio.h>
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

int
http_out_post(const char *url, const http_out_header_t *headers,
              size_t header_count, const char *body, size_t body_size,
              int timeout_ms, const char *ca_file, http_out_result_t *result)
{
    memset(result, 0, sizeof *result);
    nng_url *parsed = NULL;
    nng_http_client *client = NULL;
    nng_http_req *req = NULL;
    nng_http_res *res = NULL;
    nng_aio *aio = NULL;
    int rv = nng_url_parse(&parsed, url);
    rv = rv ? rv : nng_http_client_alloc(&client, parsed);
    if (rv == 0 && strcmp(parsed->u_scheme, "https") == 0) {
        rv = s_tls(client, parsed, ca_file);
    }
    rv = rv ? rv : nng_http_req_alloc(&req, parsed);
    rv = rv ? rv : s_request(req, headers, header_count, body, body_size);
    rv = rv ? rv : nng_http_res_alloc(&res);
    rv = rv ? rv : nng_aio_alloc(&aio, NULL, NULL);
    if (rv == 0) {
        nng_aio_set_timeout(aio, timeout_ms);
        nng_http_client_transact(client, req, res, aio);
        nng_aio_wait(aio);
        rv = nng_aio_result(aio);
    }
    if (rv == 0) {
        result->status = (int)nng_http_res_get_status(res);
    } else {
        snprintf(result->error, sizeof result->error, "%s", nng_strerror(rv));
    }
    if (aio) {
        nng_aio_free(aio);
    }
    if (res) {
        nng_http_res_free(res);
    }
    if (req) {
        nng_http_req_free(req);
    }
    if (client) {
        nng_http_client_free(client);
    }
    if (parsed) {
        nng_url_free(parsed);
    }
    return rv == 0 ? 0 : -1;
}
