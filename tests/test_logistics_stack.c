#include "test_logistics_stack.h"

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cm_outbox.h"
#include "cm_redis.h"
#include "http_client.h"

log_stack_t log_stack;

static const struct {
    const char *name, *role, *department;
} s_people[LOG_PEOPLE] = {
    {"Station head", "station_head", "management"},
    {"Logistics head", "dept_head", "logistics"},
    {"Clerk One", "logistics", "logistics"},
    {"Clerk Away", "logistics", "tech"},
    {"Tech head", "dept_head", "tech"},
    {"Tech One", "technician", "tech"},
    {"Driver One", "technician", "tech"},
    {"Driver Two", "logistics", "logistics"},
    {"Auditor One", "auditor", "management"},
    {"Deputy One", "deputy_head", "management"},
};

static void
s_env(log_stack_t *s)
{
    int n = 0;
    snprintf(s->env[n++], 128, "SM_REDIS__PORT=%d", s->redis.port);
    snprintf(s->env[n++], 128, "SM_BROKER__PORT=%d", harness_free_port());
    snprintf(s->env[n++], 128, "SM_HUB__PUB_PORT=%d", harness_free_port());
    snprintf(s->env[n++], 128, "SM_HUB__SUB_PORT=%d", harness_free_port());
    snprintf(s->env[n++], 128, "SM_HUB__DISCOVER_MS=100");
    snprintf(s->env[n++], 128, "SM_GATEWAY__PORT=%d", s->http_port);
    snprintf(s->env[n++], 128, "SM_GATEWAY__DEADLINE_MS=8000");
    snprintf(s->env[n++], 128, "SM_GATEWAY__RATE_PER_S=100000");
    snprintf(s->env[n++], 128, "SM_GATEWAY__BURST=100000");
    snprintf(s->env[n++], 128, "SM_PERSONNEL__BOOTSTRAP_TOKEN=%s",
             LOG_BOOT_TOKEN);
    snprintf(s->env[n++], 128, "SM_SERVICE__WORKERS=2");
    for (int i = 0; i < n; i++) {
        s->envp[i] = s->env[i];
    }
    s->envp[n] = NULL;
}

int
log_http(log_who_t who, const char *method, const char *path, const char *body,
         const char *extra, json_t **out)
{
    char headers[512];
    snprintf(headers, sizeof headers,
             "Authorization: Bearer %s\r\nContent-Type: application/json\r\n%s",
             log_stack.tokens[who], extra ? extra : "");
    http_client_response_t *response = malloc(sizeof *response);
    ck_assert_ptr_nonnull(response);
    int rc = http_client_request(log_stack.http_port, method, path, headers,
                                 body, response);
    int status = rc == 0 ? response->status : 0;
    if (out) {
        *out = rc == 0 && response->body_size
                   ? json_loads(response->body, JSON_DECODE_ANY, NULL)
                   : NULL;
    }
    free(response);
    return status;
}

json_t *
log_expect(int status, log_who_t who, const char *method, const char *path,
           const char *body)
{
    json_t *out = NULL;
    int got = log_http(who, method, path, body, NULL, &out);
    if (got != status) {
        char *text = out ? json_dumps(out, JSON_COMPACT) : NULL;
        ck_abort_msg("%s %s as %s: want %d, got %d: %.900s", method, path,
                     s_people[who].name, status, got, text ? text : "");
    }
    return out;
}

const char *
log_str(const json_t *object, const char *member)
{
    const char *text = json_string_value(json_object_get(object, member));
    return text ? text : "";
}

long long
log_int(const json_t *object, const char *member)
{
    const json_t *value = json_object_get(object, member);
    return json_is_integer(value) ? (long long)json_integer_value(value) : 0;
}

const char *
log_error_for(const json_t *problem, const char *field)
{
    const json_t *errors = json_object_get(problem, "errors");
    for (size_t i = 0; i < json_array_size(errors); i++) {
        const json_t *e = json_array_get(errors, i);
        if (strcmp(log_str(e, "field"), field) == 0) {
            return log_str(e, "message");
        }
    }
    return NULL;
}

static bool
s_wait(bool (*fn)(void *arg), void *arg, int timeout_ms)
{
    for (int waited = 0; waited <= timeout_ms; waited += 50) {
        if (fn(arg)) {
            return true;
        }
        struct timespec pause = {0, 50000000L};
        nanosleep(&pause, NULL);
    }
    return false;
}

