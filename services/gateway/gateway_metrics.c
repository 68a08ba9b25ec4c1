#include "gateway_metrics.h"

#include <assert.h>
#include <czmq.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// Upper bounds of the histogram buckets, in seconds.
static const double s_bounds[GATEWAY_METRICS_BUCKETS] = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5};

static const char *s_methods[] = {"GET",   "HEAD",   "POST",    "PUT",
                                  "PATCH", "DELETE", "OPTIONS", NULL};

// Latency histogram of one route.
typedef struct {
    uint64_t buckets[GATEWAY_METRICS_BUCKETS]; // cumulative at render time
    uint64_t count;                            // observations
    double sum_s;                              // their total, seconds
} s_histogram_t;

struct gateway_metrics {
    pthread_mutex_t mutex; // guards both tables
    zhashx_t *counters;    // "route\tmethod\tstatus" → uint64_t*
    zhashx_t *histograms;  // route → s_histogram_t*
};

static void
s_free_item(void **item)
{
    free(*item);
    *item = NULL;
}

static const char *
s_method_label(const char *method)
{
    for (size_t i = 0; method && s_methods[i]; i++) {
        if (strcmp(method, s_methods[i]) == 0) {
            return s_methods[i];
        }
    }
    return "OTHER";
}

gateway_metrics_t *
gateway_metrics_new(void)
{
    gateway_metrics_t *self = calloc(1, sizeof *self);
    if (!self) {
        return NULL;
    }
    self->counters = zhashx_new();
    self->histograms = zhashx_new();
    if (!self->counters || !self->histograms) {
        gateway_metrics_destroy(&self);
        return NULL;
    }
    zhashx_set_destructor(self->counters, s_free_item);
    zhashx_set_destructor(self->histograms, s_free_item);
    pthread_mutex_init(&self->mutex, NULL);
    return self;
}

void
gateway_metrics_destroy(gateway_metrics_t **self_p)
{
    if (self_p && *self_p) {
        gateway_metrics_t *self = *self_p;
        if (self->counters && self->histograms) {
            pthread_mutex_destroy(&self->mutex);
        }
        zhashx_destroy(&self->counters);
        zhashx_destroy(&self->histograms);
        free(self);
        *self_p = NULL;
    }
}

static void
s_count(gateway_metrics_t *self, const char *key)
{
    uint64_t *counter = zhashx_lookup(self->counters, key);
    if (!counter) {
        counter = calloc(1, sizeof *counter);
        if (!counter) {
            return;
        }
        zhashx_insert(self->counters, key, counter);
    }
    (*counter)++;
}

static void
s_histogram_add(gateway_metrics_t *self, const char *route, double seconds)
{
    s_histogram_t *histogram = zhashx_lookup(self->histograms, route);
    if (!histogram) {
        histogram = calloc(1, sizeof *histogram);
        if (!histogram) {
            return;
        }
        zhashx_insert(self->histograms, route, histogram);
    }
    for (size_t i = 0; i < GATEWAY_METRICS_BUCKETS; i++) {
        if (seconds <= s_bounds[i]) {
            histogram->buckets[i]++;
            break;
        }
    }
    histogram->count++;
    histogram->sum_s += seconds;
}

void
gateway_metrics_observe(gateway_metrics_t *self, const char *route,
                        const char *method, int status, int64_t duration_us)
{
    char key[256];
    snprintf(key, sizeof key, "%s\t%s\t%d", route, s_method_label(method),
             status);
    pthread_mutex_lock(&self->mutex);
    s_count(self, key);
    s_histogram_add(self, route, (double)duration_us / 1e6);
    pthread_mutex_unlock(&self->mutex);
}

static void
s_render_counters(gateway_metrics_t *self, FILE *out)
{
    fprintf(out, "# HELP sm_http_requests_total HTTP requests handled.\n"
                 "# TYPE sm_http_requests_total counter\n");
    zlistx_t *keys = zhashx_keys(self->counters);
    zlistx_set_comparator(keys, (zlistx_comparator_fn *)strcmp);
    zlistx_sort(keys);
    for (const char *key = zlistx_first(keys); key; key = zlistx_next(keys)) {
        char route[128], method[16];
        int status = 0;
        if (sscanf(key, "%127[^\t]\t%15[^\t]\t%d", route, method, &status)
            == 3) {
            uint64_t *counter = zhashx_lookup(self->counters, key);
            fprintf(out,
                    "sm_http_requests_total{route=\"%s\",method=\"%s\","
                    "status=\"%d\"} %llu\n",
                    route, method, status, (unsigned long long)*counter);
        }
    }
    zlistx_destroy(&keys);
}

