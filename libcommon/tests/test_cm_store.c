// cm_store / cm_redis against a private redis-server (test_redis.h).
#include <stdlib.h>
#include <string.h>

#include "cm_redis.h"
#include "cm_status.h"
#include "cm_store.h"
#include "suites.h"
#include "test_redis.h"

static test_redis_t redis_server; // per TCase: unchecked fixture
static cm_store_t *store;         // per test: checked fixture

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

static cm_commit_t *
case_commit(int64_t expected, const char *doc, const char *state)
{
    cm_commit_t *commit = cm_commit_new("t");
    cm_commit_doc(commit, "sm:{t}:case:1", expected, doc);
    cm_commit_field(commit, "state", state);
    cm_commit_index_add(commit, "sm:{t}:idx:state:open", "1", 1000);
    cm_commit_ledger(commit, "sm:{t}:ledger:cases", "{\"n\":1}");
    cm_commit_event(commit, "t.case.saved", "{\"id\":\"e1\"}");
    return commit;
}

START_TEST(test_cm_store_commit_happy_path)
{
    cm_commit_t *commit = case_commit(CM_VERSION_NEW, "{\"a\":1}", "open");
    cm_commit_result_t result;
    ck_assert_int_eq(cm_store_commit(store, commit, &result), 0);
    ck_assert_int_eq(result.outcome, CM_COMMIT_OK);
    ck_assert_int_eq(result.version_count, 1);
    ck_assert_int_eq(result.versions[0], 1);
    ck_assert_int_eq(result.event_count, 1);
    ck_assert_int_eq(result.seqs[0], 1);
    ck_assert_str_ne(result.epoch, "");
    char epoch[CM_EPOCH_MAX];
    snprintf(epoch, sizeof epoch, "%s", result.epoch);
    cm_commit_destroy(&commit);

    cm_doc_t doc;
    ck_assert_int_eq(cm_store_get(store, "sm:{t}:case:1", &doc), 0);
    ck_assert_str_eq(doc.json, "{\"a\":1}");
    ck_assert_int_eq(doc.version, 1);
    ck_assert_str_eq(doc.state, "open");
    cm_doc_clear(&doc);

    commit = case_commit(1, "{\"a\":2}", "closed");
    ck_assert_int_eq(cm_store_commit(store, commit, &result), 0);
    ck_assert_int_eq(result.versions[0], 2);
    ck_assert_int_eq(result.seqs[0], 2);
    ck_assert_str_eq(result.epoch, epoch);
    cm_commit_destroy(&commit);
    ck_assert_int_eq(redis_int("XLEN", "sm:{t}:outbox", NULL), 2);
    ck_assert_int_eq(redis_int("XLEN", "sm:{t}:ledger:cases", NULL), 2);
    ck_assert_int_eq(cm_store_get(store, "sm:{t}:case:2", &doc), CM_ENOTFOUND);
}
END_TEST

START_TEST(test_cm_store_conflict_writes_nothing)
{
    cm_commit_t *commit = case_commit(CM_VERSION_NEW, "{}", "open");
    cm_commit_result_t result;
    ck_assert_int_eq(cm_store_commit(store, commit, &result), 0);
    cm_commit_destroy(&commit);

    commit = cm_commit_new("t");
    cm_commit_doc(commit, "sm:{t}:case:2", CM_VERSION_NEW, "{}");
    cm_commit_doc(commit, "sm:{t}:case:1", 7, "{}");
    cm_commit_event(commit, "t.case.saved", "{}");
    ck_assert_int_eq(cm_store_commit(store, commit, &result), 0);
    ck_assert_int_eq(result.outcome, CM_COMMIT_CONFLICT);
    ck_assert_str_eq(result.conflict_key, "sm:{t}:case:1");
    ck_assert_int_eq(result.conflict_version, 1);
    cm_commit_destroy(&commit);
    ck_assert_int_eq(redis_int("EXISTS", "sm:{t}:case:2", NULL), 0);
    ck_assert_int_eq(redis_int("XLEN", "sm:{t}:outbox", NULL), 1);

    commit = case_commit(CM_VERSION_NEW, "{}", "open"); // exists already
    ck_assert_int_eq(cm_store_commit(store, commit, &result), 0);
    ck_assert_int_eq(result.outcome, CM_COMMIT_CONFLICT);
    cm_commit_destroy(&commit);
}
END_TEST