static void
s_people_create(void)
{
    const char *departments[] = {"logistics", "tech"};
    for (size_t i = 0; i < 2; i++) {
        char body[128];
        snprintf(body, sizeof body, "{\"code\":\"%s\",\"name\":\"%s\"}",
                 departments[i], departments[i]);
        json_decref(log_expect(201, LOG_HEAD, "POST", "/v1/departments", body));
    }
    for (int who = LOG_LOG_HEAD; who < LOG_PEOPLE; who++) {
        char body[256], path[96];
        snprintf(body, sizeof body,
                 "{\"name\":\"%s\",\"role\":\"%s\",\"department\":\"%s\"}",
                 s_people[who].name, s_people[who].role,
                 s_people[who].department);
        json_t *staff = log_expect(201, LOG_HEAD, "POST", "/v1/staff", body);
        snprintf(log_stack.ids[who], 48, "%s", log_str(staff, "id"));
        json_decref(staff);
        snprintf(path, sizeof path, "/v1/staff/%s/tokens", log_stack.ids[who]);
        json_t *token = log_expect(201, LOG_HEAD, "POST", path, "{}");
        snprintf(log_stack.tokens[who], 96, "%s", log_str(token, "token"));
        json_decref(token);
    }
    char body[160];
    snprintf(body, sizeof body, "{\"head\":\"%s\"}",
             log_stack.ids[LOG_LOG_HEAD]);
    json_decref(
        log_expect(200, LOG_HEAD, "PATCH", "/v1/departments/logistics", body));
    snprintf(body, sizeof body, "{\"head\":\"%s\",\"deputy\":\"%s\"}",
             log_stack.ids[LOG_TECH_HEAD], log_stack.ids[LOG_DEPUTY]);
    json_decref(
        log_expect(200, LOG_HEAD, "PATCH", "/v1/departments/tech", body));
}

// logistics's org view knows both heads, the deputy and the last person.
static bool
s_org_ready(void *arg)
{
    (void)arg; // nothing to pass
    char *text =
        harness_redis_cmd(&log_stack.redis, "HGET",
                          "sm:{logistics}:org:department:logistics", "doc");
    bool ready = text && strstr(text, log_stack.ids[LOG_LOG_HEAD]);
    free(text);
    char *tech = harness_redis_cmd(&log_stack.redis, "HGET",
                                   "sm:{logistics}:org:department:tech", "doc");
    ready = ready && tech && strstr(tech, log_stack.ids[LOG_DEPUTY]);
    free(tech);
    char key[96];
    snprintf(key, sizeof key, "sm:{logistics}:org:staff:%s",
             log_stack.ids[LOG_DEPUTY]);
    char *staff = harness_redis_cmd(&log_stack.redis, "HGET", key, "doc");
    ready = ready && staff;
    free(staff);
    return ready;
}

static bool
s_routed(void *arg)
{
    (void)arg; // nothing to pass
    return log_http(LOG_HEAD, "GET", "/v1/vehicles", NULL, NULL, NULL) == 200;
}

static void
s_require(bool ok, const char *what)
{
    if (!ok) {
        log_stack_teardown();
        ck_abort_msg("%s", what);
    }
}

static void
s_start(const char *name, harness_proc_t *proc)
{
    s_require(harness_proc_start(proc, name, log_stack.envp) == 0, name);
}

void
log_stack_setup(void)
{
    log_stack_t *s = &log_stack;
    memset(s, 0, sizeof *s);
    ck_assert_int_eq(harness_redis_start(&s->redis), 0);
    s->http_port = harness_free_port();
    s_env(s);
    s_start("broker", &s->broker);
    s_start("hub", &s->hub);
    s_start("personnel", &s->personnel);
    s_start("logistics", &s->logistics);
    s_start("gateway", &s->gateway);
    snprintf(s->ids[LOG_HEAD], 48, "ST-1");
    snprintf(s->tokens[LOG_HEAD], 96, "%s", LOG_BOOT_TOKEN);
    s_require(harness_proc_wait_event(&s->gateway, "gateway.started", 1,
                                      HARNESS_WAIT_MS),
              "the gateway did not start");
    s_require(s_wait(s_routed, NULL, HARNESS_WAIT_MS), "logistics not routed");
    s_people_create();
    s_require(s_wait(s_org_ready, NULL, HARNESS_WAIT_MS),
              "logistics never saw the org chart");
}

void
log_stack_teardown(void)
{
    log_stack_t *s = &log_stack;
    harness_proc_t *procs[] = {&s->gateway, &s->logistics, &s->personnel,
                               &s->hub, &s->broker};
    bool keep = getenv("SM_TEST_KEEP_LOGS") != NULL;
    for (size_t i = 0; i < sizeof procs / sizeof procs[0]; i++) {
        harness_proc_kill(procs[i], SIGTERM, 5000);
        if (!keep) {
            harness_proc_cleanup(procs[i]);
        }
    }
    harness_redis_stop(&s->redis);
}

// Counting the outbox entries of one type whose envelope names a subject.
typedef struct {
    const char *type;    // event type
    const char *subject; // "\"trip/TR-3\"" as it appears in the envelope
    int n;
} s_count_t;

static int
s_count(const cm_event_t *event, void *arg)
{
    s_count_t *count = arg;
    count->n += strcmp(event->type, count->type) == 0
                && strstr(event->envelope, count->subject) != NULL;
    return 0;
}

int
log_outbox_count(const char *type, const char *subject)
{
    cm_redis_t *redis =
        cm_redis_new("127.0.0.1", log_stack.redis.port, "", 2000);
    ck_assert_ptr_nonnull(redis);
    s_count_t count = {type, subject, 0};
    ck_assert_int_ge(cm_outbox_range(redis, "sm:{logistics}:outbox", "0-0",
                                     100000, s_count, &count),
                     0);
    cm_redis_destroy(&redis);
    return count.n;
}
