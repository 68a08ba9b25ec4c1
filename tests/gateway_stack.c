#include "gateway_stack.h"

#include <check.h>
#include <czmq.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cm_envelope.h"
#include "cm_mdp_worker.h"
#include "cm_time.h"

gateway_stack_t gateway_stack;
http_client_response_t gateway_stack_response;

// ---- test workers
// ------------------------------------------------------------

// One fake token: what personnel answers for it.
typedef struct {
    const char *token;      // the bearer token
    const char *id;         // staff id
    const char *role;       // role
    const char *department; // department
} s_fake_token_t;

static const s_fake_token_t s_tokens[] = {
    {"tok-head", "ST-1", "station_head", "management"},
    {"tok-agent", "ST-7", "cs_agent", "customer_service"},
    {"tok-sys", "ST-20", "system", "management"},
    {"tok-tech", "ST-30", "technician", "technical"},
};

static const s_fake_token_t s_soon_token = {"tok-soon", "ST-40", "cs_agent",
                                            "customer_service"};

// The fake tok-soon: valid until worker->soon_ms, then unknown.
static json_t *
s_soon(gateway_stack_worker_t *worker, const s_fake_token_t *fake, int *status)
{
    if (worker->soon_ms == 0) {
        worker->soon_ms = cm_time_now_ms() + GATEWAY_STACK_SOON_MS;
    }
    if (cm_time_now_ms() >= worker->soon_ms) {
        *status = 404;
        return NULL;
    }
    char expires[CM_TIME_TEXT_MAX];
    cm_time_format(worker->soon_ms, expires);
    return json_pack("{s:s, s:s, s:s, s:s}", "id", fake->id, "role", fake->role,
                     "department", fake->department, "expires_at", expires);
}

static json_t *
s_personnel(gateway_stack_worker_t *worker, const json_t *request, int *status)
{
    json_t *body = json_object_get(request, "body");
    const char *token = json_string_value(json_object_get(body, "token"));
    *status = 200;
    if (token && strcmp(token, "tok-soon") == 0) {
        return s_soon(worker, &s_soon_token, status);
    }
    for (size_t i = 0; token && i < sizeof s_tokens / sizeof s_tokens[0]; i++) {
        if (strcmp(token, s_tokens[i].token) == 0) {
            return json_pack("{s:s, s:s, s:s, s:n}", "id", s_tokens[i].id,
                             "role", s_tokens[i].role, "department",
                             s_tokens[i].department, "expires_at");
        }
    }
    if (token && strncmp(token, "tok-", 4) == 0) {
        return json_pack("{s:s, s:s, s:s}", "id", "ST-9", "role",
                         "station_head", "department", "management");
    }
    *status = 404;
    return NULL;
}

// Reply text for one request of the worker's service.
static char *
s_answer(gateway_stack_worker_t *worker, const json_t *request)
{
    int status = 200;
    json_t *headers = NULL;
    json_t *body = NULL;
    const char *path = json_string_value(json_object_get(request, "path"));
    if (strcmp(worker->service, "personnel") == 0) {
        body = s_personnel(worker, request, &status);
    } else if (path && strstr(path, "/empty")) {
        body = NULL;
    } else if (json_is_string(json_object_get(request, "method"))
               && strcmp(json_string_value(json_object_get(request, "method")),
                         "POST")
                      == 0) {
        status = 201;
        headers = json_pack("{s:s, s:s}", "Location", "/v1/cases/CS-1", "ETag",
                            "\"1\"");
        body = json_pack("{s:O}", "envelope", request);
    } else {
        body = json_pack("{s:O}", "envelope", request);
    }
    json_t *reply = NULL;
    if (status >= 400) {
        json_t *problem =
            json_pack("{s:i, s:s}", "status", status, "code", "not_found");
        reply = cm_envelope_error_new(cm_envelope_id(request), problem);
        json_decref(problem);
    } else {
        reply = cm_envelope_reply_new(request, status, headers, body);
    }
    char *text = json_dumps(reply, JSON_COMPACT);
    json_decref(reply);
    json_decref(headers);
    json_decref(body);
    return text;
}

// A request held for later (the slow route).
typedef struct {
    zframe_t *reply_to; // owned
    char *reply;        // owned
    int64_t due_ms;     // monotonic
} s_held_t;

