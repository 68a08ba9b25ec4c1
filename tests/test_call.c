// Service-to-service calls (cm_call) with the saga the domain services
// follow: a "shop" service approving an order asks a "bank" service to
// reserve money over the real broker; the bank runs as a separate process
// (this test binary started with SM_TEST_SERVE=bank) so it can be killed
// with SIGKILL between its commit and its reply. Whatever happens, the
// order ends either approved once with one confirmed reservation, or not
// approved with nothing reserved.
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cm_action.h"
#include "cm_call.h"
#include "cm_doc.h"
#include "cm_envelope.h"
#include "cm_log.h"
#include "cm_mdp_client.h"
#include "cm_problem.h"
#include "cm_redis.h"
#include "cm_service.h"
#include "cm_time.h"
#include "harness.h"
#include "suites.h"

#define S_ENV_MAX    128
#define S_EXPIRY_MS  1500 // an unconfirmed reservation lives this long
#define S_TIMERS     "sm:{bank}:timers:reservations"
#define S_DIE_FLAG   "sm:{bank}:test:die_after_commit"
#define S_TOUCH_FLAG "sm:{bank}:test:touch_order"
#define S_RESERVE    "/internal/reserve"
#define S_RELEASE    "/internal/release"

// ---- the bank (callee), run in its own process

static const char *
s_reservation_key(char *key, const char *id)
{
    return cm_store_key(key, CM_STORE_KEY_MAX, "bank", "reservation", id);
}

static bool
s_flag(cm_store_t *store, const char *key)
{
    redisReply *reply = cm_redis_cmd(cm_store_redis(store), "EXISTS", key);
    bool set = reply && reply->type == REDIS_REPLY_INTEGER && reply->integer;
    freeReplyObject(reply);
    return set;
}

// Another writer changes the order while the bank works: the shop's own
// commit then conflicts for sure.
static void
s_touch_order(cm_store_t *store)
{
    freeReplyObject(cm_redis_cmd(cm_store_redis(store), "HINCRBY",
                                 "sm:{shop}:order:O-1", "version", "1"));
}

static void
s_bank_reserve(cm_ctx_t *ctx)
{
    const json_t *body = cm_ctx_body(ctx);
    const char *id = cm_doc_string(body, "reservation");
    if (strcmp(cm_ctx_actor_role(ctx), "system") != 0 || !id) {
        cm_ctx_fail_status(ctx, CM_EFORBIDDEN, "services only");
        return;
    }
    char key[CM_STORE_KEY_MAX];
    s_reservation_key(key, id);
    json_t *doc = json_pack("{s:s, s:s, s:O}", "id", id, "state", "pending",
                            "amount", json_object_get(body, "amount"));
    char *text = json_dumps(doc, JSON_COMPACT);
    cm_commit_t *commit = cm_commit_new("bank");
    cm_commit_doc(commit, key, CM_VERSION_NEW, text);
    cm_commit_field(commit, "state", "pending");
    cm_commit_index_add(commit, S_TIMERS, id, cm_time_now_ms() + S_EXPIRY_MS);
    free(text);
    if (s_flag(cm_ctx_store(ctx), S_TOUCH_FLAG)) {
        s_touch_order(cm_ctx_store(ctx));
    }
    cm_ctx_commit(ctx, commit, 201, doc);
    cm_commit_destroy(&commit);
    if (s_flag(cm_ctx_store(ctx), S_DIE_FLAG)) {
        raise(SIGKILL); // committed, never answered
    }
}

