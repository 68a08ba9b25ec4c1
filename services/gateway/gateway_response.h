// gateway_response — the head of one HTTP response as the gateway sends it:
// status and header fields (setting a field again replaces it, names
// case-insensitive, as nng's do), and its rendering into bytes for a client
// the front thread serves itself (gateway_local). Pure: no I/O, safe on any
// thread. A rendered response travels to the front thread as a
// gateway_reply_t.
#ifndef GATEWAY_RESPONSE_H
#define GATEWAY_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GATEWAY_RESPONSE_FIELDS_MAX 32 // header fields kept (more: dropped)

// One header field; both strings borrowed until the response is rendered.
typedef struct {
    const char *name;
    const char *value;
} gateway_response_field_t;

// A response head being built.
typedef struct {
    int status;                                                   // 100..599
    gateway_response_field_t fields[GATEWAY_RESPONSE_FIELDS_MAX]; // in order
    size_t count;                                                 // used
    char numbers[GATEWAY_RESPONSE_FIELDS_MAX][24]; // set_number's values
    size_t numbers_used;                           // how many
} gateway_response_t;

// A rendered response for one request of a client connection: what the
// front thread writes, in the connection's request order.
typedef struct {
    uint64_t conn_id; // the connection (gateway_front)
    uint64_t seq;     // the request's place on it
    bool close;       // the connection closes after this response
    char *data;       // owned: the bytes
    size_t size;      // their count
} gateway_reply_t;

// Start a response with status and no fields.
void gateway_response_init(gateway_response_t *self, int status);

// Set name to value (both borrowed), replacing a field of the same name.
void gateway_response_set(gateway_response_t *self, const char *name,
                          const char *value);

// Set name (borrowed) to a number, written into the response itself.
void gateway_response_set_number(gateway_response_t *self, const char *name,
                                 long long value);

// The value of name, or NULL.
const char *gateway_response_get(const gateway_response_t *self,
                                 const char *name);

// The whole response as HTTP/1.1 bytes: status line with its reason, the
// fields, Content-Length (size), "Connection: close" when close, then the
// body unless omit_body (a HEAD request: the length stays). Caller owns
// the result (free); *out_size is its length.
char *gateway_response_render(const gateway_response_t *self, const void *body,
                              size_t size, bool omit_body, bool close,
                              size_t *out_size);

// Free a reply and its bytes; safe when *self_p is NULL.
void gateway_reply_destroy(gateway_reply_t **self_p);

#endif