START_TEST(test_cm_store_idempotency_states)
{
    const char *key = "sm:{t}:idem:S-1:k1";
    cm_idem_state_t state;
    char *response = NULL;
    ck_assert_int_eq(
        cm_store_idem_begin(store, key, "fp1", 5000, &state, &response), 0);
    ck_assert_int_eq(state, CM_IDEM_NEW);
    ck_assert_int_eq(
        cm_store_idem_begin(store, key, "fp1", 5000, &state, &response), 0);
    ck_assert_int_eq(state, CM_IDEM_RUNNING);
    ck_assert_int_eq(
        cm_store_idem_begin(store, key, "fp2", 5000, &state, &response), 0);
    ck_assert_int_eq(state, CM_IDEM_MISMATCH);

    cm_commit_t *commit = case_commit(CM_VERSION_NEW, "{}", "open");
    cm_commit_idempotency(commit, key, "fp1", "{\"status\":201}", 60000);
    cm_commit_result_t result;
    ck_assert_int_eq(cm_store_commit(store, commit, &result), 0);
    ck_assert_int_eq(result.outcome, CM_COMMIT_OK);
    // The same request again: the stored response, nothing written.
    ck_assert_int_eq(cm_store_commit(store, commit, &result), 0);
    ck_assert_int_eq(result.outcome, CM_COMMIT_DONE);
    ck_assert_str_eq(result.response, "{\"status\":201}");
    cm_commit_result_clear(&result);
    cm_commit_destroy(&commit);
    ck_assert_int_eq(redis_int("XLEN", "sm:{t}:outbox", NULL), 1);

    ck_assert_int_eq(
        cm_store_idem_begin(store, key, "fp1", 5000, &state, &response), 0);
    ck_assert_int_eq(state, CM_IDEM_DONE);
    ck_assert_str_eq(response, "{\"status\":201}");
    free(response);
    ck_assert_int_eq(
        cm_store_idem_begin(store, key, "fp2", 5000, &state, &response), 0);
    ck_assert_int_eq(state, CM_IDEM_MISMATCH);
    ck_assert_int_gt(redis_int("PTTL", key, NULL), 5000);

    // A failed attempt releases its marker so the retry may run.
    const char *other = "sm:{t}:idem:S-1:k2";
    ck_assert_int_eq(
        cm_store_idem_begin(store, other, "fp", 5000, &state, &response), 0);
    ck_assert_int_eq(cm_store_idem_release(store, other, "fp"), 0);
    ck_assert_int_eq(
        cm_store_idem_begin(store, other, "fp", 5000, &state, &response), 0);
    ck_assert_int_eq(state, CM_IDEM_NEW);
}
END_TEST

START_TEST(test_cm_store_dedupe_marker)
{
    cm_commit_t *commit = cm_commit_new("c");
    cm_commit_dedupe(commit, "sm:{c}:seen:e1", 60000);
    cm_commit_ledger(commit, "sm:{c}:ledger:x", "{}");
    cm_commit_result_t result;
    ck_assert_int_eq(cm_store_commit(store, commit, &result), 0);
    ck_assert_int_eq(result.outcome, CM_COMMIT_OK);
    ck_assert_int_eq(cm_store_commit(store, commit, &result), 0);
    ck_assert_int_eq(result.outcome, CM_COMMIT_DUPLICATE);
    cm_commit_destroy(&commit);
    ck_assert_int_eq(redis_int("XLEN", "sm:{c}:ledger:x", NULL), 1);
}
END_TEST

