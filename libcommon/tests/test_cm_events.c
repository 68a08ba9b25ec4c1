// cm_events and cm_outbox against a private redis-server; the test plays
// the hub with its own XPUB where one is needed.
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_cloudevent.h"
#include "cm_events.h"
#include "cm_log.h"
#include "cm_outbox.h"
#include "cm_redis.h"
#include "cm_status.h"
#include "cm_store.h"
#include "cm_time.h"
#include "suites.h"
#include "test_redis.h"

#define WAIT_MS 5000

static test_redis_t redis_server; // unchecked fixture
static cm_store_t *store;         // checked fixture

static void
server_start(void)
{
    ck_assert_int_eq(test_redis_start(&redis_server), 0);
}

static void
server_stop(void)
{
    test_redis_stop(&redis_server);
}

static void
setup(void)
{
    store = cm_store_new("127.0.0.1", redis_server.port, NULL, 1000);
    ck_assert_ptr_nonnull(store);
    redisReply *reply = cm_redis_cmd(cm_store_redis(store), "FLUSHALL");
    ck_assert_ptr_nonnull(reply);
    freeReplyObject(reply);
}

static void
teardown(void)
{
    cm_store_destroy(&store);
}

static long long
redis_int(const char *a, const char *b, const char *c)
{
    redisReply *reply = cm_redis_cmd(cm_store_redis(store), a, b, c);
    ck_assert_ptr_nonnull(reply);
    long long value = reply->type == REDIS_REPLY_INTEGER ? reply->integer : -1;
    freeReplyObject(reply);
    return value;
}

// Entries of sm:{p}:outbox pending for group c.
static long long
pending_count(void)
{
    redisReply *reply =
        cm_redis_cmd(cm_store_redis(store), "XPENDING", "sm:{p}:outbox", "c");
    ck_assert_ptr_nonnull(reply);
    long long count = reply->element[0]->integer;
    freeReplyObject(reply);
    return count;
}

// n events on sm:{p}:outbox with envelope ids "e<seq>"; type `type`.
static void
produce(int n, const char *type)
{
    for (int i = 0; i < n; i++) {
        char envelope[64];
        int64_t next = redis_int("XLEN", "sm:{p}:outbox", NULL) + 1;
        snprintf(envelope, sizeof envelope, "{\"id\":\"e%" PRId64 "\"}", next);
        cm_commit_t *commit = cm_commit_new("p");
        cm_commit_event(commit, type, envelope);
        cm_commit_result_t result;
        ck_assert_int_eq(cm_store_commit(store, commit, &result), 0);
        cm_commit_destroy(&commit);
    }
}

// The effect: one ledger entry per event, holding its seq.
static int
on_event(cm_store_t *consumer_store, const cm_event_t *event,
         cm_commit_t *commit, void *arg)
{
    (void)consumer_store; // unused: the effect reads nothing
    (void)arg;            // unused: the effect needs no state
    if (strcmp(event->type, "p.thing.bad") == 0) {
        return -1;
    }
    char entry[32];
    snprintf(entry, sizeof entry, "%" PRId64, event->seq);
    cm_commit_ledger(commit, "sm:{c}:ledger:effects", entry);
    return 0;
}

static cm_consumer_t *
consumer_new(const char *replica, int claim_idle_ms)
{
    cm_consumer_options_t options;
    cm_consumer_options_default(&options);
    options.claim_idle_ms = claim_idle_ms;
    options.max_deliveries = 3;
    options.batch = 7; // several batches per process call
    cm_consumer_t *consumer =
        cm_consumer_new(store, "c", replica, NULL, &options);
    ck_assert_ptr_nonnull(consumer);
    ck_assert_int_eq(cm_consumer_subscribe(consumer, "p", NULL, on_event, NULL),
                     0);
    return consumer;
}

