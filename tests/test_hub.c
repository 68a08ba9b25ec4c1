// The hub binary against a private redis-server: relay survives kill -9,
// external events on XSUB, Redis going away and coming back.
#include <czmq.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_events.h"
#include "cm_outbox.h"
#include "cm_redis.h"
#include "cm_status.h"
#include "cm_store.h"
#include "cm_time.h"
#include "harness.h"
#include "suites.h"

#define BURST_EVENTS  2000
#define BURST_KILL_AT 500 // commits done when the hub is killed
#define BURST_WAIT_MS 60000
#define EVENT_WAIT_MS 10000
#define ENV_TEXT_MAX  64

static harness_redis_t redis_server; // per test (checked fixture)
static harness_proc_t hub;           // the hub binary
#define HUB_EXTRA_MAX 4              // environment entries a fixture may add
static char env_text[4][ENV_TEXT_MAX];
static const char *env[5 + HUB_EXTRA_MAX];
static char pub_endpoint[64];
static char sub_endpoint[64];

// Start the hub (again) and wait for its nth hub.started line.
static void
hub_start_and_wait(int nth)
{
    ck_assert_int_eq(harness_proc_start(&hub, "hub", env), 0);
    ck_assert_msg(
        harness_proc_wait_event(&hub, "hub.started", nth, EVENT_WAIT_MS),
        "hub did not start, log %s", hub.log);
}

// Start redis-server and the hub with the common environment plus `extra`
// (NULL-ended, at most HUB_EXTRA_MAX entries).
static void
setup_with(const char *const *extra)
{
    ck_assert_int_eq(harness_redis_start(&redis_server), 0);
    harness_redis_exempt_events(&redis_server,
                                "the hub's own suite: made-up streams, "
                                "envelopes and external types");
    int pub_port = harness_free_port();
    int sub_port = harness_free_port();
    snprintf(env_text[0], ENV_TEXT_MAX, "SM_REDIS__PORT=%d", redis_server.port);
    snprintf(env_text[1], ENV_TEXT_MAX, "SM_HUB__PUB_PORT=%d", pub_port);
    snprintf(env_text[2], ENV_TEXT_MAX, "SM_HUB__SUB_PORT=%d", sub_port);
    snprintf(env_text[3], ENV_TEXT_MAX, "SM_HUB__DISCOVER_MS=100");
    int count = 0;
    for (; count < 4; count++) {
        env[count] = env_text[count];
    }
    for (; extra && extra[count - 4] && count < 4 + HUB_EXTRA_MAX; count++) {
        env[count] = extra[count - 4];
    }
    env[count] = NULL;
    snprintf(pub_endpoint, sizeof pub_endpoint, "tcp://127.0.0.1:%d", pub_port);
    snprintf(sub_endpoint, sizeof sub_endpoint, "tcp://127.0.0.1:%d", sub_port);
    memset(&hub, 0, sizeof hub);
    hub_start_and_wait(1);
}

static void
setup(void)
{
    setup_with(NULL);
}

// The hub removes consumers idle for 300 ms with nothing pending, checking
// every 100 ms.
static void
setup_reaping(void)
{
    static const char *const extra[] = {"SM_HUB__CONSUMER_IDLE_MS=300",
                                        "SM_HUB__TRIM_INTERVAL_MS=100", NULL};
    setup_with(extra);
}

static void
teardown(void)
{
    harness_proc_kill(&hub, SIGTERM, EVENT_WAIT_MS);
    harness_proc_cleanup(&hub);
    harness_redis_stop(&redis_server);
}

static cm_store_t *
store_new(void)
{
    cm_store_t *store =
        cm_store_new("127.0.0.1", redis_server.port, NULL, 1000);
    ck_assert_ptr_nonnull(store);
    return store;
}

static long long
redis_xlen(const char *key)
{
    char *text = harness_redis_cmd(&redis_server, "XLEN", key);
    ck_assert_ptr_nonnull(text);
    long long n = atoll(text);
    free(text);
    return n;
}

// ---- burst with kill -9
// --------------------------------------------------------

typedef struct {
    int port;             // Redis port
    atomic_int committed; // commits done so far
    atomic_int failed;    // commits that did not succeed
} burst_t;

