#include "http_stack.h"

#include <check.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http_client.h"

// Append one NAME=value to the children's environment.
static void s_env_add(http_stack_t *s, size_t *n, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static void
s_env_add(http_stack_t *s, size_t *n, const char *format, ...)
{
    ck_assert_int_lt(*n, HTTP_STACK_ENV_MAX);
    va_list args;
    va_start(args, format);
    int written = vsnprintf(s->env[*n], sizeof s->env[0], format, args);
    va_end(args);
    ck_assert(written > 0 && (size_t)written < sizeof s->env[0]);
    s->envp[*n] = s->env[*n];
    (*n)++;
    s->envp[*n] = NULL;
}

static void
s_env(http_stack_t *s, const http_stack_def_t *def)
{
    size_t n = 0;
    s_env_add(s, &n, "SM_REDIS__PORT=%d", s->redis.port);
    s_env_add(s, &n, "SM_BROKER__PORT=%d", harness_free_port());
    s_env_add(s, &n, "SM_HUB__PUB_PORT=%d", harness_free_port());
    s_env_add(s, &n, "SM_HUB__SUB_PORT=%d", harness_free_port());
    s_env_add(s, &n, "SM_HUB__DISCOVER_MS=100");
    s_env_add(s, &n, "SM_GATEWAY__PORT=%d", s->http_port);
    s_env_add(s, &n, "SM_GATEWAY__DEADLINE_MS=8000");
    s_env_add(s, &n, "SM_PERSONNEL__BOOTSTRAP_TOKEN=%s", def->boot_token);
    s_env_add(s, &n, "SM_SERVICE__WORKERS=2");
    for (size_t i = 0; def->env && def->env[i]; i++) {
        s_env_add(s, &n, "%s", def->env[i]);
    }
}

void
http_stack_require(http_stack_t *s, bool ok, const char *what)
{
    if (!ok) {
        http_stack_stop(s);
        ck_abort_msg("%s", what);
    }
}

static void
s_start(http_stack_t *s, const char *name)
{
    http_stack_require(s, s->proc_count < HTTP_STACK_PROCS_MAX,
                       "too many processes for one stack");
    harness_proc_t *proc = &s->procs[s->proc_count++];
    http_stack_require(s, harness_proc_start(proc, name, s->envp) == 0, name);
}

void
http_stack_start(http_stack_t *s, const http_stack_def_t *def)
{
    memset(s, 0, sizeof *s);
    ck_assert_int_le(def->people_count, HTTP_STACK_PEOPLE_MAX);
    s->people = def->people;
    s->people_count = def->people_count;
    ck_assert_int_eq(harness_redis_start(&s->redis), 0);
    s->http_port = harness_free_port();
    s_env(s, def);
    s_start(s, "broker");
    s_start(s, "hub");
    s_start(s, "personnel");
    for (size_t i = 0; def->services[i]; i++) {
        s_start(s, def->services[i]);
    }
    s_start(s, "gateway");
    snprintf(s->ids[0], sizeof s->ids[0], "ST-1");
    snprintf(s->tokens[0], sizeof s->tokens[0], "%s", def->boot_token);
    http_stack_require(s,
                       harness_proc_wait_event(http_stack_proc(s, "gateway"),
                                               "gateway.started", 1,
                                               HARNESS_WAIT_MS),
                       "the gateway did not start");
}

void
http_stack_stop(http_stack_t *s)
{
    bool keep = getenv("SM_TEST_KEEP_LOGS") != NULL;
    for (size_t i = s->proc_count; i-- > 0;) {
        harness_proc_kill(&s->procs[i], SIGTERM, 5000);
        if (!keep) {
            harness_proc_cleanup(&s->procs[i]);
        }
    }
    s->proc_count = 0;
    harness_redis_stop(&s->redis);
}

harness_proc_t *
http_stack_proc(http_stack_t *s, const char *name)
{
    for (size_t i = 0; i < s->proc_count; i++) {
        if (strcmp(s->procs[i].name, name) == 0) {
            return &s->procs[i];
        }
    }
    return NULL;
}

int
http_stack_call(const http_stack_t *s, int who, const char *method,
                const char *path, const char *body, const char *extra,
                json_t **out)
{
    char headers[512];
    snprintf(headers, sizeof headers,
             "Authorization: Bearer %s\r\nContent-Type: application/json\r\n%s",
             s->tokens[who], extra ? extra : "");
    http_client_response_t *response = malloc(sizeof *response);
    ck_assert_ptr_nonnull(response);
    int rc = http_client_request(s->http_port, method, path, headers, body,
                                 response);
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
http_stack_expect(const http_stack_t *s, int status, int who,
                  const char *method, const char *path, const char *body)
{
    json_t *out = NULL;
    int got = http_stack_call(s, who, method, path, body, NULL, &out);
    if (got != status) {
        char *text = out ? json_dumps(out, JSON_COMPACT) : NULL;
        ck_abort_msg("%s %s as %s: want %d, got %d: %.900s", method, path,
                     (size_t)who < s->people_count ? s->people[who].name : "?",
                     status, got, text ? text : "");
    }
    return out;
}

bool
http_stack_wait(bool (*fn)(void *arg), void *arg, int timeout_ms)
{
    for (int waited = 0; waited <= timeout_ms; waited += 50) {
        if (fn(arg)) {
            return true;
        }
        struct timespec pause = {0, 50 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    return false;
}

void
http_stack_department(http_stack_t *s, const char *code)
{
    char body[160];
    snprintf(body, sizeof body, "{\"code\":\"%s\",\"name\":\"%s\"}", code,
             code);
    json_decref(http_stack_expect(s, 201, 0, "POST", "/v1/departments", body));
}

void
http_stack_person(http_stack_t *s, int who, const char *name, const char *role,
                  const char *department)
{
    const http_stack_person_t *p = &s->people[who];
    char body[256], path[96];
    snprintf(body, sizeof body,
             "{\"name\":\"%s\",\"role\":\"%s\",\"department\":\"%s\"}",
             name ? name : p->name, role ? role : p->role,
             department ? department : p->department);
    json_t *staff = http_stack_expect(s, 201, 0, "POST", "/v1/staff", body);
    snprintf(s->ids[who], sizeof s->ids[who], "%s",
             http_stack_text(staff, "id"));
    json_decref(staff);
    snprintf(path, sizeof path, "/v1/staff/%s/tokens", s->ids[who]);
    json_t *token = http_stack_expect(s, 201, 0, "POST", path, "{}");
    snprintf(s->tokens[who], sizeof s->tokens[who], "%s",
             http_stack_text(token, "token"));
    json_decref(token);
}

void
http_stack_set_head(http_stack_t *s, const char *code, int head, int deputy)
{
    char body[160], path[96];
    if (deputy >= 0) {
        snprintf(body, sizeof body, "{\"head\":\"%s\",\"deputy\":\"%s\"}",
                 s->ids[head], s->ids[deputy]);
    } else {
        snprintf(body, sizeof body, "{\"head\":\"%s\"}", s->ids[head]);
    }
    snprintf(path, sizeof path, "/v1/departments/%s", code);
    json_decref(http_stack_expect(s, 200, 0, "PATCH", path, body));
}

const char *
http_stack_text(const json_t *object, const char *member)
{
    const char *text = json_string_value(json_object_get(object, member));
    return text ? text : "";
}

const char *
http_stack_broker(const http_stack_t *s, char *buf, size_t size)
{
    const char *prefix = "SM_BROKER__PORT=";
    for (size_t i = 0; s->envp[i]; i++) {
        if (strncmp(s->envp[i], prefix, strlen(prefix)) == 0) {
            snprintf(buf, size, "tcp://127.0.0.1:%s",
                     s->envp[i] + strlen(prefix));
            return buf;
        }
    }
    ck_abort_msg("the stack has no broker port");
    return buf;
}
