// cm_problem — the `error` object of a reply envelope, and its RFC 9457
// rendering (docs/architecture.md §10). Shape inside the envelope:
//
//   {"status":409,"code":"invalid_transition","detail":"…",
//    "errors":[{"field":"severity","message":"is required"}],
//    "allowed_actions":["forward","cancel"]}          // extras are kept
//
// The gateway turns it into application/problem+json with type, title,
// status, detail, code, errors, instance and the extras.
#ifndef LIBCOMMON_CM_PROBLEM_H
#define LIBCOMMON_CM_PROBLEM_H

#include <jansson.h>

#include "cm_status.h"

// Base of every problem `type` URI; the code is appended.
#define CM_PROBLEM_TYPE_BASE "https://stationmaster.dev/problems/"

// A new problem with an HTTP status, a stable code (NULL: the status's default
// name) and a human-readable detail (may be NULL). Caller owns the result.
json_t *cm_problem_new(int http_status, const char *code, const char *detail);

// The same from a cm_status_t. Caller owns the result.
json_t *cm_problem_from_status(cm_status_t status, const char *detail);

// Append {"field","message"} to the problem's errors[].
void cm_problem_add_error(json_t *problem, const char *field,
                          const char *message);

// Set an extra member (e.g. "allowed_actions"). Takes ownership of `value`.
void cm_problem_set(json_t *problem, const char *key, json_t *value);

// The HTTP status of a problem (500 when missing or malformed).
int cm_problem_status(const json_t *problem);

// The RFC 9457 document for HTTP: type, title, status, detail, code, errors,
// instance (may be NULL) and any extras. Caller owns the result.
json_t *cm_problem_render(const json_t *problem, const char *instance);

#endif