static void *
burst_run(void *arg)
{
    burst_t *burst = arg;
    cm_store_t *store = cm_store_new("127.0.0.1", burst->port, NULL, 1000);
    for (int i = 1; store && i <= BURST_EVENTS; i++) {
        char envelope[64];
        snprintf(envelope, sizeof envelope, "{\"id\":\"b-%d\"}", i);
        cm_commit_t *commit = cm_commit_new("burst");
        cm_commit_event(commit, "burst.item.made", envelope);
        cm_commit_result_t result;
        if (cm_store_commit(store, commit, &result) != 0) {
            atomic_fetch_add(&burst->failed, 1);
        }
        cm_commit_destroy(&commit);
        atomic_fetch_add(&burst->committed, 1);
    }
    cm_store_destroy(&store);
    return NULL;
}

static int
sink_effect(cm_store_t *store, const cm_event_t *event, cm_commit_t *commit,
            void *arg)
{
    (void)store; // unused: the effect reads nothing
    (void)arg;   // unused: the effect is the ledger entry alone
    char entry[24];
    snprintf(entry, sizeof entry, "%" PRId64, event->seq);
    cm_commit_ledger(commit, "sm:{sink}:ledger:seen", entry);
    return 0;
}

// Every ledger entry holds seq i at position i: each once, in order.
static void
assert_ledger_in_order(cm_store_t *store)
{
    redisReply *reply = cm_redis_cmd(cm_store_redis(store), "XRANGE",
                                     "sm:{sink}:ledger:seen", "-", "+");
    ck_assert_ptr_nonnull(reply);
    ck_assert_int_eq(reply->elements, BURST_EVENTS);
    for (size_t i = 0; i < reply->elements; i++) {
        const redisReply *fields = reply->element[i]->element[1];
        ck_assert_int_eq(atoll(fields->element[1]->str), (long long)i + 1);
    }
    freeReplyObject(reply);
}

static void
live_take(cm_live_t *live, int64_t *live_seq)
{
    cm_event_t *event = NULL;
    while (cm_live_next(live, 0, &event) == 1) {
        ck_assert_int_eq(event->seq, *live_seq + 1);
        ck_assert_str_eq(event->stream, "sm:{burst}:outbox");
        *live_seq = event->seq;
        cm_event_destroy(&event);
    }
}

START_TEST(test_hub_kill9_mid_burst_loses_nothing)
{
    cm_store_t *live_store = store_new();
    cm_store_t *group_store = store_new();
    cm_live_t *live = cm_live_new(live_store, pub_endpoint);
    ck_assert_ptr_nonnull(live);
    cm_live_subscribe(live, "evt.burst.");
    cm_live_track(live, "sm:{burst}:outbox", 0, "0-0");
    cm_consumer_t *sink =
        cm_consumer_new(group_store, "sink", "1", pub_endpoint, NULL);
    ck_assert_int_eq(
        cm_consumer_subscribe(sink, "burst", NULL, sink_effect, NULL), 0);
    burst_t burst = {.port = redis_server.port};
    pthread_t thread;
    ck_assert_int_eq(pthread_create(&thread, NULL, burst_run, &burst), 0);

    int64_t live_seq = 0;
    bool killed = false;
    int64_t deadline = cm_time_mono_ms() + BURST_WAIT_MS;
    while ((live_seq < BURST_EVENTS
            || redis_xlen("sm:{sink}:ledger:seen") < BURST_EVENTS)
           && cm_time_mono_ms() < deadline) {
        cm_event_t *event = NULL;
        if (cm_live_next(live, 20, &event) == 1) {
            ck_assert_int_eq(event->seq, live_seq + 1);
            live_seq = event->seq;
            cm_event_destroy(&event);
        }
        live_take(live, &live_seq);
        ck_assert_int_ge(cm_consumer_poll(sink, 0), 0);
        if (!killed && atomic_load(&burst.committed) >= BURST_KILL_AT) {
            ck_assert_int_eq(harness_proc_kill(&hub, SIGKILL, 1000), 0);
            killed = true;
            hub_start_and_wait(2);
        }
    }
    pthread_join(thread, NULL);
    ck_assert(killed);
    ck_assert_int_eq(atomic_load(&burst.failed), 0);
    ck_assert_int_eq(live_seq, BURST_EVENTS);
    assert_ledger_in_order(group_store);
    cm_consumer_destroy(&sink);
    cm_live_destroy(&live);
    cm_store_destroy(&group_store);
    cm_store_destroy(&live_store);
}
END_TEST