START_TEST(test_cm_events_group_exactly_once)
{
    produce(20, "p.thing.done");
    // Event e3 was handled before (marker set): acked, no second effect.
    redisReply *reply =
        cm_redis_cmd(cm_store_redis(store), "SET", "sm:{c}:seen:e3", "1");
    freeReplyObject(reply);
    cm_consumer_t *consumer = consumer_new("1", 60000);
    ck_assert_int_eq(cm_consumer_process(consumer), 20);
    ck_assert_int_eq(cm_consumer_process(consumer), 0);
    produce(5, "p.thing.done");
    ck_assert_int_eq(cm_consumer_poll(consumer, 0), 5);
    ck_assert_int_eq(redis_int("XLEN", "sm:{c}:ledger:effects", NULL), 24);
    ck_assert_int_eq(pending_count(), 0);
    cm_consumer_destroy(&consumer);
    ck_assert_ptr_null(consumer);
}
END_TEST

START_TEST(test_cm_events_dead_letter_after_tries)
{
    produce(2, "p.thing.done");
    produce(1, "p.thing.bad");
    cm_consumer_t *consumer = consumer_new("1", 0); // retry at once
    for (int round = 0; round < 10; round++) {
        if (redis_int("XLEN", "sm:{c}:dead", NULL) == 1) {
            break;
        }
        ck_assert_int_ge(cm_consumer_process(consumer), 0);
    }
    ck_assert_int_eq(redis_int("XLEN", "sm:{c}:dead", NULL), 1);
    ck_assert_int_eq(redis_int("XLEN", "sm:{c}:ledger:effects", NULL), 2);
    ck_assert_int_eq(pending_count(), 0);
    cm_consumer_destroy(&consumer);
}
END_TEST

START_TEST(test_cm_events_claims_dead_replica)
{
    produce(4, "p.thing.done");
    cm_consumer_t *first = consumer_new("1", 60000); // creates the group
    cm_consumer_destroy(&first);
    // Replica "dead" read everything and vanished before acking.
    redisReply *reply =
        cm_redis_cmd(cm_store_redis(store), "XREADGROUP", "GROUP", "c",
                     "c-dead", "STREAMS", "sm:{p}:outbox", ">");
    freeReplyObject(reply);
    cm_consumer_t *second = consumer_new("2", 0);
    ck_assert_int_eq(cm_consumer_process(second), 4);
    ck_assert_int_eq(redis_int("XLEN", "sm:{c}:ledger:effects", NULL), 4);
    cm_consumer_destroy(&second);
}
END_TEST

// A handler that writes document sm:{c}:thing:1 at the version it read, and
// meanwhile (the first `races` times) lets a "concurrent request" bump it.
typedef struct {
    int races; // conflicts still to cause
    int calls; // handler runs
} racer_t;

static void
bump_thing(void)
{
    cm_commit_t *other = cm_commit_new("c");
    cm_commit_doc(other, "sm:{c}:thing:1", CM_VERSION_ANY, "{}");
    cm_commit_result_t result;
    ck_assert_int_eq(cm_store_commit(store, other, &result), 0);
    cm_commit_result_clear(&result);
    cm_commit_destroy(&other);
}

static int
on_event_racing(cm_store_t *consumer_store, const cm_event_t *event,
                cm_commit_t *commit, void *arg)
{
    (void)event; // every event has the same effect
    racer_t *racer = arg;
    racer->calls++;
    cm_doc_t doc;
    int64_t version = CM_VERSION_NEW;
    int rc = cm_store_get(consumer_store, "sm:{c}:thing:1", &doc);
    if (rc == 0) {
        version = doc.version;
        cm_doc_clear(&doc);
    } else if (rc != CM_ENOTFOUND) {
        return rc;
    }
    cm_commit_doc(commit, "sm:{c}:thing:1", version, "{}");
    if (racer->races > 0) {
        racer->races--;
        bump_thing();
    }
    return 0;
}

static cm_consumer_t *
racing_consumer_new(racer_t *racer)
{
    cm_consumer_t *consumer = cm_consumer_new(store, "c", "1", NULL, NULL);
    ck_assert_ptr_nonnull(consumer);
    ck_assert_int_eq(
        cm_consumer_subscribe(consumer, "p", NULL, on_event_racing, racer), 0);
    return consumer;
}