static void
s_handle(gateway_stack_worker_t *self, cm_mdp_worker_t *worker, char *text,
         zframe_t *reply_to, s_held_t *held, size_t *held_count)
{
    json_t *request = json_loads(text, 0, NULL);
    char *reply = request ? s_answer(self, request) : NULL;
    const char *path = json_string_value(json_object_get(request, "path"));
    if (reply && path && strstr(path, "/slow") && *held_count < 16) {
        held[*held_count] = (s_held_t){
            reply_to, reply, cm_time_mono_ms() + GATEWAY_STACK_SLOW_MS};
        (*held_count)++;
        reply_to = NULL; // now held
        reply = NULL;
    } else if (reply) {
        cm_mdp_worker_send(worker, reply, &reply_to);
        free(reply);
    }
    zframe_destroy(&reply_to);
    json_decref(request);
}

static void *
s_worker_run(void *arg)
{
    gateway_stack_worker_t *self = arg;
    cm_mdp_worker_t *worker =
        cm_mdp_worker_new(self->endpoint, self->service, 16, 0);
    s_held_t held[16];
    size_t held_count = 0;
    while (worker && !atomic_load(&self->stop)) {
        zframe_t *reply_to = NULL;
        char *text = cm_mdp_worker_recv(worker, 20, &reply_to);
        if (text) {
            s_handle(self, worker, text, reply_to, held, &held_count);
            free(text);
        }
        for (size_t i = 0; i < held_count; i++) {
            if (held[i].due_ms <= cm_time_mono_ms()) {
                cm_mdp_worker_send(worker, held[i].reply, &held[i].reply_to);
                zframe_destroy(&held[i].reply_to);
                free(held[i].reply);
                held[i--] = held[--held_count];
            }
        }
    }
    for (size_t i = 0; i < held_count; i++) {
        zframe_destroy(&held[i].reply_to);
        free(held[i].reply);
    }
    if (worker) {
        cm_mdp_worker_disconnect(worker);
        zframe_t *reply_to = NULL;
        char *late;
        while ((late = cm_mdp_worker_recv(worker, 100, &reply_to))) {
            free(late);
            zframe_destroy(&reply_to);
        }
    }
    cm_mdp_worker_destroy(&worker);
    return NULL;
}

void
gateway_stack_worker_start(gateway_stack_worker_t *worker, const char *service,
                           int broker_port)
{
    memset(worker, 0, sizeof *worker);
    snprintf(worker->service, sizeof worker->service, "%s", service);
    snprintf(worker->endpoint, sizeof worker->endpoint, "tcp://127.0.0.1:%d",
             broker_port);
    atomic_init(&worker->stop, false);
    ck_assert_int_eq(
        pthread_create(&worker->thread, NULL, s_worker_run, worker), 0);
    worker->running = true;
}

void
gateway_stack_worker_stop(gateway_stack_worker_t *worker)
{
    if (worker->running) {
        atomic_store(&worker->stop, true);
        pthread_join(worker->thread, NULL);
        worker->running = false;
    }
}

// ---- the stack
// -----------------------------------------------------------------

// Routes of the stack (personnel's departments too, for the real one).
#define S_ROUTES                                                               \
    "SM_GATEWAY__ROUTES=staff=personnel departments=personnel "                \
    "cases=intake work-orders=dispatch"

// The default environment; returns the number of entries written.
static int
s_env(gateway_stack_t *s, int pub, int sub)
{
    const char *fixed[] = {
        // NOLINTNEXTLINE(bugprone-suspicious-missing-comma): one long value
        S_ROUTES,
        "SM_GATEWAY__RATE_PER_S=5",
        "SM_GATEWAY__BURST=20",
        "SM_HUB__DISCOVER_MS=100",
        "SM_GATEWAY__SSE_HEARTBEAT_MS=500",
    };
    int n = 0;
    snprintf(s->env[n++], 128, "SM_REDIS__PORT=%d", s->redis.port);
    snprintf(s->env[n++], 128, "SM_BROKER__PORT=%d", s->broker_port);
    snprintf(s->env[n++], 128, "SM_HUB__PUB_PORT=%d", pub);
    snprintf(s->env[n++], 128, "SM_HUB__SUB_PORT=%d", sub);
    snprintf(s->env[n++], 128, "SM_GATEWAY__PORT=%d", s->port);
    snprintf(s->env[n++], 128, "SM_GATEWAY__DEADLINE_MS=%d",
             GATEWAY_STACK_DEADLINE_MS);
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        snprintf(s->env[n++], 128, "%s", fixed[i]);
    }
    return n;
}