// ---- external events on XSUB
// ---------------------------------------------------

static const char *valid_event =
    "{\"specversion\":\"1.0\",\"id\":\"ext-1\",\"source\":\"partner\",\"type\":"
    "\"partner.order."
    "placed\",\"time\":\"2026-01-02T03:04:05.000Z\",\"data\":{\"n\":1}}";

START_TEST(test_hub_rejects_invalid_external_event)
{
    cm_store_t *store = store_new();
    cm_live_t *live = cm_live_new(store, pub_endpoint);
    cm_live_subscribe(live, "evt.partner.");
    zsock_t *pub = zsock_new(ZMQ_PUB);
    ck_assert_int_eq(zsock_connect(pub, "%s", sub_endpoint), 0);
    // PUB drops until the connection is up: send until the hub reacts.
    int64_t deadline = cm_time_mono_ms() + EVENT_WAIT_MS;
    bool rejected = false;
    while (!rejected && cm_time_mono_ms() < deadline) {
        zsock_send(pub, "ss", "evt.partner.order.placed", "{not json");
        zstr_send(pub, "one frame only");
        zsock_send(pub, "ss", "evt.wrong.topic", valid_event);
        rejected = harness_proc_wait_event(&hub, "hub.ingest.rejected", 3, 50);
    }
    ck_assert(rejected);
    cm_event_t *event = NULL;
    while (!event && cm_time_mono_ms() < deadline) {
        zsock_send(pub, "ss", "evt.partner.order.placed", valid_event);
        if (cm_live_next(live, 50, &event) != 1) {
            event = NULL;
        }
    }
    ck_assert_ptr_nonnull(event);
    ck_assert_str_eq(event->type, "partner.order.placed");
    ck_assert_str_eq(event->stream, "sm:{ingest}:outbox");
    ck_assert_ptr_nonnull(strstr(event->envelope, "\"ext-1\""));
    cm_event_destroy(&event);
    // Repeats of (source, id) were dropped: one entry, and the hub lives.
    ck_assert_int_eq(redis_xlen("sm:{ingest}:outbox"), 1);
    ck_assert(harness_proc_is_alive(&hub));
    zsock_destroy(&pub);
    cm_live_destroy(&live);
    cm_store_destroy(&store);
}
END_TEST

// ---- Redis goes away
// -----------------------------------------------------------

static void
commit_one(cm_store_t *store, const char *id)
{
    char envelope[64];
    snprintf(envelope, sizeof envelope, "{\"id\":\"%s\"}", id);
    // A producer registers its outbox with the hub (cm_service does it at
    // start); this test plays the producer.
    ck_assert_int_eq(cm_outbox_register(cm_store_redis(store), "r") == 0
                         || cm_outbox_register(cm_store_redis(store), "r") == 0,
                     1);
    cm_commit_t *commit = cm_commit_new("r");
    cm_commit_event(commit, "r.thing.done", envelope);
    cm_commit_result_t result;
    int rc = cm_store_commit(store, commit, &result);
    if (rc == CM_EUNAVAILABLE) { // the old connection died with the server
        rc = cm_store_commit(store, commit, &result);
    }
    ck_assert_int_eq(rc, 0);
    cm_commit_destroy(&commit);
}

static int64_t
live_wait_seq(cm_live_t *live)
{
    cm_event_t *event = NULL;
    ck_assert_int_eq(cm_live_next(live, EVENT_WAIT_MS, &event), 1);
    int64_t seq = event->seq;
    cm_event_destroy(&event);
    return seq;
}