START_TEST(test_cm_events_conflict_retried_at_once)
{
    produce(1, "p.thing.done");
    racer_t racer = {.races = CM_EVENTS_ATTEMPTS - 1};
    cm_consumer_t *consumer = racing_consumer_new(&racer);
    // Two version conflicts, then the third try re-reads and commits; no
    // wait for XAUTOCLAIM (claim_idle_ms is 30 s).
    ck_assert_int_eq(cm_consumer_process(consumer), 1);
    ck_assert_int_eq(racer.calls, CM_EVENTS_ATTEMPTS);
    cm_doc_t doc;
    ck_assert_int_eq(cm_store_get(store, "sm:{c}:thing:1", &doc), 0);
    ck_assert_int_eq(doc.version, CM_EVENTS_ATTEMPTS); // 2 bumps, our write
    cm_doc_clear(&doc);
    ck_assert_int_eq(redis_int("EXISTS", "sm:{c}:seen:e1", NULL), 1);
    ck_assert_int_eq(pending_count(), 0);
    cm_consumer_destroy(&consumer);
}
END_TEST

static int
on_event_nothing(cm_store_t *s, const cm_event_t *event, cm_commit_t *commit,
                 void *arg)
{
    (void)s;
    (void)event;
    (void)commit;
    (*(int *)arg)++;
    return 0;
}

// An event the handler adds nothing for is acked without a commit: no
// dedupe marker is written, and nothing is left pending.
START_TEST(test_cm_events_no_effect_no_commit)
{
    produce(2, "p.thing.ignored");
    int calls = 0;
    cm_consumer_t *consumer = cm_consumer_new(store, "c", "1", NULL, NULL);
    ck_assert_ptr_nonnull(consumer);
    ck_assert_int_eq(
        cm_consumer_subscribe(consumer, "p", NULL, on_event_nothing, &calls),
        0);
    ck_assert_int_eq(cm_consumer_process(consumer), 2);
    ck_assert_int_eq(calls, 2);
    ck_assert_int_eq(redis_int("EXISTS", "sm:{c}:seen:e1", NULL), 0);
    ck_assert_int_eq(redis_int("EXISTS", "sm:{c}:seen:e2", NULL), 0);
    ck_assert_int_eq(pending_count(), 0);
    cm_consumer_destroy(&consumer);
}
END_TEST

START_TEST(test_cm_events_conflicts_left_for_claim)
{
    produce(1, "p.thing.done");
    racer_t racer = {.races = CM_EVENTS_ATTEMPTS};
    cm_consumer_t *consumer = racing_consumer_new(&racer);
    // Every try of this delivery conflicts: it stays pending, unacked.
    ck_assert_int_eq(cm_consumer_process(consumer), 0);
    ck_assert_int_eq(racer.calls, CM_EVENTS_ATTEMPTS);
    ck_assert_int_eq(redis_int("EXISTS", "sm:{c}:seen:e1", NULL), 0);
    ck_assert_int_eq(pending_count(), 1);
    cm_consumer_destroy(&consumer);
}
END_TEST

// Records the log correlation id the handler runs under, and the events.
typedef struct {
    char correlations[4][64]; // one per call
    int calls;                // handler runs
} witness_t;

static int
on_event_witness(cm_store_t *consumer_store, const cm_event_t *event,
                 cm_commit_t *commit, void *arg)
{
    (void)consumer_store; // nothing to read
    witness_t *witness = arg;
    const char *correlation = cm_log_correlation();
    if (witness->calls < 4) {
        snprintf(witness->correlations[witness->calls], 64, "%s",
                 correlation ? correlation : "(none)");
    }
    witness->calls++;
    cm_commit_ledger(commit, "sm:{c}:ledger:effects", event->id);
    return 0;
}

// Append an envelope to sm:{<producer>}:outbox as its own commit.
static void
produce_envelope(const char *producer, const char *envelope)
{
    cm_commit_t *commit = cm_commit_new(producer);
    cm_commit_event(commit, "x.thing.done", envelope);
    cm_commit_result_t result;
    ck_assert_int_eq(cm_store_commit(store, commit, &result), 0);
    cm_commit_result_clear(&result);
    cm_commit_destroy(&commit);
}

