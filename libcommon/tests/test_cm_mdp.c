// cm_mdp, cm_mdp_worker, cm_mdp_client against a scripted ROUTER standing in
// for the broker (the real broker's tests live in services/broker/tests).
#include <stdlib.h>
#include <string.h>

#include "cm_envelope.h"
#include "cm_mdp.h"
#include "cm_mdp_client.h"
#include "cm_mdp_worker.h"
#include "cm_time.h"
#include "suites.h"

#define TEST_HEARTBEAT_MS 50
#define TEST_WAIT_MS      3000 // upper bound of every wait; never reached

static zsock_t *router; // the fake broker, fresh for every test
static char endpoint[64];

static void
setup(void)
{
    router = zsock_new(ZMQ_ROUTER);
    ck_assert_ptr_nonnull(router);
    zsock_set_linger(router, 0);
    int port = zsock_bind(router, "tcp://127.0.0.1:*");
    ck_assert_int_gt(port, 0);
    snprintf(endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", port);
}

static void
teardown(void)
{
    zsock_destroy(&router);
}

// Pumps the worker (if any) until the router gets a worker message with
// `command`; returns it ([identity][""][MDPW01][command]...) or NULL.
static zmsg_t *
router_expect(cm_mdp_worker_t *worker, int command)
{
    int64_t until = cm_time_mono_ms() + TEST_WAIT_MS;
    while (cm_time_mono_ms() < until) {
        if (worker) {
            zframe_t *reply_to = NULL;
            char *request = cm_mdp_worker_recv(worker, 5, &reply_to);
            ck_assert_ptr_null(request);
        }
        zmq_pollitem_t item = {zsock_resolve(router), 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&item, 1, worker ? 0 : 10) <= 0) {
            continue;
        }
        zmsg_t *msg = zmsg_recv(router);
        ck_assert_ptr_nonnull(msg);
        zframe_t *frame = zmsg_first(msg);
        for (int i = 0; i < 3 && frame; i++) {
            frame = zmsg_next(msg);
        }
        if (frame && zframe_size(frame) == 1
            && *zframe_data(frame) == (byte)command) {
            return msg;
        }
        zmsg_destroy(&msg);
    }
    return NULL;
}

// Sends [identity][""][MDPW01][command] and optional tag/body to a worker.
static void
router_send_worker(zframe_t *identity, int command, const char *tag,
                   const char *body)
{
    byte code = (byte)command;
    zmsg_t *msg = zmsg_new();
    zmsg_addmem(msg, zframe_data(identity), zframe_size(identity));
    zmsg_addstr(msg, "");
    zmsg_addstr(msg, CM_MDP_WORKER);
    zmsg_addmem(msg, &code, 1);
    if (tag) {
        zmsg_addstr(msg, tag);
        zmsg_addstr(msg, "");
        zmsg_addstr(msg, body);
    }
    ck_assert_int_eq(zmsg_send(&msg, router), 0);
}

static char *
frame_text(zmsg_t *msg, size_t index)
{
    zframe_t *frame = zmsg_first(msg);
    for (size_t i = 0; i < index && frame; i++) {
        frame = zmsg_next(msg);
    }
    ck_assert_ptr_nonnull(frame);
    return zframe_strdup(frame);
}

START_TEST(test_cm_mdp_commands)
{
    ck_assert_str_eq(cm_mdp_command_name(CM_MDP_READY), "READY");
    ck_assert_ptr_null(cm_mdp_command_name(9));
    byte code = CM_MDP_HEARTBEAT;
    ck_assert_int_eq(cm_mdp_command_parse(&code, 1), CM_MDP_HEARTBEAT);
    ck_assert_int_eq(cm_mdp_command_parse(&code, 2), -1);
    code = 0;
    ck_assert_int_eq(cm_mdp_command_parse(&code, 1), -1);
    ck_assert(cm_mdp_service_is_valid("intake", 6));
    ck_assert(!cm_mdp_service_is_valid("In take", 7));
    ck_assert(!cm_mdp_service_is_valid("", 0));
}
END_TEST

// A loop on time is not overdue; one kept 7 s from a 100 ms tick is 6.9 s.
START_TEST(test_cm_mdp_overdue)
{
    int64_t last = 1000;
    ck_assert_int_eq(cm_mdp_overdue_ms(&last, 1080, 100), 0);
    ck_assert_int_eq(last, 1080);
    ck_assert_int_eq(cm_mdp_overdue_ms(&last, 8080, 100), 6900);
    ck_assert_int_eq(last, 8080);
}
END_TEST

