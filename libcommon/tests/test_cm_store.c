// cm_store / cm_redis against a private redis-server (test_redis.h).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cm_redis.h"
#include "cm_status.h"
#include "cm_store.h"
#include "cm_stream.h"
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

static void
put_doc(const char *key, const char *doc, const char *item)
{
    cm_commit_t *commit = cm_commit_new("t");
    cm_commit_doc(commit, key, CM_VERSION_ANY, doc);
    cm_commit_field(commit, "state", "open");
    if (item) {
        cm_commit_field(commit, "item", item);
    }
    cm_commit_result_t result;
    ck_assert_int_eq(cm_store_commit(store, commit, &result), 0);
    ck_assert_int_eq(result.outcome, CM_COMMIT_OK);
    cm_commit_destroy(&commit);
}

// A present field, a document without the field, a missing document.
START_TEST(test_cm_store_get_many_fields)
{
    put_doc("sm:{t}:case:1", "{\"a\":1}", "{\"i\":1}");
    put_doc("sm:{t}:case:1", "{\"a\":2}", "{\"i\":2}");
    put_doc("sm:{t}:case:2", "{\"b\":1}", NULL);
    const char *keys[] = {"sm:{t}:case:1", "sm:{t}:case:2", "sm:{t}:case:3"};
    cm_doc_t docs[3];
    ck_assert_int_eq(cm_store_get_many(store, keys, 3, "item", docs), 0);
    ck_assert_str_eq(docs[0].json, "{\"i\":2}");
    ck_assert_int_eq(docs[0].version, 2);
    ck_assert_str_eq(docs[0].state, "open");
    ck_assert_ptr_null(docs[1].json); // no such field: the caller falls back
    ck_assert_int_eq(docs[1].version, 1);
    ck_assert_ptr_null(docs[2].json); // no such document
    ck_assert_int_eq(docs[2].version, 0);
    ck_assert_ptr_null(docs[2].state);
    cm_docs_clear(docs, 3);
    ck_assert_ptr_null(docs[0].json);

    ck_assert_int_eq(cm_store_get_many(store, keys, 2, NULL, docs), 0);
    ck_assert_str_eq(docs[0].json, "{\"a\":2}");
    ck_assert_str_eq(docs[1].json, "{\"b\":1}");
    cm_docs_clear(docs, 2);
    ck_assert_int_eq(cm_store_get_many(store, NULL, 0, NULL, NULL), 0);
}
END_TEST

// Many keys in one call; a key of the wrong type fails the call but leaves
// the connection in step for the next command.
START_TEST(test_cm_store_get_many_batch_and_wrong_type)
{
    enum {
        N = 300
    };
    char names[N][32];
    const char *keys[N];
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "sm:{t}:case:%d", i);
        keys[i] = names[i];
        put_doc(keys[i], i % 2 ? "{\"odd\":true}" : "{}", NULL);
    }
    cm_doc_t *docs = calloc(N, sizeof *docs);
    ck_assert_ptr_nonnull(docs);
    ck_assert_int_eq(cm_store_get_many(store, keys, N, NULL, docs), 0);
    for (int i = 0; i < N; i++) {
        ck_assert_str_eq(docs[i].json, i % 2 ? "{\"odd\":true}" : "{}");
        ck_assert_int_eq(docs[i].version, 1);
    }
    cm_docs_clear(docs, N);

    redisReply *reply =
        cm_redis_cmd(cm_store_redis(store), "SET", "sm:{t}:case:7", "x");
    freeReplyObject(reply);
    ck_assert_int_eq(cm_store_get_many(store, keys, N, NULL, docs),
                     CM_EINTERNAL);
    for (int i = 0; i < N; i++) {
        ck_assert_ptr_null(docs[i].json); // cleared on failure
    }
    cm_doc_t doc;
    ck_assert_int_eq(cm_store_get(store, keys[8], &doc), 0);
    ck_assert_str_eq(doc.json, "{}");
    cm_doc_clear(&doc);
    free(docs);
}
END_TEST