START_TEST(test_cm_events_ingest_dedupe_by_source_and_id)
{
    // Two systems may use the same id; a repeat from one system is a repeat.
    produce_envelope("ingest", "{\"id\":\"x1\",\"source\":\"pbx/a\"}");
    produce_envelope("ingest", "{\"id\":\"x1\",\"source\":\"pbx/b\"}");
    produce_envelope("ingest", "{\"id\":\"x1\",\"source\":\"pbx/a\"}");
    // Our own outboxes keep the envelope id alone (sources are services).
    produce_envelope("p", "{\"id\":\"e9\",\"source\":\"p\"}");
    produce_envelope("p", "{\"id\":\"e9\",\"source\":\"p\"}");
    witness_t witness = {.calls = 0};
    cm_consumer_t *consumer = cm_consumer_new(store, "c", "1", NULL, NULL);
    cm_consumer_subscribe(consumer, CM_EVENTS_INGEST, NULL, on_event_witness,
                          &witness);
    cm_consumer_subscribe(consumer, "p", NULL, on_event_witness, &witness);
    ck_assert_int_eq(cm_consumer_process(consumer), 5);
    ck_assert_int_eq(redis_int("XLEN", "sm:{c}:ledger:effects", NULL), 3);
    char marker[CM_STORE_KEY_MAX];
    cm_cloudevent_marker(marker, sizeof marker, "c", "pbx/a", "x1");
    ck_assert_int_eq(redis_int("EXISTS", marker, NULL), 1);
    cm_cloudevent_marker(marker, sizeof marker, "c", "pbx/b", "x1");
    ck_assert_int_eq(redis_int("EXISTS", marker, NULL), 1);
    ck_assert_int_eq(redis_int("EXISTS", "sm:{c}:seen:x1", NULL), 0);
    ck_assert_int_eq(redis_int("EXISTS", "sm:{c}:seen:e9", NULL), 1);
    cm_consumer_destroy(&consumer);
}
END_TEST

START_TEST(test_cm_events_handler_runs_under_correlation)
{
    produce_envelope("p", "{\"id\":\"e1\",\"correlation_id\":\"req-7\"}");
    produce_envelope("p", "{\"id\":\"e2\"}");
    witness_t witness = {.calls = 0};
    cm_consumer_t *consumer = cm_consumer_new(store, "c", "1", NULL, NULL);
    cm_consumer_subscribe(consumer, "p", NULL, on_event_witness, &witness);
    cm_log_set_correlation("outer");
    ck_assert_int_eq(cm_consumer_process(consumer), 2);
    ck_assert_str_eq(witness.correlations[0], "req-7");
    ck_assert_str_eq(witness.correlations[1], "e2"); // no correlation_id
    ck_assert_str_eq(cm_log_correlation(), "outer"); // restored after
    cm_log_set_correlation(NULL);
    cm_consumer_destroy(&consumer);
}
END_TEST

// Calls of a Redis command since the last CONFIG RESETSTAT.
static long long
command_calls(const char *command)
{
    redisReply *reply =
        cm_redis_cmd(cm_store_redis(store), "INFO", "commandstats");
    ck_assert_ptr_nonnull(reply);
    ck_assert_int_eq(reply->type, REDIS_REPLY_STRING);
    char pattern[64];
    snprintf(pattern, sizeof pattern, "cmdstat_%s:calls=", command);
    const char *at = strstr(reply->str, pattern);
    long long calls = at ? strtoll(at + strlen(pattern), NULL, 10) : 0;
    freeReplyObject(reply);
    return calls;
}

static void
reset_command_stats(void)
{
    redisReply *reply =
        cm_redis_cmd(cm_store_redis(store), "CONFIG", "RESETSTAT");
    ck_assert_ptr_nonnull(reply);
    freeReplyObject(reply);
}

