// cm_route — a service's route table: method + path pattern → handler.
//
// Patterns are literal segments and `{name}` parameters:
// "/v1/cases/{id}/{action}". A path matches when it has as many segments and
// every literal equals; the parameter values are captured. Query strings
// are not part of the path (they arrive as the envelope's `query`).
#ifndef LIBCOMMON_CM_ROUTE_H
#define LIBCOMMON_CM_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#define CM_ROUTE_PARAMS_MAX  8   // parameters in one pattern
#define CM_ROUTE_SEGMENT_MAX 128 // longest captured value, with NUL
#define CM_ROUTE_NAME_MAX    32  // longest parameter name, with NUL
#define CM_ROUTE_ALLOW_MAX   64  // "GET, POST, PATCH, DELETE" and NUL

typedef struct cm_ctx cm_ctx_t;
typedef struct cm_doc_type cm_doc_type_t;

// A handler answers one request through its context (cm_ctx.h).
typedef void(cm_handler_fn)(cm_ctx_t *ctx);

// One row of a route table; tables end with a row whose method is NULL.
typedef struct {
    const char *method;     // "GET", "POST", "PATCH", "PUT", "DELETE"
    const char *pattern;    // "/v1/staff/{id}/tokens"
    cm_handler_fn *handler; // called with the parameters captured
    // A read of the document of this type named by {id} (cm_doc_get): the
    // worker reads it with the rest of its batch, in one round trip
    // (cm_store_prefetch). NULL for any other route.
    const cm_doc_type_t *reads;
} cm_route_t;

// Parameters captured by a match.
typedef struct {
    size_t count;                                           // captured
    char names[CM_ROUTE_PARAMS_MAX][CM_ROUTE_NAME_MAX];     // from the pattern
    char values[CM_ROUTE_PARAMS_MAX][CM_ROUTE_SEGMENT_MAX]; // from the path
} cm_route_params_t;

typedef enum {
    CM_ROUTE_FOUND,     // method and path match: *route set
    CM_ROUTE_NO_PATH,   // no pattern matches the path (404)
    CM_ROUTE_NO_METHOD, // the path matches, the method does not (405)
} cm_route_result_t;

// Find the route for method and path. On CM_ROUTE_FOUND sets *route
// (borrowed from table) and fills params; on CM_ROUTE_NO_METHOD writes the
// allowed methods ("GET, POST") into allow (CM_ROUTE_ALLOW_MAX bytes).
cm_route_result_t cm_route_match(const cm_route_t *table, const char *method,
                                 const char *path, const cm_route_t **route,
                                 cm_route_params_t *params, char *allow);

// The value of parameter `name`, or NULL. Borrowed: valid while params lives.
const char *cm_route_param(const cm_route_params_t *params, const char *name);

#endif
