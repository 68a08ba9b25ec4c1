// cm_store_prefetch against a private redis-server: what a batch read ahead
// answers cm_store_get (present and absent alike) until it is dropped or
// the store commits; keys not read ahead go to Redis.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_redis.h"
#include "cm_status.h"
#include "cm_store.h"
#include "suites.h"
#include "test_redis.h"

static test_redis_t redis_server; // per TCase: unchecked fixture
static cm_store_t *store;         // per test

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
    store = test_redis_store(&redis_server);
    ck_assert_ptr_nonnull(store);
}

static void
teardown(void)
{
    cm_store_destroy(&store);
}

// Write doc at key behind the store's back (another replica, say).
static void
s_write_aside(const char *key, const char *doc)
{
    redisReply *reply = cm_redis_cmd(cm_store_redis(store), "HSET", key, "doc",
                                     doc, "version", "7", NULL);
    ck_assert_ptr_nonnull(reply);
    freeReplyObject(reply);
}

// The doc text cm_store_get answers for key ("-" when absent).
static const char *
s_get(const char *key)
{
    static char text[64];
    cm_doc_t doc;
    int rc = cm_store_get(store, key, &doc);
    ck_assert(rc == 0 || rc == CM_ENOTFOUND);
    snprintf(text, sizeof text, "%s", rc == 0 ? doc.json : "-");
    cm_doc_clear(&doc);
    return text;
}

START_TEST(test_cm_prefetch_answers_until_dropped)
{
    s_write_aside("sm:{t}:case:1", "{\"a\":1}");
    const char *keys[] = {"sm:{t}:case:1", "sm:{t}:case:2"};
    cm_store_prefetch(store, keys, 2);
    s_write_aside("sm:{t}:case:1", "{\"a\":2}");
    s_write_aside("sm:{t}:case:2", "{\"b\":1}");
    s_write_aside("sm:{t}:case:3", "{\"c\":1}");
    ck_assert_str_eq(s_get("sm:{t}:case:1"), "{\"a\":1}"); // as read ahead
    ck_assert_str_eq(s_get("sm:{t}:case:1"), "{\"a\":1}"); // again
    ck_assert_str_eq(s_get("sm:{t}:case:2"), "-");         // absent then
    ck_assert_str_eq(s_get("sm:{t}:case:3"), "{\"c\":1}"); // not read ahead
    cm_store_prefetch_drop(store);
    ck_assert_str_eq(s_get("sm:{t}:case:1"), "{\"a\":2}");
    ck_assert_str_eq(s_get("sm:{t}:case:2"), "{\"b\":1}");
}
END_TEST

// A commit on the store drops what it read ahead: its own write shows.
START_TEST(test_cm_prefetch_dropped_by_a_commit)
{
    s_write_aside("sm:{t}:case:1", "{\"a\":1}");
    const char *keys[] = {"sm:{t}:case:1"};
    cm_store_prefetch(store, keys, 1);
    cm_commit_t *commit = cm_commit_new("t");
    cm_commit_doc(commit, "sm:{t}:case:1", CM_VERSION_ANY, "{\"a\":3}");
    cm_commit_result_t result;
    ck_assert_int_eq(cm_store_commit(store, commit, &result), 0);
    ck_assert_int_eq(result.outcome, CM_COMMIT_OK);
    cm_commit_result_clear(&result);
    cm_commit_destroy(&commit);
    ck_assert_str_eq(s_get("sm:{t}:case:1"), "{\"a\":3}");
}
END_TEST

// Redis gone while reading ahead: nothing is kept, and reads go to Redis
// (which answers once it is back).
START_TEST(test_cm_prefetch_unavailable_keeps_nothing)
{
    s_write_aside("sm:{t}:case:1", "{\"a\":1}");
    const char *keys[] = {"sm:{t}:case:1"};
    test_redis_halt(&redis_server);
    cm_store_prefetch(store, keys, 1);
    ck_assert_int_eq(test_redis_resume(&redis_server), 0);
    s_write_aside("sm:{t}:case:1", "{\"a\":4}");
    ck_assert_str_eq(s_get("sm:{t}:case:1"), "{\"a\":4}");
}
END_TEST

// A number and documents in one round trip: the counter moves, the
// documents answer as read then; a counter of the wrong type is an error
// and the documents' replies still leave the connection in step.
START_TEST(test_cm_prefetch_with_next_id)
{
    s_write_aside("sm:{t}:lookup:a", "{\"id\":\"A\"}");
    const char *keys[] = {"sm:{t}:lookup:a", "sm:{t}:lookup:b"};
    int64_t number = 0;
    ck_assert_int_eq(
        cm_store_next_id_prefetch(store, "t", "thing", &number, keys, 2), 0);
    ck_assert_int_eq(number, 1);
    s_write_aside("sm:{t}:lookup:a", "{\"id\":\"B\"}");
    ck_assert_str_eq(s_get("sm:{t}:lookup:a"), "{\"id\":\"A\"}");
    ck_assert_str_eq(s_get("sm:{t}:lookup:b"), "-");
    ck_assert_int_eq(cm_store_next_id(store, "t", "thing", &number), 0);
    ck_assert_int_eq(number, 2);
    // None to read: the number alone.
    ck_assert_int_eq(
        cm_store_next_id_prefetch(store, "t", "thing", &number, NULL, 0), 0);
    ck_assert_int_eq(number, 3);
    ck_assert_str_eq(s_get("sm:{t}:lookup:a"), "{\"id\":\"B\"}");
    s_write_aside("sm:{t}:counter:odd", "{}"); // a hash, not a number
    ck_assert_int_eq(
        cm_store_next_id_prefetch(store, "t", "odd", &number, keys, 1),
        CM_EINTERNAL);
    ck_assert_str_eq(s_get("sm:{t}:lookup:a"), "{\"id\":\"B\"}");
    test_redis_halt(&redis_server);
    ck_assert_int_eq(
        cm_store_next_id_prefetch(store, "t", "thing", &number, keys, 2),
        CM_EUNAVAILABLE);
    ck_assert_int_eq(test_redis_resume(&redis_server), 0);
    s_write_aside("sm:{t}:lookup:a", "{\"id\":\"C\"}"); // nothing kept
    ck_assert_str_eq(s_get("sm:{t}:lookup:a"), "{\"id\":\"C\"}");
}
END_TEST

Suite *
cm_prefetch_suite(void)
{
    Suite *s = suite_create("cm_prefetch");
    TCase *tc = tcase_create("core");
    tcase_add_unchecked_fixture(tc, server_start, server_stop);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_cm_prefetch_answers_until_dropped);
    tcase_add_test(tc, test_cm_prefetch_dropped_by_a_commit);
    tcase_add_test(tc, test_cm_prefetch_unavailable_keeps_nothing);
    suite_add_tcase(s, tc);
    // Its own server: it stops it on the way, as the test above does.
    TCase *next_id = tcase_create("next_id");
    tcase_add_unchecked_fixture(next_id, server_start, server_stop);
    tcase_add_checked_fixture(next_id, setup, teardown);
    tcase_set_timeout(next_id, 30);
    tcase_add_test(next_id, test_cm_prefetch_with_next_id);
    suite_add_tcase(s, next_id);
    return s;
}