START_TEST(test_cm_store_page_cursor)
{
    cm_commit_t *commit = cm_commit_new("t");
    cm_commit_index_add(commit, "sm:{t}:idx:all", "CS-1", 100);
    cm_commit_index_add(commit, "sm:{t}:idx:all", "CS-2", 200);
    cm_commit_index_add(commit, "sm:{t}:idx:all", "CS-3", 300);
    cm_commit_result_t result;
    ck_assert_int_eq(cm_store_commit(store, commit, &result), 0);
    cm_commit_destroy(&commit);
    cm_page_t page;
    ck_assert_int_eq(
        cm_store_list(store, "sm:{t}:idx:all", NULL, 2, false, &page), 0);
    char buf[64];
    ck_assert_str_eq(cm_page_cursor(buf, sizeof buf, &page, 1),
                     page.next_cursor);
    ck_assert_str_eq(cm_page_cursor(buf, sizeof buf, &page, 0), "300:CS-3");
    ck_assert_ptr_null(cm_page_cursor(buf, 8, &page, 0)); // does not fit
    cm_page_t rest;
    ck_assert_int_eq(cm_store_list(store, "sm:{t}:idx:all",
                                   cm_page_cursor(buf, sizeof buf, &page, 0), 5,
                                   false, &rest),
                     0);
    ck_assert_int_eq(rest.count, 2);
    ck_assert_str_eq(rest.members[0], "CS-2");
    cm_page_clear(&rest);
    cm_page_clear(&page);
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
    ck_assert_int_eq(cm_store_timer_claim(store, "sm:{t}:timers:sla", 50, 1000,
                                          10, &members, &count),
                     0);
    ck_assert_int_eq(count, 2);
    ck_assert_str_eq(members[0], "a");
    ck_assert_str_eq(members[1], "b");
    cm_store_strings_free(&members, count);
    // Claimed once: a second claimer gets nothing.
    ck_assert_int_eq(cm_store_timer_claim(store, "sm:{t}:timers:sla", 50, 1000,
                                          10, &members, &count),
                     0);
    ck_assert_int_eq(count, 0);
    cm_store_strings_free(&members, count);
}
END_TEST

#define TIMERS "sm:{t}:timers:sla"

// Claim at now_ms with a 100 ms lease; returns the count, members in *out
// (joined with ',').
static size_t
claim_at(cm_store_t *claimer, int64_t now_ms, size_t limit, char *out,
         size_t size)
{
    char **members = NULL;
    size_t count = 0;
    ck_assert_int_eq(cm_store_timer_claim(claimer, TIMERS, now_ms, 100, limit,
                                          &members, &count),
                     0);
    out[0] = '\0';
    for (size_t i = 0, at = 0; i < count && at < size; i++) {
        int n = snprintf(out + at, size - at, "%s,", members[i]);
        ck_assert_int_gt(n, 0);
        at += (size_t)n;
    }
    cm_store_strings_free(&members, count);
    return count;
}

static long long
timer_score(const char *member)
{
    redisReply *reply =
        cm_redis_cmd(cm_store_redis(store), "ZSCORE", TIMERS, member);
    ck_assert_ptr_nonnull(reply);
    long long score = reply->type == REDIS_REPLY_STRING
                          ? strtoll(reply->str, NULL, 10)
                          : -1; // nil: no such timer
    freeReplyObject(reply);
    return score;
}

START_TEST(test_cm_store_timer_lease_falls_due_again)
{
    char got[64];
    ck_assert_int_eq(cm_store_timer_add(store, TIMERS, "a", 10), 0);
    ck_assert_int_eq(claim_at(store, 50, 10, got, sizeof got), 1);
    ck_assert_str_eq(got, "a,");
    ck_assert_int_eq(timer_score("a"), 150); // leased until 50 + 100
    // The claimer died before its commit: nothing until the lease ends...
    ck_assert_int_eq(claim_at(store, 149, 10, got, sizeof got), 0);
    // ...then the timer is due again, and leased anew.
    ck_assert_int_eq(claim_at(store, 150, 10, got, sizeof got), 1);
    ck_assert_str_eq(got, "a,");
    ck_assert_int_eq(timer_score("a"), 250);
}
END_TEST