// Add to commit the move of reservation id from pending to `state`; a
// reservation in another state (or none) stays as it is. 0 or a status.
static int
s_settle_into(cm_store_t *store, cm_commit_t *commit, const char *id,
              const char *state)
{
    char key[CM_STORE_KEY_MAX];
    cm_doc_t stored;
    int rc = cm_store_get(store, s_reservation_key(key, id), &stored);
    if (rc != 0) {
        return rc == CM_ENOTFOUND ? 0 : rc;
    }
    json_t *doc = json_loads(stored.json, 0, NULL);
    if (strcmp(cm_doc_text(doc, "state"), "pending") == 0) {
        json_object_set_new(doc, "state", json_string(state));
        char *text = json_dumps(doc, JSON_COMPACT);
        cm_commit_doc(commit, key, stored.version, text);
        cm_commit_field(commit, "state", state);
        cm_commit_index_remove(commit, S_TIMERS, id);
        free(text);
    }
    json_decref(doc);
    cm_doc_clear(&stored);
    return 0;
}

static int
s_settle(cm_store_t *store, const char *id, const char *state)
{
    cm_commit_t *commit = cm_commit_new("bank");
    int rc = s_settle_into(store, commit, id, state);
    if (rc == 0 && !cm_commit_is_empty(commit)) {
        cm_commit_result_t result;
        rc = cm_store_commit(store, commit, &result);
        cm_commit_result_clear(&result);
    }
    cm_commit_destroy(&commit);
    return rc;
}

static void
s_bank_release(cm_ctx_t *ctx)
{
    const char *id = cm_doc_string(cm_ctx_body(ctx), "reservation");
    int rc = id ? s_settle(cm_ctx_store(ctx), id, "released") : CM_EINVAL;
    if (rc != 0) {
        cm_ctx_fail_status(ctx, rc, NULL);
        return;
    }
    cm_ctx_reply(ctx, 200, json_pack("{s:s}", "reservation", id));
}

// shop.order.approved confirms the reservation the order was approved with.
static int
s_bank_on_shop(cm_store_t *store, const cm_event_t *event, cm_commit_t *commit,
               void *arg)
{
    (void)arg; // no state
    json_t *envelope = json_loads(event->envelope, 0, NULL);
    const char *id =
        cm_doc_string(json_object_get(envelope, "data"), "reservation");
    int rc = id && strcmp(event->type, "shop.order.approved") == 0
                 ? s_settle_into(store, commit, id, "confirmed")
                 : 0;
    json_decref(envelope);
    return rc;
}

// Unconfirmed reservations past their expiry are released.
static void
s_bank_tick(cm_service_t *service, cm_store_t *store)
{
    (void)service; // no state
    char **due = NULL;
    size_t count = 0;
    int64_t now = cm_time_now_ms();
    if (cm_store_timer_claim(store, S_TIMERS, now, 5000, 100, &due, &count)
        != 0) {
        return;
    }
    for (size_t i = 0; i < count; i++) {
        s_settle(store, due[i], "released");
        cm_store_timer_settle(store, S_TIMERS, due[i], now + 5000, 0);
    }
    cm_store_strings_free(&due, count);
}

static const cm_route_t s_bank_routes[] = {
    {"POST", S_RESERVE, s_bank_reserve},
    {"POST", S_RELEASE, s_bank_release},
    {NULL, NULL, NULL},
};

static const cm_subscription_t s_bank_subs[] = {
    {"shop", s_bank_on_shop},
    {NULL, NULL},
};

static const cm_service_def_t s_bank = {
    .name = "bank",
    .routes = s_bank_routes,
    .subscriptions = s_bank_subs,
    .tick = s_bank_tick,
    .tick_ms = 100,
};

int
test_call_serve(const char *name)
{
    char *argv[] = {"bank", NULL};
    return strcmp(name, "bank") == 0 ? cm_service_main(&s_bank, 1, argv) : 2;
}

// ---- the shop (caller), run in the test process

static const char *
s_call_key(const cm_action_t *a, char *buf, size_t size)
{
    return cm_call_key(buf, size, "order", cm_doc_text(a->doc, "id"), "approve",
                       1);
}

// Release the reservation when the approval was surely not written; an
// unknown outcome (503) keeps it: the reservation's expiry or the client's
// retry settles it.
static void
s_after_approve(cm_action_t *a, int outcome)
{
    if (!a->saga || outcome == CM_COMMIT_OK || outcome == CM_COMMIT_DONE
        || outcome == CM_EUNAVAILABLE) {
        return;
    }
    cm_call_t release = {
        .service = "bank",
        .method = "POST",
        .path = S_RELEASE,
        .body = a->saga,
        .idempotency_key = cm_doc_string(a->saga, "reservation"),
    };
    cm_ctx_compensate(a->ctx, &release, S_RELEASE);
}