START_TEST(test_cm_events_one_ack_per_read)
{
    produce(20, "p.thing.done");
    cm_consumer_t *consumer = consumer_new("1", 60000); // batch 7
    reset_command_stats();
    ck_assert_int_eq(cm_consumer_process(consumer), 20);
    ck_assert_int_eq(command_calls("fcall"), 20); // one commit per event
    ck_assert_int_eq(command_calls("xack"), 3);   // reads of 7, 7 and 6
    ck_assert_int_eq(pending_count(), 0);
    cm_consumer_destroy(&consumer);
}
END_TEST

START_TEST(test_cm_events_handler_reads_earlier_commit_of_read)
{
    // Each handler writes the document at the version it read: it must see
    // the commit of the event before it in the same read (no conflict).
    produce(10, "p.thing.done");
    racer_t racer = {.races = 0};
    cm_consumer_t *consumer = racing_consumer_new(&racer);
    ck_assert_int_eq(cm_consumer_process(consumer), 10);
    ck_assert_int_eq(racer.calls, 10);
    cm_doc_t doc;
    ck_assert_int_eq(cm_store_get(store, "sm:{c}:thing:1", &doc), 0);
    ck_assert_int_eq(doc.version, 10);
    cm_doc_clear(&doc);
    cm_consumer_destroy(&consumer);
}
END_TEST

START_TEST(test_cm_events_backlog_polled_at_once)
{
    // More than one process call reads (64 reads of 1): the next poll goes
    // on at once instead of waiting for a doorbell the hub already rang.
    produce(70, "p.thing.done");
    cm_consumer_options_t options;
    cm_consumer_options_default(&options);
    options.batch = 1;
    cm_consumer_t *consumer = cm_consumer_new(store, "c", "1", NULL, &options);
    cm_consumer_subscribe(consumer, "p", NULL, on_event, NULL);
    ck_assert_int_eq(cm_consumer_poll(consumer, 0), 64);
    ck_assert_int_eq(cm_consumer_poll(consumer, 0), 6);
    ck_assert_int_eq(cm_consumer_poll(consumer, 0), 0); // poll not due
    cm_consumer_destroy(&consumer);
}
END_TEST

// What the lanes' handler saw (under lock: it runs on several threads).
#define LANES_SUBJECTS 8
typedef struct {
    pthread_mutex_t lock;
    pthread_t threads[CM_EVENTS_LANES_MAX]; // distinct handler threads
    int thread_count;
    int calls;
    int failures; // a read or write that went wrong (asserted after)
} lanes_witness_t;

// Bump the subject's document at the version this lane's store reads: two
// events of one subject handled at once would conflict and be tried again,
// so the final version counts the subject's events only if each saw the
// commit of the one before.
static int
on_event_lanes(cm_store_t *lane_store, const cm_event_t *event,
               cm_commit_t *commit, void *arg)
{
    lanes_witness_t *witness = arg;
    pthread_mutex_lock(&witness->lock);
    witness->calls++;
    int seen = 0;
    while (seen < witness->thread_count
           && !pthread_equal(witness->threads[seen], pthread_self())) {
        seen++;
    }
    if (seen == witness->thread_count
        && witness->thread_count < CM_EVENTS_LANES_MAX) {
        witness->threads[witness->thread_count++] = pthread_self();
    }
    pthread_mutex_unlock(&witness->lock);
    json_t *envelope = json_loads(event->envelope, 0, NULL);
    char key[64];
    snprintf(key, sizeof key, "sm:{c}:subject:%s",
             json_string_value(json_object_get(envelope, "subject")));
    json_decref(envelope);
    cm_doc_t doc;
    int64_t version = CM_VERSION_NEW;
    int rc = cm_store_get(lane_store, key, &doc);
    if (rc == 0) {
        version = doc.version;
        cm_doc_clear(&doc);
    } else if (rc != CM_ENOTFOUND) {
        pthread_mutex_lock(&witness->lock);
        witness->failures++;
        pthread_mutex_unlock(&witness->lock);
        return rc;
    }
    cm_commit_doc(commit, key, version, "{}");
    return 0;
}

