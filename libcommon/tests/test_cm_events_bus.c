// cm_events' bus side against a private redis-server, the test playing
// the hub with its own XPUB: doorbells, live listeners, outbox lag,
// trimming and discovery.
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_events.h"
#include "cm_outbox.h"
#include "cm_redis.h"
#include "cm_store.h"
#include "events_fixture.h"
#include "suites.h"

static const cm_outbox_lag_t *
lag_of(const cm_outbox_lag_t *lags, size_t count, const char *group)
{
    for (size_t i = 0; i < count; i++) {
        if (strcmp(lags[i].group, group) == 0) {
            return &lags[i];
        }
    }
    ck_abort_msg("no lag for group %s", group);
    return NULL;
}

START_TEST(test_cm_events_outbox_lags)
{
    produce(5, "p.thing.done");
    redisReply *reply = cm_redis_cmd(cm_store_redis(store), "XGROUP", "CREATE",
                                     "sm:{p}:outbox", "c", "0");
    freeReplyObject(reply);
    reply = cm_redis_cmd(cm_store_redis(store), "XGROUP", "CREATE",
                         "sm:{p}:outbox", "d", "$");
    freeReplyObject(reply);
    // Group c read two entries and acked one: 3 behind, 1 pending.
    reply = cm_redis_cmd(cm_store_redis(store), "XREADGROUP", "GROUP", "c",
                         "c-1", "COUNT", "2", "STREAMS", "sm:{p}:outbox", ">");
    char *first =
        strdup(reply->element[0]->element[1]->element[0]->element[0]->str);
    freeReplyObject(reply);
    reply = cm_redis_cmd(cm_store_redis(store), "XACK", "sm:{p}:outbox", "c",
                         first);
    freeReplyObject(reply);
    free(first);
    cm_outbox_lag_t *lags = NULL;
    size_t count = 0;
    ck_assert_int_eq(cm_outbox_register(cm_store_redis(store), "p"), 0);
    ck_assert_int_eq(cm_outbox_lags(cm_store_redis(store), &lags, &count), 0);
    ck_assert_int_eq(count, 2);
    const cm_outbox_lag_t *c = lag_of(lags, count, "c");
    ck_assert_str_eq(c->stream, "sm:{p}:outbox");
    ck_assert_int_eq(c->lag, 3);
    ck_assert_int_eq(c->pending, 1);
    ck_assert_int_eq(lag_of(lags, count, "d")->lag, 0);
    free(lags);
    // The last entry deleted: what is left after c's last-delivered entry
    // is counted by seq (entries 3 and 4), where Redis cannot tell (nil).
    reply = cm_redis_cmd(cm_store_redis(store), "XRANGE", "sm:{p}:outbox", "-",
                         "+");
    char *last = strdup(reply->element[4]->element[0]->str);
    freeReplyObject(reply);
    ck_assert_int_eq(redis_int("XDEL", "sm:{p}:outbox", last), 1);
    free(last);
    ck_assert_int_eq(cm_outbox_lags(cm_store_redis(store), &lags, &count), 0);
    ck_assert_int_eq(lag_of(lags, count, "c")->lag, 2);
    free(lags);
}
END_TEST

// ---- live ------------------------------------------------------------------

static zsock_t *
hub_new(char *endpoint, size_t size)
{
    zsock_t *xpub = zsock_new(ZMQ_XPUB);
    ck_assert_ptr_nonnull(xpub);
    zsock_set_xpub_welcome_msg(xpub, CM_EVENTS_HELLO);
    int port = zsock_bind(xpub, "tcp://127.0.0.1:*");
    ck_assert_int_gt(port, 0);
    snprintf(endpoint, size, "tcp://127.0.0.1:%d", port);
    return xpub;
}

// Wait until the subscriber's subscriptions reached the XPUB.
static void
hub_wait_subscribers(zsock_t *xpub, int subscriptions)
{
    zpoller_t *poller = zpoller_new(xpub, NULL);
    for (int seen = 0; seen < subscriptions;) {
        ck_assert_ptr_eq(zpoller_wait(poller, WAIT_MS), xpub);
        zframe_t *frame = zframe_recv(xpub);
        seen += zframe_data(frame)[0] == 1;
        zframe_destroy(&frame);
    }
    zpoller_destroy(&poller);
}