START_TEST(test_cm_mdp_worker_ready_request_reply)
{
    cm_mdp_worker_t *worker =
        cm_mdp_worker_new(endpoint, "echo", 4, TEST_HEARTBEAT_MS);
    ck_assert_ptr_nonnull(worker);
    zmsg_t *ready = router_expect(worker, CM_MDP_READY);
    ck_assert_ptr_nonnull(ready);
    ck_assert_uint_eq(zmsg_size(ready), 6);
    char *service = frame_text(ready, 4);
    char *credit = frame_text(ready, 5);
    ck_assert_str_eq(service, "echo");
    ck_assert_str_eq(credit, "4");
    free(service);
    free(credit);
    zframe_t *identity = zmsg_pop(ready);
    router_send_worker(identity, CM_MDP_REQUEST, "tag-1", "{\"q\":1}");
    zframe_t *reply_to = NULL;
    char *request = cm_mdp_worker_recv(worker, TEST_WAIT_MS, &reply_to);
    ck_assert_str_eq(request, "{\"q\":1}");
    ck_assert(zframe_streq(reply_to, "tag-1"));
    ck_assert_uint_eq(cm_mdp_worker_held(worker), 1);
    ck_assert_int_eq(cm_mdp_worker_send(worker, "{\"a\":1}", &reply_to), 0);
    ck_assert_ptr_null(reply_to);
    ck_assert_uint_eq(cm_mdp_worker_held(worker), 0);
    zmsg_t *reply = router_expect(worker, CM_MDP_REPLY);
    ck_assert_ptr_nonnull(reply);
    char *tag = frame_text(reply, 4);
    char *body = frame_text(reply, 6);
    ck_assert_str_eq(tag, "tag-1");
    ck_assert_str_eq(body, "{\"a\":1}");
    free(tag);
    free(body);
    free(request);
    zmsg_destroy(&reply);
    zframe_destroy(&identity);
    zmsg_destroy(&ready);
    cm_mdp_worker_destroy(&worker);
    ck_assert_ptr_null(worker);
}
END_TEST

START_TEST(test_cm_mdp_worker_heartbeats)
{
    cm_mdp_worker_t *worker =
        cm_mdp_worker_new(endpoint, "echo", 1, TEST_HEARTBEAT_MS);
    zmsg_t *ready = router_expect(worker, CM_MDP_READY);
    ck_assert_ptr_nonnull(ready);
    zmsg_t *heartbeat = router_expect(worker, CM_MDP_HEARTBEAT);
    ck_assert_ptr_nonnull(heartbeat);
    ck_assert_uint_eq(zmsg_size(heartbeat), 4);
    ck_assert_int_le(cm_mdp_worker_timeout_ms(worker), TEST_HEARTBEAT_MS);
    zmsg_destroy(&heartbeat);
    zmsg_destroy(&ready);
    cm_mdp_worker_destroy(&worker);
}
END_TEST

START_TEST(test_cm_mdp_worker_ready_again_after_disconnect)
{
    cm_mdp_worker_t *worker =
        cm_mdp_worker_new(endpoint, "echo", 1, TEST_HEARTBEAT_MS);
    zmsg_t *ready = router_expect(worker, CM_MDP_READY);
    ck_assert_ptr_nonnull(ready);
    zframe_t *identity = zmsg_pop(ready);
    router_send_worker(identity, CM_MDP_DISCONNECT, NULL, NULL);
    zmsg_t *again = router_expect(worker, CM_MDP_READY);
    ck_assert_ptr_nonnull(again);
    ck_assert_uint_eq(cm_mdp_worker_ready_count(worker), 2);
    zmsg_destroy(&again);
    zframe_destroy(&identity);
    zmsg_destroy(&ready);
    cm_mdp_worker_destroy(&worker);
}
END_TEST

START_TEST(test_cm_mdp_worker_ready_again_when_broker_silent)
{
    // The fake broker never heartbeats: after LIVENESS intervals the worker
    // gives up on it and registers again.
    cm_mdp_worker_t *worker =
        cm_mdp_worker_new(endpoint, "echo", 1, TEST_HEARTBEAT_MS);
    zmsg_t *ready = router_expect(worker, CM_MDP_READY);
    ck_assert_ptr_nonnull(ready);
    zmsg_t *again = router_expect(worker, CM_MDP_READY);
    ck_assert_ptr_nonnull(again);
    ck_assert_uint_ge(cm_mdp_worker_ready_count(worker), 2);
    zmsg_destroy(&again);
    zmsg_destroy(&ready);
    cm_mdp_worker_destroy(&worker);
}
END_TEST

