// http_client — a small raw-socket HTTP/1.1 client for integration suites
// (tests/*.c): one request per connection, or connect / send / read by hand
// to keep a connection alive or to read a stream. Every read times out
// after 5 s. Responses are read into a caller-owned http_client_response_t.
#ifndef TESTS_HTTP_CLIENT_H
#define TESTS_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#define HTTP_CLIENT_RESPONSE_MAX (1024 * 1024) // longest body read

// One response. Large: keep it off the stack.
typedef struct {
    int status;                          // 0 when no response was read
    char head[8192];                     // status line and headers
    char body[HTTP_CLIENT_RESPONSE_MAX]; // body (NUL-terminated)
    size_t body_size;                    // its size
    bool has_length;                     // a Content-Length header was present
} http_client_response_t;

// A receive waits this long: longer than any gateway deadline the stacks
// set (8 s), so a slow request is answered (504) rather than cut off here.
#define HTTP_CLIENT_TIMEOUT_S 20

// Connect to 127.0.0.1:port with that receive timeout. The fd, or -1.
int http_client_connect(int port);

// Write a request: method, path, extra header lines (each ending "\r\n";
// NULL for none) and a body of body_size bytes with its Content-Length.
// Stops quietly when the server closes early (it may answer 413 first).
void http_client_send(int fd, const char *method, const char *path,
                      const char *headers, const char *body, size_t body_size);

// Write size raw bytes (a hand-made request, or several at once).
void http_client_send_raw(int fd, const void *data, size_t size);

// What the server does next on fd within timeout_ms, without consuming
// anything: HTTP_CLIENT_MORE (bytes to read), HTTP_CLIENT_CLOSED (it closed
// the connection, or reset it) or HTTP_CLIENT_QUIET (nothing).
typedef enum {
    HTTP_CLIENT_QUIET,
    HTTP_CLIENT_MORE,
    HTTP_CLIENT_CLOSED
} http_client_next_t;
http_client_next_t http_client_next(int fd, int timeout_ms);

// Read one response (head, then Content-Length bytes). 0 or -1.
int http_client_read(int fd, http_client_response_t *response);

// One request on a new connection (body: C string or NULL). 0 or -1;
// response->status is 0 when no response was read.
int http_client_request(int port, const char *method, const char *path,
                        const char *headers, const char *body,
                        http_client_response_t *response);

// The value of header `name` (case-insensitive) copied into value (size
// bytes). Returns value, or NULL when the header is absent.
const char *http_client_header(const http_client_response_t *response,
                               const char *name, char *value, size_t size);

#endif
