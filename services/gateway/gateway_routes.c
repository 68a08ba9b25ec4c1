#include "gateway_routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_mdp.h"

// One entry of the prefix table.
typedef struct {
    char segment[GATEWAY_SEGMENT_MAX]; // "cases"
    char service[CM_MDP_SERVICE_MAX];  // "intake"
} s_route_t;

struct gateway_routes {
    s_route_t routes[GATEWAY_ROUTES_MAX];     // the table, in config order
    size_t count;                             // entries used
    const char *services[GATEWAY_ROUTES_MAX]; // distinct services (borrowed)
    size_t service_count;                     // entries of services used
};

// One segment, or two joined by one '/' ("reports/budget"), of
// [a-z0-9._-].
static bool
s_segment_is_valid(const char *text, size_t size)
{
    if (size == 0 || size >= GATEWAY_SEGMENT_MAX || text[0] == '/'
        || text[size - 1] == '/') {
        return false;
    }
    size_t slashes = 0;
    for (size_t i = 0; i < size; i++) {
        char c = text[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
                  || c == '_' || c == '.' || c == '/';
        slashes += c == '/';
        if (!ok || slashes > 1) {
            return false;
        }
    }
    return true;
}

static const s_route_t *
s_find(const gateway_routes_t *self, const char *segment)
{
    for (size_t i = 0; i < self->count; i++) {
        if (strcmp(self->routes[i].segment, segment) == 0) {
            return &self->routes[i];
        }
    }
    return NULL;
}

static void
s_add_service(gateway_routes_t *self, const char *service)
{
    for (size_t i = 0; i < self->service_count; i++) {
        if (strcmp(self->services[i], service) == 0) {
            return;
        }
    }
    self->services[self->service_count++] = service;
}

// Parse one "segment=service" token of length size. 0 or -1 with error.
static int
s_parse_entry(gateway_routes_t *self, const char *token, size_t size,
              char *error, size_t error_size)
{
    const char *equals = memchr(token, '=', size);
    size_t segment_size = equals ? (size_t)(equals - token) : 0;
    size_t service_size = equals ? size - segment_size - 1 : 0;
    if (!equals || !s_segment_is_valid(token, segment_size)
        || !cm_mdp_service_is_valid(equals + 1, service_size)) {
        snprintf(error, error_size,
                 "gateway/routes: '%.*s' is not segment=service", (int)size,
                 token);
        return -1;
    }
    if (self->count == GATEWAY_ROUTES_MAX) {
        snprintf(error, error_size, "gateway/routes: more than %d entries",
                 GATEWAY_ROUTES_MAX);
        return -1;
    }
    s_route_t *route = &self->routes[self->count];
    memcpy(route->segment, token, segment_size);
    route->segment[segment_size] = '\0';
    memcpy(route->service, equals + 1, service_size);
    route->service[service_size] = '\0';
    if (s_find(self, route->segment)) {
        snprintf(error, error_size, "gateway/routes: '%s' appears twice",
                 route->segment);
        return -1;
    }
    self->count++;
    s_add_service(self, route->service);
    return 0;
}

gateway_routes_t *
gateway_routes_new(const char *spec, char *error, size_t error_size)
{
    gateway_routes_t *self = calloc(1, sizeof *self);
    if (!self) {
        snprintf(error, error_size, "out of memory");
        return NULL;
    }
    const char *p = spec ? spec : "";
    while (*p) {
        size_t skip = strspn(p, " ,\t");
        p += skip;
        size_t size = strcspn(p, " ,\t");
        if (size > 0 && s_parse_entry(self, p, size, error, error_size) != 0) {
            gateway_routes_destroy(&self);
            return NULL;
        }
        p += size;
    }
    return self;
}

void
gateway_routes_destroy(gateway_routes_t **self_p)
{
    if (self_p && *self_p) {
        free(*self_p);
        *self_p = NULL;
    }
}

int
gateway_route_segment(const char *path, char *segment, size_t size)
{
    if (!path || strncmp(path, "/v1/", 4) != 0) {
        return -1;
    }
    const char *start = path + 4;
    size_t length = strcspn(start, "/?");
    if (length == 0 || length >= size) {
        return -1;
    }
    memcpy(segment, start, length);
    segment[length] = '\0';
    return 0;
}

// The entry for path: "<first>/<second>" (reports are routed by their
// second segment: "reports/budget=finance"), else "<first>". NULL when none.
static const s_route_t *
s_route_for(const gateway_routes_t *self, const char *path)
{
    char segment[GATEWAY_SEGMENT_MAX];
    if (gateway_route_segment(path, segment, sizeof segment) != 0) {
        return NULL;
    }
    const char *rest = path + 4 + strlen(segment);
    size_t second = *rest == '/' ? strcspn(rest + 1, "/?") : 0;
    char two[GATEWAY_SEGMENT_MAX];
    size_t first = strlen(segment);
    if (second > 0 && first + 1 + second < sizeof two) {
        memcpy(two, segment, first);
        two[first] = '/';
        memcpy(two + first + 1, rest + 1, second);
        two[first + 1 + second] = '\0';
        const s_route_t *route = s_find(self, two);
        if (route) {
            return route;
        }
    }
    return s_find(self, segment);
}

const char *
gateway_routes_lookup(const gateway_routes_t *self, const char *path)
{
    const s_route_t *route = s_route_for(self, path);
    return route ? route->service : NULL;
}

size_t
gateway_routes_service_count(const gateway_routes_t *self)
{
    return self->service_count;
}

const char *
gateway_routes_service(const gateway_routes_t *self, size_t i)
{
    return i < self->service_count ? self->services[i] : NULL;
}

const char *
gateway_routes_label(const gateway_routes_t *self, const char *path,
                     char *label)
{
    const s_route_t *route = s_route_for(self, path);
    if (route) {
        snprintf(label, GATEWAY_ROUTE_LABEL_MAX, "/v1/%s", route->segment);
    } else {
        snprintf(label, GATEWAY_ROUTE_LABEL_MAX, "other");
    }
    return label;
}

// The path of target starts with prefix as a whole segment ("/v1/events"
// matches "/v1/events", "/v1/events/…", "/v1/events?…").
static bool
s_under(const char *path, size_t size, const char *prefix)
{
    size_t length = strlen(prefix);
    return size >= length && memcmp(path, prefix, length) == 0
           && (size == length || path[length] == '/');
}

bool
gateway_routes_is_direct(const char *target, size_t size)
{
    const char *query = memchr(target, '?', size);
    size_t path_size = query ? (size_t)(query - target) : size;
    return path_size > 4 && memcmp(target, "/v1/", 4) == 0
           && !memchr(target, '%', path_size)
           && !s_under(target, path_size, "/v1/events")
           && !s_under(target, path_size, "/v1/openapi.yaml");
}
