// Integration suite of other systems' events: the same event arriving over
// ZeroMQ (the hub's XSUB) and over HTTP (the gateway's POST /v1/events) is
// one event, checked by one set of rules and stored in one shape; and the
// consumer-group lag /metrics shows stays true after Redis reloads its AOF.
// Real redis-server, broker, hub and gateway processes (tests/harness); a
// token worker in this process plays personnel. Register with
// `events_suite`.
#include <check.h>
#include <czmq.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cm_envelope.h"
#include "cm_events.h"
#include "cm_mdp_worker.h"
#include "cm_outbox.h"
#include "cm_redis.h"
#include "cm_store.h"
#include "cm_time.h"
#include "harness.h"
#include "http_client.h"
#include "suites.h"

#define S_ENV_COUNT   8
#define S_ENV_TEXT    128
#define S_WAIT_MS     10000
#define S_LAG_WAIT_MS 15000 // three lag refreshes of the gateway
#define S_INGEST      "sm:{ingest}:outbox"
#define S_SYSTEM_TOKEN                                                         \
    "Authorization: Bearer tok-system\r\n"                                     \
    "Content-Type: application/json\r\n"

// ---- personnel: every token is a system's ----------------------------------

typedef struct {
    char endpoint[64]; // broker
    pthread_t thread;  // its thread
    atomic_bool stop;  // ask it to leave
} s_tokens_t;

static void *
s_tokens_run(void *arg)
{
    s_tokens_t *self = arg;
    cm_mdp_worker_t *worker =
        cm_mdp_worker_new(self->endpoint, "personnel", 16, 0);
    while (worker && !atomic_load(&self->stop)) {
        zframe_t *reply_to = NULL;
        char *text = cm_mdp_worker_recv(worker, 20, &reply_to);
        json_t *request = text ? json_loads(text, 0, NULL) : NULL;
        json_t *actor = json_pack("{s:s, s:s, s:s}", "id", "SYS-PBX", "role",
                                  "system", "department", "operations");
        json_t *reply =
            request ? cm_envelope_reply_new(request, 200, NULL, actor) : NULL;
        char *answer = reply ? json_dumps(reply, JSON_COMPACT) : NULL;
        if (answer) {
            cm_mdp_worker_send(worker, answer, &reply_to);
        }
        free(answer);
        json_decref(reply);
        json_decref(actor);
        json_decref(request);
        free(text);
        zframe_destroy(&reply_to);
    }
    if (worker) {
        cm_mdp_worker_disconnect(worker);
    }
    cm_mdp_worker_destroy(&worker);
    return NULL;
}

// ---- the stack -------------------------------------------------------------

static harness_redis_t s_redis;
static harness_proc_t s_broker, s_hub, s_gateway;
static s_tokens_t s_tokens;
static int s_port;                        // gateway HTTP
static char s_xsub[64];                   // the hub's XSUB, for publishers
static char s_xpub[64];                   // the hub's XPUB, for listeners
static cm_store_t *s_store;               // the test's own Redis access
static zsock_t *s_publisher;              // PUB connected to the hub's XSUB
static http_client_response_t s_response; // big: keep it off the stack

