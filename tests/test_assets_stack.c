#include "test_assets_stack.h"

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cm_envelope.h"
#include "cm_outbox.h"
#include "cm_store.h"
#include "http_client.h"

ast_stack_t ast_stack;

static const struct {
    const char *name, *role, *department;
} s_people[AST_PEOPLE] = {
    {"Station head", "station_head", "management"},
    {"Tech head", "dept_head", "technical"},
    {"Tech One", "technician", "technical"},
    {"Tech Two", "technician", "technical"},
    {"Ops head", "dept_head", "ops"},
    {"Ops agent", "cs_agent", "ops"},
    {"Safety One", "safety_officer", "management"},
    {"Auditor", "auditor", "management"},
    {"Ops tech", "technician", "ops"},
    {"Finance One", "finance", "finance"},
};

static void
s_env(ast_stack_t *s)
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
             AST_BOOT_TOKEN);
    snprintf(s->env[n++], sizeof s->env[0], "SM_SERVICE__WORKERS=2");
    // The test configuration: a maintenance "day" is one second.
    snprintf(s->env[n++], sizeof s->env[0], "SM_ASSETS__DAY_MS=1000");
    for (int i = 0; i < n; i++) {
        s->envp[i] = s->env[i];
    }
    s->envp[n] = NULL;
}

