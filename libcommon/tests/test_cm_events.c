// cm_consumer against a private redis-server (events_fixture): exactly
// once, retries, claims, dead letters, pipelined reads and lanes.
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
#include "events_fixture.h"
#include "suites.h"

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

// Records which read delivered each event (cm_event_t.read).
typedef struct {
    uint64_t reads[32];
    int count;
} read_log_t;

static int
on_event_note_read(cm_store_t *consumer_store, const cm_event_t *event,
                   cm_commit_t *commit, void *arg)
{
    read_log_t *log = arg;
    if (log->count < 32) {
        log->reads[log->count++] = event->read;
    }
    return on_event(consumer_store, event, commit, NULL);
}

START_TEST(test_cm_events_read_ordinal_per_read)
{
    produce(20, "p.thing.done");
    cm_consumer_options_t options;
    cm_consumer_options_default(&options);
    options.batch = 7; // reads of 7, 7 and 6
    cm_consumer_t *consumer = cm_consumer_new(store, "c", "1", NULL, &options);
    ck_assert_ptr_nonnull(consumer);
    read_log_t log = {.count = 0};
    ck_assert_int_eq(
        cm_consumer_subscribe(consumer, "p", NULL, on_event_note_read, &log),
        0);
    ck_assert_int_eq(cm_consumer_process(consumer), 20);
    ck_assert_int_eq(log.count, 20);
    for (int i = 0; i < 20; i++) {
        ck_assert_uint_gt(log.reads[i], 0);
        // The same within a read of 7, a new one after it.
        ck_assert_uint_eq(log.reads[i], log.reads[i / 7 * 7]);
        if (i % 7 == 0 && i > 0) {
            ck_assert_uint_gt(log.reads[i], log.reads[i - 1]);
        }
    }
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

Suite *
cm_events_suite(void)
{
    Suite *suite = suite_create("cm_events");
    TCase *core = tcase_create("core");
    tcase_add_unchecked_fixture(core, events_server_start, events_server_stop);
    tcase_add_checked_fixture(core, events_setup, events_teardown);
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
    tcase_add_test(core, test_cm_events_read_ordinal_per_read);
    tcase_add_test(core, test_cm_events_handler_reads_earlier_commit_of_read);
    tcase_add_test(core, test_cm_events_backlog_polled_at_once);
    tcase_add_test(core, test_cm_events_by_subject_lanes);
    tcase_add_test(core, test_cm_events_pipelined_exactly_once);
    tcase_add_test(core, test_cm_events_pipelined_conflict_retried);
    tcase_add_test(core, test_cm_events_pipelined_repeat_in_one_read);
    suite_add_tcase(suite, core);
    return suite;
}
