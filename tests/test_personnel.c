// Integration tests of the personnel service: a private redis-server, the
// broker and the personnel binary, requests over MDP (cm_mdp_client).
// Suite: personnel_suite (declare it in tests/suites.h).
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_envelope.h"
#include "cm_mdp_client.h"
#include "cm_outbox.h"
#include "cm_redis.h"
#include "cm_time.h"
#include "harness.h"
#include "harness_mdp.h"
#include "suites.h"

#define S_BOOT_TOKEN "smt_integration_bootstrap_token_0123456789abcdef"
#define S_CALL_MS    5000
#define S_ENV_MAX    96
#define S_REPLICAS   2

typedef struct {
    harness_redis_t redis;                // private redis-server
    harness_proc_t broker;                // the broker binary
    harness_proc_t personnel[S_REPLICAS]; // personnel replicas
    size_t replicas;                      // started
    char endpoint[64];                    // broker endpoint for clients
    char env[4][S_ENV_MAX];               // environment of the children
} s_stack_t;

static s_stack_t s_stack; // the running stack of the current TCase

// ---- stack

static bool
s_start_broker(s_stack_t *stack)
{
    int port = harness_free_port();
    snprintf(stack->endpoint, sizeof stack->endpoint, "tcp://127.0.0.1:%d",
             port);
    snprintf(stack->env[0], S_ENV_MAX, "SM_REDIS__PORT=%d", stack->redis.port);
    snprintf(stack->env[1], S_ENV_MAX, "SM_BROKER__PORT=%d", port);
    const char *env[] = {stack->env[0], stack->env[1], NULL};
    return harness_proc_start(&stack->broker, "broker", env) == 0;
}