static json_t *
s_approve_effect(cm_action_t *a)
{
    char key[CM_CALL_KEY_MAX];
    s_call_key(a, key, sizeof key);
    json_t *body = json_pack("{s:s, s:O}", "reservation", key, "amount",
                             json_object_get(a->doc, "amount"));
    cm_call_t call = {.service = "bank",
                      .method = "POST",
                      .path = S_RESERVE,
                      .body = body,
                      .idempotency_key = key};
    cm_call_result_t result;
    int rc = cm_ctx_call(a->ctx, &call, &result);
    json_t *problem = NULL;
    if (rc != 0) {
        problem = cm_problem_new(503, "bank_unavailable",
                                 "the bank did not answer; retry with the "
                                 "same Idempotency-Key");
    } else if (result.status >= 300) {
        problem = cm_problem_new(result.status, "bank_refused",
                                 "the bank refused the reservation");
    } else {
        a->saga = json_incref(body);
        a->after_commit = s_after_approve;
        json_object_set_new(a->event_data, "reservation", json_string(key));
    }
    cm_call_result_clear(&result);
    json_decref(body);
    return problem;
}

static const cm_workflow_row_t s_order_rows[] = {
    {"pending", "approve", "dept_head", 0, NULL, "approved",
     "shop.order.approved", NULL, s_approve_effect},
};

static const cm_workflow_t s_order_flow = {
    .name = "order",
    .rows = s_order_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_order_rows),
    .final_states = "approved",
};

static const cm_doc_type_t s_order = {
    .owner = "shop",
    .kind = "order",
    .what = "order",
    .id_prefix = "O",
    .workflow = &s_order_flow,
};

static void
s_shop_act(cm_ctx_t *ctx)
{
    cm_action_run(ctx, &s_order);
}

static const cm_route_t s_shop_routes[] = {
    {"POST", "/v1/orders/{id}/{action}", s_shop_act},
    {NULL, NULL, NULL},
};

static const cm_service_def_t s_shop = {
    .name = "shop",
    .routes = s_shop_routes,
};

// ---- the stack

static struct {
    harness_redis_t redis;
    harness_proc_t broker;
    harness_proc_t hub;
    harness_proc_t bank;
    char env[8][S_ENV_MAX];
    const char *envp[9];
    char endpoint[64];
    cm_config_t *config;
    cm_service_t *shop;
    cm_store_t *store;
    cm_mdp_client_t *client;
    int workers_ready; // broker.worker.ready lines expected so far
} s;

static bool
s_start_bank(void)
{
    char path[HARNESS_PATH_MAX];
    snprintf(path, sizeof path, "%s/../tests/integration_tests",
             harness_bin_dir());
    if (harness_proc_start_path(&s.bank, "bank", path, s.envp) != 0) {
        return false;
    }
    s.workers_ready++;
    return harness_proc_wait_event(&s.broker, "broker.worker.ready",
                                   s.workers_ready, HARNESS_WAIT_MS);
}