START_TEST(test_cm_mdp_worker_drain)
{
    cm_mdp_worker_t *worker =
        cm_mdp_worker_new(endpoint, "echo", 2, TEST_HEARTBEAT_MS);
    zmsg_t *ready = router_expect(worker, CM_MDP_READY);
    ck_assert_ptr_nonnull(ready);
    zframe_t *identity = zmsg_pop(ready);
    router_send_worker(identity, CM_MDP_REQUEST, "t1", "{}");
    zframe_t *reply_to = NULL;
    char *request = cm_mdp_worker_recv(worker, TEST_WAIT_MS, &reply_to);
    ck_assert_ptr_nonnull(request);
    ck_assert_int_eq(cm_mdp_worker_disconnect(worker), 0);
    zmsg_t *bye = router_expect(NULL, CM_MDP_DISCONNECT);
    ck_assert_ptr_nonnull(bye);
    ck_assert(!cm_mdp_worker_is_drained(worker));
    ck_assert_int_eq(cm_mdp_worker_send(worker, "{}", &reply_to), 0);
    router_send_worker(identity, CM_MDP_DISCONNECT, NULL, NULL);
    zframe_t *none = NULL;
    ck_assert_ptr_null(cm_mdp_worker_recv(worker, TEST_WAIT_MS, &none));
    ck_assert(cm_mdp_worker_is_drained(worker));
    ck_assert_uint_eq(cm_mdp_worker_held(worker), 0);
    free(request);
    zmsg_destroy(&bye);
    zframe_destroy(&identity);
    zmsg_destroy(&ready);
    cm_mdp_worker_destroy(&worker);
}
END_TEST

START_TEST(test_cm_mdp_worker_ignores_malformed)
{
    cm_mdp_worker_t *worker =
        cm_mdp_worker_new(endpoint, "echo", 1, TEST_HEARTBEAT_MS);
    zmsg_t *ready = router_expect(worker, CM_MDP_READY);
    zframe_t *identity = zmsg_pop(ready);
    zmsg_t *junk = zmsg_new();
    zmsg_addmem(junk, zframe_data(identity), zframe_size(identity));
    zmsg_addstr(junk, "garbage");
    ck_assert_int_eq(zmsg_send(&junk, router), 0);
    router_send_worker(identity, 42, NULL, NULL); // unknown command
    router_send_worker(identity, CM_MDP_REQUEST, "t", "{}");
    zframe_t *reply_to = NULL;
    char *request = cm_mdp_worker_recv(worker, TEST_WAIT_MS, &reply_to);
    ck_assert_str_eq(request, "{}"); // still serving after the junk
    free(request);
    zframe_destroy(&reply_to);
    zframe_destroy(&identity);
    zmsg_destroy(&ready);
    cm_mdp_worker_destroy(&worker);
}
END_TEST

// Replies to a client request [identity][""][MDPC01][service][body].
static void
router_reply_client(zmsg_t *request, const char *body)
{
    zmsg_t *reply = zmsg_dup(request);
    zframe_t *last = zmsg_last(reply);
    zmsg_remove(reply, last);
    zframe_destroy(&last);
    zmsg_addstr(reply, body);
    ck_assert_int_eq(zmsg_send(&reply, router), 0);
}

START_TEST(test_cm_mdp_client_send_recv)
{
    cm_mdp_client_t *client = cm_mdp_client_new(endpoint);
    ck_assert_ptr_nonnull(client);
    int64_t until = cm_time_mono_ms() + TEST_WAIT_MS;
    // IMMEDIATE: sends fail until the connection is up, then succeed.
    while (cm_mdp_client_send(client, "echo", "{\"n\":1}") != 0) {
        ck_assert_int_lt(cm_time_mono_ms(), until);
        zmq_poll(NULL, 0, 5);
    }
    zmsg_t *request = zmsg_recv(router);
    ck_assert_uint_eq(zmsg_size(request), 5);
    char *service = frame_text(request, 3);
    ck_assert_str_eq(service, "echo");
    free(service);
    router_reply_client(request, "{\"r\":1}");
    char *from = NULL;
    char *reply = cm_mdp_client_recv(client, TEST_WAIT_MS, &from);
    ck_assert_str_eq(reply, "{\"r\":1}");
    ck_assert_str_eq(from, "echo");
    ck_assert_ptr_null(cm_mdp_client_recv(client, 0, NULL));
    free(reply);
    free(from);
    zmsg_destroy(&request);
    cm_mdp_client_destroy(&client);
    ck_assert_ptr_null(client);
}
END_TEST

START_TEST(test_cm_mdp_client_send_fails_without_broker)
{
    cm_mdp_client_t *client = cm_mdp_client_new("tcp://127.0.0.1:1");
    ck_assert_ptr_nonnull(client);
    ck_assert_int_eq(cm_mdp_client_send(client, "echo", "{}"), -1);
    ck_assert_ptr_null(cm_mdp_client_call(client, "echo", "{}", 50));
    cm_mdp_client_destroy(&client);
}
END_TEST