START_TEST(test_hub_survives_redis_outage)
{
    cm_store_t *store = store_new();
    cm_live_t *live = cm_live_new(store, pub_endpoint);
    cm_live_subscribe(live, "evt.r.");
    commit_one(store, "r-1");
    ck_assert_int_eq(live_wait_seq(live), 1);

    harness_redis_halt(&redis_server);
    ck_assert(
        harness_proc_wait_event(&hub, "redis.unavailable", 1, EVENT_WAIT_MS));
    ck_assert_int_eq(harness_redis_restart(&redis_server), 0);
    ck_assert(
        harness_proc_wait_event(&hub, "redis.reconnected", 1, EVENT_WAIT_MS));
    // Warned once for the whole outage, not once per retry.
    ck_assert_int_eq(harness_proc_count_event(&hub, "redis.unavailable"), 1);
    commit_one(store, "r-2");
    ck_assert_int_eq(live_wait_seq(live), 2);
    ck_assert(harness_proc_is_alive(&hub));
    cm_live_destroy(&live);
    cm_store_destroy(&store);
}
END_TEST

// Publish [topic][event] until the ingest stream holds `length` entries.
static bool
publish_until(zsock_t *pub, const char *topic, const char *event,
              long long length)
{
    int64_t deadline = cm_time_mono_ms() + EVENT_WAIT_MS;
    while (redis_xlen("sm:{ingest}:outbox") < length
           && cm_time_mono_ms() < deadline) {
        zsock_send(pub, "ss", topic, event);
        zclock_sleep(50); // PUB drops until connected: send again
    }
    return redis_xlen("sm:{ingest}:outbox") >= length;
}

#define AMBIGUOUS_EVENT                                                        \
    "{\"specversion\":\"1.0\",\"id\":\"%s\",\"source\":\"%s\","                \
    "\"type\":\"call.received\",\"time\":\"2026-01-02T03:04:05Z\","            \
    "\"data\":{}}"

START_TEST(test_hub_ingest_source_and_id_never_blur)
{
    zsock_t *pub = zsock_new(ZMQ_PUB);
    ck_assert_int_eq(zsock_connect(pub, "%s", sub_endpoint), 0);
    char one[256];
    char two[256];
    snprintf(one, sizeof one, AMBIGUOUS_EVENT, "call-77", "pbx|site-a");
    snprintf(two, sizeof two, AMBIGUOUS_EVENT, "site-a|call-77", "pbx");
    ck_assert(publish_until(pub, "evt.call.received", one, 1));
    // A different event whose source and id join to the same text.
    ck_assert(publish_until(pub, "evt.call.received", two, 2));
    zsock_destroy(&pub);
}
END_TEST

// The fields of every hub.ingest.rejected line of the hub's log, in order.
// Caller owns the array (json_decref).
static json_t *
rejected_lines(void)
{
    json_t *lines = json_array();
    FILE *log = fopen(hub.log, "r");
    ck_assert_ptr_nonnull(log);
    static char line[HARNESS_LINE_MAX];
    while (fgets(line, sizeof line, log)) {
        json_t *fields = json_loads(line, 0, NULL);
        const char *event = json_string_value(json_object_get(fields, "event"));
        if (event && strcmp(event, "hub.ingest.rejected") == 0) {
            json_array_append(lines, fields);
        }
        json_decref(fields);
    }
    fclose(log);
    return lines;
}

static bool
is_printable(const char *text)
{
    for (const char *c = text; *c; c++) {
        if (*c < ' ' || *c > '~') {
            return false;
        }
    }
    return true;
}