static void
setup(void)
{
    memset(&s, 0, sizeof s);
    ck_assert_int_eq(harness_redis_start(&s.redis), 0);
    harness_redis_exempt_events(&s.redis, "cm_call's suite: a made-up shop "
                                          "service and its events");
    int broker = harness_free_port();
    snprintf(s.endpoint, sizeof s.endpoint, "tcp://127.0.0.1:%d", broker);
    snprintf(s.env[0], S_ENV_MAX, "SM_REDIS__PORT=%d", s.redis.port);
    snprintf(s.env[1], S_ENV_MAX, "SM_BROKER__PORT=%d", broker);
    snprintf(s.env[2], S_ENV_MAX, "SM_HUB__PUB_PORT=%d", harness_free_port());
    snprintf(s.env[3], S_ENV_MAX, "SM_HUB__SUB_PORT=%d", harness_free_port());
    snprintf(s.env[4], S_ENV_MAX, "SM_HUB__DISCOVER_MS=100");
    snprintf(s.env[5], S_ENV_MAX, "SM_SERVICE__WORKERS=1");
    snprintf(s.env[6], S_ENV_MAX, "SM_TEST_SERVE=bank");
    for (int i = 0; i < 7; i++) {
        s.envp[i] = s.env[i];
        putenv(s.env[i]); // the in-process shop reads the same ports
    }
    ck_assert_int_eq(harness_proc_start(&s.broker, "broker", s.envp), 0);
    ck_assert_int_eq(harness_proc_start(&s.hub, "hub", s.envp), 0);
    ck_assert_msg(s_start_bank(), "bank did not start: %s", s.bank.log);
    char error[256];
    char *argv[] = {"shop", NULL};
    s.config = cm_config_load("shop", NULL, 1, argv, error, sizeof error);
    ck_assert_msg(s.config != NULL, "%s", error);
    cm_log_set_level(CM_LOG_WARN);
    s.shop = cm_service_new(&s_shop, s.config);
    ck_assert_int_eq(cm_service_start(s.shop), 0);
    s.workers_ready++;
    ck_assert(harness_proc_wait_event(&s.broker, "broker.worker.ready",
                                      s.workers_ready, HARNESS_WAIT_MS));
    s.store = cm_store_new("127.0.0.1", s.redis.port, "", 2000);
    s.client = cm_mdp_client_new(s.endpoint);
    ck_assert_ptr_nonnull(s.client);
}

static void
teardown(void)
{
    cm_mdp_client_destroy(&s.client);
    cm_service_destroy(&s.shop);
    cm_config_destroy(&s.config);
    cm_store_destroy(&s.store);
    harness_proc_kill(&s.bank, SIGTERM, 3000);
    harness_proc_kill(&s.hub, SIGTERM, 3000);
    harness_proc_kill(&s.broker, SIGTERM, 3000);
    harness_proc_cleanup(&s.bank);
    harness_proc_cleanup(&s.hub);
    harness_proc_cleanup(&s.broker);
    harness_redis_stop(&s.redis);
}

static void
s_put_order(void)
{
    char *reply = harness_redis_cmd(
        &s.redis, "HSET", "sm:{shop}:order:O-1", "doc",
        "{\"id\":\"O-1\",\"state\":\"pending\",\"amount\":500,"
        "\"history\":[],\"history_count\":0}",
        "version", "1", "state", "pending");
    free(reply);
}

static void
s_set(const char *key, bool on)
{
    free(on ? harness_redis_cmd(&s.redis, "SET", key, "1")
            : harness_redis_cmd(&s.redis, "DEL", key));
}

// Approve O-1 through the broker as a dept_head with an Idempotency-Key;
// returns the status (0: no reply).
static int
s_approve(const char *idempotency_key)
{
    json_t *actor = json_pack("{s:s, s:s, s:s}", "id", "ST-2", "role",
                              "dept_head", "department", "ops");
    cm_envelope_request_t fields = {
        .type = "shop.order.approve",
        .source = "test",
        .deadline_ms = cm_time_now_ms() + 3000,
        .idempotency_key = idempotency_key,
        .actor = actor,
        .method = "POST",
        .path = "/v1/orders/O-1/approve",
    };
    json_t *request = cm_envelope_request_new(&fields);
    char *text = cm_envelope_encode(request);
    char *reply = cm_mdp_client_call(s.client, "shop", text, 5000);
    json_t *parsed = reply ? cm_envelope_parse(reply, strlen(reply),
                                               CM_ENVELOPE_REPLY, NULL, 0)
                           : NULL;
    int status = parsed ? cm_envelope_status(parsed) : 0;
    json_decref(parsed);
    free(reply);
    free(text);
    json_decref(request);
    json_decref(actor);
    return status;
}

