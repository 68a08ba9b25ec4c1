// cm_status — failure codes shared by every layer, and their HTTP mapping
// (docs/architecture.md §10). Functions that must tell failures apart return a
// negative cm_status_t; the gateway and the service skeleton map it in one
// table.
#ifndef LIBCOMMON_CM_STATUS_H
#define LIBCOMMON_CM_STATUS_H

typedef enum {
    CM_OK = 0,
    CM_EINVAL = -1,        // 400 bad input
    CM_EUNAUTHORIZED = -2, // 401 no or invalid token
    CM_EFORBIDDEN = -3,    // 403 the role may not
    CM_ENOTFOUND = -4,     // 404
    CM_EMETHOD = -5,       // 405
    CM_ECONFLICT = -6,     // 409 state forbids it, version conflict
    CM_EPRECONDITION = -7, // 412 If-Match failed
    CM_ETOOLARGE = -8,     // 413
    CM_EMEDIATYPE = -9,    // 415
    CM_EBUSINESS = -10,    // 422 business rule, idempotency key reused
    CM_ERATE = -11,        // 429
    CM_EINTERNAL = -12,    // 500 a bug
    CM_EUNAVAILABLE = -13, // 503 broker, worker or Redis unavailable
    CM_ETIMEOUT = -14      // 504 outcome unknown
} cm_status_t;

// The HTTP status for a code (500 for an unknown one).
int cm_status_http(cm_status_t status);

// The status for an HTTP code (CM_EINTERNAL for one we never produce).
cm_status_t cm_status_from_http(int http);

// A short stable name ("not_found") used as the problem `code` by default.
const char *cm_status_name(cm_status_t status);

// The RFC 9457 title for an HTTP status ("Not Found").
const char *cm_status_title(int http);

#endif