START_TEST(test_cm_events_by_subject_lanes)
{
    // 80 events about 8 subjects, interleaved: handled on several threads,
    // each subject's events one after another in entry order.
    for (int i = 0; i < 10 * LANES_SUBJECTS; i++) {
        char envelope[96];
        snprintf(envelope, sizeof envelope,
                 "{\"id\":\"e%d\",\"subject\":\"s%d\"}", i, i % LANES_SUBJECTS);
        produce_envelope("p", envelope);
    }
    lanes_witness_t witness = {.thread_count = 0};
    pthread_mutex_init(&witness.lock, NULL);
    cm_consumer_options_t options;
    cm_consumer_options_default(&options);
    options.lanes = 4;
    options.batch = 30; // several reads, each spread over the lanes
    cm_consumer_t *consumer = cm_consumer_new(store, "c", "1", NULL, &options);
    ck_assert_int_eq(cm_consumer_subscribe_by_subject(consumer, "p", NULL,
                                                      on_event_lanes, &witness),
                     0);
    ck_assert_int_eq(cm_consumer_process(consumer), 10 * LANES_SUBJECTS);
    ck_assert_int_eq(witness.calls,
                     10 * LANES_SUBJECTS); // no conflict, no retry
    ck_assert_int_eq(witness.failures, 0);
    ck_assert_int_ge(witness.thread_count, 2);
    ck_assert(!pthread_equal(witness.threads[0], pthread_self()));
    for (int s = 0; s < LANES_SUBJECTS; s++) {
        char key[64];
        snprintf(key, sizeof key, "sm:{c}:subject:s%d", s);
        cm_doc_t doc;
        ck_assert_int_eq(cm_store_get(store, key, &doc), 0);
        ck_assert_int_eq(doc.version, 10);
        cm_doc_clear(&doc);
    }
    ck_assert_int_eq(pending_count(), 0);
    // Nothing new: the lanes idle; destroy stops and joins them.
    ck_assert_int_eq(cm_consumer_process(consumer), 0);
    cm_consumer_destroy(&consumer);
    pthread_mutex_destroy(&witness.lock);
}
END_TEST

static cm_consumer_t *
pipelined_consumer_new(cm_consumer_fn *fn, void *arg)
{
    cm_consumer_options_t options;
    cm_consumer_options_default(&options);
    options.claim_idle_ms = 0; // retry at once
    options.max_deliveries = 3;
    options.batch = 7;
    cm_consumer_t *consumer = cm_consumer_new(store, "c", "1", NULL, &options);
    ck_assert_ptr_nonnull(consumer);
    ck_assert_int_eq(
        cm_consumer_subscribe_pipelined(consumer, "p", NULL, fn, arg), 0);
    return consumer;
}

START_TEST(test_cm_events_pipelined_exactly_once)
{
    produce(20, "p.thing.done");
    produce(1, "p.thing.bad");
    redisReply *reply =
        cm_redis_cmd(cm_store_redis(store), "SET", "sm:{c}:seen:e3", "1");
    freeReplyObject(reply);
    cm_consumer_t *consumer = pipelined_consumer_new(on_event, NULL);
    reset_command_stats();
    ck_assert_int_eq(cm_consumer_process(consumer), 20); // e3: seen before
    ck_assert_int_eq(command_calls("fcall"), 20); // the bad one has no commit
    ck_assert_int_eq(command_calls("xack"), 3);
    ck_assert_int_eq(pending_count(), 1);
    for (int round = 0; round < 10; round++) {
        if (redis_int("XLEN", "sm:{c}:dead", NULL) == 1) {
            break;
        }
        ck_assert_int_ge(cm_consumer_process(consumer), 0);
    }
    ck_assert_int_eq(redis_int("XLEN", "sm:{c}:dead", NULL), 1);
    ck_assert_int_eq(redis_int("XLEN", "sm:{c}:ledger:effects", NULL), 19);
    ck_assert_int_eq(redis_int("EXISTS", "sm:{c}:seen:e20", NULL), 1);
    ck_assert_int_eq(pending_count(), 0);
    cm_consumer_destroy(&consumer);
}
END_TEST

