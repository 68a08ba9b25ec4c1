#include "test_safety_stack.h"

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http_client.h"

saf_stack_t saf_stack;

static const struct {
    const char *name, *role, *department;
} s_people[SAF_PEOPLE] = {
    {"Station head", "station_head", "management"},
    {"Safety One", "safety_officer", "management"},
    {"Safety Two", "safety_officer", "management"},
    {"Tech head", "dept_head", "tech"},
    {"Team lead", "technician", "tech"},
    {"Tech One", "technician", "tech"},
    {"New hire", "technician", "tech"},
    {"Ops head", "dept_head", "ops"},
    {"Auditor", "auditor", "management"},
};

static void
s_env(saf_stack_t *s)
{
    int n = 0;
    snprintf(s->env[n++], sizeof s->env[0], "SM_REDIS__PORT=%d", s->redis.port);
    snprintf(s->env[n++], sizeof s->env[0], "SM_BROKER__PORT=%d",
             harness_free_port());
    snprintf(s->env[n++], sizeof s->env[0], "SM_HUB__PUB_PORT=%d",
             harness_free_port());
    snprintf(s->env[n++], sizeof s->env[0], "SM_HUB__SUB_PORT=%d",
             harness_free_port());
    snprintf(s->env[n++], sizeof s->env[0], "SM_HUB__DISCOVER_MS=100");
    snprintf(s->env[n++], sizeof s->env[0], "SM_GATEWAY__PORT=%d",
             s->http_port);
    snprintf(s->env[n++], sizeof s->env[0], "SM_GATEWAY__DEADLINE_MS=8000");
    snprintf(s->env[n++], sizeof s->env[0], "SM_PERSONNEL__BOOTSTRAP_TOKEN=%s",
             SAF_BOOT_TOKEN);
    snprintf(s->env[n++], sizeof s->env[0], "SM_SERVICE__WORKERS=2");
    snprintf(s->env[n++], sizeof s->env[0],
             "SM_SAFETY__CHECKPOINT_INTERVAL_MS=200");
    snprintf(s->env[n++], sizeof s->env[0],
             "SM_SAFETY__ESCALATION_STEP_MS=300");
    snprintf(s->env[n++], sizeof s->env[0], "SM_SAFETY__CHECKPOINT_FILE=%s",
             s->checkpoints);
    snprintf(s->env[n++], sizeof s->env[0],
             "SM_SAFETY__KEY_FILE=%s/signing.key", s->dir);
    for (int i = 0; i < n; i++) {
        s->envp[i] = s->env[i];
    }
    s->envp[n] = NULL;
}

