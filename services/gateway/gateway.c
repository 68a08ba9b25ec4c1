#include "gateway.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker.h"
#include "cm_log.h"
#include "gateway_auth.h"
#include "gateway_bus.h"
#include "gateway_events.h"
#include "gateway_front.h"
#include "gateway_http.h"
#include "gateway_local.h"

#define S_DEFAULT_ROUTES                                                       \
    "staff=personnel departments=personnel positions=personnel "               \
    "approval-rules=personnel "                                                \
    "sanctions=personnel notices=personnel "                                   \
    "recruitment-plans=personnel candidates=personnel trainings=personnel "    \
    "evaluation-cycles=personnel evaluations=personnel "                       \
    "learning-resources=personnel "                                            \
    "cases=intake customers=intake return-visits=intake reports=intake "       \
    "work-orders=dispatch "                                                    \
    "queues=dispatch rosters=dispatch sla-policies=dispatch "                  \
    "calendars=dispatch budgets=finance budget-adjustments=finance "           \
    "expense-claims=finance accounts=finance journal=finance "                 \
    "reconciliations=finance expenditure-requests=finance "                    \
    "reports/budget=finance reports/sla=dispatch reports/workload=dispatch "   \
    "items=inventory stock=inventory suppliers=inventory "                     \
    "procurement-plans=inventory purchase-orders=inventory "                   \
    "requisitions=inventory stock-counts=inventory stock-checks=inventory "    \
    "reports/stock=inventory "                                                 \
    "onboarding=safety-audit audit=safety-audit procedures=safety-audit "      \
    "safety-trainings=safety-audit hazards=safety-audit "                      \
    "inspection-templates=safety-audit inspection-schedules=safety-audit "     \
    "inspections=safety-audit "                                                \
    "equipment=assets faults=assets scrap-requests=assets "                    \
    "maintenance-plans=assets webhooks=webhooks "                              \
    "vehicles=logistics trip-requests=logistics rounds=logistics "             \
    "round-records=logistics "                                                 \
    "reviews=oversight reports/station=oversight"

const cm_config_option_t gateway_options[] = {
    {"gateway/bind", CM_CONFIG_STRING, "127.0.0.1", 0, 0, false,
     "address the HTTP server binds"},
    {"gateway/port", CM_CONFIG_INT, "8080", 0, 65535, false,
     "HTTP port (0: any free port)"},
    {"gateway/routes", CM_CONFIG_STRING, S_DEFAULT_ROUTES, 0, 0, false,
     "first path segment under /v1/ = MDP service, space separated"},
    {"gateway/deadline_ms", CM_CONFIG_INT, "2000", 10, 600000, false,
     "request deadline (504 after it)"},
    {"gateway/max_in_flight", CM_CONFIG_INT, "4096", 1, 1000000, false,
     "requests held at once before 503"},
    {"gateway/rate_per_s", CM_CONFIG_INT, "1000", 1, 10000000, false,
     "per-token request rate (token bucket refill)"},
    {"gateway/burst", CM_CONFIG_INT, "2000", 1, 10000000, false,
     "per-token burst (token bucket size)"},
    {"gateway/auth_cache_ms", CM_CONFIG_INT, "30000", 0,
     GATEWAY_AUTH_TTL_MAX_MS, false, "how long a resolved token is cached"},
    {"gateway/sse_heartbeat_ms", CM_CONFIG_INT, "15000", 10, 600000, false,
     "SSE heartbeat comment period"},
    {"gateway/probe_timeout_ms", CM_CONFIG_INT, "1000", 10, 60000, false,
     "how long /readyz and /metrics wait for the broker"},
    {"gateway/auth_failure_burst", CM_CONFIG_INT, "20", 1, 1000000, false,
     "failed token checks a client address may make at once before 429"},
    {"gateway/auth_failures_per_min", CM_CONFIG_INT, "30", 1, 6000000, false,
     "failed token checks per minute a client address gets back"},
    {"gateway/header_timeout_ms", CM_CONFIG_INT, "10000", 100, 600000, false,
     "a request head must arrive within this (else 408); also the longest "
     "pause inside a request body"},
    {"gateway/idle_timeout_ms", CM_CONFIG_INT, "60000", 100, 3600000, false,
     "a keep-alive connection with nothing in flight is closed after this"},
    {"gateway/max_connections_per_client", CM_CONFIG_INT, "64", 1, 1000000,
     false, "open connections one client address may hold (429 beyond)"},
    {"gateway/trusted_proxies", CM_CONFIG_STRING, "", 0, 0, false,
     "addresses or CIDR prefixes of proxies (the nginx edge) whose X-Real-IP "
     "names the client; they are exempt from the connection cap"},
    {"gateway/openapi_path", CM_CONFIG_STRING, "docs/openapi.yaml", 0, 0, false,
     "file served at GET /v1/openapi.yaml"},
    {"gateway/embed_broker", CM_CONFIG_BOOL, "false", 0, 0, false,
     "run the broker inside the gateway (bound on broker/bind and "
     "broker/port for the workers; the gateway reaches it in-process): one "
     "host serving both needs no broker process"},
    {NULL, 0, NULL, 0, 0, false, NULL},
};

