#include "cm_status.h"

#include <stddef.h>

typedef struct {
    cm_status_t status; // our code
    int http;           // its HTTP status
    const char *name;   // stable problem code
    const char *title;  // RFC 9457 title
} s_status_row_t;

static const s_status_row_t s_rows[] = {
    {CM_OK, 200, "ok", "OK"},
    {CM_EINVAL, 400, "bad_request", "Bad Request"},
    {CM_EUNAUTHORIZED, 401, "unauthorized", "Unauthorized"},
    {CM_EFORBIDDEN, 403, "forbidden", "Forbidden"},
    {CM_ENOTFOUND, 404, "not_found", "Not Found"},
    {CM_EMETHOD, 405, "method_not_allowed", "Method Not Allowed"},
    {CM_ECONFLICT, 409, "conflict", "Conflict"},
    {CM_EPRECONDITION, 412, "precondition_failed", "Precondition Failed"},
    {CM_ETOOLARGE, 413, "too_large", "Content Too Large"},
    {CM_EMEDIATYPE, 415, "unsupported_media_type", "Unsupported Media Type"},
    {CM_EBUSINESS, 422, "unprocessable", "Unprocessable Content"},
    {CM_ERATE, 429, "rate_limited", "Too Many Requests"},
    {CM_EINTERNAL, 500, "internal", "Internal Server Error"},
    {CM_EUNAVAILABLE, 503, "unavailable", "Service Unavailable"},
    {CM_ETIMEOUT, 504, "timeout", "Gateway Timeout"},
};

#define S_ROW_COUNT (sizeof s_rows / sizeof s_rows[0])

static const s_status_row_t *
s_find(cm_status_t status)
{
    for (size_t i = 0; i < S_ROW_COUNT; i++) {
        if (s_rows[i].status == status) {
            return &s_rows[i];
        }
    }
    return NULL;
}

int
cm_status_http(cm_status_t status)
{
    const s_status_row_t *row = s_find(status);
    return row ? row->http : 500;
}

cm_status_t
cm_status_from_http(int http)
{
    for (size_t i = 0; i < S_ROW_COUNT; i++) {
        if (s_rows[i].http == http) {
            return s_rows[i].status;
        }
    }
    return http >= 200 && http < 300 ? CM_OK : CM_EINTERNAL;
}

const char *
cm_status_name(cm_status_t status)
{
    const s_status_row_t *row = s_find(status);
    return row ? row->name : "internal";
}

const char *
cm_status_title(int http)
{
    switch (http) {
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    default:
        break;
    }
    for (size_t i = 0; i < S_ROW_COUNT; i++) {
        if (s_rows[i].http == http) {
            return s_rows[i].title;
        }
    }
    return "Error";
}