int
saf_http(saf_who_t who, const char *method, const char *path, const char *body,
         json_t **out)
{
    char headers[512];
    snprintf(headers, sizeof headers,
             "Authorization: Bearer %s\r\nContent-Type: application/json\r\n",
             saf_stack.tokens[who]);
    http_client_response_t *response = malloc(sizeof *response);
    ck_assert_ptr_nonnull(response);
    int rc = http_client_request(saf_stack.http_port, method, path, headers,
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
saf_expect(int status, saf_who_t who, const char *method, const char *path,
           const char *body)
{
    json_t *out = NULL;
    int got = saf_http(who, method, path, body, &out);
    if (got != status) {
        char *text = out ? json_dumps(out, JSON_COMPACT) : NULL;
        ck_abort_msg("%s %s as %s: want %d, got %d: %.900s", method, path,
                     s_people[who].name, status, got, text ? text : "");
    }
    return out;
}

const char *
saf_text(const json_t *object, const char *member)
{
    const char *text = json_string_value(json_object_get(object, member));
    return text ? text : "";
}

bool
saf_wait(bool (*fn)(void *arg), void *arg, int timeout_ms)
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
saf_staff(saf_who_t slot, const char *name, const char *role, const char *dept)
{
    char body[256], path[96];
    snprintf(body, sizeof body,
             "{\"name\":\"%s\",\"role\":\"%s\",\"department\":\"%s\"}", name,
             role, dept);
    json_t *staff = saf_expect(201, SAF_HEAD, "POST", "/v1/staff", body);
    snprintf(saf_stack.ids[slot], 48, "%s", saf_text(staff, "id"));
    json_decref(staff);
    snprintf(path, sizeof path, "/v1/staff/%s/tokens", saf_stack.ids[slot]);
    json_t *token = saf_expect(201, SAF_HEAD, "POST", path, "{}");
    snprintf(saf_stack.tokens[slot], 96, "%s", saf_text(token, "token"));
    json_decref(token);
}

static void
s_people_create(void)
{
    for (int who = SAF_OFFICER; who < SAF_PEOPLE; who++) {
        if (who == SAF_HIRE) {
            continue; // hired by the tests
        }
        if (who == SAF_TECH_HEAD) {
            json_decref(saf_expect(201, SAF_HEAD, "POST", "/v1/departments",
                                   "{\"code\":\"tech\",\"name\":\"tech\"}"));
            json_decref(saf_expect(201, SAF_HEAD, "POST", "/v1/departments",
                                   "{\"code\":\"ops\",\"name\":\"ops\"}"));
        }
        saf_staff((saf_who_t)who, s_people[who].name, s_people[who].role,
                  s_people[who].department);
    }
    char body[96];
    snprintf(body, sizeof body, "{\"head\":\"%s\"}",
             saf_stack.ids[SAF_TECH_HEAD]);
    json_decref(
        saf_expect(200, SAF_HEAD, "PATCH", "/v1/departments/tech", body));
    snprintf(body, sizeof body, "{\"head\":\"%s\"}",
             saf_stack.ids[SAF_OPS_HEAD]);
    json_decref(
        saf_expect(200, SAF_HEAD, "PATCH", "/v1/departments/ops", body));
}

// safety-audit's and dispatch's org views know the tech head.
static bool
s_org_ready(void *arg)
{
    (void)arg; // nothing to pass
    const char *keys[] = {"sm:{safety-audit}:org:department:tech",
                          "sm:{dispatch}:org:department:tech"};
    bool ready = true;
    for (size_t i = 0; i < 2; i++) {
        char *text =
            harness_redis_cmd(&saf_stack.redis, "HGET", keys[i], "doc");
        ready = ready && text && strstr(text, saf_stack.ids[SAF_TECH_HEAD]);
        free(text);
    }
    return ready;
}

static bool
s_routed(void *arg)
{
    (void)arg; // nothing to pass
    return saf_http(SAF_HEAD, "GET", "/v1/onboarding", NULL, NULL) == 200
           && saf_http(SAF_HEAD, "GET", "/v1/queues", NULL, NULL) == 200;
}

static void
s_require(bool ok, const char *what)
{
    if (!ok) {
        saf_stack_teardown();
        ck_abort_msg("%s", what);
    }
}

static void
s_start(const char *name, harness_proc_t *proc)
{
    s_require(harness_proc_start(proc, name, saf_stack.envp) == 0, name);
}

void
saf_stack_setup(void)
{
    saf_stack_t *s = &saf_stack;
    memset(s, 0, sizeof *s);
    ck_assert_int_eq(harness_redis_start(&s->redis), 0);
    snprintf(s->dir, sizeof s->dir, "/tmp/sm-safety-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(s->dir));
    int n = snprintf(s->checkpoints, sizeof s->checkpoints,
                     "%s/checkpoints.jsonl", s->dir);
    ck_assert(n > 0 && (size_t)n < sizeof s->checkpoints);
    s->http_port = harness_free_port();
    s_env(s);
    s_start("broker", &s->broker);
    s_start("hub", &s->hub);
    s_start("personnel", &s->personnel);
    s_start("safety-audit", &s->safety);
    s_start("dispatch", &s->dispatch);
    s_start("gateway", &s->gateway);
    snprintf(s->ids[SAF_HEAD], 48, "ST-1");
    snprintf(s->tokens[SAF_HEAD], 96, "%s", SAF_BOOT_TOKEN);
    s_require(harness_proc_wait_event(&s->gateway, "gateway.started", 1,
                                      HARNESS_WAIT_MS),
              "the gateway did not start");
    s_require(saf_wait(s_routed, NULL, HARNESS_WAIT_MS),
              "safety-audit or dispatch not routed");
    s_people_create();
    s_require(saf_wait(s_org_ready, NULL, HARNESS_WAIT_MS),
              "the services never saw the org chart");
}

void
saf_stack_teardown(void)
{
    saf_stack_t *s = &saf_stack;
    harness_proc_t *procs[] = {&s->gateway,   &s->dispatch, &s->safety,
                               &s->personnel, &s->hub,      &s->broker};
    bool keep = getenv("SM_TEST_KEEP_LOGS") != NULL;
    for (size_t i = 0; i < sizeof procs / sizeof procs[0]; i++) {
        harness_proc_kill(procs[i], SIGTERM, 5000);
        if (!keep) {
            harness_proc_cleanup(procs[i]);
        }
    }
    harness_redis_stop(&s->redis);
    if (!keep && s->dir[0]) {
        char command[128];
        int n = snprintf(command, sizeof command, "rm -rf '%s'", s->dir);
        if (n < 0 || (size_t)n >= sizeof command || system(command) != 0) {
            fprintf(stderr, "safety: could not remove %s\n", s->dir);
        }
    }
}