// 5 scores x 5 members, read 4 at a time: every member once, in order.
START_TEST(test_cm_store_list_pagination_ties)
{
    cm_commit_t *commit = cm_commit_new("t");
    for (int s = 0; s < 5; s++) {
        for (int m = 0; m < 5; m++) {
            char member[24];
            snprintf(member, sizeof member, "m%d%d", s, m);
            cm_commit_index_add(commit, "sm:{t}:idx:all", member, 100 + s);
        }
    }
    cm_commit_result_t result;
    ck_assert_int_eq(cm_store_commit(store, commit, &result), 0);
    cm_commit_destroy(&commit);

    char *cursor = NULL;
    int seen = 0;
    char previous[24] = "zzz";
    for (int pages = 0; pages < 10; pages++) {
        cm_page_t page;
        ck_assert_int_eq(
            cm_store_list(store, "sm:{t}:idx:all", cursor, 4, true, &page), 0);
        ck_assert_int_eq(page.total, 25);
        for (size_t i = 0; i < page.count; i++) {
            ck_assert_msg(strcmp(page.members[i], previous) < 0, "%s after %s",
                          page.members[i], previous);
            snprintf(previous, sizeof previous, "%s", page.members[i]);
            seen++;
        }
        free(cursor);
        cursor = page.next_cursor ? strdup(page.next_cursor) : NULL;
        cm_page_clear(&page);
        if (!cursor) {
            break;
        }
    }
    ck_assert_int_eq(seen, 25);
    cm_page_t page;
    ck_assert_int_eq(
        cm_store_list(store, "sm:{t}:idx:all", "x", 4, false, &page),
        CM_EINVAL);
    ck_assert_int_eq(
        cm_store_list(store, "sm:{t}:idx:all", NULL, 0, false, &page),
        CM_EINVAL);
}
END_TEST

START_TEST(test_cm_store_counter_and_timers)
{
    int64_t n = 0;
    ck_assert_int_eq(cm_store_next_id(store, "t", "case", &n), 0);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(cm_store_next_id(store, "t", "case", &n), 0);
    ck_assert_int_eq(n, 2);

    ck_assert_int_eq(cm_store_timer_add(store, "sm:{t}:timers:sla", "a", 10),
                     0);
    ck_assert_int_eq(cm_store_timer_add(store, "sm:{t}:timers:sla", "b", 20),
                     0);
    ck_assert_int_eq(cm_store_timer_add(store, "sm:{t}:timers:sla", "c", 99),
                     0);
    char **members = NULL;
    size_t count = 0;
    ck_assert_int_eq(cm_store_timer_claim(store, "sm:{t}:timers:sla", 50, 10,
                                          &members, &count),
                     0);
    ck_assert_int_eq(count, 2);
    ck_assert_str_eq(members[0], "a");
    ck_assert_str_eq(members[1], "b");
    cm_store_strings_free(&members, count);
    // Claimed once: a second claimer gets nothing.
    ck_assert_int_eq(cm_store_timer_claim(store, "sm:{t}:timers:sla", 50, 10,
                                          &members, &count),
                     0);
    ck_assert_int_eq(count, 0);
    cm_store_strings_free(&members, count);
}
END_TEST

START_TEST(test_cm_store_batch_commits)
{
    enum {
        N = 20
    };
    cm_commit_t *commits[N];
    cm_commit_result_t results[N];
    int rcs[N];
    for (int i = 0; i < N; i++) {
        commits[i] = cm_commit_new("b");
        cm_commit_event(commits[i], "b.thing.done", "{}");
    }
    ck_assert_int_eq(cm_store_commit_batch(store,
                                           (const cm_commit_t *const *)commits,
                                           N, results, rcs),
                     0);
    for (int i = 0; i < N; i++) {
        ck_assert_int_eq(rcs[i], 0);
        ck_assert_int_eq(results[i].seqs[0], i + 1);
        cm_commit_destroy(&commits[i]);
    }
}
END_TEST