static void
s_setup(void)
{
    zsys_init();
    zsys_set_logstream(stderr);
    ck_assert_int_eq(harness_redis_start(&s_redis), 0);
    int broker = harness_free_port(), pub = harness_free_port();
    int sub = harness_free_port();
    s_port = harness_free_port();
    char env[S_ENV_COUNT][S_ENV_TEXT];
    snprintf(env[0], S_ENV_TEXT, "SM_REDIS__PORT=%d", s_redis.port);
    snprintf(env[1], S_ENV_TEXT, "SM_BROKER__PORT=%d", broker);
    snprintf(env[2], S_ENV_TEXT, "SM_HUB__PUB_PORT=%d", pub);
    snprintf(env[3], S_ENV_TEXT, "SM_HUB__SUB_PORT=%d", sub);
    snprintf(env[4], S_ENV_TEXT, "SM_GATEWAY__PORT=%d", s_port);
    snprintf(env[5], S_ENV_TEXT, "SM_HUB__DISCOVER_MS=100");
    snprintf(env[6], S_ENV_TEXT, "SM_GATEWAY__ROUTES=staff=personnel");
    snprintf(env[7], S_ENV_TEXT, "SM_GATEWAY__RATE_PER_S=1000");
    const char *list[S_ENV_COUNT + 1];
    for (int i = 0; i < S_ENV_COUNT; i++) {
        list[i] = env[i];
    }
    list[S_ENV_COUNT] = NULL;
    ck_assert_int_eq(harness_proc_start(&s_broker, "broker", list), 0);
    ck_assert_int_eq(harness_proc_start(&s_hub, "hub", list), 0);
    ck_assert_int_eq(harness_proc_start(&s_gateway, "gateway", list), 0);
    ck_assert(harness_proc_wait_event(&s_hub, "hub.started", 1, S_WAIT_MS));
    ck_assert(
        harness_proc_wait_event(&s_gateway, "gateway.started", 1, S_WAIT_MS));
    memset(&s_tokens, 0, sizeof s_tokens);
    snprintf(s_tokens.endpoint, sizeof s_tokens.endpoint, "tcp://127.0.0.1:%d",
             broker);
    atomic_init(&s_tokens.stop, false);
    ck_assert_int_eq(
        pthread_create(&s_tokens.thread, NULL, s_tokens_run, &s_tokens), 0);
    snprintf(s_xsub, sizeof s_xsub, "tcp://127.0.0.1:%d", sub);
    snprintf(s_xpub, sizeof s_xpub, "tcp://127.0.0.1:%d", pub);
    s_store = cm_store_new("127.0.0.1", s_redis.port, NULL, 1000);
    ck_assert_ptr_nonnull(s_store);
    s_publisher = zsock_new(ZMQ_PUB);
    ck_assert_int_eq(zsock_connect(s_publisher, "%s", s_xsub), 0);
}

static void
s_teardown(void)
{
    zsock_destroy(&s_publisher);
    cm_store_destroy(&s_store);
    atomic_store(&s_tokens.stop, true);
    pthread_join(s_tokens.thread, NULL);
    harness_proc_kill(&s_gateway, SIGTERM, 5000);
    harness_proc_kill(&s_hub, SIGTERM, 5000);
    harness_proc_kill(&s_broker, SIGTERM, 5000);
    harness_redis_stop(&s_redis);
    harness_proc_cleanup(&s_gateway);
    harness_proc_cleanup(&s_hub);
    harness_proc_cleanup(&s_broker);
}

// ---- helpers ---------------------------------------------------------------

// POST /v1/events; the status. The token worker may still be registering:
// a 503 is tried again for a while.
static int
s_post(const char *body)
{
    int64_t until = cm_time_mono_ms() + S_WAIT_MS;
    do {
        http_client_request(s_port, "POST", "/v1/events", S_SYSTEM_TOKEN, body,
                            &s_response);
        if (s_response.status != 503) {
            break;
        }
        usleep(20 * 1000);
    } while (cm_time_mono_ms() < until);
    return s_response.status;
}

static long long
s_xlen(void)
{
    char *text = harness_redis_cmd(&s_redis, "XLEN", S_INGEST);
    ck_assert_ptr_nonnull(text);
    long long n = atoll(text);
    free(text);
    return n;
}

// Publish [evt.<type>][event] on the hub's XSUB until the ingest stream
// holds `length` entries (PUB drops until connected; repeats of one
// (source, id) are dropped by the hub). True when it does.
static bool
s_publish_until(const char *type, const char *event, long long length)
{
    char topic[512];
    snprintf(topic, sizeof topic, "evt.%s", type);
    int64_t until = cm_time_mono_ms() + S_WAIT_MS;
    while (s_xlen() < length && cm_time_mono_ms() < until) {
        zsock_send(s_publisher, "ss", topic, event);
        usleep(50 * 1000);
    }
    return s_xlen() >= length;
}