int
ast_http(ast_who_t who, const char *method, const char *path, const char *body,
         json_t **out)
{
    char headers[512];
    snprintf(headers, sizeof headers,
             "Authorization: Bearer %s\r\nContent-Type: application/json\r\n",
             ast_stack.tokens[who]);
    http_client_response_t *response = malloc(sizeof *response);
    ck_assert_ptr_nonnull(response);
    int rc = http_client_request(ast_stack.http_port, method, path, headers,
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
ast_expect(int status, ast_who_t who, const char *method, const char *path,
           const char *body)
{
    json_t *out = NULL;
    int got = ast_http(who, method, path, body, &out);
    if (got != status) {
        char *text = out ? json_dumps(out, JSON_COMPACT) : NULL;
        ck_abort_msg("%s %s as %s: want %d, got %d: %.900s", method, path,
                     s_people[who].name, status, got, text ? text : "");
    }
    return out;
}

const char *
ast_text(const json_t *object, const char *member)
{
    const char *text = json_string_value(json_object_get(object, member));
    return text ? text : "";
}

const char *
ast_error_field(const json_t *problem)
{
    return ast_text(json_array_get(json_object_get(problem, "errors"), 0),
                    "field");
}

void
ast_publish(const char *producer, const char *type, const char *subject,
            int version, const char *data_text)
{
    cm_store_t *store =
        cm_store_new("127.0.0.1", ast_stack.redis.port, "", 2000);
    json_t *data = json_loads(data_text, 0, NULL);
    ck_assert_ptr_nonnull(data);
    cm_commit_t *commit = cm_commit_new(producer);
    cm_envelope_event_t event = {.type = type,
                                 .source = producer,
                                 .subject = subject,
                                 .version = version,
                                 .data = data};
    ck_assert_int_eq(cm_outbox_append(commit, &event), 0);
    cm_commit_result_t result;
    ck_assert_int_eq(cm_store_commit(store, commit, &result), 0);
    cm_commit_result_clear(&result);
    cm_commit_destroy(&commit);
    json_decref(data);
    cm_store_destroy(&store);
}

bool
ast_wait(bool (*fn)(void *arg), void *arg, int timeout_ms)
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

static void
s_staff(ast_who_t slot)
{
    char body[256], path[96];
    snprintf(body, sizeof body,
             "{\"name\":\"%s\",\"role\":\"%s\",\"department\":\"%s\"}",
             s_people[slot].name, s_people[slot].role,
             s_people[slot].department);
    json_t *staff = ast_expect(201, AST_HEAD, "POST", "/v1/staff", body);
    snprintf(ast_stack.ids[slot], 48, "%s", ast_text(staff, "id"));
    json_decref(staff);
    snprintf(path, sizeof path, "/v1/staff/%s/tokens", ast_stack.ids[slot]);
    json_t *token = ast_expect(201, AST_HEAD, "POST", path, "{}");
    snprintf(ast_stack.tokens[slot], 96, "%s", ast_text(token, "token"));
    json_decref(token);
}

static void
s_head(const char *dept, ast_who_t who)
{
    char body[96], path[96];
    snprintf(body, sizeof body, "{\"head\":\"%s\"}", ast_stack.ids[who]);
    snprintf(path, sizeof path, "/v1/departments/%s", dept);
    json_decref(ast_expect(200, AST_HEAD, "PATCH", path, body));
}

static void
s_people_create(void)
{
    json_decref(ast_expect(201, AST_HEAD, "POST", "/v1/departments",
                           "{\"code\":\"technical\",\"name\":\"technical\"}"));
    json_decref(ast_expect(201, AST_HEAD, "POST", "/v1/departments",
                           "{\"code\":\"ops\",\"name\":\"ops\"}"));
    json_decref(ast_expect(201, AST_HEAD, "POST", "/v1/departments",
                           "{\"code\":\"finance\",\"name\":\"finance\"}"));
    for (int who = AST_TECH_HEAD; who < AST_PEOPLE; who++) {
        s_staff((ast_who_t)who);
    }
    s_head("technical", AST_TECH_HEAD);
    s_head("ops", AST_OPS_HEAD);
}

// assets' org view knows both heads and the last person.
static bool
s_org_ready(void *arg)
{
    (void)arg; // nothing to pass
    char key[96];
    snprintf(key, sizeof key, "sm:{assets}:org:staff:%s",
             ast_stack.ids[AST_PEOPLE - 1]);
    char *ops = harness_redis_cmd(&ast_stack.redis, "HGET",
                                  "sm:{assets}:org:department:ops", "doc");
    char *tech =
        harness_redis_cmd(&ast_stack.redis, "HGET",
                          "sm:{assets}:org:department:technical", "doc");
    char *last = harness_redis_cmd(&ast_stack.redis, "HGET", key, "doc");
    bool ready = ops && strstr(ops, ast_stack.ids[AST_OPS_HEAD]) && tech
                 && strstr(tech, ast_stack.ids[AST_TECH_HEAD]) && last
                 && strstr(last, ast_stack.ids[AST_PEOPLE - 1]);
    free(ops);
    free(tech);
    free(last);
    return ready;
}

static bool
s_routed(void *arg)
{
    (void)arg; // nothing to pass
    return ast_http(AST_HEAD, "GET", "/v1/equipment", NULL, NULL) == 200
           && ast_http(AST_HEAD, "GET", "/v1/queues", NULL, NULL) == 200;
}

static void
s_require(bool ok, const char *what)
{
    if (!ok) {
        ast_stack_teardown();
        ck_abort_msg("%s", what);
    }
}

static void
s_start(const char *name, harness_proc_t *proc)
{
    s_require(harness_proc_start(proc, name, ast_stack.envp) == 0, name);
}

void
ast_stack_setup(void)
{
    ast_stack_t *s = &ast_stack;
    memset(s, 0, sizeof *s);
    ck_assert_int_eq(harness_redis_start(&s->redis), 0);
    s->http_port = harness_free_port();
    s_env(s);
    s_start("broker", &s->broker);
    s_start("hub", &s->hub);
    s_start("personnel", &s->personnel);
    s_start("assets", &s->assets);
    s_start("dispatch", &s->dispatch);
    s_start("finance", &s->finance);
    s_start("inventory", &s->inventory);
    s_start("gateway", &s->gateway);
    snprintf(s->ids[AST_HEAD], 48, "ST-1");
    snprintf(s->tokens[AST_HEAD], 96, "%s", AST_BOOT_TOKEN);
    s_require(harness_proc_wait_event(&s->gateway, "gateway.started", 1,
                                      HARNESS_WAIT_MS),
              "the gateway did not start");
    s_require(ast_wait(s_routed, NULL, HARNESS_WAIT_MS),
              "assets or dispatch not routed");
    s_people_create();
    s_require(ast_wait(s_org_ready, NULL, HARNESS_WAIT_MS),
              "assets never saw the org chart");
}

void
ast_stack_teardown(void)
{
    ast_stack_t *s = &ast_stack;
    harness_proc_t *procs[] = {&s->gateway,  &s->inventory, &s->finance,
                               &s->dispatch, &s->assets,    &s->personnel,
                               &s->hub,      &s->broker};
    bool keep = getenv("SM_TEST_KEEP_LOGS") != NULL;
    for (size_t i = 0; i < sizeof procs / sizeof procs[0]; i++) {
        harness_proc_kill(procs[i], SIGTERM, 5000);
        if (!keep) {
            harness_proc_cleanup(procs[i]);
        }
    }
    harness_redis_stop(&s->redis);
}