static void
hub_send_entry(zsock_t *xpub, int64_t seq)
{
    char seq_text[24];
    snprintf(seq_text, sizeof seq_text, "%" PRId64, seq);
    redisReply *reply = cm_redis_cmd(cm_store_redis(store), "XRANGE",
                                     "sm:{p}:outbox", "-", "+");
    ck_assert_int_ge((int64_t)reply->elements, seq);
    cm_event_t *event =
        cm_event_from_reply("sm:{p}:outbox", reply->element[seq - 1]);
    freeReplyObject(reply);
    ck_assert_ptr_nonnull(event);
    char topic[CM_OUTBOX_TOPIC_MAX];
    char address[CM_OUTBOX_ADDRESS_MAX];
    char *envelope = cm_event_relay_envelope(event);
    zsock_send(xpub, "ssss", cm_event_topic(event, topic, sizeof topic),
               cm_event_address(event, address, sizeof address), seq_text,
               envelope);
    free(envelope);
    cm_event_destroy(&event);
}

static int64_t
live_next_seq(cm_live_t *live)
{
    cm_event_t *event = NULL;
    ck_assert_int_eq(cm_live_next(live, WAIT_MS, &event), 1);
    int64_t seq = event->seq;
    ck_assert_ptr_nonnull(strstr(event->envelope, "\"seq\":"));
    cm_event_destroy(&event);
    return seq;
}

START_TEST(test_cm_events_live_fills_gaps)
{
    produce(6, "p.thing.done");
    char endpoint[64];
    zsock_t *xpub = hub_new(endpoint, sizeof endpoint);
    cm_live_t *live = cm_live_new(store, endpoint);
    ck_assert_ptr_nonnull(live);
    cm_live_subscribe(live, "evt.p.");
    hub_wait_subscribers(xpub, 2);
    hub_send_entry(xpub, 1);
    hub_send_entry(xpub, 4); // 2 and 3 were lost: filled from the stream
    hub_send_entry(xpub, 3); // a repeat: dropped
    hub_send_entry(xpub, 5);
    for (int64_t seq = 1; seq <= 5; seq++) {
        ck_assert_int_eq(live_next_seq(live), seq);
    }
    cm_event_t *event = NULL;
    ck_assert_int_eq(cm_live_next(live, 0, &event), 0);
    cm_live_destroy(&live);
    zsock_destroy(&xpub);
}
END_TEST

START_TEST(test_cm_events_live_hello_replays)
{
    produce(3, "p.thing.done");
    char endpoint[64];
    zsock_t *xpub = hub_new(endpoint, sizeof endpoint);
    cm_live_t *live = cm_live_new(store, endpoint);
    cm_live_subscribe(live, "evt.p.");
    cm_live_track(live, "sm:{p}:outbox", 1, "0-0"); // seen seq 1 already
    // XPUB sends its welcome only once its own thread handles the new peer.
    hub_wait_subscribers(xpub, 2);
    // The welcome message (sys.hello) alone brings 2 and 3.
    ck_assert_int_eq(live_next_seq(live), 2);
    ck_assert_int_eq(live_next_seq(live), 3);
    cm_live_destroy(&live);
    zsock_destroy(&xpub);
}
END_TEST

START_TEST(test_cm_events_doorbell_reads_its_stream)
{
    // Two producers: a doorbell of p's topic reads p's outbox only; q's
    // entry waits for its own doorbell (or the poll every poll_ms).
    char endpoint[64];
    zsock_t *xpub = hub_new(endpoint, sizeof endpoint);
    cm_consumer_t *consumer = cm_consumer_new(store, "c", "1", endpoint, NULL);
    ck_assert_ptr_nonnull(consumer);
    cm_consumer_subscribe(consumer, "p", NULL, on_event, NULL);
    cm_consumer_subscribe(consumer, "q", NULL, on_event, NULL);
    hub_wait_subscribers(xpub, 3); // sys.hello, evt.p., evt.q.
    ck_assert_int_eq(cm_consumer_poll(consumer, 0), 0); // the first: all
    (void)cm_consumer_poll(consumer, 200); // takes the welcome, if late
    produce(1, "p.thing.done");
    produce_envelope("q", "{\"id\":\"q1\"}");
    zstr_send(xpub, "evt.p.thing.done");
    ck_assert_int_eq(cm_consumer_poll(consumer, WAIT_MS), 1);
    ck_assert_int_eq(redis_int("XLEN", "sm:{c}:ledger:effects", NULL), 1);
    zstr_send(xpub, "evt.q.thing.done");
    ck_assert_int_eq(cm_consumer_poll(consumer, WAIT_MS), 1);
    ck_assert_int_eq(redis_int("XLEN", "sm:{c}:ledger:effects", NULL), 2);
    cm_consumer_destroy(&consumer);
    zsock_destroy(&xpub);
}
END_TEST

// ---- outbox
// ------------------------------------------------------------------

static void
stream_id_of(int64_t seq, char *id)
{
    redisReply *reply = cm_redis_cmd(cm_store_redis(store), "XRANGE",
                                     "sm:{p}:outbox", "-", "+");
    snprintf(id, CM_STREAM_ID_MAX, "%s",
             reply->element[seq - 1]->element[0]->str);
    freeReplyObject(reply);
}

