#include "gateway_prober.h"

#include <assert.h>
#include <czmq.h>
#include <stdlib.h>
#include <string.h>

#include "cm_mdp_client.h"
#include "cm_problem.h"
#include "cm_time.h"
#include "gateway_probe.h"

// One mmi query in flight: replies come back in order on the mmi client.
typedef struct {
    gateway_probe_t *probe; // borrowed (owned by probes)
    char service[128];      // mmi.service: which service was asked
} s_query_t;

struct gateway_prober {
    gateway_t *gateway;   // borrowed
    cm_mdp_client_t *mmi; // mmi.* queries; recreated on a timeout
    zlistx_t *probes;     // gateway_probe_t (owned)
    zlistx_t *queries;    // s_query_t (owned), in send order
};

static void
s_free_item(void **item)
{
    free(*item);
    *item = NULL;
}

static void
s_query_add(gateway_prober_t *self, gateway_probe_t *probe, const char *mmi,
            const char *body, const char *service)
{
    if (cm_mdp_client_send(self->mmi, mmi, body) != 0) {
        return;
    }
    s_query_t *query = calloc(1, sizeof *query);
    assert(query);
    query->probe = probe;
    snprintf(query->service, sizeof query->service, "%s",
             service ? service : "");
    zlistx_add_end(self->queries, query);
    probe->outstanding++;
}

void
gateway_prober_start(gateway_prober_t *self, gateway_request_t *request)
{
    gateway_probe_t *probe = calloc(1, sizeof *probe);
    assert(probe);
    probe->request = request;
    probe->results = json_object();
    probe->deadline_mono_ms =
        cm_time_mono_ms() + gateway_settings(self->gateway)->probe_timeout_ms;
    zlistx_add_end(self->probes, probe);
    if (request->kind == GATEWAY_KIND_METRICS) {
        s_query_add(self, probe, "mmi.stats", "", NULL);
        return;
    }
    const gateway_routes_t *routes = gateway_routes(self->gateway);
    for (size_t i = 0; i < gateway_routes_service_count(routes); i++) {
        const char *service = gateway_routes_service(routes, i);
        json_object_set_new(probe->results, service, json_string("unknown"));
        s_query_add(self, probe, "mmi.service", service, service);
    }
}

static void
s_probe_finish(gateway_prober_t *self, gateway_probe_t *probe)
{
    if (probe->request->kind == GATEWAY_KIND_METRICS) {
        gateway_probe_finish_metrics(self->gateway, probe);
    } else {
        gateway_probe_finish_readyz(self->gateway, probe);
    }
    void *handle = zlistx_find(self->probes, probe);
    zlistx_delete(self->probes, handle);
}

static void
s_on_mmi_reply(gateway_prober_t *self, const char *service, const char *body)
{
    s_query_t *query = zlistx_detach(self->queries, NULL);
    if (!query) {
        return;
    }
    gateway_probe_t *probe = query->probe;
    probe->broker_answered = true;
    if (strcmp(service, "mmi.stats") == 0) {
        json_t *stats = json_loads(body, 0, NULL);
        if (json_is_object(stats)) {
            json_decref(probe->results);
            probe->results = stats;
        } else {
            json_decref(stats);
        }
    } else if (query->service[0]) {
        json_object_set_new(
            probe->results, query->service,
            json_string(strcmp(body, "200") == 0 ? "ok" : "no_worker"));
    }
    free(query);
    if (--probe->outstanding == 0) {
        s_probe_finish(self, probe);
    }
}

// A probe past its deadline ends with what it has; the mmi client is
// recreated so a late reply cannot be taken for the next query's.
static gateway_probe_t *
s_probe_due(gateway_prober_t *self, int64_t now_ms)
{
    for (gateway_probe_t *probe = zlistx_first(self->probes); probe;
         probe = zlistx_next(self->probes)) {
        if (probe->deadline_mono_ms <= now_ms || probe->outstanding == 0) {
            return probe;
        }
    }
    return NULL;
}

void
gateway_prober_expire(gateway_prober_t *self, int64_t now_ms)
{
    bool expired = false;
    gateway_probe_t *probe;
    while ((probe = s_probe_due(self, now_ms))) {
        expired = expired || probe->outstanding > 0;
        probe->outstanding = 0;
        s_probe_finish(self, probe);
    }
    if (expired) {
        zlistx_purge(self->queries);
        cm_mdp_client_destroy(&self->mmi);
        self->mmi = cm_mdp_client_new(gateway_settings(self->gateway)->broker);
    }
}

void
gateway_prober_drain(gateway_prober_t *self)
{
    char *service = NULL;
    char *text;
    while (self->mmi && (text = cm_mdp_client_recv(self->mmi, 0, &service))) {
        s_on_mmi_reply(self, service, text);
        free(text);
        free(service);
        service = NULL;
    }
}

void *
gateway_prober_socket(gateway_prober_t *self)
{
    return self->mmi ? zsock_resolve(cm_mdp_client_sock(self->mmi)) : NULL;
}

int64_t
gateway_prober_next_deadline(gateway_prober_t *self)
{
    int64_t next = INT64_MAX;
    for (gateway_probe_t *probe = zlistx_first(self->probes); probe;
         probe = zlistx_next(self->probes)) {
        next = probe->deadline_mono_ms < next ? probe->deadline_mono_ms : next;
    }
    return next;
}

void
gateway_prober_fail_all(gateway_prober_t *self)
{
    gateway_probe_t *probe;
    while ((probe = zlistx_first(self->probes))) {
        json_t *headers = json_pack("{s:s}", "Retry-After", "1");
        gateway_request_finish_problem(
            &probe->request,
            cm_problem_new(503, "shutting_down", "the gateway is stopping"),
            headers);
        json_decref(headers);
        zlistx_delete(self->probes, NULL);
    }
}

gateway_prober_t *
gateway_prober_new(gateway_t *gateway)
{
    gateway_prober_t *self = calloc(1, sizeof *self);
    if (!self) {
        return NULL;
    }
    self->gateway = gateway;
    self->probes = zlistx_new();
    self->queries = zlistx_new();
    self->mmi = cm_mdp_client_new(gateway_settings(gateway)->broker);
    if (!self->probes || !self->queries || !self->mmi) {
        gateway_prober_destroy(&self);
        return NULL;
    }
    zlistx_set_destructor(self->probes, gateway_probe_destroy);
    zlistx_set_destructor(self->queries, s_free_item);
    return self;
}

void
gateway_prober_destroy(gateway_prober_t **self_p)
{
    if (self_p && *self_p) {
        gateway_prober_t *self = *self_p;
        zlistx_destroy(&self->queries);
        zlistx_destroy(&self->probes);
        cm_mdp_client_destroy(&self->mmi);
        free(self);
        *self_p = NULL;
    }
}
