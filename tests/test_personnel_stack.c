#include "test_personnel_stack.h"

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_envelope.h"
#include "cm_mdp_client.h"
#include "cm_redis.h"

#define S_EVENTS_MAX 256

personnel_stack_t personnel_stack;

static bool
s_start_broker(personnel_stack_t *stack)
{
    int port = harness_free_port();
    snprintf(stack->endpoint, sizeof stack->endpoint, "tcp://127.0.0.1:%d",
             port);
    snprintf(stack->env[0], PERSONNEL_TEST_ENV_MAX, "SM_REDIS__PORT=%d",
             stack->redis.port);
    snprintf(stack->env[1], PERSONNEL_TEST_ENV_MAX, "SM_BROKER__PORT=%d", port);
    const char *env[] = {stack->env[0], stack->env[1], NULL};
    return harness_proc_start(&stack->broker, "broker", env) == 0;
}

// Start `replicas` personnel processes at once (bootstrap token NULL:
// generated) and wait until every worker thread registered.
static bool
s_stack_start(personnel_stack_t *stack, const char *boot_token, size_t replicas)
{
    memset(stack, 0, sizeof *stack);
    if (harness_redis_start(&stack->redis) != 0 || !s_start_broker(stack)) {
        return false;
    }
    snprintf(stack->env[2], PERSONNEL_TEST_ENV_MAX,
             "SM_PERSONNEL__BOOTSTRAP_TOKEN=%s", boot_token ? boot_token : "");
    snprintf(stack->env[3], PERSONNEL_TEST_ENV_MAX, "SM_SERVICE__WORKERS=2");
    const char *env[] = {stack->env[0], stack->env[1], stack->env[2],
                         stack->env[3], NULL};
    for (size_t i = 0; i < replicas; i++) {
        if (harness_proc_start(&stack->personnel[i], "personnel", env) != 0) {
            return false;
        }
        stack->replicas++;
    }
    return harness_proc_wait_event(&stack->broker, "broker.worker.ready",
                                   (int)(2 * replicas), HARNESS_WAIT_MS);
}

void
personnel_stack_setup(void)
{
    ck_assert_msg(s_stack_start(&personnel_stack, PERSONNEL_TEST_BOOT_TOKEN, 1),
                  "stack did not start");
}

void
personnel_stack_setup_race(void)
{
    ck_assert_msg(
        s_stack_start(&personnel_stack, NULL, PERSONNEL_TEST_REPLICAS),
        "stack did not start");
}

void
personnel_stack_teardown(void)
{
    personnel_stack_t *stack = &personnel_stack;
    for (size_t i = 0; i < stack->replicas; i++) {
        harness_proc_kill(&stack->personnel[i], SIGTERM, 5000);
        harness_proc_cleanup(&stack->personnel[i]);
    }
    harness_proc_kill(&stack->broker, SIGTERM, 2000);
    harness_proc_cleanup(&stack->broker);
    harness_redis_stop(&stack->redis);
}

static json_t *
s_send(const cm_envelope_request_t *fields)
{
    cm_mdp_client_t *client = cm_mdp_client_new(personnel_stack.endpoint);
    ck_assert_ptr_nonnull(client);
    json_t *reply =
        harness_mdp_call(client, "personnel", fields, PERSONNEL_TEST_CALL_MS);
    cm_mdp_client_destroy(&client);
    ck_assert_msg(reply != NULL, "no reply to %s %s", fields->method,
                  fields->path);
    return reply;
}

json_t *
personnel_call(const json_t *actor, const char *method, const char *path,
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
    return s_send(&fields);
}

json_t *
personnel_call_if(const json_t *actor, const char *method, const char *path,
                  const json_t *body, const char *if_match)
{
    cm_envelope_request_t fields = {
        .actor = actor,
        .method = method,
        .path = path,
        .body = body,
        .if_match = if_match,
    };
    return s_send(&fields);
}

int
personnel_status(const json_t *actor, const char *method, const char *path,
                 const char *body_text)
{
    json_t *body = body_text ? json_loads(body_text, 0, NULL) : NULL;
    ck_assert(!body_text || body);
    json_t *reply = personnel_call(actor, method, path, NULL, body, NULL);
    int status = harness_mdp_status(reply);
    json_decref(reply);
    json_decref(body);
    return status;
}

const char *
personnel_header(const json_t *reply, const char *name)
{
    return json_string_value(
        json_object_get(json_object_get(reply, "headers"), name));
}

json_t *
personnel_head(void)
{
    return harness_mdp_actor("ST-1", "station_head", "management");
}

json_t *
personnel_gateway(void)
{
    return json_pack("{s:s, s:s}", "id", "gateway", "role", "system");
}