// The error field names of the last problem response, space-separated.
static void
s_problem_fields(char *out, size_t size)
{
    out[0] = '\0';
    json_t *problem = json_loads(s_response.body, 0, NULL);
    size_t i;
    json_t *error;
    json_array_foreach(json_object_get(problem, "errors"), i, error)
    {
        size_t used = strlen(out);
        snprintf(out + used, size - used, "%s ",
                 json_string_value(json_object_get(error, "field")));
    }
    json_decref(problem);
}

// The stored envelope of entry n (0-based) of the ingest stream, parsed.
// Caller owns the result; *text (caller frees) is the stored text.
static json_t *
s_stored(size_t n, char **text)
{
    redisReply *reply =
        cm_redis_cmd(cm_store_redis(s_store), "XRANGE", S_INGEST, "-", "+");
    ck_assert_ptr_nonnull(reply);
    ck_assert_uint_gt(reply->elements, n);
    const redisReply *fields = reply->element[n]->element[1];
    *text = NULL;
    for (size_t i = 0; !*text && i + 1 < fields->elements; i += 2) {
        if (strcmp(fields->element[i]->str, "envelope") == 0) {
            *text = strdup(fields->element[i + 1]->str);
        }
    }
    freeReplyObject(reply);
    ck_assert_ptr_nonnull(*text);
    json_t *envelope = json_loads(*text, JSON_REJECT_DUPLICATES, NULL);
    ck_assert_ptr_nonnull(envelope);
    return envelope;
}

// Forget every ingest dedupe marker, so the same event may be stored again.
static void
s_forget_seen(void)
{
    redisReply *reply =
        cm_redis_cmd(cm_store_redis(s_store), "KEYS", "sm:{ingest}:seen:*");
    ck_assert_ptr_nonnull(reply);
    for (size_t i = 0; i < reply->elements; i++) {
        redisReply *gone = cm_redis_cmd(cm_store_redis(s_store), "DEL",
                                        reply->element[i]->str);
        freeReplyObject(gone);
    }
    freeReplyObject(reply);
}

// ---- one event, two entry points -------------------------------------------

#define S_CALL                                                                 \
    "{\"specversion\":\"1.0\",\"id\":\"call-9\",\"source\":\"pbx\","           \
    "\"type\":\"call.received\",\"time\":\"2026-11-27T08:00:00+08:00\","       \
    "\"subject\":\"line/4\",\"data\":{\"from\":\"555\",\"name\":\"Zhao\"}}"

START_TEST(test_events_zeromq_then_http_is_one_event)
{
    ck_assert(s_publish_until("call.received", S_CALL, 1));
    ck_assert_int_eq(s_post(S_CALL), 202);
    ck_assert_msg(strstr(s_response.body, "\"duplicate\":true"), "got %s",
                  s_response.body);
    ck_assert_int_eq(s_xlen(), 1);
}
END_TEST

START_TEST(test_events_both_entry_points_store_one_shape)
{
    ck_assert(s_publish_until("call.received", S_CALL, 1));
    s_forget_seen();
    ck_assert_int_eq(s_post(S_CALL), 202);
    ck_assert_int_eq(s_xlen(), 2);
    char *texts[2];
    json_t *stored[2];
    for (size_t i = 0; i < 2; i++) {
        stored[i] = s_stored(i, &texts[i]);
        // Stored canonically (members sorted, compact)...
        char *canonical = json_dumps(stored[i], JSON_COMPACT | JSON_SORT_KEYS);
        ck_assert_str_eq(texts[i], canonical);
        free(canonical);
        // ... as an event envelope every consumer reads ...
        char reason[CM_ENVELOPE_REASON_MAX] = "";
        ck_assert_msg(cm_envelope_validate(stored[i], CM_ENVELOPE_EVENT, reason,
                                           sizeof reason)
                          == 0,
                      "entry %zu: %s", i, reason);
        // ... and apart from the arrival metadata, byte for byte the same.
        json_object_del(stored[i], "correlation_id");
        json_object_del(stored[i], "actor");
        free(texts[i]);
        texts[i] = json_dumps(stored[i], JSON_COMPACT | JSON_SORT_KEYS);
    }
    ck_assert_str_eq(texts[0], texts[1]);
    ck_assert_str_eq(json_string_value(json_object_get(stored[0], "id")),
                     "call-9");
    ck_assert_str_eq(json_string_value(json_object_get(stored[0], "time")),
                     "2026-11-27T00:00:00.000Z");
    for (size_t i = 0; i < 2; i++) {
        free(texts[i]);
        json_decref(stored[i]);
    }
}
END_TEST

