// gateway_wire — HTTP/1.1 framing for the gateway's front end (pure: no
// I/O, safe on any thread). It finds where a request head ends, checks it
// strictly (request line, version, target bytes, header syntax, sizes and
// counts, Host, Content-Length, Transfer-Encoding) and writes the head that
// goes on to nng: only the headers the gateway reads (field values with a
// tab or bytes 0x80-0xFF are legal HTTP that nng 1.5 refuses), plus the
// client address. On the way back it finds where each response ends and
// relabels nng's own error pages, whose Content-Type nng fixes to
// text/html, as application/problem+json (their bodies are problem JSON).
#ifndef GATEWAY_WIRE_H
#define GATEWAY_WIRE_H

#include <stdbool.h>
#include <stddef.h>

#define GATEWAY_WIRE_TARGET_MAX  8000  // request target bytes (414 beyond)
#define GATEWAY_WIRE_LINE_MAX    8192  // header line bytes (431 beyond)
#define GATEWAY_WIRE_HEAD_MAX    32768 // request head bytes (431 beyond)
#define GATEWAY_WIRE_HEADERS_MAX 100   // header fields (431 beyond)
#define GATEWAY_WIRE_METHOD_MAX  15    // method characters (400 beyond)
#define GATEWAY_WIRE_ADDRESS_MAX 64    // client address text and NUL
#define GATEWAY_WIRE_BODY_MAX_BYTES                                            \
    ((size_t)8 * 1024 * 1024) // bodies beyond: refused (413, closed)
#define GATEWAY_WIRE_RESPONSE_HEAD_MAX 65536       // response head from nng
#define GATEWAY_WIRE_PEER_HEADER       "X-Sm-Peer" // client address to nng

// Why a request is refused: the status to answer, a stable problem code and
// a detail (both static strings).
typedef struct {
    int status;         // 400, 408, 411, 413, 414, 431, 505…
    const char *code;   // problem code
    const char *detail; // problem detail
} gateway_wire_error_t;

// Who sent the bytes.
typedef struct {
    const char *address; // TCP peer address (text)
    bool trusted;        // a trusted proxy: its X-Real-IP names the client
} gateway_wire_peer_t;

// A checked request head.
typedef struct {
    char method[GATEWAY_WIRE_METHOD_MAX + 1]; // as received
    char client[GATEWAY_WIRE_ADDRESS_MAX];    // the client address
    size_t content_length;                    // body bytes after the head
    bool is_head;                             // HEAD: the response has no body
    bool close;          // no request may follow (Connection: close, HTTP/1.0)
    char *forward;       // the head for nng (owned; gateway_wire_request_clear)
    size_t forward_size; // its size
    size_t target_at;    // where the request target starts in forward
    size_t target_size;  // its size
} gateway_wire_request_t;

// A response head from nng.
typedef struct {
    int status;            // status code
    bool has_length;       // Content-Length present
    size_t content_length; // its value
} gateway_wire_response_t;

// How many blank-line bytes (CR, LF) start data: ignored before a request.
size_t gateway_wire_skip_blank(const char *data, size_t size);

// Where the head at the start of data ends: the offset just after its
// empty line, or 0 while it is incomplete. *scanned (0 at first) remembers
// how far earlier calls looked, so each byte is looked at once.
size_t gateway_wire_head_end(const char *data, size_t size, size_t *scanned);

// Limits on an incomplete request head of size bytes: 0 while it may still
// become valid, -1 with *error (414 or 431) when it cannot.
int gateway_wire_check_partial(const char *data, size_t size,
                               gateway_wire_error_t *error);

// Check a complete request head (head_size bytes, as found by
// gateway_wire_head_end) from peer. 0 with *request filled (clear it), or
// -1 with *error.
int gateway_wire_parse_request(const char *data, size_t head_size,
                               const gateway_wire_peer_t *peer,
                               gateway_wire_request_t *request,
                               gateway_wire_error_t *error);

// Free what a parsed request owns; safe on a zeroed or cleared one.
void gateway_wire_request_clear(gateway_wire_request_t *request);

// Read a complete response head. 0, or -1 when it is not HTTP/1.x.
int gateway_wire_parse_response(const char *data, size_t head_size,
                                gateway_wire_response_t *response);

// The response head with a text/html Content-Type relabelled as
// application/problem+json; NULL when nothing needs to change. Caller owns
// the result (free); *size is its length.
char *gateway_wire_relabel(const char *data, size_t head_size, size_t *size);

// A whole response for error: problem+json, X-Request-Id (a new one),
// Retry-After: 1 for 429 and 503, Connection: close. Caller owns the result
// (free); *size is its length.
char *gateway_wire_problem(const gateway_wire_error_t *error, size_t *size);

// True when address (IPv4 or IPv6 text) falls in one of the space-separated
// addresses or CIDR prefixes of list ("10.0.0.0/8 ::1"). Bad entries never
// match.
bool gateway_wire_address_in(const char *address, const char *list);

#endif
