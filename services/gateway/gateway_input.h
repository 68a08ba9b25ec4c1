// gateway_input — pure checks and parsing of what an HTTP client sends:
// request ids, idempotency keys, bearer tokens, content types and lengths,
// JSON bodies (with the error position), query strings, and the request
// fingerprint. No I/O and no state: every function is safe on any thread.
#ifndef GATEWAY_INPUT_H
#define GATEWAY_INPUT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define GATEWAY_REQUEST_ID_MAX      128   // X-Request-Id characters
#define GATEWAY_IDEMPOTENCY_KEY_MAX 255   // Idempotency-Key characters
#define GATEWAY_BODY_MAX_BYTES      65536 // docs/architecture.md §2: 64 KiB
#define GATEWAY_SHA256_HEX          65    // 64 hex characters and NUL
#define GATEWAY_TOKEN_MAX           512   // longest bearer token accepted

// True when id is 1..GATEWAY_REQUEST_ID_MAX characters of [A-Za-z0-9._-].
bool gateway_request_id_is_valid(const char *id);

// True when key is 1..GATEWAY_IDEMPOTENCY_KEY_MAX printable ASCII characters
// without spaces (0x21..0x7e).
bool gateway_idempotency_key_is_valid(const char *key);

// True for methods whose request carries a body (POST, PUT, PATCH).
bool gateway_method_has_body(const char *method);

// True when a Content-Type names application/json (parameters such as
// "; charset=utf-8" allowed, case-insensitive).
bool gateway_content_type_is_json(const char *content_type);

// True when a request may carry a body that is not JSON (an upload): a POST
// to a collection of attachments (path ending in "/attachments"). Such a
// body travels as base64 with its Content-Type (cm_ctx_body_bytes).
bool gateway_raw_body_allowed(const char *method, const char *path);

// Parse a Content-Length value (digits only). 0, or -1 when malformed.
int gateway_content_length_parse(const char *text, size_t *length);

// Find the token of "Bearer <token>" (scheme case-insensitive). Returns a
// pointer into header and its length in *size, or NULL when absent/invalid.
const char *gateway_bearer_token(const char *header, size_t *size);

// SHA-256 of data as lower-case hex into hex (GATEWAY_SHA256_HEX bytes).
// Used as the auth cache and rate limiter key so raw tokens are never kept.
const char *gateway_sha256_hex(const void *data, size_t size, char *hex);

// The idempotency fingerprint: SHA-256 hex of method "\n" path "\n" and the
// body dumped with JSON_COMPACT|JSON_SORT_KEYS (body NULL or JSON null: an
// empty string). 0, or -1 when the body cannot be dumped.
int gateway_fingerprint(const char *method, const char *path,
                        const json_t *body, char *hex);

// Parse a JSON body (duplicate keys rejected). On failure returns NULL and
// sets *problem to a 400 problem (code "malformed_json") whose detail and
// members line, column and position say where. Caller owns the result or
// *problem.
json_t *gateway_body_parse(const char *data, size_t size, json_t **problem);

// Parse a query string ("a=1&b=x%20y", without '?') into an object of
// strings (percent and '+' decoded; a repeated name keeps the last value).
// NULL or "" gives {}. Returns NULL when a value is not UTF-8. Caller owns.
json_t *gateway_query_parse(const char *query);

#endif