struct gateway {
    const cm_config_t *config;     // borrowed
    gateway_settings_t settings;   // read-only after new
    gateway_routes_t *routes;      // prefix table
    gateway_metrics_t *metrics;    // counters, histograms
    gateway_limiter_t *limiter;    // per-token buckets
    gateway_queue_t *bus_queue;    // nng → bus thread
    gateway_queue_t *events_queue; // bus → events thread
    gateway_bus_t *bus;            // ZeroMQ thread
    gateway_events_t *events;      // Redis / hub thread
    gateway_http_t *http;          // nng server (loopback)
    gateway_front_t *front;        // the public socket, in front of nng
    char *openapi;                 // the OpenAPI document, or NULL
    size_t openapi_size;           // its size
    atomic_long in_flight;         // requests held
    atomic_bool redis_ok;          // last PING answered
    pthread_mutex_t lag_mutex;     // guards lag
    json_t *lag;                   // consumer-group lag snapshot
    bool running;                  // started and not stopped
    zactor_t *broker;              // the embedded broker, or NULL
};

static void
s_settings(gateway_t *self, const cm_config_t *config)
{
    gateway_settings_t *s = &self->settings;
    snprintf(s->bind, sizeof s->bind, "%s",
             cm_config_str(config, "gateway/bind"));
    s->port = (int)cm_config_int(config, "gateway/port");
    s->deadline_ms = cm_config_int(config, "gateway/deadline_ms");
    s->max_in_flight = (long)cm_config_int(config, "gateway/max_in_flight");
    s->rate_per_s = (double)cm_config_int(config, "gateway/rate_per_s");
    s->burst = (double)cm_config_int(config, "gateway/burst");
    s->auth_cache_ms = cm_config_int(config, "gateway/auth_cache_ms");
    s->sse_heartbeat_ms = cm_config_int(config, "gateway/sse_heartbeat_ms");
    s->probe_timeout_ms = cm_config_int(config, "gateway/probe_timeout_ms");
    s->auth_failure_burst =
        (double)cm_config_int(config, "gateway/auth_failure_burst");
    s->auth_failures_per_min =
        (double)cm_config_int(config, "gateway/auth_failures_per_min");
    s->header_timeout_ms = cm_config_int(config, "gateway/header_timeout_ms");
    s->idle_timeout_ms = cm_config_int(config, "gateway/idle_timeout_ms");
    s->max_per_client =
        (long)cm_config_int(config, "gateway/max_connections_per_client");
    snprintf(s->trusted_proxies, sizeof s->trusted_proxies, "%s",
             cm_config_str(config, "gateway/trusted_proxies"));
    cm_config_endpoint(config, "broker/host", "broker/port", s->broker,
                       sizeof s->broker);
    cm_config_endpoint(config, "hub/host", "hub/pub_port", s->hub,
                       sizeof s->hub);
    char host[256] = "localhost";
    gethostname(host, sizeof host - 1);
    snprintf(s->source, sizeof s->source, "gateway/%s", host);
}

