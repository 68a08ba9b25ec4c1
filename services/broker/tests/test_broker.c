// broker: the actor with real cm_mdp workers and clients over
// tcp://127.0.0.1, all in one process. Workers run in the test thread and
// are pumped explicitly, so every interleaving is deterministic; waits are
// polls bounded by TEST_WAIT_MS, never sleeps.
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "cm_envelope.h"
#include "cm_mdp.h"
#include "cm_mdp_client.h"
#include "cm_mdp_worker.h"
#include "cm_time.h"
#include "suites.h"

#define TEST_HEARTBEAT_MS 100
#define TEST_QUEUE_MAX    2
#define TEST_WAIT_MS      5000 // upper bound of every wait; never reached

static zactor_t *broker; // fresh for every test
static int port;
static char endpoint[64];
static cm_mdp_client_t *client;
static json_t *actor;

static zactor_t *
broker_start(const char *bind)
{
    broker_args_t args = {.endpoint = bind,
                          .queue_max = TEST_QUEUE_MAX,
                          .heartbeat_ms = TEST_HEARTBEAT_MS};
    zactor_t *started = zactor_new(broker_actor, &args);
    ck_assert_ptr_nonnull(started);
    return started;
}

static void
setup(void)
{
    zsys_set_logstream(stderr); // czmq's own lines stay off stdout
    broker = broker_start("tcp://127.0.0.1:*");
    port = broker_port(broker);
    ck_assert_int_gt(port, 0);
    snprintf(endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", port);
    client = cm_mdp_client_new(endpoint);
    ck_assert_ptr_nonnull(client);
    actor = json_pack("{s:s, s:s}", "id", "T-1", "role", "test");
}

static void
teardown(void)
{
    json_decref(actor);
    cm_mdp_client_destroy(&client);
    zactor_destroy(&broker);
}

// A request envelope as text, with a deadline delta_ms from now and its id
// in id (CM_UUID_MAX bytes or more).
static char *
request_text(int64_t delta_ms, char *id, size_t id_size)
{
    cm_envelope_request_t fields = {.type = "echo.get",
                                    .source = "test",
                                    .deadline_ms = cm_time_now_ms() + delta_ms,
                                    .actor = actor,
                                    .method = "GET",
                                    .path = "/v1/echo"};
    json_t *request = cm_envelope_request_new(&fields);
    ck_assert_ptr_nonnull(request);
    snprintf(id, id_size, "%s", cm_envelope_id(request));
    char *text = cm_envelope_encode(request);
    json_decref(request);
    return text;
}

// Sends, retrying while the client is not connected yet (IMMEDIATE).
static void
client_send(const char *service, const char *body)
{
    int64_t until = cm_time_mono_ms() + TEST_WAIT_MS;
    while (cm_mdp_client_send(client, service, body) != 0) {
        ck_assert_int_lt(cm_time_mono_ms(), until);
        zmq_poll(NULL, 0, 5);
    }
}

// Answers a request with 200 and the request's id as body.
static void
worker_echo(cm_mdp_worker_t *worker, char *request, zframe_t **reply_to_p)
{
    json_t *parsed = cm_envelope_parse(request, strlen(request),
                                       CM_ENVELOPE_REQUEST, NULL, 0);
    ck_assert_ptr_nonnull(parsed);
    json_t *body = json_string(cm_envelope_id(parsed));
    json_t *reply = cm_envelope_reply_new(parsed, 200, NULL, body);
    char *text = cm_envelope_encode(reply);
    ck_assert_int_eq(cm_mdp_worker_send(worker, text, reply_to_p), 0);
    free(text);
    json_decref(reply);
    json_decref(body);
    json_decref(parsed);
    free(request);
}

// Waits up to wait_ms for the next reply while keeping up to two workers
// alive and echoing what they get. Caller owns the result; NULL on timeout.
static char *
client_recv_within(cm_mdp_worker_t *first, cm_mdp_worker_t *second,
                   char **service_p, int wait_ms)
{
    cm_mdp_worker_t *workers[] = {first, second};
    int64_t until = cm_time_mono_ms() + wait_ms;
    while (cm_time_mono_ms() < until) {
        for (size_t i = 0; i < 2; i++) {
            zframe_t *reply_to = NULL;
            char *request = workers[i]
                                ? cm_mdp_worker_recv(workers[i], 2, &reply_to)
                                : NULL;
            if (request) {
                worker_echo(workers[i], request, &reply_to);
            }
        }
        char *reply = cm_mdp_client_recv(client, 2, service_p);
        if (reply) {
            return reply;
        }
    }
    return NULL;
}

// client_recv_within, failing the test on timeout.
static char *
client_recv_pumping(cm_mdp_worker_t *first, cm_mdp_worker_t *second,
                    char **service_p)
{
    char *reply = client_recv_within(first, second, service_p, TEST_WAIT_MS);
    ck_assert_msg(reply != NULL, "no reply within %d ms", TEST_WAIT_MS);
    return reply;
}

// Polls mmi.service until it answers `want` for service. A query may be
// lost while the broker restarts, so each try waits only a little.
static void
wait_service(const char *service, const char *want, cm_mdp_worker_t *worker)
{
    int64_t until = cm_time_mono_ms() + TEST_WAIT_MS;
    while (true) {
        ck_assert_int_lt(cm_time_mono_ms(), until);
        client_send("mmi.service", service);
        char *answer = client_recv_within(worker, NULL, NULL, 200);
        bool done = answer && strcmp(answer, want) == 0;
        free(answer);
        if (done) {
            return;
        }
    }
}

static json_t *
stats_of(const char *service)
{
    client_send("mmi.stats", "");
    char *text = client_recv_pumping(NULL, NULL, NULL);
    json_t *stats = json_loads(text, 0, NULL);
    free(text);
    ck_assert_ptr_nonnull(stats);
    json_t *entry =
        json_object_get(json_object_get(stats, "services"), service);
    json_incref(entry);
    json_object_set_new(stats, "entry", entry ? entry : json_null());
    return stats;
}

static long long
stat_int(json_t *stats, const char *key)
{
    return json_integer_value(
        json_object_get(json_object_get(stats, "entry"), key));
}

// Checks a reply envelope: status, correlation_id and (for errors) code.
static void
expect_reply(const char *text, int status, const char *id, const char *code)
{
    json_t *reply =
        cm_envelope_parse(text, strlen(text), CM_ENVELOPE_REPLY, NULL, 0);
    ck_assert_msg(reply != NULL, "not a reply: %s", text);
    ck_assert_int_eq(cm_envelope_status(reply), status);
    ck_assert_str_eq(cm_envelope_correlation_id(reply), id);
    if (code) {
        json_t *error = cm_envelope_member(reply, "error");
        ck_assert_str_eq(json_string_value(json_object_get(error, "code")),
                         code);
    }
    json_decref(reply);
}

START_TEST(test_broker_request_served)
{
    cm_mdp_worker_t *worker =
        cm_mdp_worker_new(endpoint, "echo", 1, TEST_HEARTBEAT_MS);
    wait_service("echo", "200", worker);
    char id[CM_ENVELOPE_REASON_MAX];
    char *request = request_text(5000, id, sizeof id);
    client_send("echo", request);
    char *service = NULL;
    char *reply = client_recv_pumping(worker, NULL, &service);
    ck_assert_str_eq(service, "echo");
    expect_reply(reply, 200, id, NULL);
    json_t *stats = stats_of("echo");
    ck_assert_int_eq(stat_int(stats, "served"), 1);
    ck_assert_int_eq(stat_int(stats, "workers"), 1);
    ck_assert_int_eq(stat_int(stats, "in_flight"), 0);
    json_decref(stats);
    free(service);
    free(reply);
    free(request);
    cm_mdp_worker_destroy(&worker);
}
END_TEST

START_TEST(test_broker_no_worker_is_503)
{
    char id[CM_ENVELOPE_REASON_MAX];
    char *request = request_text(5000, id, sizeof id);
    client_send("nobody", request);
    char *reply = client_recv_pumping(NULL, NULL, NULL);
    expect_reply(reply, 503, id, "service_unavailable");
    free(reply);
    free(request);
}
END_TEST

START_TEST(test_broker_worker_killed_mid_request)
{
    cm_mdp_worker_t *worker =
        cm_mdp_worker_new(endpoint, "echo", 1, TEST_HEARTBEAT_MS);
    wait_service("echo", "200", worker);
    char id[CM_ENVELOPE_REASON_MAX];
    char *request = request_text(10000, id, sizeof id);
    client_send("echo", request);
    zframe_t *reply_to = NULL;
    char *got = cm_mdp_worker_recv(worker, TEST_WAIT_MS, &reply_to);
    ck_assert_ptr_nonnull(got);
    cm_mdp_worker_destroy(&worker); // a crash: no DISCONNECT
    char *reply = client_recv_pumping(NULL, NULL, NULL);
    expect_reply(reply, 503, id, "worker_lost");
    json_t *stats = stats_of("echo");
    ck_assert_int_eq(stat_int(stats, "workers"), 0);
    ck_assert_int_eq(stat_int(stats, "lost"), 1);
    json_decref(stats);
    free(reply);
    free(got);
    zframe_destroy(&reply_to);
    free(request);
}
END_TEST

START_TEST(test_broker_restart_workers_reregister)
{
    cm_mdp_worker_t *worker =
        cm_mdp_worker_new(endpoint, "echo", 1, TEST_HEARTBEAT_MS);
    wait_service("echo", "200", worker);
    zactor_destroy(&broker);
    // libzmq closes the old listener asynchronously: retry the bind until
    // the port is free again, as a restarted process would.
    int64_t until = cm_time_mono_ms() + TEST_WAIT_MS;
    broker = broker_start(endpoint);
    while (broker_port(broker) != port) {
        ck_assert_int_lt(cm_time_mono_ms(), until);
        zactor_destroy(&broker);
        zmq_poll(NULL, 0, 10);
        broker = broker_start(endpoint);
    }
    wait_service("echo", "200", worker); // pumping lets it notice and READY
    ck_assert_uint_ge(cm_mdp_worker_ready_count(worker), 1);
    char id[CM_ENVELOPE_REASON_MAX];
    char *request = request_text(5000, id, sizeof id);
    client_send("echo", request);
    char *reply = client_recv_pumping(worker, NULL, NULL);
    expect_reply(reply, 200, id, NULL);
    free(reply);
    free(request);
    cm_mdp_worker_destroy(&worker);
}
END_TEST

START_TEST(test_broker_queue_cap_is_503)
{
    cm_mdp_worker_t *worker =
        cm_mdp_worker_new(endpoint, "echo", 1, TEST_HEARTBEAT_MS);
    wait_service("echo", "200", worker);
    // One in flight at the worker (credit 1), TEST_QUEUE_MAX waiting, the
    // next one is refused at once.
    char ids[TEST_QUEUE_MAX + 2][CM_ENVELOPE_REASON_MAX];
    for (int i = 0; i < TEST_QUEUE_MAX + 2; i++) {
        char *request = request_text(10000, ids[i], sizeof ids[i]);
        client_send("echo", request);
        free(request);
    }
    char *reply = cm_mdp_client_recv(client, TEST_WAIT_MS, NULL);
    ck_assert_ptr_nonnull(reply);
    expect_reply(reply, 503, ids[TEST_QUEUE_MAX + 1], "queue_full");
    free(reply);
    for (int i = 0; i <= TEST_QUEUE_MAX; i++) { // the rest are served
        reply = client_recv_pumping(worker, NULL, NULL);
        expect_reply(reply, 200, ids[i], NULL);
        free(reply);
    }
    cm_mdp_worker_destroy(&worker);
}
END_TEST

START_TEST(test_broker_expired_never_dispatched)
{
    cm_mdp_worker_t *worker =
        cm_mdp_worker_new(endpoint, "echo", 1, TEST_HEARTBEAT_MS);
    wait_service("echo", "200", worker);
    char held_id[CM_ENVELOPE_REASON_MAX];
    char late_id[CM_ENVELOPE_REASON_MAX];
    char dead_id[CM_ENVELOPE_REASON_MAX];
    char live_id[CM_ENVELOPE_REASON_MAX];
    char *held = request_text(10000, held_id, sizeof held_id);
    char *late = request_text(50, late_id, sizeof late_id); // expires queued
    char *dead = request_text(-1, dead_id, sizeof dead_id); // expired already
    char *live = request_text(10000, live_id, sizeof live_id);
    client_send("echo", held);
    zframe_t *reply_to = NULL;
    char *first = cm_mdp_worker_recv(worker, TEST_WAIT_MS, &reply_to);
    ck_assert_ptr_nonnull(first);
    client_send("echo", late);
    client_send("echo", dead);
    // Keep the worker alive (it holds its credit) until the broker has
    // dropped the late request from the queue.
    int64_t until = cm_time_mono_ms() + TEST_WAIT_MS;
    json_t *stats = NULL;
    do {
        ck_assert_int_lt(cm_time_mono_ms(), until);
        json_decref(stats);
        zframe_t *none = NULL;
        ck_assert_ptr_null(cm_mdp_worker_recv(worker, 20, &none));
        stats = stats_of("echo");
    } while (stat_int(stats, "expired") < 2);
    ck_assert_int_eq(stat_int(stats, "queue"), 0);
    json_decref(stats);
    client_send("echo", live);
    worker_echo(worker, first, &reply_to);
    char *reply = client_recv_pumping(NULL, NULL, NULL);
    expect_reply(reply, 200, held_id, NULL);
    free(reply);
    // The next request the worker sees is the live one: the expired ones
    // were never dispatched.
    char *next = cm_mdp_worker_recv(worker, TEST_WAIT_MS, &reply_to);
    ck_assert_ptr_nonnull(next);
    ck_assert_ptr_nonnull(strstr(next, live_id));
    worker_echo(worker, next, &reply_to);
    reply = client_recv_pumping(NULL, NULL, NULL);
    expect_reply(reply, 200, live_id, NULL);
    free(reply);
    free(live);
    free(dead);
    free(late);
    free(held);
    cm_mdp_worker_destroy(&worker);
}
END_TEST

START_TEST(test_broker_credit_respected)
{
    cm_mdp_worker_t *worker =
        cm_mdp_worker_new(endpoint, "echo", 2, TEST_HEARTBEAT_MS);
    wait_service("echo", "200", worker);
    for (int i = 0; i < 2; i++) { // TEST_QUEUE_MAX + credit = 4 accepted
        char id[CM_ENVELOPE_REASON_MAX];
        char *request = request_text(10000, id, sizeof id);
        client_send("echo", request);
        client_send("echo", request);
        free(request);
    }
    char *got[2];
    zframe_t *reply_to[2];
    for (int i = 0; i < 2; i++) {
        got[i] = cm_mdp_worker_recv(worker, TEST_WAIT_MS, &reply_to[i]);
        ck_assert_ptr_nonnull(got[i]);
    }
    // Two held: the broker must keep the other two queued.
    json_t *stats = NULL;
    int64_t until = cm_time_mono_ms() + TEST_WAIT_MS;
    do {
        ck_assert_int_lt(cm_time_mono_ms(), until);
        json_decref(stats);
        zframe_t *none = NULL;
        char *third = cm_mdp_worker_recv(worker, 0, &none);
        ck_assert_msg(third == NULL, "a third request arrived");
        stats = stats_of("echo");
    } while (stat_int(stats, "queue") != 2);
    ck_assert_int_eq(stat_int(stats, "in_flight"), 2);
    json_decref(stats);
    worker_echo(worker, got[0], &reply_to[0]);
    zframe_t *next_to = NULL;
    char *next = cm_mdp_worker_recv(worker, TEST_WAIT_MS, &next_to);
    ck_assert_ptr_nonnull(next); // one freed credit, one more dispatched
    ck_assert_uint_eq(cm_mdp_worker_held(worker), 2);
    worker_echo(worker, next, &next_to);
    worker_echo(worker, got[1], &reply_to[1]);
    cm_mdp_worker_destroy(&worker);
}
END_TEST

START_TEST(test_broker_least_loaded_worker)
{
    cm_mdp_worker_t *one =
        cm_mdp_worker_new(endpoint, "echo", 2, TEST_HEARTBEAT_MS);
    cm_mdp_worker_t *two =
        cm_mdp_worker_new(endpoint, "echo", 2, TEST_HEARTBEAT_MS);
    int64_t until = cm_time_mono_ms() + TEST_WAIT_MS;
    json_t *stats = NULL;
    do {
        ck_assert_int_lt(cm_time_mono_ms(), until);
        json_decref(stats);
        zframe_t *none = NULL;
        ck_assert_ptr_null(cm_mdp_worker_recv(one, 5, &none));
        ck_assert_ptr_null(cm_mdp_worker_recv(two, 5, &none));
        stats = stats_of("echo");
    } while (stat_int(stats, "workers") != 2);
    json_decref(stats);
    char id[CM_ENVELOPE_REASON_MAX];
    char *request = request_text(10000, id, sizeof id);
    client_send("echo", request);
    client_send("echo", request);
    free(request);
    zframe_t *to_one = NULL;
    zframe_t *to_two = NULL;
    char *got_one = cm_mdp_worker_recv(one, TEST_WAIT_MS, &to_one);
    char *got_two = cm_mdp_worker_recv(two, TEST_WAIT_MS, &to_two);
    ck_assert_ptr_nonnull(got_one); // one each, not two at the first
    ck_assert_ptr_nonnull(got_two);
    worker_echo(one, got_one, &to_one);
    worker_echo(two, got_two, &to_two);
    cm_mdp_worker_destroy(&two);
    cm_mdp_worker_destroy(&one);
}
END_TEST

// One request at a time, each answered before the next: idle workers take
// turns (ties do not always go to the first that registered).
START_TEST(test_broker_idle_workers_take_turns)
{
    cm_mdp_worker_t *one =
        cm_mdp_worker_new(endpoint, "echo", 2, TEST_HEARTBEAT_MS);
    cm_mdp_worker_t *two =
        cm_mdp_worker_new(endpoint, "echo", 2, TEST_HEARTBEAT_MS);
    int64_t until = cm_time_mono_ms() + TEST_WAIT_MS;
    json_t *stats = NULL;
    do {
        ck_assert_int_lt(cm_time_mono_ms(), until);
        json_decref(stats);
        zframe_t *none = NULL;
        ck_assert_ptr_null(cm_mdp_worker_recv(one, 5, &none));
        ck_assert_ptr_null(cm_mdp_worker_recv(two, 5, &none));
        stats = stats_of("echo");
    } while (stat_int(stats, "workers") != 2);
    json_decref(stats);
    int served[2] = {0, 0};
    for (int i = 0; i < 6; i++) {
        char id[CM_ENVELOPE_REASON_MAX];
        char *request = request_text(10000, id, sizeof id);
        client_send("echo", request);
        free(request);
        zframe_t *to = NULL;
        char *got = NULL;
        int64_t give_up = cm_time_mono_ms() + TEST_WAIT_MS;
        int who = -1;
        while (!got && cm_time_mono_ms() < give_up) {
            got = cm_mdp_worker_recv(one, 5, &to);
            who = 0;
            if (!got) {
                got = cm_mdp_worker_recv(two, 5, &to);
                who = 1;
            }
        }
        ck_assert_ptr_nonnull(got);
        served[who]++;
        worker_echo(who == 0 ? one : two, got, &to);
        char *reply = cm_mdp_client_recv(client, TEST_WAIT_MS, NULL);
        ck_assert_ptr_nonnull(reply);
        free(reply);
    }
    ck_assert_int_eq(served[0], 3);
    ck_assert_int_eq(served[1], 3);
    cm_mdp_worker_destroy(&two);
    cm_mdp_worker_destroy(&one);
}
END_TEST

START_TEST(test_broker_drain_finishes_held)
{
    cm_mdp_worker_t *worker =
        cm_mdp_worker_new(endpoint, "echo", 1, TEST_HEARTBEAT_MS);
    wait_service("echo", "200", worker);
    char id[CM_ENVELOPE_REASON_MAX];
    char *request = request_text(10000, id, sizeof id);
    client_send("echo", request);
    zframe_t *reply_to = NULL;
    char *got = cm_mdp_worker_recv(worker, TEST_WAIT_MS, &reply_to);
    ck_assert_ptr_nonnull(got);
    ck_assert_int_eq(cm_mdp_worker_disconnect(worker), 0);
    worker_echo(worker, got, &reply_to);
    char *reply = client_recv_pumping(NULL, NULL, NULL);
    expect_reply(reply, 200, id, NULL); // nothing lost in a planned stop
    free(reply);
    zframe_t *none = NULL;
    ck_assert_ptr_null(cm_mdp_worker_recv(worker, TEST_WAIT_MS, &none));
    ck_assert(cm_mdp_worker_is_drained(worker));
    wait_service("echo", "404", NULL);
    free(request);
    cm_mdp_worker_destroy(&worker);
}
END_TEST

START_TEST(test_broker_mmi)
{
    cm_mdp_worker_t *worker =
        cm_mdp_worker_new(endpoint, "echo", 3, TEST_HEARTBEAT_MS);
    wait_service("echo", "200", worker);
    wait_service("nobody", "404", worker);
    client_send("mmi.nope", "");
    char *service = NULL;
    char *reply = client_recv_pumping(worker, NULL, &service);
    ck_assert_str_eq(reply, "501");
    ck_assert_str_eq(service, "mmi.nope");
    free(reply);
    free(service);
    json_t *stats = stats_of("echo");
    ck_assert_int_eq(stat_int(stats, "workers"), 1);
    ck_assert_int_eq(stat_int(stats, "queue"), 0);
    json_decref(stats);
    cm_mdp_worker_destroy(&worker);
}
END_TEST

// Sends raw frames from a bare DEALER (frame texts; "\x01"-style bytes ok).
static void
raw_send(zsock_t *dealer, size_t count, const char **frames)
{
    zmsg_t *msg = zmsg_new();
    for (size_t i = 0; i < count; i++) {
        zmsg_addstr(msg, frames[i]);
    }
    ck_assert_int_eq(zmsg_send(&msg, dealer), 0);
}

START_TEST(test_broker_survives_malformed)
{
    zsock_t *raw = zsock_new(ZMQ_DEALER);
    zsock_set_linger(raw, 0);
    ck_assert_int_eq(zsock_connect(raw, "%s", endpoint), 0);
    const char *no_delimiter[] = {"MDPC01", "echo", "{}"};
    const char *bad_header[] = {"", "MDPX99", "echo", "{}"};
    const char *no_body[] = {"", "MDPC01", "echo"};
    const char *bad_service[] = {"", "MDPC01", "Echo Service!", "{}"};
    const char *bad_command[] = {"", "MDPW01", "\x09"};
    const char *bad_credit[] = {"", "MDPW01", "\x01", "echo", "lots"};
    const char *stray_reply[] = {"", "MDPW01", "\x03", "t", "", "{}"};
    const char *only_empty[] = {""};
    raw_send(raw, 3, no_delimiter);
    raw_send(raw, 4, bad_header);
    raw_send(raw, 3, no_body);
    raw_send(raw, 4, bad_service);
    raw_send(raw, 3, bad_command);
    raw_send(raw, 5, bad_credit);
    raw_send(raw, 6, stray_reply);
    raw_send(raw, 1, only_empty);
    raw_send(raw, 3, bad_command); // the same again: logged once
    cm_mdp_worker_t *worker =
        cm_mdp_worker_new(endpoint, "echo", 1, TEST_HEARTBEAT_MS);
    wait_service("echo", "200", worker);
    client_send("echo", "not json at all");
    char *reply = client_recv_pumping(worker, NULL, NULL);
    expect_reply(reply, 400, "", "invalid_envelope");
    free(reply);
    client_send("echo", "{\"id\":\"x-1\",\"id\":\"x-2\",\"deadline\":1}");
    reply = client_recv_pumping(worker, NULL, NULL);
    expect_reply(reply, 400, "", "invalid_envelope"); // duplicate key
    free(reply);
    size_t big_size = CM_ENVELOPE_MAX_BYTES + 1;
    char *big = malloc(big_size + 1);
    memset(big, ' ', big_size);
    big[big_size] = '\0';
    client_send("echo", big);
    reply = client_recv_pumping(worker, NULL, NULL);
    expect_reply(reply, 413, "", "too_large");
    free(reply);
    free(big);
    char id[CM_ENVELOPE_REASON_MAX];
    char *request = request_text(5000, id, sizeof id);
    client_send("echo", request);
    reply = client_recv_pumping(worker, NULL, NULL);
    expect_reply(reply, 200, id, NULL); // still serving
    free(reply);
    free(request);
    client_send("mmi.stats", "");
    reply = client_recv_pumping(worker, NULL, NULL);
    json_t *stats = json_loads(reply, 0, NULL);
    ck_assert_int_ge(json_integer_value(json_object_get(stats, "malformed")),
                     8);
    json_decref(stats);
    free(reply);
    cm_mdp_worker_destroy(&worker);
    zsock_destroy(&raw);
}
END_TEST

START_TEST(test_broker_bind_failure_reports_port)
{
    zactor_t *second = broker_start(endpoint); // already bound by the first
    ck_assert_int_eq(broker_port(second), -1);
    zactor_destroy(&second);
}
END_TEST

Suite *
broker_suite(void)
{
    Suite *suite = suite_create("broker");
    TCase *core = tcase_create("core");
    tcase_add_checked_fixture(core, setup, teardown);
    tcase_set_timeout(core, 20);
    tcase_add_test(core, test_broker_request_served);
    tcase_add_test(core, test_broker_no_worker_is_503);
    tcase_add_test(core, test_broker_queue_cap_is_503);
    tcase_add_test(core, test_broker_expired_never_dispatched);
    tcase_add_test(core, test_broker_credit_respected);
    tcase_add_test(core, test_broker_least_loaded_worker);
    tcase_add_test(core, test_broker_idle_workers_take_turns);
    tcase_add_test(core, test_broker_mmi);
    suite_add_tcase(suite, core);
    TCase *faults = tcase_create("faults");
    tcase_add_checked_fixture(faults, setup, teardown);
    tcase_set_timeout(faults, 20);
    tcase_add_test(faults, test_broker_worker_killed_mid_request);
    tcase_add_test(faults, test_broker_restart_workers_reregister);
    tcase_add_test(faults, test_broker_drain_finishes_held);
    tcase_add_test(faults, test_broker_survives_malformed);
    tcase_add_test(faults, test_broker_bind_failure_reports_port);
    suite_add_tcase(suite, faults);
    return suite;
}
