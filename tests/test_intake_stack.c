#include "test_intake_stack.h"

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_envelope.h"
#include "cm_mdp_client.h"
#include "cm_org.h"

intake_stack_t intake_stack;

static bool
s_wait_workers(int nth_start)
{
    return harness_proc_wait_event(&intake_stack.broker, "broker.worker.ready",
                                   INTAKE_TEST_WORKERS * nth_start,
                                   HARNESS_WAIT_MS);
}

bool
intake_stack_restart_intake(void)
{
    if (harness_proc_start(&intake_stack.intake, "intake", intake_stack.envp)
        != 0) {
        return false;
    }
    intake_stack.intake_starts++;
    return s_wait_workers(intake_stack.intake_starts);
}

void
intake_stack_setup(void)
{
    intake_stack_t *s = &intake_stack;
    memset(s, 0, sizeof *s);
    ck_assert_int_eq(harness_redis_start(&s->redis), 0);
    int broker = harness_free_port();
    snprintf(s->endpoint, sizeof s->endpoint, "tcp://127.0.0.1:%d", broker);
    snprintf(s->env[0], INTAKE_TEST_ENV_MAX, "SM_REDIS__PORT=%d",
             s->redis.port);
    snprintf(s->env[1], INTAKE_TEST_ENV_MAX, "SM_BROKER__PORT=%d", broker);
    snprintf(s->env[2], INTAKE_TEST_ENV_MAX, "SM_HUB__PUB_PORT=%d",
             harness_free_port());
    snprintf(s->env[3], INTAKE_TEST_ENV_MAX, "SM_HUB__SUB_PORT=%d",
             harness_free_port());
    snprintf(s->env[4], INTAKE_TEST_ENV_MAX, "SM_HUB__DISCOVER_MS=100");
    snprintf(s->env[5], INTAKE_TEST_ENV_MAX, "SM_SERVICE__WORKERS=%d",
             INTAKE_TEST_WORKERS);
    snprintf(s->env[6], INTAKE_TEST_ENV_MAX, "LOG_LEVEL=info");
    // Attachments under the Redis dir: removed with it.
    int n = snprintf(s->env[7], INTAKE_TEST_ENV_MAX,
                     "SM_INTAKE__ATTACHMENTS_DIR=%s/attachments", s->redis.dir);
    ck_assert(n > 0 && n < INTAKE_TEST_ENV_MAX);
    for (int i = 0; i < 8; i++) {
        s->envp[i] = s->env[i];
    }
    s->envp[8] = NULL;
    ck_assert_int_eq(harness_proc_start(&s->broker, "broker", s->envp), 0);
    ck_assert_int_eq(harness_proc_start(&s->hub, "hub", s->envp), 0);
    ck_assert_msg(intake_stack_restart_intake(), "intake did not start: %s",
                  s->intake.log);
    s->store = cm_store_new("127.0.0.1", s->redis.port, "", 2000);
    ck_assert_ptr_nonnull(s->store);
    // Personnel names ST-3 the head of the technical department (the org
    // view intake keeps from personnel's events).
    intake_org_event("personnel.department.updated",
                     "{\"code\":\"technical\",\"head\":\"ST-3\"}");
    // The technicians cases are assigned to.
    intake_org_event("personnel.staff.created",
                     "{\"id\":\"ST-4\",\"role\":\"technician\","
                     "\"department\":\"technical\",\"status\":\"active\"}");
    intake_org_event("personnel.staff.created",
                     "{\"id\":\"ST-5\",\"role\":\"technician\","
                     "\"department\":\"technical\",\"status\":\"active\"}");
    // The departments cases are forwarded to; ST-6 heads finance (a
    // department answers through its head or the case's assignee).
    intake_org_event("personnel.department.created",
                     "{\"code\":\"finance\",\"state\":\"active\","
                     "\"head\":\"ST-6\"}");
    intake_org_event("personnel.department.created",
                     "{\"code\":\"logistics\",\"state\":\"active\"}");
}