START_TEST(test_cm_store_timer_commit_ends_lease)
{
    char got[64];
    ck_assert_int_eq(cm_store_timer_add(store, TIMERS, "a", 10), 0);
    ck_assert_int_eq(cm_store_timer_add(store, TIMERS, "b", 20), 0);
    ck_assert_int_eq(claim_at(store, 50, 10, got, sizeof got), 2);
    // The effects' commit removes one timer and moves the other on.
    cm_commit_t *commit = cm_commit_new("t");
    cm_commit_index_remove(commit, TIMERS, "a");
    cm_commit_index_add(commit, TIMERS, "b", 1000);
    cm_commit_result_t result;
    ck_assert_int_eq(cm_store_commit(store, commit, &result), 0);
    ck_assert_int_eq(result.outcome, CM_COMMIT_OK);
    cm_commit_result_clear(&result);
    cm_commit_destroy(&commit);
    ck_assert_int_eq(timer_score("a"), -1);
    ck_assert_int_eq(claim_at(store, 999, 10, got, sizeof got), 0);
    ck_assert_int_eq(claim_at(store, 1000, 10, got, sizeof got), 1);
    ck_assert_str_eq(got, "b,");
}
END_TEST

START_TEST(test_cm_store_timer_two_claimers)
{
    cm_store_t *other =
        cm_store_new("127.0.0.1", redis_server.port, NULL, 1000);
    ck_assert_ptr_nonnull(other);
    char name[16];
    for (int i = 0; i < 12; i++) {
        snprintf(name, sizeof name, "t%02d", i);
        ck_assert_int_eq(cm_store_timer_add(store, TIMERS, name, i), 0);
    }
    // Each due timer goes to one claimer: the two halves are disjoint.
    char first[128];
    char second[128];
    char third[128];
    ck_assert_int_eq(claim_at(store, 50, 5, first, sizeof first), 5);
    ck_assert_int_eq(claim_at(other, 50, 100, second, sizeof second), 7);
    ck_assert_int_eq(claim_at(store, 50, 100, third, sizeof third), 0);
    ck_assert_str_eq(first, "t00,t01,t02,t03,t04,");
    ck_assert_str_eq(second, "t05,t06,t07,t08,t09,t10,t11,");
    cm_store_destroy(&other);
}
END_TEST

START_TEST(test_cm_store_timer_settle)
{
    char got[64];
    ck_assert_int_eq(cm_store_timer_add(store, TIMERS, "a", 10), 0);
    ck_assert_int_eq(cm_store_timer_add(store, TIMERS, "b", 10), 0);
    ck_assert_int_eq(cm_store_timer_add(store, TIMERS, "c", 10), 0);
    ck_assert_int_eq(claim_at(store, 50, 10, got, sizeof got), 3);
    // A commit moved c while it was leased: settling leaves it alone.
    ck_assert_int_eq(cm_store_timer_add(store, TIMERS, "c", 700), 0);
    ck_assert_int_eq(cm_store_timer_settle(store, TIMERS, "a", 150, 0), 0);
    ck_assert_int_eq(cm_store_timer_settle(store, TIMERS, "b", 150, 500), 0);
    ck_assert_int_eq(cm_store_timer_settle(store, TIMERS, "c", 150, 0), 0);
    ck_assert_int_eq(cm_store_timer_settle(store, TIMERS, "gone", 150, 0), 0);
    ck_assert_int_eq(timer_score("a"), -1);
    ck_assert_int_eq(timer_score("b"), 500);
    ck_assert_int_eq(timer_score("c"), 700);
    ck_assert_int_eq(timer_score("gone"), -1);
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
    cm_commit_index_add(commit, "sm:{t}:idx:cases", "CS-9", 9);
    cm_commit_doc(commit, "sm:{t}:case:9", CM_VERSION_ANY, "{}");
    cm_commit_result_t result;
    ck_assert_int_eq(cm_store_commit(store, commit, &result), CM_EINTERNAL);
    cm_commit_destroy(&commit);
    reply = cm_redis_cmd(cm_store_redis(store), "EXISTS", "sm:{t}:idx:cases");
    ck_assert_int_eq(reply->integer, 0); // nothing written before the stop
    freeReplyObject(reply);
    ck_assert_int_eq(cm_store_ping(store), 0); // the connection still works
}
END_TEST