static void
s_load_openapi(gateway_t *self, const char *path)
{
    FILE *file = fopen(path, "rb");
    if (!file) {
        cm_log_warn("gateway.openapi_missing", "path", path);
        return;
    }
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    char buffer[8192];
    size_t got;
    while (out && (got = fread(buffer, 1, sizeof buffer, file)) > 0) {
        fwrite(buffer, 1, got, out);
    }
    fclose(file);
    if (out) {
        fclose(out);
        self->openapi = text;
        self->openapi_size = size;
    }
}

// gateway/embed_broker: the broker actor in this process, bound where a
// broker process would bind and in-process for the bus. 0, or -1 (logged).
static int
s_embed_broker(gateway_t *self, const cm_config_t *config)
{
    if (!cm_config_bool(config, "gateway/embed_broker")) {
        return 0;
    }
    char endpoint[256], inproc[64];
    cm_config_endpoint(config, "broker/bind", "broker/port", endpoint,
                       sizeof endpoint);
    snprintf(inproc, sizeof inproc, GATEWAY_BROKER_INPROC, (void *)self);
    broker_args_t args = {
        .endpoint = endpoint,
        .inproc = inproc,
        .queue_max = (int)cm_config_int(config, "broker/queue_max"),
        .heartbeat_ms = (int)cm_config_int(config, "service/heartbeat_ms"),
    };
    self->broker = zactor_new(broker_actor, &args);
    if (!self->broker || broker_port(self->broker) < 0) {
        return -1;
    }
    snprintf(self->settings.broker, sizeof self->settings.broker, "%s", inproc);
    return 0;
}

gateway_t *
gateway_new(const cm_config_t *config)
{
    gateway_t *self = calloc(1, sizeof *self);
    if (!self) {
        return NULL;
    }
    self->config = config;
    s_settings(self, config);
    pthread_mutex_init(&self->lag_mutex, NULL);
    atomic_init(&self->in_flight, 0);
    atomic_init(&self->redis_ok, false);
    char error[256] = "";
    self->routes = gateway_routes_new(cm_config_str(config, "gateway/routes"),
                                      error, sizeof error);
    if (!self->routes) {
        cm_log_error("config.invalid", "reason", error);
        gateway_destroy(&self);
        return NULL;
    }
    s_load_openapi(self, cm_config_str(config, "gateway/openapi_path"));
    if (s_embed_broker(self, config) != 0) {
        gateway_destroy(&self);
        return NULL;
    }
    self->metrics = gateway_metrics_new();
    self->limiter =
        gateway_limiter_new(self->settings.rate_per_s, self->settings.burst);
    self->bus_queue = gateway_queue_new();
    self->events_queue = gateway_queue_new();
    if (self->bus_queue && self->events_queue) {
        self->bus = gateway_bus_new(self);
        self->events = gateway_events_new(self);
        self->http = gateway_http_new(self);
    }
    if (!self->metrics || !self->limiter || !self->bus || !self->events
        || !self->http) {
        cm_log_error("gateway.setup_failed", "reason",
                     "could not create its parts");
        gateway_destroy(&self);
    }
    return self;
}

void
gateway_destroy(gateway_t **self_p)
{
    if (!self_p || !*self_p) {
        return;
    }
    gateway_t *self = *self_p;
    gateway_stop(self);
    gateway_front_destroy(&self->front);
    gateway_http_destroy(&self->http);
    gateway_bus_destroy(&self->bus);
    zactor_destroy(&self->broker); // after the bus: its client is gone
    gateway_events_destroy(&self->events);
    gateway_queue_destroy(&self->bus_queue);
    gateway_queue_destroy(&self->events_queue);
    gateway_limiter_destroy(&self->limiter);
    gateway_metrics_destroy(&self->metrics);
    gateway_routes_destroy(&self->routes);
    json_decref(self->lag);
    pthread_mutex_destroy(&self->lag_mutex);
    free(self->openapi);
    free(self);
    *self_p = NULL;
}

