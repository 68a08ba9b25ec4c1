#include "test_safety_stack.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

http_stack_t saf_stack;

static const http_stack_person_t s_people[SAF_PEOPLE] = {
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

// The checkpoints and the development key of this stack's safety-audit.
static char s_dir[64];
static char s_checkpoint_env[128];
static char s_key_env[128];

int
saf_http(saf_who_t who, const char *method, const char *path, const char *body,
         json_t **out)
{
    return http_stack_call(&saf_stack, (int)who, method, path, body, NULL, out);
}

json_t *
saf_expect(int status, saf_who_t who, const char *method, const char *path,
           const char *body)
{
    return http_stack_expect(&saf_stack, status, (int)who, method, path, body);
}

const char *
saf_text(const json_t *object, const char *member)
{
    return http_stack_text(object, member);
}

bool
saf_wait(bool (*fn)(void *arg), void *arg, int timeout_ms)
{
    return http_stack_wait(fn, arg, timeout_ms);
}

void
saf_staff(saf_who_t slot, const char *name, const char *role, const char *dept)
{
    http_stack_person(&saf_stack, (int)slot, name, role, dept);
}

static void
s_people_create(void)
{
    for (int who = SAF_OFFICER; who < SAF_PEOPLE; who++) {
        if (who == SAF_HIRE) {
            continue; // hired by the tests
        }
        if (who == SAF_TECH_HEAD) {
            http_stack_department(&saf_stack, "tech");
            http_stack_department(&saf_stack, "ops");
        }
        saf_staff((saf_who_t)who, s_people[who].name, s_people[who].role,
                  s_people[who].department);
    }
    http_stack_set_head(&saf_stack, "tech", SAF_TECH_HEAD, -1);
    http_stack_set_head(&saf_stack, "ops", SAF_OPS_HEAD, -1);
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

void
saf_stack_setup(void)
{
    snprintf(s_dir, sizeof s_dir, "/tmp/sm-safety-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(s_dir));
    snprintf(s_checkpoint_env, sizeof s_checkpoint_env,
             "SM_SAFETY__CHECKPOINT_FILE=%s/checkpoints.jsonl", s_dir);
    snprintf(s_key_env, sizeof s_key_env, "SM_SAFETY__KEY_FILE=%s/signing.key",
             s_dir);
    static const char *const services[] = {"safety-audit", "dispatch", NULL};
    const char *const env[] = {"SM_SAFETY__CHECKPOINT_INTERVAL_MS=200",
                               "SM_SAFETY__ESCALATION_STEP_MS=300",
                               s_checkpoint_env, s_key_env, NULL};
    const http_stack_def_t def = {.boot_token = SAF_BOOT_TOKEN,
                                  .services = services,
                                  .env = env,
                                  .people = s_people,
                                  .people_count = SAF_PEOPLE};
    http_stack_start(&saf_stack, &def);
    http_stack_require(&saf_stack, saf_wait(s_routed, NULL, HARNESS_WAIT_MS),
                       "safety-audit or dispatch not routed");
    s_people_create();
    http_stack_require(&saf_stack, saf_wait(s_org_ready, NULL, HARNESS_WAIT_MS),
                       "the services never saw the org chart");
}

void
saf_stack_teardown(void)
{
    http_stack_stop(&saf_stack);
    if (getenv("SM_TEST_KEEP_LOGS") == NULL && s_dir[0]) {
        char command[128];
        int n = snprintf(command, sizeof command, "rm -rf '%s'", s_dir);
        if (n < 0 || (size_t)n >= sizeof command || system(command) != 0) {
            fprintf(stderr, "safety: could not remove %s\n", s_dir);
        }
    }
}