// ---- what is accepted can be relayed
// -----------------------------------------

#define S_EVENT_OF                                                             \
    "{\"specversion\":\"1.0\",\"id\":\"%s\",\"source\":\"pbx\","               \
    "\"type\":\"%s\",\"time\":\"%s\",\"data\":{}}"

static int
s_post_event(const char *id, const char *type, const char *time)
{
    char body[1024];
    snprintf(body, sizeof body, S_EVENT_OF, id, type, time);
    return s_post(body);
}

START_TEST(test_events_http_bounds_and_dates)
{
    char fields[256];
    char type[300];
    memset(type, 'a', 252);
    type[252] = '\0';
    harness_redis_exempt_events(&s_redis, "the longest type an entry point "
                                          "accepts is a made-up one");
    ck_assert_int_eq(s_post_event("long-1", type, "2026-01-01T00:00:00Z"), 400);
    s_problem_fields(fields, sizeof fields);
    ck_assert_str_eq(fields, "type ");
    static const char *const bad_times[] = {
        "2027-02-30T00:00:00Z", "0000-01-01T00:00:00Z", "2026-04-31T10:00:00Z",
        "2026-1-01T00:00:00Z"};
    for (size_t i = 0; i < sizeof bad_times / sizeof bad_times[0]; i++) {
        ck_assert_int_eq(s_post_event("date-1", "call.received", bad_times[i]),
                         400);
        s_problem_fields(fields, sizeof fields);
        ck_assert_msg(strcmp(fields, "time ") == 0, "%s: %s", bad_times[i],
                      s_response.body);
    }
    ck_assert_int_eq(s_xlen(), 0);
    // The longest type accepted still forms a topic the hub relays.
    type[251] = '\0';
    cm_live_t *live = cm_live_new(s_store, s_xpub);
    cm_live_subscribe(live, "evt.aaa");
    ck_assert_int_eq(s_post_event("long-2", type, "2024-02-29T23:59:59Z"), 202);
    cm_event_t *event = NULL;
    ck_assert_int_eq(cm_live_next(live, S_WAIT_MS, &event), 1);
    ck_assert_str_eq(event->type, type);
    cm_event_destroy(&event);
    cm_live_destroy(&live);
}
END_TEST

// ---- lag after an AOF reload -----------------------------------------------

static int
s_ignore(cm_store_t *store, const cm_event_t *event, cm_commit_t *commit,
         void *arg)
{
    (void)store;  // unused: nothing to read
    (void)event;  // unused: only the ack matters here
    (void)commit; // unused: the marker alone is the effect
    (void)arg;    // unused: no state
    return 0;
}

// POST count events (ids <prefix>-<i>), then let the consumer take them all.
static void
s_post_and_consume(cm_consumer_t *consumer, const char *prefix, int count)
{
    for (int i = 0; i < count; i++) {
        char id[64];
        snprintf(id, sizeof id, "%s-%d", prefix, i);
        ck_assert_int_eq(
            s_post_event(id, "call.received", "2026-01-01T00:00:00Z"), 202);
    }
    int handled = 0;
    int64_t until = cm_time_mono_ms() + S_WAIT_MS;
    while (handled < count && cm_time_mono_ms() < until) {
        int rc = cm_consumer_process(consumer);
        ck_assert_int_ge(rc, 0);
        handled += rc;
    }
    ck_assert_int_eq(handled, count);
}