// The public socket, relaying to nng's loopback port. 0, or -1 (logged).
static int
s_front_start(gateway_t *self)
{
    const gateway_settings_t *s = &self->settings;
    gateway_front_config_t config = {
        .bind = s->bind,
        .port = s->port,
        .upstream_port = gateway_http_port(self->http),
        .header_timeout_ms = s->header_timeout_ms,
        .idle_timeout_ms = s->idle_timeout_ms,
        .max_per_client = s->max_per_client,
        .trusted_proxies = s->trusted_proxies,
        .metrics = self->metrics,
        .serve = gateway_local_serve,
        .serve_arg = self,
    };
    self->front = gateway_front_new(&config);
    return self->front ? gateway_front_start(self->front) : -1;
}

int
gateway_start(gateway_t *self)
{
    if (gateway_bus_start(self->bus) != 0
        || gateway_events_start(self->events) != 0
        || gateway_http_start(self->http) != 0 || s_front_start(self) != 0) {
        gateway_stop(self);
        return -1;
    }
    self->running = true;
    cm_log_notice("gateway.started", "bind", self->settings.bind, "#port",
                  CM_LOG_INT(gateway_port(self)), "#nng_port",
                  CM_LOG_INT(gateway_http_port(self->http)), "broker",
                  self->settings.broker, "hub", self->settings.hub);
    return 0;
}

int
gateway_port(const gateway_t *self)
{
    return self->front ? gateway_front_port(self->front) : -1;
}

void
gateway_stop(gateway_t *self)
{
    if (self->running) {
        cm_log_notice("gateway.stopping", "#in_flight",
                      CM_LOG_INT(gateway_in_flight(self)));
    }
    // Order matters (docs/libraries.md): the threads answer what they hold
    // before nng_http_server_stop waits for pending aios. The bus stops
    // first: it may still hand streams to the events thread.
    if (self->bus) {
        gateway_bus_stop(self->bus);
    }
    if (self->events) {
        gateway_events_stop(self->events);
    }
    if (self->http) {
        gateway_http_stop(self->http);
    }
    // Last: it sends on what nng answered while stopping.
    if (self->front) {
        gateway_front_stop(self->front);
    }
    self->running = false;
}

const gateway_settings_t *
gateway_settings(const gateway_t *self)
{
    return &self->settings;
}

const cm_config_t *
gateway_config(const gateway_t *self)
{
    return self->config;
}

const gateway_routes_t *
gateway_routes(const gateway_t *self)
{
    return self->routes;
}

gateway_metrics_t *
gateway_metrics(gateway_t *self)
{
    return self->metrics;
}

gateway_limiter_t *
gateway_limiter(gateway_t *self)
{
    return self->limiter;
}

gateway_queue_t *
gateway_bus_queue(gateway_t *self)
{
    return self->bus_queue;
}

gateway_queue_t *
gateway_events_queue(gateway_t *self)
{
    return self->events_queue;
}

const char *
gateway_openapi(const gateway_t *self, size_t *size)
{
    *size = self->openapi_size;
    return self->openapi;
}

long
gateway_in_flight(gateway_t *self)
{
    return atomic_load(&self->in_flight);
}

long
gateway_in_flight_add(gateway_t *self, long delta)
{
    return atomic_fetch_add(&self->in_flight, delta) + delta;
}

bool
gateway_redis_is_ok(gateway_t *self)
{
    return atomic_load(&self->redis_ok);
}

void
gateway_set_redis_ok(gateway_t *self, bool ok)
{
    atomic_store(&self->redis_ok, ok);
}

json_t *
gateway_lag(gateway_t *self)
{
    pthread_mutex_lock(&self->lag_mutex);
    json_t *lag = json_incref(self->lag);
    pthread_mutex_unlock(&self->lag_mutex);
    return lag;
}

void
gateway_set_lag(gateway_t *self, json_t *lag)
{
    pthread_mutex_lock(&self->lag_mutex);
    json_decref(self->lag);
    self->lag = lag;
    pthread_mutex_unlock(&self->lag_mutex);
}