// Add "KEY=value" entries, replacing an entry of the same KEY.
static int
s_env_add(gateway_stack_t *s, int n, const char *const *extra)
{
    for (size_t i = 0; extra && extra[i]; i++) {
        size_t key = strcspn(extra[i], "=") + 1;
        int at = n;
        for (int j = 0; j < n; j++) {
            if (strncmp(s->env[j], extra[i], key) == 0) {
                at = j;
            }
        }
        ck_assert_int_lt(at, GATEWAY_STACK_ENV_MAX);
        snprintf(s->env[at], 128, "%s", extra[i]);
        n = at == n ? n + 1 : n;
    }
    return n;
}

void
gateway_stack_start(const char *const *extra)
{
    gateway_stack_t *s = &gateway_stack;
    memset(s, 0, sizeof *s);
    zsys_init();
    zsys_set_logstream(stderr);
    ck_assert_int_eq(harness_redis_start(&s->redis), 0);
    s->broker_port = harness_free_port();
    s->hub_pub_port = harness_free_port();
    s->port = harness_free_port();
    int n = s_env(s, s->hub_pub_port, harness_free_port());
    n = s_env_add(s, n, extra);
    for (int i = 0; i < n; i++) {
        s->envp[i] = s->env[i];
    }
    s->envp[n] = NULL;
    bool embedded = false; // the gateway runs the broker itself
    for (int i = 0; i < n; i++) {
        embedded =
            embedded || strcmp(s->env[i], "SM_GATEWAY__EMBED_BROKER=true") == 0;
    }
    if (!embedded) {
        ck_assert_int_eq(harness_proc_start(&s->broker, "broker", s->envp), 0);
    }
    ck_assert_int_eq(harness_proc_start(&s->hub, "hub", s->envp), 0);
    ck_assert_int_eq(harness_proc_start(&s->gateway, "gateway", s->envp), 0);
    ck_assert_msg(harness_proc_wait_event(&s->gateway, "gateway.started", 1,
                                          HARNESS_WAIT_MS),
                  "gateway did not start: %s", s->gateway.log);
    gateway_stack_worker_start(&s->personnel, "personnel", s->broker_port);
    gateway_stack_worker_start(&s->intake, "intake", s->broker_port);
}

void
gateway_stack_setup(void)
{
    gateway_stack_start(NULL);
}

void
gateway_stack_teardown(void)
{
    gateway_stack_t *s = &gateway_stack;
    gateway_stack_worker_stop(&s->personnel);
    gateway_stack_worker_stop(&s->intake);
    if (s->personnel_proc.pid) {
        harness_proc_kill(&s->personnel_proc, SIGTERM, 5000);
        harness_proc_cleanup(&s->personnel_proc);
    }
    harness_proc_kill(&s->gateway, SIGTERM, 5000);
    harness_proc_kill(&s->hub, SIGTERM, 5000);
    harness_proc_kill(&s->broker, SIGTERM, 5000);
    harness_redis_stop(&s->redis);
    harness_proc_cleanup(&s->gateway);
    harness_proc_cleanup(&s->hub);
    harness_proc_cleanup(&s->broker);
}

void
gateway_stack_use_personnel(const char *boot_token)
{
    gateway_stack_t *s = &gateway_stack;
    gateway_stack_worker_stop(&s->personnel);
    char boot[128];
    snprintf(boot, sizeof boot, "SM_PERSONNEL__BOOTSTRAP_TOKEN=%s", boot_token);
    const char *env[GATEWAY_STACK_ENV_MAX + 2];
    size_t n = 0;
    for (; s->envp[n]; n++) {
        env[n] = s->envp[n];
    }
    env[n++] = boot;
    env[n] = NULL;
    ck_assert_int_eq(harness_proc_start(&s->personnel_proc, "personnel", env),
                     0);
    char auth[160];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s\r\n", boot_token);
    int64_t until = cm_time_mono_ms() + HARNESS_WAIT_MS;
    do {
        http_client_request(s->port, "GET", "/v1/departments", auth, NULL,
                            &gateway_stack_response);
    } while (gateway_stack_response.status != 200 && cm_time_mono_ms() < until
             && usleep(20 * 1000) == 0);
    ck_assert_msg(gateway_stack_response.status == 200,
                  "personnel did not answer: %d %s",
                  gateway_stack_response.status, gateway_stack_response.body);
}

void
gateway_stack_wait_routed(void)
{
    http_client_response_t *response = &gateway_stack_response;
    int64_t until = cm_time_mono_ms() + HARNESS_WAIT_MS;
    for (;;) {
        http_client_request(gateway_stack.port, "GET", "/v1/cases/echo",
                            "Authorization: Bearer tok-wait\r\n", NULL,
                            response);
        if (response->status == 200 || cm_time_mono_ms() >= until) {
            break;
        }
        usleep(20 * 1000);
    }
    ck_assert_int_eq(response->status, 200);
}