// Start `replicas` personnel processes at once (bootstrap token NULL:
// generated) and wait until every worker thread registered.
static bool
s_stack_start(s_stack_t *stack, const char *boot_token, size_t replicas)
{
    memset(stack, 0, sizeof *stack);
    if (harness_redis_start(&stack->redis) != 0 || !s_start_broker(stack)) {
        return false;
    }
    snprintf(stack->env[2], S_ENV_MAX, "SM_PERSONNEL__BOOTSTRAP_TOKEN=%s",
             boot_token ? boot_token : "");
    snprintf(stack->env[3], S_ENV_MAX, "SM_SERVICE__WORKERS=2");
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

static void
s_stack_stop(s_stack_t *stack)
{
    for (size_t i = 0; i < stack->replicas; i++) {
        harness_proc_kill(&stack->personnel[i], SIGTERM, 5000);
        harness_proc_cleanup(&stack->personnel[i]);
    }
    harness_proc_kill(&stack->broker, SIGTERM, 2000);
    harness_proc_cleanup(&stack->broker);
    harness_redis_stop(&stack->redis);
}

static void
s_setup(void)
{
    ck_assert_msg(s_stack_start(&s_stack, S_BOOT_TOKEN, 1),
                  "stack did not start");
}

static void
s_setup_race(void)
{
    ck_assert_msg(s_stack_start(&s_stack, NULL, S_REPLICAS),
                  "stack did not start");
}

static void
s_teardown(void)
{
    s_stack_stop(&s_stack);
}

// ---- requests

// Send a request on a fresh client and return the reply envelope (never
// NULL: asserted). query and body are borrowed; key is the Idempotency-Key
// or NULL.
static json_t *
s_call(const json_t *actor, const char *method, const char *path,
       const json_t *query, const json_t *body, const char *key)
{
    cm_mdp_client_t *client = cm_mdp_client_new(s_stack.endpoint);
    ck_assert_ptr_nonnull(client);
    cm_envelope_request_t fields = {
        .idempotency_key = key,
        .actor = actor,
        .method = method,
        .path = path,
        .query = query,
        .body = body,
    };
    json_t *reply = harness_mdp_call(client, "personnel", &fields, S_CALL_MS);
    cm_mdp_client_destroy(&client);
    ck_assert_msg(reply != NULL, "no reply to %s %s", method, path);
    return reply;
}

static const char *
s_header(const json_t *reply, const char *name)
{
    return json_string_value(
        json_object_get(json_object_get(reply, "headers"), name));
}

static json_t *
s_head(void)
{
    return harness_mdp_actor("ST-1", "station_head", "management");
}

static json_t *
s_gateway(void)
{
    return json_pack("{s:s, s:s}", "id", "gateway", "role", "system");
}

// Resolve a token as the gateway; returns the reply status.
static int
s_resolve_status(const char *token)
{
    json_t *gateway = s_gateway();
    json_t *body = json_pack("{s:s}", "token", token);
    json_t *reply =
        s_call(gateway, "POST", "/internal/tokens/resolve", NULL, body, NULL);
    int status = harness_mdp_status(reply);
    json_decref(reply);
    json_decref(body);
    json_decref(gateway);
    return status;
}

// Create a department (code) as the station head; asserts 201.
static void
s_create_department(const char *code)
{
    json_t *head = s_head();
    json_t *body = json_pack("{s:s, s:s}", "code", code, "name", code);
    json_t *reply = s_call(head, "POST", "/v1/departments", NULL, body, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 201);
    json_decref(reply);
    json_decref(body);
    json_decref(head);
}

// Create a staff member as the station head; writes the id (CM_ID_MAX).
static void
s_create_staff(const char *name, const char *role, const char *department,
               char *id)
{
    json_t *head = s_head();
    json_t *body = json_pack("{s:s, s:s, s:s}", "name", name, "role", role,
                             "department", department);
    json_t *reply = s_call(head, "POST", "/v1/staff", NULL, body, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 201);
    snprintf(id, 48, "%s", harness_mdp_body_string(reply, "id"));
    json_decref(reply);
    json_decref(body);
    json_decref(head);
}

// Issue a token for staff id as the station head (expires_at may be NULL);
// writes the secret (at least 80 bytes) and the token id (48 bytes).
static void
s_issue_token(const char *staff_id, const char *expires_at, char *secret,
              char *token_id)
{
    json_t *head = s_head();
    json_t *body = expires_at ? json_pack("{s:s}", "expires_at", expires_at)
                              : json_object();
    char path[128];
    snprintf(path, sizeof path, "/v1/staff/%s/tokens", staff_id);
    json_t *reply = s_call(head, "POST", path, NULL, body, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 201);
    snprintf(secret, 80, "%s", harness_mdp_body_string(reply, "token"));
    snprintf(token_id, 48, "%s", harness_mdp_body_string(reply, "id"));
    ck_assert(strncmp(secret, "smt_", 4) == 0);
    json_decref(reply);
    json_decref(body);
    json_decref(head);
}

// Collects outbox event types and checks envelopes for a secret.
typedef struct {
    char types[64][64]; // event types in order
    size_t count;       // collected
    const char *secret; // must appear in no envelope
    bool leaked;        // it did
} s_events_t;

static int
s_collect(const cm_event_t *event, void *arg)
{
    s_events_t *events = arg;
    if (events->count < 64) {
        snprintf(events->types[events->count++], 64, "%s", event->type);
    }
    if (events->secret && strstr(event->envelope, events->secret)) {
        events->leaked = true;
    }
    return 0;
}

static void
s_read_events(s_events_t *events)
{
    cm_redis_t *redis = cm_redis_new("127.0.0.1", s_stack.redis.port, "", 1000);
    ck_assert_ptr_nonnull(redis);
    int n = cm_outbox_range(redis, "sm:{personnel}:outbox", "0-0", 64,
                            s_collect, events);
    ck_assert_int_ge(n, 0);
    cm_redis_destroy(&redis);
}

static bool
s_has_event(const s_events_t *events, const char *type)
{
    for (size_t i = 0; i < events->count; i++) {
        if (strcmp(events->types[i], type) == 0) {
            return true;
        }
    }
    return false;
}

// ---- bootstrap

START_TEST(test_personnel_bootstrap_given_token)
{
    json_t *gateway = s_gateway();
    json_t *body = json_pack("{s:s}", "token", S_BOOT_TOKEN);
    json_t *reply =
        s_call(gateway, "POST", "/internal/tokens/resolve", NULL, body, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    ck_assert_str_eq(harness_mdp_body_string(reply, "id"), "ST-1");
    ck_assert_str_eq(harness_mdp_body_string(reply, "role"), "station_head");
    ck_assert_str_eq(harness_mdp_body_string(reply, "department"),
                     "management");
    json_decref(reply);
    json_t *head = s_head();
    reply = s_call(head, "GET", "/v1/departments/management", NULL, NULL, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    ck_assert_str_eq(harness_mdp_body_string(reply, "head"), "ST-1");
    json_decref(reply);
    ck_assert_int_eq(harness_proc_count_event(&s_stack.personnel[0],
                                              "personnel.bootstrap.done"),
                     1);
    ck_assert_int_eq(
        harness_proc_count_event(&s_stack.personnel[0],
                                 "personnel.bootstrap.token_generated"),
        0);
    s_events_t events = {.secret = S_BOOT_TOKEN};
    s_read_events(&events);
    ck_assert(s_has_event(&events, "personnel.staff.created"));
    ck_assert(s_has_event(&events, "personnel.token.issued"));
    ck_assert(!events.leaked);
    json_decref(head);
    json_decref(body);
    json_decref(gateway);
}
END_TEST

// The token_generated line of a log, copied into secret (80 bytes).
static bool
s_generated_token(const harness_proc_t *proc, char *secret)
{
    FILE *file = fopen(proc->log, "r");
    char line[4096];
    bool found = false;
    while (file && !found && fgets(line, sizeof line, file)) {
        const char *at = strstr(line, "\"bootstrap_token\":\"");
        if (strstr(line, "personnel.bootstrap.token_generated") && at) {
            at += strlen("\"bootstrap_token\":\"");
            size_t n = strcspn(at, "\"");
            snprintf(secret, 80, "%.*s", (int)(n < 79 ? n : 79), at);
            found = true;
        }
    }
    if (file) {
        fclose(file);
    }
    return found;
}

// Two replicas start at once on an empty store without a given token: one
// bootstraps and logs its token once, the other does nothing.
START_TEST(test_personnel_bootstrap_race_generated_token)
{
    int generated = 0;
    char secret[80] = "";
    for (size_t i = 0; i < S_REPLICAS; i++) {
        generated += harness_proc_count_event(
            &s_stack.personnel[i], "personnel.bootstrap.token_generated");
        if (!secret[0]) {
            s_generated_token(&s_stack.personnel[i], secret);
        }
    }
    ck_assert_int_eq(generated, 1);
    ck_assert(strncmp(secret, "smt_", 4) == 0);
    ck_assert_int_eq(s_resolve_status(secret), 200);
    json_t *head = s_head();
    json_t *query = json_pack("{s:s}", "role", "station_head");
    json_t *reply = s_call(head, "GET", "/v1/staff", query, NULL, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    ck_assert_int_eq(json_array_size(json_object_get(
                         json_object_get(reply, "body"), "items")),
                     1);
    json_decref(reply);
    json_decref(query);
    json_decref(head);
}
END_TEST

// ---- tokens

START_TEST(test_personnel_token_issue_resolve_revoke)
{
    s_create_department("tok_dept");
    char id[48], secret[80], token_id[48];
    s_create_staff("Ann Agent", "cs_agent", "tok_dept", id);
    s_issue_token(id, NULL, secret, token_id);
    ck_assert_int_eq(s_resolve_status(secret), 200);
    // The owner lists their tokens: no secret in the list.
    json_t *self = harness_mdp_actor(id, "cs_agent", "tok_dept");
    char path[128];
    snprintf(path, sizeof path, "/v1/staff/%s/tokens", id);
    json_t *reply = s_call(self, "GET", path, NULL, NULL, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    char *text = json_dumps(reply, 0);
    ck_assert_ptr_null(strstr(text, secret));
    ck_assert_ptr_nonnull(strstr(text, token_id));
    free(text);
    json_decref(reply);
    // The owner revokes it; it stops resolving.
    snprintf(path, sizeof path, "/v1/staff/%s/tokens/%s", id, token_id);
    reply = s_call(self, "DELETE", path, NULL, NULL, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    ck_assert_str_eq(harness_mdp_body_string(reply, "state"), "revoked");
    json_decref(reply);
    ck_assert_int_eq(s_resolve_status(secret), 401);
    s_events_t events = {.secret = secret};
    s_read_events(&events);
    ck_assert(s_has_event(&events, "personnel.token.revoked"));
    ck_assert(!events.leaked);
    json_decref(self);
}
END_TEST

START_TEST(test_personnel_token_expired)
{
    s_create_department("exp_dept");
    char id[48], secret[80], token_id[48];
    s_create_staff("Eve Expiring", "technician", "exp_dept", id);
    char expires[CM_TIME_TEXT_MAX];
    cm_time_format(cm_time_now_ms() + 1000, expires);
    s_issue_token(id, expires, secret, token_id);
    ck_assert_int_eq(s_resolve_status(secret), 200);
    int64_t deadline = cm_time_mono_ms() + 5000;
    int status = 200;
    while (status == 200 && cm_time_mono_ms() < deadline) {
        status = s_resolve_status(secret); // poll until it expires
    }
    ck_assert_int_eq(status, 401);
    // A past expiry is refused at issue.
    json_t *head = s_head();
    json_t *body = json_pack("{s:s}", "expires_at", "2001-01-01T00:00:00Z");
    char path[128];
    snprintf(path, sizeof path, "/v1/staff/%s/tokens", id);
    json_t *reply = s_call(head, "POST", path, NULL, body, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 400);
    json_decref(reply);
    json_decref(body);
    json_decref(head);
}
END_TEST

START_TEST(test_personnel_token_suspended_staff)
{
    s_create_department("sus_dept");
    char id[48], secret[80], token_id[48];
    s_create_staff("Sam Suspended", "logistics", "sus_dept", id);
    s_issue_token(id, NULL, secret, token_id);
    ck_assert_int_eq(s_resolve_status(secret), 200);
    json_t *head = s_head();
    json_t *body = json_pack("{s:s}", "reason", "investigation");
    char path[128];
    snprintf(path, sizeof path, "/v1/staff/%s/suspend", id);
    json_t *reply = s_call(head, "POST", path, NULL, body, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    ck_assert_str_eq(harness_mdp_body_string(reply, "status"), "suspended");
    json_decref(reply);
    ck_assert_int_eq(s_resolve_status(secret), 401);
    // Suspending again is not a transition of a suspended member.
    reply = s_call(head, "POST", path, NULL, body, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 409);
    json_decref(reply);
    snprintf(path, sizeof path, "/v1/staff/%s/reinstate", id);
    reply = s_call(head, "POST", path, NULL, NULL, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    json_decref(reply);
    ck_assert_int_eq(s_resolve_status(secret), 200);
    json_decref(body);
    json_decref(head);
}
END_TEST

START_TEST(test_personnel_resolve_only_gateway)
{
    json_t *agent = harness_mdp_actor("ST-1", "station_head", "management");
    json_t *body = json_pack("{s:s}", "token", S_BOOT_TOKEN);
    json_t *reply =
        s_call(agent, "POST", "/internal/tokens/resolve", NULL, body, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 403);
    json_decref(reply);
    ck_assert_int_eq(s_resolve_status("smt_nonsense"), 401);
    json_decref(body);
    json_decref(agent);
}
END_TEST

// ---- authority, validation, idempotency, If-Match, lists

// Members of the list GET /v1/staff?department=<department>.
static size_t
s_count_staff(const char *department)
{
    json_t *head = s_head();
    json_t *query =
        json_pack("{s:s, s:s}", "department", department, "limit", "200");
    json_t *reply = s_call(head, "GET", "/v1/staff", query, NULL, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    size_t n = json_array_size(
        json_object_get(json_object_get(reply, "body"), "items"));
    json_decref(reply);
    json_decref(query);
    json_decref(head);
    return n;
}

START_TEST(test_personnel_cs_agent_may_not_create_staff)
{
    s_create_department("auth_dept");
    json_t *agent = harness_mdp_actor("ST-99", "cs_agent", "auth_dept");
    json_t *body = json_pack("{s:s, s:s, s:s}", "name", "Mallory", "role",
                             "station_head", "department", "auth_dept");
    json_t *reply = s_call(agent, "POST", "/v1/staff", NULL, body, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 403);
    ck_assert_str_eq(harness_mdp_error_code(reply), "forbidden");
    json_decref(reply);
    // A deputy head may not grant the station head's role either.
    json_t *deputy = harness_mdp_actor("ST-98", "deputy_head", "management");
    reply = s_call(deputy, "POST", "/v1/staff", NULL, body, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 403);
    json_decref(reply);
    ck_assert_int_eq(s_count_staff("auth_dept"), 0);
    json_decref(deputy);
    json_decref(body);
    json_decref(agent);
}
END_TEST

START_TEST(test_personnel_unknown_field)
{
    s_create_department("val_dept");
    json_t *head = s_head();
    json_t *body =
        json_pack("{s:s, s:s, s:s, s:s}", "name", "Val", "role", "cs_agent",
                  "department", "val_dept", "salary", "lots");
    json_t *reply = s_call(head, "POST", "/v1/staff", NULL, body, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 400);
    json_t *errors = json_object_get(json_object_get(reply, "error"), "errors");
    ck_assert_int_eq(json_array_size(errors), 1);
    ck_assert_str_eq(
        json_string_value(json_object_get(json_array_get(errors, 0), "field")),
        "salary");
    json_decref(reply);
    json_decref(body);
    // Bad role and missing name: both named at once.
    body = json_pack("{s:s, s:s}", "role", "janitor", "department", "val_dept");
    reply = s_call(head, "POST", "/v1/staff", NULL, body, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 400);
    errors = json_object_get(json_object_get(reply, "error"), "errors");
    ck_assert_int_eq(json_array_size(errors), 2);
    json_decref(reply);
    ck_assert_int_eq(s_count_staff("val_dept"), 0);
    reply = s_call(head, "GET", "/v1/staff/XYZ", NULL, NULL, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 404);
    json_decref(reply);
    json_decref(body);
    json_decref(head);
}
END_TEST

START_TEST(test_personnel_idempotent_create)
{
    s_create_department("idem_dept");
    json_t *head = s_head();
    json_t *body = json_pack("{s:s, s:s, s:s}", "name", "Ida", "role",
                             "finance", "department", "idem_dept");
    json_t *first = s_call(head, "POST", "/v1/staff", NULL, body, "key-ida-1");
    json_t *second = s_call(head, "POST", "/v1/staff", NULL, body, "key-ida-1");
    ck_assert_int_eq(harness_mdp_status(first), 201);
    ck_assert_int_eq(harness_mdp_status(second), 201);
    ck_assert_str_eq(harness_mdp_body_string(first, "id"),
                     harness_mdp_body_string(second, "id"));
    ck_assert_str_eq(s_header(second, "Idempotent-Replayed"), "true");
    ck_assert_str_eq(s_header(second, "Location"), s_header(first, "Location"));
    ck_assert_int_eq(s_count_staff("idem_dept"), 1);
    json_decref(second);
    json_decref(first);
    json_decref(body);
    json_decref(head);
}
END_TEST

START_TEST(test_personnel_patch_if_match)
{
    s_create_department("etag_dept");
    char id[48];
    s_create_staff("Pat", "technician", "etag_dept", id);
    json_t *head = s_head();
    char path[128];
    snprintf(path, sizeof path, "/v1/staff/%s", id);
    json_t *reply = s_call(head, "GET", path, NULL, NULL, NULL);
    ck_assert_str_eq(s_header(reply, "ETag"), "\"1\"");
    json_decref(reply);
    json_t *body = json_pack("{s:s}", "name", "Pat Smith");
    json_t *query = json_pack("{s:s}", "if_match", "\"1\"");
    reply = s_call(head, "PATCH", path, query, body, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    ck_assert_str_eq(s_header(reply, "ETag"), "\"2\"");
    ck_assert_str_eq(harness_mdp_body_string(reply, "name"), "Pat Smith");
    json_decref(reply);
    // The same If-Match again is stale now.
    reply = s_call(head, "PATCH", path, query, body, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 412);
    json_decref(reply);
    json_t *role = json_pack("{s:s}", "role", "auditor");
    reply = s_call(head, "PATCH", path, NULL, role, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 400);
    json_decref(reply);
    json_decref(role);
    json_decref(query);
    json_decref(body);
    json_decref(head);
}
END_TEST

// Walk GET /v1/staff pages of `limit` with query (borrowed); returns the
// number of items seen and asserts none repeats.
static size_t
s_walk_pages(json_t *query, const char *limit, size_t *pages)
{
    json_t *head = s_head();
    json_t *seen = json_object();
    json_object_set_new(query, "limit", json_string(limit));
    *pages = 0;
    for (bool more = true; more; (*pages)++) {
        json_t *reply = s_call(head, "GET", "/v1/staff", query, NULL, NULL);
        ck_assert_int_eq(harness_mdp_status(reply), 200);
        json_t *body = json_object_get(reply, "body");
        json_t *item;
        size_t i;
        json_array_foreach(json_object_get(body, "items"), i, item)
        {
            const char *id = json_string_value(json_object_get(item, "id"));
            ck_assert_ptr_null(json_object_get(seen, id));
            json_object_set_new(seen, id, json_true());
        }
        json_t *cursor = json_object_get(body, "next_cursor");
        more = json_is_string(cursor);
        if (more) {
            json_object_set(query, "cursor", cursor);
        }
        json_decref(reply);
    }
    size_t n = json_object_size(seen);
    json_decref(seen);
    json_decref(head);
    return n;
}

START_TEST(test_personnel_list_pagination)
{
    s_create_department("page_dept");
    char id[48];
    for (int i = 0; i < 5; i++) {
        s_create_staff("Paged", i % 2 ? "technician" : "cs_agent", "page_dept",
                       id);
    }
    json_t *query = json_pack("{s:s}", "department", "page_dept");
    size_t pages = 0;
    ck_assert_int_eq(s_walk_pages(query, "2", &pages), 5);
    ck_assert_int_eq(pages, 3);
    json_decref(query);
    query = json_pack("{s:s, s:s, s:s}", "department", "page_dept", "role",
                      "cs_agent", "status", "active");
    ck_assert_int_eq(s_walk_pages(query, "200", &pages), 3);
    json_decref(query);
    json_t *head = s_head();
    query = json_pack("{s:s, s:s}", "limit", "500", "colour", "red");
    json_t *reply = s_call(head, "GET", "/v1/staff", query, NULL, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 400);
    json_decref(reply);
    json_decref(query);
    json_decref(head);
}
END_TEST

// A page of 200 long documents would pass the 64 KiB envelope: it ends
// early with a cursor and the walk still sees every member once.
START_TEST(test_personnel_list_page_size_bound)
{
    s_create_department("big_dept");
    char name[201];
    memset(name, 'n', 200);
    name[200] = '\0';
    char id[48];
    for (int i = 0; i < 150; i++) {
        s_create_staff(name, "cs_agent", "big_dept", id);
    }
    json_t *query = json_pack("{s:s}", "department", "big_dept");
    size_t pages = 0;
    ck_assert_int_eq(s_walk_pages(query, "200", &pages), 150);
    ck_assert_int_ge(pages, 2);
    json_decref(query);
}
END_TEST

Suite *
personnel_suite(void)
{
    Suite *suite = suite_create("personnel");
    TCase *core = tcase_create("core");
    tcase_add_unchecked_fixture(core, s_setup, s_teardown);
    tcase_set_timeout(core, 60);
    tcase_add_test(core, test_personnel_bootstrap_given_token);
    tcase_add_test(core, test_personnel_token_issue_resolve_revoke);
    tcase_add_test(core, test_personnel_token_expired);
    tcase_add_test(core, test_personnel_token_suspended_staff);
    tcase_add_test(core, test_personnel_resolve_only_gateway);
    tcase_add_test(core, test_personnel_cs_agent_may_not_create_staff);
    tcase_add_test(core, test_personnel_unknown_field);
    tcase_add_test(core, test_personnel_idempotent_create);
    tcase_add_test(core, test_personnel_patch_if_match);
    tcase_add_test(core, test_personnel_list_pagination);
    tcase_add_test(core, test_personnel_list_page_size_bound);
    suite_add_tcase(suite, core);
    TCase *race = tcase_create("bootstrap_race");
    tcase_add_unchecked_fixture(race, s_setup_race, s_teardown);
    tcase_set_timeout(race, 60);
    tcase_add_test(race, test_personnel_bootstrap_race_generated_token);
    suite_add_tcase(suite, race);
    return suite;
}
