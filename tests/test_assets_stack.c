#include "test_assets_stack.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_envelope.h"
#include "cm_outbox.h"
#include "cm_store.h"

http_stack_t ast_stack;

static const http_stack_person_t s_people[AST_PEOPLE] = {
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

int
ast_http(ast_who_t who, const char *method, const char *path, const char *body,
         json_t **out)
{
    return http_stack_call(&ast_stack, (int)who, method, path, body, NULL, out);
}

json_t *
ast_expect(int status, ast_who_t who, const char *method, const char *path,
           const char *body)
{
    return http_stack_expect(&ast_stack, status, (int)who, method, path, body);
}

const char *
ast_text(const json_t *object, const char *member)
{
    return http_stack_text(object, member);
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
    return http_stack_wait(fn, arg, timeout_ms);
}

static void
s_people_create(void)
{
    http_stack_department(&ast_stack, "technical");
    http_stack_department(&ast_stack, "ops");
    http_stack_department(&ast_stack, "finance");
    for (int who = AST_TECH_HEAD; who < AST_PEOPLE; who++) {
        http_stack_person(&ast_stack, who, NULL, NULL, NULL);
    }
    http_stack_set_head(&ast_stack, "technical", AST_TECH_HEAD, -1);
    http_stack_set_head(&ast_stack, "ops", AST_OPS_HEAD, -1);
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

void
ast_stack_setup(void)
{
    static const char *const services[] = {"assets", "dispatch", "finance",
                                           "inventory", NULL};
    // The test configuration: a maintenance "day" is one second.
    static const char *const env[] = {"SM_ASSETS__DAY_MS=1000", NULL};
    const http_stack_def_t def = {.boot_token = AST_BOOT_TOKEN,
                                  .services = services,
                                  .env = env,
                                  .people = s_people,
                                  .people_count = AST_PEOPLE};
    http_stack_start(&ast_stack, &def);
    http_stack_require(&ast_stack, ast_wait(s_routed, NULL, HARNESS_WAIT_MS),
                       "assets or dispatch not routed");
    s_people_create();
    http_stack_require(&ast_stack, ast_wait(s_org_ready, NULL, HARNESS_WAIT_MS),
                       "assets never saw the org chart");
}

void
ast_stack_teardown(void)
{
    http_stack_stop(&ast_stack);
}