// Set members: added and removed in the commit; a key of another type
// stops the whole commit before any write.
START_TEST(test_cm_store_set_members)
{
    cm_commit_t *commit = cm_commit_new("t");
    cm_commit_member_add(commit, "sm:{t}:idx:word:a:0", "7");
    cm_commit_member_add(commit, "sm:{t}:idx:word:a:0", "9");
    cm_commit_member_remove(commit, "sm:{t}:idx:word:a:0", "7");
    cm_commit_result_t result;
    ck_assert_int_eq(cm_store_commit(store, commit, &result), 0);
    cm_commit_result_clear(&result);
    cm_commit_destroy(&commit);
    ck_assert_int_eq(redis_int("SCARD", "sm:{t}:idx:word:a:0", NULL), 1);
    ck_assert_int_eq(redis_int("SISMEMBER", "sm:{t}:idx:word:a:0", "9"), 1);
    redisReply *reply =
        cm_redis_cmd(cm_store_redis(store), "SET", "sm:{t}:idx:word:b:0", "x");
    freeReplyObject(reply);
    commit = cm_commit_new("t");
    cm_commit_member_add(commit, "sm:{t}:idx:word:a:0", "11");
    cm_commit_member_add(commit, "sm:{t}:idx:word:b:0", "11");
    ck_assert_int_eq(cm_store_commit(store, commit, &result), CM_EINTERNAL);
    cm_commit_destroy(&commit);
    ck_assert_int_eq(redis_int("SISMEMBER", "sm:{t}:idx:word:a:0", "11"), 0);
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
    const char *keys[] = {"sm:{r}:case:1", "sm:{r}:case:2"};
    cm_doc_t docs[2];
    ck_assert_int_eq(cm_store_get_many(store, keys, 2, NULL, docs),
                     CM_EUNAVAILABLE);
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

START_TEST(test_cm_store_bounded_counter)
{
    // A balance of 10 that must not go below 0: -4, then -4 and -4 in one
    // commit (-8 > 6 left) is refused whole, the document with it unwritten.
    cm_commit_t *commit = cm_commit_new("t");
    cm_commit_counter(commit, "sm:{t}:balance:x", "on_hand", 10, 0,
                      CM_COUNTER_NO_MAX);
    cm_commit_counter(commit, "sm:{t}:balance:x", "on_hand", -4, 0,
                      CM_COUNTER_NO_MAX);
    cm_commit_result_t result;
    ck_assert_int_eq(cm_store_commit(store, commit, &result), 0);
    ck_assert_int_eq(result.outcome, CM_COMMIT_OK);
    cm_commit_result_clear(&result);
    cm_commit_destroy(&commit);
    commit = cm_commit_new("t");
    cm_commit_doc(commit, "sm:{t}:doc:1", CM_VERSION_NEW, "{}");
    cm_commit_counter(commit, "sm:{t}:balance:x", "on_hand", -4, 0,
                      CM_COUNTER_NO_MAX);
    cm_commit_counter(commit, "sm:{t}:balance:x", "on_hand", -4, 0,
                      CM_COUNTER_NO_MAX);
    ck_assert_int_eq(cm_store_commit(store, commit, &result), 0);
    ck_assert_int_eq(result.outcome, CM_COMMIT_LIMIT);
    ck_assert_str_eq(result.conflict_key, "sm:{t}:balance:x");
    ck_assert_str_eq(result.limit_field, "on_hand");
    ck_assert_int_eq(result.limit_value, 2); // before the second -4
    cm_commit_result_clear(&result);
    cm_commit_destroy(&commit);
    cm_doc_t doc;
    ck_assert_int_eq(cm_store_get(store, "sm:{t}:doc:1", &doc), CM_ENOTFOUND);
    redisReply *reply = cm_redis_cmd(cm_store_redis(store), "HGET",
                                     "sm:{t}:balance:x", "on_hand");
    ck_assert_str_eq(reply->str, "6");
    freeReplyObject(reply);
    // An upper bound too.
    commit = cm_commit_new("t");
    cm_commit_counter(commit, "sm:{t}:balance:x", "on_hand", 5,
                      CM_COUNTER_NO_MIN, 10);
    ck_assert_int_eq(cm_store_commit(store, commit, &result), 0);
    ck_assert_int_eq(result.outcome, CM_COMMIT_LIMIT);
    cm_commit_result_clear(&result);
    cm_commit_destroy(&commit);
}
END_TEST

START_TEST(test_cm_store_counters_read)
{
    cm_commit_t *commit = cm_commit_new("t");
    cm_commit_counter(commit, "sm:{t}:line:a", "amount", 100, 0,
                      CM_COUNTER_NO_MAX);
    cm_commit_counter(commit, "sm:{t}:line:a", "spent", -7, CM_COUNTER_NO_MIN,
                      CM_COUNTER_NO_MAX);
    cm_commit_result_t result;
    ck_assert_int_eq(cm_store_commit(store, commit, &result), 0);
    cm_commit_result_clear(&result);
    cm_commit_destroy(&commit);
    const char *keys[] = {"sm:{t}:line:a", "sm:{t}:line:none"};
    const char *fields[] = {"amount", "spent", "other"};
    int64_t values[6] = {9, 9, 9, 9, 9, 9};
    ck_assert_int_eq(cm_store_counters(store, keys, 2, fields, 3, values), 0);
    ck_assert_int_eq(values[0], 100);
    ck_assert_int_eq(values[1], -7);
    ck_assert_int_eq(values[2], 0);
    ck_assert_int_eq(values[3] + values[4] + values[5], 0);
    // A field that is not an integer is refused, not read as 0.
    freeReplyObject(cm_redis_cmd(cm_store_redis(store), "HSET", "sm:{t}:line:a",
                                 "other", "x"));
    ck_assert_int_eq(cm_store_counters(store, keys, 1, fields, 3, values),
                     CM_EINTERNAL);
    // The connection stays in step after a bad reply.
    ck_assert_int_eq(cm_store_counters(store, keys, 1, fields, 2, values), 0);
    ck_assert_int_eq(values[0], 100);
}
END_TEST

START_TEST(test_cm_store_stamped_ledger)
{
    // Each entry carries the running balance after its whole commit, even
    // when a delta of the commit comes after the entry.
    const char *stream = "sm:{t}:ledger:account:1";
    const char *hash = "sm:{t}:account:1";
    int64_t deltas[][2] = {{100, 0}, {-30, -5}, {7, 0}};
    for (size_t i = 0; i < 3; i++) {
        cm_commit_t *commit = cm_commit_new("t");
        cm_commit_counter(commit, hash, "balance", deltas[i][0],
                          CM_COUNTER_NO_MIN, CM_COUNTER_NO_MAX);
        char entry[64];
        snprintf(entry, sizeof entry, "{\"n\":%zu}", i);
        cm_commit_ledger_stamped(commit, stream, entry, hash, "balance",
                                 "balance");
        if (deltas[i][1]) {
            cm_commit_counter(commit, hash, "balance", deltas[i][1],
                              CM_COUNTER_NO_MIN, CM_COUNTER_NO_MAX);
        }
        cm_commit_result_t result;
        ck_assert_int_eq(cm_store_commit(store, commit, &result), 0);
        ck_assert_int_eq(result.outcome, CM_COMMIT_OK);
        cm_commit_result_clear(&result);
        cm_commit_destroy(&commit);
    }
    cm_commit_t *commit = cm_commit_new("t");
    cm_commit_ledger(commit, stream, "{\"n\":3}"); // unstamped
    cm_commit_result_t result;
    ck_assert_int_eq(cm_store_commit(store, commit, &result), 0);
    cm_commit_result_clear(&result);
    cm_commit_destroy(&commit);
    cm_stream_page_t page;
    ck_assert_int_eq(
        cm_stream_read(store, stream, NULL, NULL, NULL, 10, false, &page), 0);
    ck_assert_uint_eq(page.count, 4);
    int64_t want[] = {100, 65, 72};
    for (size_t i = 0; i < 3; i++) {
        const json_t *entry = json_array_get(page.entries, i);
        ck_assert_int_eq(json_integer_value(json_object_get(entry, "n")),
                         (json_int_t)i);
        ck_assert_int_eq(json_integer_value(json_object_get(entry, "balance")),
                         want[i]);
    }
    ck_assert_ptr_null(
        json_object_get(json_array_get(page.entries, 3), "balance"));
    cm_stream_page_clear(&page);
}
END_TEST

START_TEST(test_cm_store_closed_connection_is_replaced_before_use)
{
    // The server closes an idle connection (a restart, a timeout, a kill):
    // the next call notices before sending and connects again, so no
    // request fails for a connection that was already dead.
    ck_assert_int_eq(cm_store_ping(store), 0);
    redisReply *reply = cm_redis_cmd(cm_store_redis(store), "CLIENT", "KILL",
                                     "TYPE", "normal", "SKIPME", "no");
    freeReplyObject(reply);
    // The connection sits idle, as one does between requests, long enough
    // for the server's close to arrive.
    usleep(100 * 1000);
    ck_assert_int_eq(cm_store_ping(store), 0);
    ck_assert_int_eq(cm_store_ping(store), 0);
}
END_TEST

START_TEST(test_cm_store_gone_server_is_unavailable_then_back)
{
    // A store whose server is gone is unavailable (503, not ready), and it
    // recovers by itself when the server is back. (LOADING, the other way
    // Redis is briefly unusable, is covered by tests/test_restart.c.)
    test_redis_halt(&redis_server);
    ck_assert_int_eq(cm_store_ping(store), CM_EUNAVAILABLE);
    ck_assert_int_eq(test_redis_resume(&redis_server), 0);
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
    tcase_add_test(core, test_cm_store_get_many_fields);
    tcase_add_test(core, test_cm_store_get_many_batch_and_wrong_type);
    tcase_add_test(core, test_cm_store_page_cursor);
    tcase_add_test(core, test_cm_store_counter_and_timers);
    tcase_add_test(core, test_cm_store_timer_lease_falls_due_again);
    tcase_add_test(core, test_cm_store_timer_commit_ends_lease);
    tcase_add_test(core, test_cm_store_timer_two_claimers);
    tcase_add_test(core, test_cm_store_timer_settle);
    tcase_add_test(core, test_cm_store_batch_commits);
    tcase_add_test(core, test_cm_store_wrong_type_reply);
    tcase_add_test(core, test_cm_store_set_members);
    tcase_add_test(core, test_cm_store_bounded_counter);
    tcase_add_test(core, test_cm_store_counters_read);
    tcase_add_test(core, test_cm_store_stamped_ledger);
    tcase_add_test(core,
                   test_cm_store_closed_connection_is_replaced_before_use);
    tcase_add_test(core, test_cm_store_gone_server_is_unavailable_then_back);
    suite_add_tcase(suite, core);

    TCase *reconnect = tcase_create("reconnect");
    tcase_add_unchecked_fixture(reconnect, server_start, server_stop);
    tcase_add_checked_fixture(reconnect, setup, teardown);
    tcase_set_timeout(reconnect, 30);
    tcase_add_test(reconnect, test_cm_store_reconnect_after_restart);
    suite_add_tcase(suite, reconnect);
    return suite;
}