int
personnel_resolve_status(const char *token)
{
    json_t *gateway = personnel_gateway();
    json_t *body = json_pack("{s:s}", "token", token);
    json_t *reply = personnel_call(gateway, "POST", "/internal/tokens/resolve",
                                   NULL, body, NULL);
    int status = harness_mdp_status(reply);
    json_decref(reply);
    json_decref(body);
    json_decref(gateway);
    return status;
}

void
personnel_create_department(const char *code)
{
    json_t *head = personnel_head();
    json_t *body = json_pack("{s:s, s:s}", "code", code, "name", code);
    json_t *reply =
        personnel_call(head, "POST", "/v1/departments", NULL, body, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 201);
    json_decref(reply);
    json_decref(body);
    json_decref(head);
}

void
personnel_create_staff(const char *name, const char *role,
                       const char *department, char *id)
{
    json_t *head = personnel_head();
    json_t *body = json_pack("{s:s, s:s, s:s}", "name", name, "role", role,
                             "department", department);
    json_t *reply = personnel_call(head, "POST", "/v1/staff", NULL, body, NULL);
    ck_assert_msg(harness_mdp_status(reply) == 201, "create staff: %d %s",
                  harness_mdp_status(reply), harness_mdp_error_code(reply));
    snprintf(id, PERSONNEL_TEST_ID_MAX, "%s",
             harness_mdp_body_string(reply, "id"));
    json_decref(reply);
    json_decref(body);
    json_decref(head);
}

int
personnel_patch_department(const char *code, const char *body_text)
{
    json_t *head = personnel_head();
    char path[128];
    snprintf(path, sizeof path, "/v1/departments/%s", code);
    int status = personnel_status(head, "PATCH", path, body_text);
    json_decref(head);
    return status;
}

int
personnel_sanction_role(const char *staff_id, const char *kind,
                        const char *role, const char *reason)
{
    json_t *head = personnel_head();
    json_t *body = json_pack("{s:s, s:s, s:s, s:s}", "staff", staff_id, "kind",
                             kind, "role", role, "reason", reason);
    json_t *reply =
        personnel_call(head, "POST", "/v1/sanctions", NULL, body, NULL);
    json_decref(body);
    int status = harness_mdp_status(reply);
    char path[128];
    snprintf(path, sizeof path, "/v1/sanctions/%s/",
             status == 201 ? harness_mdp_body_string(reply, "id") : "none");
    json_decref(reply);
    size_t end = strlen(path);
    const char *actions[] = {"submit", "publish"};
    for (size_t i = 0; status < 300 && i < 2; i++) {
        snprintf(path + end, sizeof path - end, "%s", actions[i]);
        status = personnel_status(head, "POST", path, NULL);
    }
    json_decref(head);
    return status;
}

void
personnel_issue_token(const char *staff_id, const char *expires_at,
                      char *secret, char *token_id)
{
    json_t *head = personnel_head();
    json_t *body = expires_at ? json_pack("{s:s}", "expires_at", expires_at)
                              : json_object();
    char path[128];
    snprintf(path, sizeof path, "/v1/staff/%s/tokens", staff_id);
    json_t *reply = personnel_call(head, "POST", path, NULL, body, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 201);
    snprintf(secret, PERSONNEL_TEST_TOKEN_MAX, "%s",
             harness_mdp_body_string(reply, "token"));
    snprintf(token_id, PERSONNEL_TEST_ID_MAX, "%s",
             harness_mdp_body_string(reply, "id"));
    ck_assert(strncmp(secret, "smt_", 4) == 0);
    json_decref(reply);
    json_decref(body);
    json_decref(head);
}

static int
s_collect(const cm_event_t *event, void *arg)
{
    personnel_events_t *events = arg;
    if (events->count < S_EVENTS_MAX) {
        json_t *envelope = json_loads(event->envelope, 0, NULL);
        events->data[events->count] =
            json_incref(json_object_get(envelope, "data"));
        json_decref(envelope);
        snprintf(events->types[events->count++], 64, "%s", event->type);
    }
    if (events->secret && strstr(event->envelope, events->secret)) {
        events->leaked = true;
    }
    return 0;
}

void
personnel_read_events(personnel_events_t *events)
{
    cm_redis_t *redis =
        cm_redis_new("127.0.0.1", personnel_stack.redis.port, "", 1000);
    ck_assert_ptr_nonnull(redis);
    int n = cm_outbox_range(redis, "sm:{personnel}:outbox", "0-0", S_EVENTS_MAX,
                            s_collect, events);
    ck_assert_int_ge(n, 0);
    cm_redis_destroy(&redis);
}

void
personnel_events_clear(personnel_events_t *events)
{
    for (size_t i = 0; i < events->count; i++) {
        json_decref(events->data[i]);
        events->data[i] = NULL;
    }
    events->count = 0;
}

const json_t *
personnel_last_event(const personnel_events_t *events, const char *type)
{
    for (size_t i = events->count; i > 0; i--) {
        if (strcmp(events->types[i - 1], type) == 0) {
            return events->data[i - 1];
        }
    }
    return NULL;
}