void
intake_org_event(const char *type, const char *data_text)
{
    json_t *data = json_loads(data_text, 0, NULL);
    ck_assert_msg(data != NULL, "bad org data %s", data_text);
    cm_commit_t *commit = cm_commit_new("intake");
    ck_assert_int_eq(cm_org_apply(intake_stack.store, type, data, commit), 0);
    cm_commit_result_t result;
    ck_assert_int_eq(cm_store_commit(intake_stack.store, commit, &result), 0);
    cm_commit_result_clear(&result);
    cm_commit_destroy(&commit);
    json_decref(data);
}

void
intake_stack_teardown(void)
{
    intake_stack_t *s = &intake_stack;
    cm_store_destroy(&s->store);
    cm_mdp_client_destroy(&s->client);
    harness_proc_kill(&s->intake, SIGTERM, 5000);
    harness_proc_kill(&s->hub, SIGTERM, 2000);
    harness_proc_kill(&s->broker, SIGTERM, 2000);
    harness_proc_cleanup(&s->intake);
    harness_proc_cleanup(&s->hub);
    harness_proc_cleanup(&s->broker);
    harness_redis_stop(&s->redis);
}

// The test's client, connected once (cm_mdp_client_call waits for its
// connection on the first call).
static cm_mdp_client_t *
s_client(void)
{
    if (!intake_stack.client) {
        intake_stack.client = cm_mdp_client_new(intake_stack.endpoint);
        ck_assert_ptr_nonnull(intake_stack.client);
    }
    return intake_stack.client;
}

json_t *
intake_call(const json_t *actor, const char *method, const char *path,
            const json_t *query, const json_t *body, const char *key)
{
    cm_envelope_request_t fields = {
        .idempotency_key = key,
        .actor = actor,
        .method = method,
        .path = path,
        .query = query,
        .body = body,
    };
    return harness_mdp_call(s_client(), "intake", &fields, INTAKE_TEST_CALL_MS);
}

json_t *
intake_call_with(const cm_envelope_request_t *fields)
{
    return harness_mdp_call(s_client(), "intake", fields, INTAKE_TEST_CALL_MS);
}

json_t *
intake_expect(int status, const json_t *actor, const char *method,
              const char *path, const json_t *body)
{
    json_t *reply = intake_call(actor, method, path, NULL, body, NULL);
    ck_assert_msg(reply != NULL, "no reply to %s %s", method, path);
    char *text = json_dumps(reply, JSON_COMPACT);
    ck_assert_msg(harness_mdp_status(reply) == status,
                  "%s %s: want %d, got %.600s", method, path, status, text);
    free(text);
    json_t *out = json_incref(json_object_get(reply, "body"));
    json_decref(reply);
    return out;
}

json_t *
intake_act(const json_t *actor, const char *id, const char *action,
           json_t *body, int status)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/cases/%s/%s", id, action);
    if (!body) {
        body = json_object();
    }
    json_t *reply = intake_call(actor, "POST", path, NULL, body, NULL);
    json_decref(body);
    ck_assert_msg(reply != NULL, "no reply to %s", path);
    char *text = json_dumps(reply, JSON_COMPACT);
    ck_assert_msg(harness_mdp_status(reply) == status,
                  "%s: want %d, got %.800s", path, status, text);
    free(text);
    return reply;
}

bool
intake_has(const json_t *array, const char *text)
{
    for (size_t i = 0; i < json_array_size(array); i++) {
        const char *item = json_string_value(json_array_get(array, i));
        if (item && strcmp(item, text) == 0) {
            return true;
        }
    }
    return false;
}

char *
intake_redis(const char *command, const char *key, const char *member)
{
    // The macro ends the list; a NULL member ends it earlier.
    return harness_redis_cmd(&intake_stack.redis, command, key, member);
}