START_TEST(test_cm_events_pipelined_conflict_retried)
{
    produce(1, "p.thing.done");
    racer_t racer = {.races = 1};
    cm_consumer_t *consumer = pipelined_consumer_new(on_event_racing, &racer);
    // The pipelined first try conflicts; the retry on its own commits.
    ck_assert_int_eq(cm_consumer_process(consumer), 1);
    ck_assert_int_eq(racer.calls, 2);
    cm_doc_t doc;
    ck_assert_int_eq(cm_store_get(store, "sm:{c}:thing:1", &doc), 0);
    ck_assert_int_eq(doc.version, 2); // the bump, then our write
    cm_doc_clear(&doc);
    ck_assert_int_eq(pending_count(), 0);
    cm_consumer_destroy(&consumer);
}
END_TEST

START_TEST(test_cm_events_pipelined_repeat_in_one_read)
{
    // The same event twice in one read: both commits carry the same marker;
    // the second is DUPLICATE, and both entries are acked.
    produce_envelope("p", "{\"id\":\"e9\",\"correlation_id\":\"req-9\"}");
    produce_envelope("p", "{\"id\":\"e9\",\"correlation_id\":\"req-9\"}");
    produce_envelope("p", "{\"id\":\"e10\"}");
    witness_t witness = {.calls = 0};
    cm_consumer_t *consumer =
        pipelined_consumer_new(on_event_witness, &witness);
    cm_log_set_correlation("outer");
    ck_assert_int_eq(cm_consumer_process(consumer), 3);
    ck_assert_int_eq(witness.calls, 3);
    ck_assert_str_eq(witness.correlations[0], "req-9");
    ck_assert_str_eq(witness.correlations[2], "e10");
    ck_assert_str_eq(cm_log_correlation(), "outer");
    cm_log_set_correlation(NULL);
    ck_assert_int_eq(redis_int("XLEN", "sm:{c}:ledger:effects", NULL), 2);
    ck_assert_int_eq(pending_count(), 0);
    cm_consumer_destroy(&consumer);
}
END_TEST

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
cm_events_suite(void)
{
    Suite *suite = suite_create("cm_events");
    TCase *core = tcase_create("core");
    tcase_add_unchecked_fixture(core, server_start, server_stop);
    tcase_add_checked_fixture(core, setup, teardown);
    tcase_set_timeout(core, 30);
    tcase_add_test(core, test_cm_events_group_exactly_once);
    tcase_add_test(core, test_cm_events_dead_letter_after_tries);
    tcase_add_test(core, test_cm_events_claims_dead_replica);
    tcase_add_test(core, test_cm_events_conflict_retried_at_once);
    tcase_add_test(core, test_cm_events_no_effect_no_commit);
    tcase_add_test(core, test_cm_events_conflicts_left_for_claim);
    tcase_add_test(core, test_cm_events_ingest_dedupe_by_source_and_id);
    tcase_add_test(core, test_cm_events_handler_runs_under_correlation);
    tcase_add_test(core, test_cm_events_one_ack_per_read);
    tcase_add_test(core, test_cm_events_handler_reads_earlier_commit_of_read);
    tcase_add_test(core, test_cm_events_backlog_polled_at_once);
    tcase_add_test(core, test_cm_events_by_subject_lanes);
    tcase_add_test(core, test_cm_events_pipelined_exactly_once);
    tcase_add_test(core, test_cm_events_pipelined_conflict_retried);
    tcase_add_test(core, test_cm_events_pipelined_repeat_in_one_read);
    tcase_add_test(core, test_cm_events_outbox_lags);
    tcase_add_test(core, test_cm_events_live_fills_gaps);
    tcase_add_test(core, test_cm_events_live_hello_replays);
    tcase_add_test(core, test_cm_events_doorbell_reads_its_stream);
    tcase_add_test(core, test_cm_events_trim_never_below_groups);
    tcase_add_test(core, test_cm_events_discover_and_read);
    suite_add_tcase(suite, core);
    return suite;
}