// The reservation's state field, "" when there is none.
static char *
s_reservation_state(void)
{
    char *state = harness_redis_cmd(
        &s.redis, "HGET", "sm:{bank}:reservation:order:O-1:approve:r1",
        "state");
    return state ? state : strdup("");
}

static bool
s_wait_reservation(const char *want, int timeout_ms)
{
    int64_t until = cm_time_mono_ms() + timeout_ms;
    while (cm_time_mono_ms() < until) {
        char *state = s_reservation_state();
        bool there = strcmp(state, want) == 0;
        free(state);
        if (there) {
            return true;
        }
        usleep(20000);
    }
    return false;
}

static char *
s_order_state(void)
{
    return harness_redis_cmd(&s.redis, "HGET", "sm:{shop}:order:O-1", "state");
}

START_TEST(test_call_reserves_and_confirms)
{
    s_put_order();
    ck_assert_int_eq(s_approve("k-1"), 200);
    char *state = s_order_state();
    ck_assert_str_eq(state, "approved");
    free(state);
    ck_assert(s_wait_reservation("confirmed", HARNESS_WAIT_MS));
    ck_assert_int_eq(s_approve("k-1"), 200); // the stored reply, again
}
END_TEST

START_TEST(test_call_callee_killed_then_retried)
{
    s_put_order();
    s_set(S_DIE_FLAG, true);
    ck_assert_int_eq(s_approve("k-2"), 503); // the bank died after committing
    ck_assert(!harness_proc_is_alive(&s.bank));
    char *state = s_order_state();
    ck_assert_str_eq(state, "pending");
    free(state);
    state = s_reservation_state();
    ck_assert_str_eq(state, "pending"); // committed, never answered
    free(state);
    s_set(S_DIE_FLAG, false);
    harness_proc_kill(&s.bank, SIGKILL, 100); // reap
    ck_assert(s_start_bank());
    // The client retries with its key: the bank's stored answer, one
    // reservation, the order approved once and the reservation confirmed.
    ck_assert_int_eq(s_approve("k-2"), 200);
    state = s_order_state();
    ck_assert_str_eq(state, "approved");
    free(state);
    ck_assert(s_wait_reservation("confirmed", HARNESS_WAIT_MS));
    char *version =
        harness_redis_cmd(&s.redis, "HGET", "sm:{shop}:order:O-1", "version");
    ck_assert_str_eq(version, "2");
    free(version);
}
END_TEST

START_TEST(test_call_callee_killed_never_retried)
{
    s_put_order();
    s_set(S_DIE_FLAG, true);
    ck_assert_int_eq(s_approve("k-3"), 503);
    s_set(S_DIE_FLAG, false);
    harness_proc_kill(&s.bank, SIGKILL, 100);
    ck_assert(s_start_bank());
    // Nobody retries: the unconfirmed reservation expires; nothing stays
    // committed and the order is not approved.
    ck_assert(s_wait_reservation("released", S_EXPIRY_MS + HARNESS_WAIT_MS));
    char *state = s_order_state();
    ck_assert_str_eq(state, "pending");
    free(state);
}
END_TEST

START_TEST(test_call_own_commit_fails_then_compensates)
{
    s_put_order();
    s_set(S_TOUCH_FLAG, true); // the order changes while the bank works
    ck_assert_int_eq(s_approve("k-4"), 409);
    ck_assert(s_wait_reservation("released", 1000)); // released at once
    char *state = s_order_state();
    ck_assert_str_eq(state, "pending");
    free(state);
}
END_TEST

Suite *
call_suite(void)
{
    Suite *suite = suite_create("call");
    TCase *tc = tcase_create("saga");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_call_reserves_and_confirms);
    tcase_add_test(tc, test_call_callee_killed_then_retried);
    tcase_add_test(tc, test_call_callee_killed_never_retried);
    tcase_add_test(tc, test_call_own_commit_fails_then_compensates);
    suite_add_tcase(suite, tc);
    return suite;
}