START_TEST(test_cm_mdp_client_call_matches_correlation)
{
    cm_mdp_client_t *client = cm_mdp_client_new(endpoint);
    json_t *actor = json_pack("{s:s}", "id", "t");
    cm_envelope_request_t fields = {.type = "t.get",
                                    .source = "test",
                                    .deadline_ms = cm_time_now_ms() + 5000,
                                    .actor = actor,
                                    .method = "GET",
                                    .path = "/v1/t"};
    json_t *request = cm_envelope_request_new(&fields);
    json_t *other = json_pack("{s:s}", "id", "other-request");
    json_t *stray = cm_envelope_reply_new(other, 200, NULL, NULL);
    json_t *wanted = cm_envelope_reply_new(request, 201, NULL, NULL);
    char *stray_text = cm_envelope_encode(stray);
    char *wanted_text = cm_envelope_encode(wanted);
    char *request_text = cm_envelope_encode(request);
    // Wait for the connection, then let the fake broker answer the call.
    while (cm_mdp_client_send(client, "mmi.service", "echo") != 0) {
        zmq_poll(NULL, 0, 5);
    }
    zmsg_t *probe = zmsg_recv(router);
    zmsg_destroy(&probe);
    ck_assert_int_eq(cm_mdp_client_send(client, "t", request_text), 0);
    zmsg_t *incoming = zmsg_recv(router);
    router_reply_client(incoming, stray_text);
    router_reply_client(incoming, wanted_text);
    zmsg_destroy(&incoming);
    // The fake broker answered before the call: call sends the same
    // request again, skips the stray reply and returns the matching one.
    char *reply = cm_mdp_client_call(client, "t", request_text, TEST_WAIT_MS);
    ck_assert_ptr_nonnull(reply);
    ck_assert_str_eq(reply, wanted_text);
    free(reply);
    free(request_text);
    free(wanted_text);
    free(stray_text);
    json_decref(wanted);
    json_decref(stray);
    json_decref(other);
    json_decref(request);
    json_decref(actor);
    cm_mdp_client_destroy(&client);
}
END_TEST

START_TEST(test_cm_mdp_client_skips_malformed)
{
    cm_mdp_client_t *client = cm_mdp_client_new(endpoint);
    while (cm_mdp_client_send(client, "echo", "{}") != 0) {
        zmq_poll(NULL, 0, 5);
    }
    zmsg_t *request = zmsg_recv(router);
    zmsg_t *junk = zmsg_new();
    zmsg_addmem(junk, zframe_data(zmsg_first(request)),
                zframe_size(zmsg_first(request)));
    zmsg_addstr(junk, "not-mdp");
    ck_assert_int_eq(zmsg_send(&junk, router), 0);
    router_reply_client(request, "{\"ok\":true}");
    char *reply = cm_mdp_client_recv(client, TEST_WAIT_MS, NULL);
    ck_assert_str_eq(reply, "{\"ok\":true}");
    free(reply);
    zmsg_destroy(&request);
    cm_mdp_client_destroy(&client);
}
END_TEST

Suite *
cm_mdp_suite(void)
{
    Suite *suite = suite_create("cm_mdp");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_cm_mdp_commands);
    tcase_add_test(core, test_cm_mdp_overdue);
    suite_add_tcase(suite, core);
    TCase *worker = tcase_create("worker");
    tcase_add_checked_fixture(worker, setup, teardown);
    tcase_set_timeout(worker, 10);
    tcase_add_test(worker, test_cm_mdp_worker_ready_request_reply);
    tcase_add_test(worker, test_cm_mdp_worker_heartbeats);
    tcase_add_test(worker, test_cm_mdp_worker_ready_again_after_disconnect);
    tcase_add_test(worker, test_cm_mdp_worker_ready_again_when_broker_silent);
    tcase_add_test(worker, test_cm_mdp_worker_drain);
    tcase_add_test(worker, test_cm_mdp_worker_ignores_malformed);
    suite_add_tcase(suite, worker);
    TCase *client = tcase_create("client");
    tcase_add_checked_fixture(client, setup, teardown);
    tcase_set_timeout(client, 10);
    tcase_add_test(client, test_cm_mdp_client_send_recv);
    tcase_add_test(client, test_cm_mdp_client_send_fails_without_broker);
    tcase_add_test(client, test_cm_mdp_client_call_matches_correlation);
    tcase_add_test(client, test_cm_mdp_client_skips_malformed);
    suite_add_tcase(suite, client);
    return suite;
}
