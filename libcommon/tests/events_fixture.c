// events_fixture — the private redis-server and store of the cm_events
// suites, and what their tests share: a producer p, a consumer group c.
#include "events_fixture.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cm_redis.h"
#include "test_redis.h"

static test_redis_t redis_server; // unchecked fixture
cm_store_t *store;                // checked fixture

void
events_server_start(void)
{
    ck_assert_int_eq(test_redis_start(&redis_server), 0);
}

void
events_server_stop(void)
{
    test_redis_stop(&redis_server);
}

void
events_setup(void)
{
    store = cm_store_new("127.0.0.1", redis_server.port, NULL, 1000);
    ck_assert_ptr_nonnull(store);
    redisReply *reply = cm_redis_cmd(cm_store_redis(store), "FLUSHALL");
    ck_assert_ptr_nonnull(reply);
    freeReplyObject(reply);
}

void
events_teardown(void)
{
    cm_store_destroy(&store);
}

long long
redis_int(const char *a, const char *b, const char *c)
{
    redisReply *reply = cm_redis_cmd(cm_store_redis(store), a, b, c);
    ck_assert_ptr_nonnull(reply);
    long long value = reply->type == REDIS_REPLY_INTEGER ? reply->integer : -1;
    freeReplyObject(reply);
    return value;
}

// Entries of sm:{p}:outbox pending for group c.
long long
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
void
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
int
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

// Append an envelope to sm:{<producer>}:outbox as its own commit.
void
produce_envelope(const char *producer, const char *envelope)
{
    cm_commit_t *commit = cm_commit_new(producer);
    cm_commit_event(commit, "x.thing.done", envelope);
    cm_commit_result_t result;
    ck_assert_int_eq(cm_store_commit(store, commit, &result), 0);
    cm_commit_result_clear(&result);
    cm_commit_destroy(&commit);
}
