// http_conn — one keep-alive HTTP/1.1 connection to 127.0.0.1 for the
// benchmarks (bench/finance, bench/inventory): send a request, read the
// status and skip the body
// (Content-Length), or copy it where the caller asked (body, body_size).
// Every read times out after 10 s.
#ifndef BENCH_LIB_HTTP_CONN_H
#define BENCH_LIB_HTTP_CONN_H

#include <stddef.h>

#define HTTP_CONN_BUFFER 65536

typedef struct {
    int fd;                        // -1 when closed
    char buffer[HTTP_CONN_BUFFER]; // bytes read and not yet used
    int used;                      // of buffer
    char *body;       // NULL, or where a response's body is copied (ended)
    size_t body_size; // of body
} http_conn_t;

// Connect (closing what conn held). 0 or -1.
int http_conn_open(http_conn_t *conn, int port);

// method path with extra header lines and body (NULL: none); the
// response's status, or 0 when the connection failed (then closed).
int http_conn_request(http_conn_t *conn, const char *method, const char *path,
                      const char *headers, const char *body);

// Close; safe twice.
void http_conn_close(http_conn_t *conn);

#endif
