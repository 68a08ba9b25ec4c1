#include "gateway_probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_problem.h"
#include "gateway_metrics.h"

void
gateway_probe_destroy(void **item)
{
    gateway_probe_t *probe = *item;
    if (probe) {
        gateway_request_destroy(&probe->request);
        json_decref(probe->results);
        free(probe);
        *item = NULL;
    }
}

void
gateway_probe_finish_readyz(gateway_t *gateway, gateway_probe_t *probe)
{
    json_t *not_ready = json_array();
    json_t *checks = json_object();
    bool redis = gateway_redis_is_ok(gateway);
    json_object_set_new(
        checks, "broker",
        json_string(probe->broker_answered ? "ok" : "unreachable"));
    json_object_set_new(checks, "redis", json_string(redis ? "ok" : "down"));
    json_object_set(checks, "services", probe->results);
    if (!probe->broker_answered) {
        json_array_append_new(not_ready, json_string("broker"));
    }
    if (!redis) {
        json_array_append_new(not_ready, json_string("redis"));
    }
    const char *service;
    json_t *state;
    json_object_foreach(probe->results, service, state)
    {
        if (strcmp(json_string_value(state), "ok") != 0) {
            char name[160];
            snprintf(name, sizeof name, "service:%s", service);
            json_array_append_new(not_ready, json_string(name));
        }
    }
    if (json_array_size(not_ready) == 0) {
        json_decref(not_ready);
        gateway_request_finish_json(
            &probe->request, 200, NULL,
            json_pack("{s:s, s:o}", "status", "ready", "checks", checks));
        return;
    }
    json_t *problem =
        cm_problem_new(503, "not_ready", "some dependencies are not ready");
    json_object_set_new(problem, "not_ready", not_ready);
    json_object_set_new(problem, "checks", checks);
    gateway_request_finish_problem(&probe->request, problem, NULL);
}

void
gateway_probe_finish_metrics(gateway_t *gateway, gateway_probe_t *probe)
{
    json_t *lag = gateway_lag(gateway);
    gateway_metrics_live_t live = {
        .in_flight = gateway_in_flight(gateway),
        .services = json_object_get(probe->results, "services"),
        .lag = lag,
    };
    char *text = gateway_metrics_render(gateway_metrics(gateway), &live);
    json_decref(lag);
    gateway_request_finish(&probe->request, 200, NULL,
                           "text/plain; version=0.0.4; charset=utf-8", text,
                           text ? strlen(text) : 0);
    free(text);
}
