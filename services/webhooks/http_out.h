// http_out — one outbound POST with nng's HTTP client (nng_http_client,
// nng_aio with a timeout). https:// URLs use nng's TLS (Debian's libnng
// 1.5.2 is built with mbedTLS): the server's certificate is verified
// against the CA file and the host name. Blocking: called by the delivery
// worker only, never on a request path.
#ifndef WEBHOOKS_HTTP_OUT_H
#define WEBHOOKS_HTTP_OUT_H

#include <stddef.h>

#define HTTP_OUT_HEADERS_MAX 8
#define HTTP_OUT_ERROR_MAX   96

typedef struct {
    const char *name;
    const char *value;
} http_out_header_t;

typedef struct {
    int status;                     // the response status, 0 when none
    char error[HTTP_OUT_ERROR_MAX]; // why there is none ("" otherwise)
} http_out_result_t;

// A POST in flight (http_out_start).
typedef struct http_out_call http_out_call_t;

// Start a POST of body (JSON, copied) to url with the headers (copied);
// the exchange runs on nng's threads, bounded by timeout_ms. Returns the
// call (caller owns: http_out_finish), or NULL with *result set when it
// could not start (a bad URL, TLS setup).
http_out_call_t *http_out_start(const char *url,
                                const http_out_header_t *headers,
                                size_t header_count, const char *body,
                                size_t body_size, int timeout_ms,
                                const char *ca_file, http_out_result_t *result);

// Wait for a call to end, fill *result and free it; sets *call_p to NULL.
// 0 when a response arrived, -1 otherwise.
int http_out_finish(http_out_call_t **call_p, http_out_result_t *result);

// POST body (JSON) to url with the headers (at most HTTP_OUT_HEADERS_MAX),
// waiting at most timeout_ms for the whole exchange. ca_file: the CA
// bundle for https (NULL or "": nng's default, no CA: verification fails).
// Fills *result; returns 0 when a response arrived, -1 otherwise.
int http_out_post(const char *url, const http_out_header_t *headers,
                  size_t header_count, const char *body, size_t body_size,
                  int timeout_ms, const char *ca_file,
                  http_out_result_t *result);

#endif
