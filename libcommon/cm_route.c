#include "cm_route.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

// Split-free segment walk: copies the next segment of *path into buf and
// advances *path past it. Returns false at the end of the path or when a
// segment does not fit (such a path matches nothing).
static bool
s_next_segment(const char **path, char *buf, size_t size, bool *too_long)
{
    const char *p = *path;
    if (*p != '/') {
        return false;
    }
    p++;
    size_t n = strcspn(p, "/");
    if (n >= size) {
        *too_long = true;
        return false;
    }
    memcpy(buf, p, n);
    buf[n] = '\0';
    *path = p + n;
    return true;
}

static bool
s_match_pattern(const char *pattern, const char *path,
                cm_route_params_t *params)
{
    params->count = 0;
    char want[CM_ROUTE_SEGMENT_MAX], have[CM_ROUTE_SEGMENT_MAX];
    bool too_long = false;
    while (true) {
        bool more_pattern =
            s_next_segment(&pattern, want, sizeof want, &too_long);
        bool more_path = s_next_segment(&path, have, sizeof have, &too_long);
        if (!more_pattern || !more_path) {
            return !more_pattern && !more_path && !too_long && !*path;
        }
        size_t n = strlen(want);
        bool is_param = n > 2 && want[0] == '{' && want[n - 1] == '}';
        if (!is_param && strcmp(want, have) != 0) {
            return false;
        }
        if (is_param) {
            if (!have[0] || params->count == CM_ROUTE_PARAMS_MAX) {
                return false;
            }
            size_t i = params->count++;
            snprintf(params->names[i], CM_ROUTE_NAME_MAX, "%.*s", (int)(n - 2),
                     want + 1);
            snprintf(params->values[i], CM_ROUTE_SEGMENT_MAX, "%s", have);
        }
    }
}

static void
s_allow_add(char *allow, const char *method)
{
    if (strstr(allow, method)) {
        return;
    }
    size_t used = strlen(allow);
    snprintf(allow + used, CM_ROUTE_ALLOW_MAX - used, "%s%s", used ? ", " : "",
             method);
}

cm_route_result_t
cm_route_match(const cm_route_t *table, const char *method, const char *path,
               const cm_route_t **route, cm_route_params_t *params, char *allow)
{
    assert(table && method && path && route && params && allow);
    allow[0] = '\0';
    cm_route_params_t scratch;
    bool path_known = false;
    for (const cm_route_t *r = table; r->method; r++) {
        if (!s_match_pattern(r->pattern, path, &scratch)) {
            continue;
        }
        path_known = true;
        s_allow_add(allow, r->method);
        if (strcmp(r->method, method) == 0) {
            *route = r;
            *params = scratch;
            return CM_ROUTE_FOUND;
        }
    }
    return path_known ? CM_ROUTE_NO_METHOD : CM_ROUTE_NO_PATH;
}

const char *
cm_route_param(const cm_route_params_t *params, const char *name)
{
    assert(params && name);
    for (size_t i = 0; i < params->count; i++) {
        if (strcmp(params->names[i], name) == 0) {
            return params->values[i];
        }
    }
    return NULL;
}