START_TEST(test_hub_rejected_names_topic_and_source)
{
    zsock_t *pub = zsock_new(ZMQ_PUB);
    ck_assert_int_eq(zsock_connect(pub, "%s", sub_endpoint), 0);
    char topic[600] = "evt.partner.\x01order";
    memset(topic + strlen(topic), 'x', 500);
    topic[sizeof topic - 1] = '\0';
    const char *event = "{\"specversion\":\"1.0\",\"id\":\"r-1\",\"source\":"
                        "\"partner\\nsys\",\"type\":\"partner.order.placed\","
                        "\"time\":\"2026-01-02T03:04:05Z\",\"data\":{}}";
    int64_t deadline = cm_time_mono_ms() + EVENT_WAIT_MS;
    while (!harness_proc_wait_event(&hub, "hub.ingest.rejected", 1, 50)
           && cm_time_mono_ms() < deadline) {
        zsock_send(pub, "ss", topic, event);
    }
    json_t *lines = rejected_lines();
    ck_assert_uint_ge(json_array_size(lines), 1);
    json_t *first = json_array_get(lines, 0);
    const char *logged_topic =
        json_string_value(json_object_get(first, "topic"));
    const char *logged_source =
        json_string_value(json_object_get(first, "source"));
    ck_assert_ptr_nonnull(logged_topic);
    ck_assert_ptr_nonnull(logged_source);
    ck_assert(is_printable(logged_topic));
    ck_assert_int_eq(strncmp(logged_topic, "evt.partner.?order", 18), 0);
    ck_assert_uint_le(strlen(logged_topic), 200);
    ck_assert_str_eq(logged_source, "partner?sys");
    json_decref(lines);
    zsock_destroy(&pub);
}
END_TEST

// ---- dead consumers
// ------------------------------------------------------------

static void
redis_ok(const char *expect, char *reply)
{
    ck_assert_ptr_nonnull(reply);
    ck_assert_str_eq(reply, expect);
    free(reply);
}

START_TEST(test_hub_removes_idle_consumers_without_pending)
{
    cm_store_t *store = store_new();
    commit_one(store, "r-1");
    commit_one(store, "r-2");
    const char *stream = "sm:{r}:outbox";
    redis_ok("OK", harness_redis_cmd(&redis_server, "XGROUP", "CREATE", stream,
                                     "g", "0"));
    // r-vm-1 read one entry and acknowledged it: a dead replica's leftover.
    redis_ok("(array 1)",
             harness_redis_cmd(&redis_server, "XREADGROUP", "GROUP", "g",
                               "r-vm-1", "COUNT", "1", "STREAMS", stream, ">"));
    redisReply *pending = cm_redis_cmd(cm_store_redis(store), "XPENDING",
                                       stream, "g", "-", "+", "1");
    ck_assert_ptr_nonnull(pending);
    ck_assert_int_eq(pending->elements, 1);
    redis_ok("1", harness_redis_cmd(&redis_server, "XACK", stream, "g",
                                    pending->element[0]->element[0]->str));
    freeReplyObject(pending);
    // r-vm-2 holds an entry: its work must stay claimable.
    redis_ok("(array 1)",
             harness_redis_cmd(&redis_server, "XREADGROUP", "GROUP", "g",
                               "r-vm-2", "COUNT", "1", "STREAMS", stream, ">"));
    ck_assert(harness_proc_wait_event(&hub, "hub.consumer.removed", 1,
                                      EVENT_WAIT_MS));
    redisReply *left =
        cm_redis_cmd(cm_store_redis(store), "XINFO", "CONSUMERS", stream, "g");
    ck_assert_ptr_nonnull(left);
    ck_assert_int_eq(left->elements, 1);
    ck_assert_str_eq(left->element[0]->element[1]->str, "r-vm-2");
    freeReplyObject(left);
    ck_assert_int_eq(harness_proc_count_event(&hub, "hub.consumer.removed"), 1);
    cm_store_destroy(&store);
}
END_TEST

Suite *
hub_suite(void)
{
    Suite *suite = suite_create("hub");
    TCase *relay = tcase_create("relay");
    tcase_add_checked_fixture(relay, setup, teardown);
    tcase_set_timeout(relay, 120);
    tcase_add_test(relay, test_hub_kill9_mid_burst_loses_nothing);
    tcase_add_test(relay, test_hub_rejects_invalid_external_event);
    tcase_add_test(relay, test_hub_survives_redis_outage);
    tcase_add_test(relay, test_hub_ingest_source_and_id_never_blur);
    tcase_add_test(relay, test_hub_rejected_names_topic_and_source);
    suite_add_tcase(suite, relay);
    TCase *reaping = tcase_create("reaping");
    tcase_add_checked_fixture(reaping, setup_reaping, teardown);
    tcase_set_timeout(reaping, 60);
    tcase_add_test(reaping, test_hub_removes_idle_consumers_without_pending);
    suite_add_tcase(suite, reaping);
    return suite;
}