START_TEST(test_cm_store_wrong_type_reply)
{
    redisReply *reply =
        cm_redis_cmd(cm_store_redis(store), "SET", "sm:{t}:case:9", "x");
    freeReplyObject(reply);
    cm_doc_t doc;
    ck_assert_int_eq(cm_store_get(store, "sm:{t}:case:9", &doc), CM_EINTERNAL);
    cm_page_t page;
    ck_assert_int_eq(
        cm_store_list(store, "sm:{t}:case:9", NULL, 5, false, &page),
        CM_EINTERNAL);
    reply = cm_redis_cmd(cm_store_redis(store), "HSET", "sm:{t}:counter:case",
                         "a", "b");
    freeReplyObject(reply);
    int64_t n;
    ck_assert_int_eq(cm_store_next_id(store, "t", "case", &n), CM_EINTERNAL);
    cm_commit_t *commit = cm_commit_new("t");
    cm_commit_doc(commit, "sm:{t}:case:9", CM_VERSION_ANY, "{}");
    cm_commit_result_t result;
    ck_assert_int_eq(cm_store_commit(store, commit, &result), CM_EINTERNAL);
    cm_commit_destroy(&commit);
    ck_assert_int_eq(cm_store_ping(store), 0); // the connection still works
}
END_TEST

START_TEST(test_cm_store_reconnect_after_restart)
{
    cm_commit_t *commit = cm_commit_new("r");
    cm_commit_event(commit, "r.x.done", "{}");
    cm_commit_result_t result;
    ck_assert_int_eq(cm_store_commit(store, commit, &result), 0);
    test_redis_halt(&redis_server);
    ck_assert_int_eq(cm_store_commit(store, commit, &result), CM_EUNAVAILABLE);
    ck_assert_int_eq(cm_store_ping(store), CM_EUNAVAILABLE);
    ck_assert_int_eq(test_redis_resume(&redis_server), 0);
    // The old connection is dead or gone: at most one unknown outcome, then
    // the store reconnects by itself, with the library and the data (AOF).
    int rc = cm_store_commit(store, commit, &result);
    if (rc == CM_EUNAVAILABLE) {
        rc = cm_store_commit(store, commit, &result);
    }
    ck_assert_int_eq(rc, 0);
    ck_assert_int_eq(result.seqs[0], 2);
    cm_commit_destroy(&commit);
}
END_TEST

START_TEST(test_cm_store_null_reply_is_unavailable)
{
    // A live connection whose server goes away mid-use: first call fails
    // with an unknown outcome, the next one reconnects.
    ck_assert_int_eq(cm_store_ping(store), 0);
    redisReply *reply = cm_redis_cmd(cm_store_redis(store), "CLIENT", "KILL",
                                     "TYPE", "normal", "SKIPME", "no");
    freeReplyObject(reply);
    ck_assert_int_eq(cm_store_ping(store), CM_EUNAVAILABLE);
    ck_assert_int_eq(cm_store_ping(store), 0);
}
END_TEST

Suite *
cm_store_suite(void)
{
    Suite *suite = suite_create("cm_store");
    TCase *core = tcase_create("core");
    tcase_add_unchecked_fixture(core, server_start, server_stop);
    tcase_add_checked_fixture(core, setup, teardown);
    tcase_set_timeout(core, 20);
    tcase_add_test(core, test_cm_store_commit_happy_path);
    tcase_add_test(core, test_cm_store_conflict_writes_nothing);
    tcase_add_test(core, test_cm_store_idempotency_states);
    tcase_add_test(core, test_cm_store_dedupe_marker);
    tcase_add_test(core, test_cm_store_list_pagination_ties);
    tcase_add_test(core, test_cm_store_counter_and_timers);
    tcase_add_test(core, test_cm_store_batch_commits);
    tcase_add_test(core, test_cm_store_wrong_type_reply);
    tcase_add_test(core, test_cm_store_null_reply_is_unavailable);
    suite_add_tcase(suite, core);

    TCase *reconnect = tcase_create("reconnect");
    tcase_add_unchecked_fixture(reconnect, server_start, server_stop);
    tcase_add_checked_fixture(reconnect, setup, teardown);
    tcase_set_timeout(reconnect, 30);
    tcase_add_test(reconnect, test_cm_store_reconnect_after_restart);
    suite_add_tcase(suite, reconnect);
    return suite;
}