static void
s_rewrite_aof(void)
{
    char *started = harness_redis_cmd(&s_redis, "BGREWRITEAOF");
    ck_assert_ptr_nonnull(started);
    free(started);
    int64_t until = cm_time_mono_ms() + S_WAIT_MS;
    bool done = false;
    while (!done && cm_time_mono_ms() < until) {
        char *info = harness_redis_cmd(&s_redis, "INFO", "persistence");
        done = info && strstr(info, "aof_rewrite_in_progress:0")
               && strstr(info, "aof_rewrite_scheduled:0");
        free(info);
        usleep(20 * 1000);
    }
    ck_assert(done);
}

// The /metrics sample value after prefix, or -1 when absent.
static long long
s_metric(const char *prefix)
{
    if (http_client_request(s_port, "GET", "/metrics", NULL, NULL, &s_response)
            != 0
        || s_response.status != 200) {
        return -1;
    }
    const char *line = strstr(s_response.body, prefix);
    return line ? strtoll(line + strlen(prefix), NULL, 10) : -1;
}

START_TEST(test_events_lag_true_after_aof_reload)
{
    cm_consumer_t *consumer =
        cm_consumer_new(s_store, "reader", "vm-1", NULL, NULL);
    ck_assert_int_eq(
        cm_consumer_subscribe(consumer, "ingest", NULL, s_ignore, NULL), 0);
    s_post_and_consume(consumer, "before", 3);
    // The rewritten AOF records how far the group has read; the reads after
    // it are replayed as XCLAIM ... LASTID, which leaves that count behind.
    s_rewrite_aof();
    s_post_and_consume(consumer, "after", 4);
    harness_redis_halt(&s_redis);
    ck_assert_int_eq(harness_redis_restart(&s_redis), 0);
    // One more event, not read yet: the lag is that one entry. A group
    // made now shows in /metrics only after a refresh that read Redis again.
    ck_assert_int_eq(
        s_post_event("unread", "call.received", "2026-01-01T00:00:00Z"), 202);
    char *added = harness_redis_cmd(&s_redis, "SADD", CM_OUTBOX_REGISTRY,
                                    "sm:{probe}:outbox");
    ck_assert_str_eq(added, "1");
    free(added);
    char *created =
        harness_redis_cmd(&s_redis, "XGROUP", "CREATE", "sm:{probe}:outbox",
                          "probe", "0", "MKSTREAM");
    ck_assert_str_eq(created, "OK");
    free(created);
    const char *probe =
        "sm_outbox_lag{stream=\"sm:{probe}:outbox\",group=\"probe\"} ";
    int64_t until = cm_time_mono_ms() + S_LAG_WAIT_MS;
    while (s_metric(probe) < 0 && cm_time_mono_ms() < until) {
        usleep(200 * 1000);
    }
    long long lag = s_metric(
        "sm_outbox_lag{stream=\"sm:{ingest}:outbox\",group=\"reader\"} ");
    ck_assert_msg(lag == 1, "lag %lld; /metrics: %s", lag, s_response.body);
    ck_assert_ptr_nonnull(strstr(s_response.body,
                                 "sm_outbox_pending{stream=\"sm:{ingest}:"
                                 "outbox\",group=\"reader\"} 0\n"));
    cm_consumer_destroy(&consumer);
}
END_TEST

Suite *
events_suite(void)
{
    Suite *suite = suite_create("events");
    TCase *ingest = tcase_create("ingest");
    tcase_add_checked_fixture(ingest, s_setup, s_teardown);
    tcase_set_timeout(ingest, 60);
    tcase_add_test(ingest, test_events_zeromq_then_http_is_one_event);
    tcase_add_test(ingest, test_events_both_entry_points_store_one_shape);
    tcase_add_test(ingest, test_events_http_bounds_and_dates);
    tcase_add_test(ingest, test_events_lag_true_after_aof_reload);
    suite_add_tcase(suite, ingest);
    return suite;
}