static void
s_render_histogram(const char *route, const s_histogram_t *histogram, FILE *out)
{
    uint64_t cumulative = 0;
    for (size_t i = 0; i < GATEWAY_METRICS_BUCKETS; i++) {
        cumulative += histogram->buckets[i];
        fprintf(out,
                "sm_http_request_duration_seconds_bucket{route=\"%s\","
                "le=\"%g\"} %llu\n",
                route, s_bounds[i], (unsigned long long)cumulative);
    }
    fprintf(out,
            "sm_http_request_duration_seconds_bucket{route=\"%s\","
            "le=\"+Inf\"} %llu\n"
            "sm_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n"
            "sm_http_request_duration_seconds_count{route=\"%s\"} %llu\n",
            route, (unsigned long long)histogram->count, route,
            histogram->sum_s, route, (unsigned long long)histogram->count);
}

static void
s_render_histograms(gateway_metrics_t *self, FILE *out)
{
    fprintf(out, "# HELP sm_http_request_duration_seconds Time from request "
                 "to response.\n"
                 "# TYPE sm_http_request_duration_seconds histogram\n");
    zlistx_t *keys = zhashx_keys(self->histograms);
    zlistx_set_comparator(keys, (zlistx_comparator_fn *)strcmp);
    zlistx_sort(keys);
    for (const char *key = zlistx_first(keys); key; key = zlistx_next(keys)) {
        s_render_histogram(key, zhashx_lookup(self->histograms, key), out);
    }
    zlistx_destroy(&keys);
}

// One gauge family per member of each service's stats object.
static void
s_render_services(const json_t *services, FILE *out)
{
    static const char *members[] = {"queue", "workers", "in_flight"};
    static const char *names[] = {"sm_broker_queue_depth", "sm_broker_workers",
                                  "sm_broker_in_flight"};
    static const char *helps[] = {
        "Requests the broker holds queued for a service.",
        "Workers registered with the broker for a service.",
        "Requests of a service that workers hold now."};
    for (size_t m = 0; m < 3; m++) {
        fprintf(out, "# HELP %s %s\n# TYPE %s gauge\n", names[m], helps[m],
                names[m]);
        const char *service;
        json_t *stats;
        json_object_foreach((json_t *)services, service, stats)
        {
            json_t *value = json_object_get(stats, members[m]);
            if (json_is_integer(value)) {
                fprintf(out, "%s{service=\"%s\"} %lld\n", names[m], service,
                        (long long)json_integer_value(value));
            }
        }
    }
}

// One gauge family of the lag snapshot: member `field` of each entry.
static void
s_render_lag_gauge(const json_t *lag, const char *name, const char *help,
                   const char *field, FILE *out)
{
    fprintf(out, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
    size_t i;
    json_t *entry;
    json_array_foreach(lag, i, entry)
    {
        const char *stream =
            json_string_value(json_object_get(entry, "stream"));
        const char *group = json_string_value(json_object_get(entry, "group"));
        json_t *value = json_object_get(entry, field);
        if (stream && group && json_is_integer(value)) {
            fprintf(out, "%s{stream=\"%s\",group=\"%s\"} %lld\n", name, stream,
                    group, (long long)json_integer_value(value));
        }
    }
}

static void
s_render_lag(const json_t *lag, FILE *out)
{
    s_render_lag_gauge(lag, "sm_outbox_lag",
                       "Outbox entries a consumer group has not read yet "
                       "(counted by seq after its last-delivered id).",
                       "lag", out);
    s_render_lag_gauge(lag, "sm_outbox_pending",
                       "Outbox entries a consumer group has read but not "
                       "acknowledged.",
                       "pending", out);
}

char *
gateway_metrics_render(gateway_metrics_t *self,
                       const gateway_metrics_live_t *live)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    if (!out) {
        return NULL;
    }
    pthread_mutex_lock(&self->mutex);
    s_render_counters(self, out);
    s_render_histograms(self, out);
    pthread_mutex_unlock(&self->mutex);
    fprintf(out,
            "# HELP sm_http_in_flight Requests the gateway holds now.\n"
            "# TYPE sm_http_in_flight gauge\n"
            "sm_http_in_flight %ld\n",
            live ? live->in_flight : 0L);
    if (live && json_is_object(live->services)) {
        s_render_services(live->services, out);
    }
    if (live && json_is_array(live->lag)) {
        s_render_lag(live->lag, out);
    }
    fclose(out);
    return text;
}

json_t *
gateway_metrics_lag_json(const cm_outbox_lag_t *lags, size_t count)
{
    json_t *array = json_array();
    assert(array);
    for (size_t i = 0; i < count; i++) {
        json_t *entry =
            json_pack("{s:s, s:s, s:I, s:I}", "stream", lags[i].stream, "group",
                      lags[i].group, "lag", (json_int_t)lags[i].lag, "pending",
                      (json_int_t)lags[i].pending);
        // NULL only for a name that is not UTF-8: that group is left out.
        if (entry) {
            json_array_append_new(array, entry);
        }
    }
    return array;
}