START_TEST(test_cm_events_trim_never_below_groups)
{
    produce(20, "p.thing.done");
    redisReply *reply = cm_redis_cmd(cm_store_redis(store), "XGROUP", "CREATE",
                                     "sm:{p}:outbox", "g", "0");
    freeReplyObject(reply);
    reply = cm_redis_cmd(cm_store_redis(store), "XREADGROUP", "GROUP", "g",
                         "g-1", "COUNT", "15", "STREAMS", "sm:{p}:outbox", ">");
    freeReplyObject(reply);
    char id[CM_STREAM_ID_MAX];
    for (int64_t seq = 1; seq <= 10; seq++) { // 11..15 stay pending
        stream_id_of(seq, id);
        reply = cm_redis_cmd(cm_store_redis(store), "XACK", "sm:{p}:outbox",
                             "g", id);
        freeReplyObject(reply);
    }
    char hub_cursor[CM_STREAM_ID_MAX];
    stream_id_of(18, hub_cursor);
    int64_t trimmed = 0;
    ck_assert_int_eq(cm_outbox_trim(cm_store_redis(store), "sm:{p}:outbox",
                                    hub_cursor, 2, &trimmed),
                     0);
    // Needed from seq 11 on; 2 more kept: 1..8 go.
    ck_assert_int_eq(trimmed, 8);
    ck_assert_int_eq(redis_int("XLEN", "sm:{p}:outbox", NULL), 12);
    // The hub bound wins when it is lower: relayed up to seq 9 only.
    stream_id_of(1, hub_cursor); // the first remaining entry, seq 9
    ck_assert_int_eq(cm_outbox_trim(cm_store_redis(store), "sm:{p}:outbox",
                                    hub_cursor, 0, &trimmed),
                     0);
    ck_assert_int_eq(trimmed, 1);
}
END_TEST

START_TEST(test_cm_events_discover_and_read)
{
    produce(3, "p.thing.done");
    char **streams = NULL;
    size_t count = 0;
    // Not registered yet: only the keyspace scan finds it.
    cm_redis_t *redis = cm_store_redis(store);
    ck_assert_int_eq(cm_outbox_discover(redis, &streams, &count), 0);
    ck_assert_int_eq(count, 0);
    cm_store_strings_free(&streams, count);
    ck_assert_int_eq(cm_outbox_scan(redis, &streams, &count), 0);
    ck_assert_int_eq(count, 1);
    ck_assert_str_eq(streams[0], "sm:{p}:outbox");
    cm_store_strings_free(&streams, count);
    ck_assert_int_eq(cm_outbox_register(redis, "p"), 0);
    ck_assert_int_eq(cm_outbox_discover(redis, &streams, &count), 0);
    ck_assert_int_eq(count, 1);
    ck_assert_str_eq(streams[0], "sm:{p}:outbox");
    cm_store_strings_free(&streams, count);
    char address[CM_OUTBOX_ADDRESS_MAX];
    char stream[CM_STORE_KEY_MAX];
    char id[CM_STREAM_ID_MAX];
    cm_event_t event = {.stream = "sm:{p}:outbox", .id = "12-3"};
    cm_event_address(&event, address, sizeof address);
    ck_assert_int_eq(
        cm_event_address_parse(address, stream, sizeof stream, id, sizeof id),
        0);
    ck_assert_str_eq(stream, "sm:{p}:outbox");
    ck_assert_str_eq(id, "12-3");
    ck_assert_int_eq(
        cm_event_address_parse("nothing", stream, sizeof stream, id, sizeof id),
        -1);
    ck_assert_int_lt(cm_outbox_id_compare("9-1", "10-0"), 0);
    ck_assert_int_gt(cm_outbox_id_compare("10-2", "10-1"), 0);
}
END_TEST

Suite *
cm_events_bus_suite(void)
{
    Suite *suite = suite_create("cm_events_bus");
    TCase *core = tcase_create("core");
    tcase_add_unchecked_fixture(core, events_server_start, events_server_stop);
    tcase_add_checked_fixture(core, events_setup, events_teardown);
    tcase_set_timeout(core, 30);
    tcase_add_test(core, test_cm_events_outbox_lags);
    tcase_add_test(core, test_cm_events_live_fills_gaps);
    tcase_add_test(core, test_cm_events_live_hello_replays);
    tcase_add_test(core, test_cm_events_doorbell_reads_its_stream);
    tcase_add_test(core, test_cm_events_trim_never_below_groups);
    tcase_add_test(core, test_cm_events_discover_and_read);
    suite_add_tcase(suite, core);
    return suite;
}
