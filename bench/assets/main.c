// bench/assets — maintenance plans all due at once (services/assets/
// maintenance.h): writes one in-service equipment and N plans (argv[2],
// default 100,000) due at the same moment straight into the Redis of a
// running stack (argv[1]: its port; run.sh starts assets replicas and
// dispatch), then waits until dispatch holds a work order for every plan
// and prints the time from the due moment, work orders per second, and
// duplicates: due times requested beyond one per plan (the plans' own
// count, read back) and dispatch work orders beyond one per plan (the
// outbox itself is trimmed by the hub, so its length proves nothing).
// Prints figures only.
#include <czmq.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assets.h"
#include "cm_doc.h"
#include "cm_log.h"
#include "cm_redis.h"
#include "cm_store.h"
#include "cm_time.h"
#include "equipment.h"
#include "maintenance.h"

#define BENCH_PLANS_DEFAULT 100000
#define BENCH_BATCH         500
// The plans fall due this long after start, once all are written: 10 s
// plus 0.5 ms per plan.
#define BENCH_LEAD_MS(plans) (10000 + (plans) / 2)
#define BENCH_TIMEOUT_MS     (30 * 60 * 1000)

static long long
s_integer(cm_store_t *store, const char *command, const char *key)
{
    redisReply *reply =
        cm_redis_cmd_list(cm_store_redis(store), command, key, (char *)NULL);
    long long n =
        reply && reply->type == REDIS_REPLY_INTEGER ? reply->integer : -1;
    if (reply) {
        freeReplyObject(reply);
    }
    return n;
}

static int
s_equipment(cm_store_t *store, int64_t now)
{
    json_t *doc = cm_doc_new("EQ-1", "in_service", NULL, now);
    json_object_update_new(
        doc, json_pack("{s:s, s:s, s:s, s:s, s:[], s:[], s:{s:s}}", "tag",
                       "BENCH-1", "name", "Bench pump", "location", "bench",
                       "department", "management", "operators", "trainings",
                       "source", "type", "manual"));
    cm_commit_t *commit = cm_commit_new(ASSETS_OWNER);
    cm_doc_commit(commit, &equipment_type, NULL, doc, CM_VERSION_NEW, now);
    cm_commit_result_t result;
    int rc = cm_store_commit(store, commit, &result);
    cm_commit_result_clear(&result);
    cm_commit_destroy(&commit);
    json_decref(doc);
    return rc;
}

// Plans [first, first + n) due at due_ms, one pipelined round trip.
static int
s_plans(cm_store_t *store, long first, size_t n, int64_t due_ms, int64_t now)
{
    cm_commit_t *commits[BENCH_BATCH] = {NULL};
    cm_commit_result_t results[BENCH_BATCH];
    int rcs[BENCH_BATCH];
    for (size_t i = 0; i < n; i++) {
        char id[CM_ID_MAX];
        cm_id_format("MP", first + (long)i, id);
        json_t *doc = cm_doc_new(id, "active", NULL, now);
        json_object_update_new(
            doc,
            json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:[{s:s}], s:[], "
                      "s:[], s:i}",
                      "equipment", "EQ-1", "tag", "BENCH-1", "title",
                      "Bench care", "interval_days", 30, "basis", "due_date",
                      "department", "management", "checklist", "task",
                      "inspect", "requested", "skipped", "occurrences", 0));
        cm_doc_set_time(doc, "next_due", due_ms);
        commits[i] = cm_commit_new(ASSETS_OWNER);
        cm_doc_commit(commits[i], &maintenance_type, NULL, doc, CM_VERSION_NEW,
                      now);
        json_decref(doc);
    }
    int rc = cm_store_commit_batch(store, (const cm_commit_t *const *)commits,
                                   n, results, rcs);
    for (size_t i = 0; i < n; i++) {
        rc = rc ? rc : rcs[i];
        cm_commit_result_clear(&results[i]);
        cm_commit_destroy(&commits[i]);
    }
    return rc;
}

// Plans in the batch after the first `done`.
static size_t
s_chunk(long plans, long done)
{
    long left = plans - done;
    return left > BENCH_BATCH ? BENCH_BATCH : (size_t)left;
}

// The due times the plans requested, in all (each plan's `occurrences`).
static long long
s_requested(cm_store_t *store, long plans)
{
    long long total = 0;
    for (long done = 0; done < plans; done += BENCH_BATCH) {
        size_t n = s_chunk(plans, done);
        long first = done + 1;
        char ids[BENCH_BATCH][CM_ID_MAX];
        const char *names[BENCH_BATCH];
        json_t *docs[BENCH_BATCH];
        int64_t versions[BENCH_BATCH];
        for (size_t i = 0; i < n; i++) {
            cm_id_format("MP", first + (long)i, ids[i]);
            names[i] = ids[i];
        }
        if (cm_doc_read_many(store, &maintenance_type, names, n, docs, versions)
            != 0) {
            return -1;
        }
        for (size_t i = 0; i < n; i++) {
            total += cm_doc_integer(docs[i], "occurrences");
            json_decref(docs[i]);
        }
    }
    return total;
}

int
main(int argc, char **argv)
{
    cm_log_init("bench_assets", "0");
    cm_log_set_level(CM_LOG_ERROR);
    int port = argc > 1 ? atoi(argv[1]) : 6390;
    long plans = argc > 2 ? atol(argv[2]) : BENCH_PLANS_DEFAULT;
    cm_store_t *store = cm_store_new("127.0.0.1", port, NULL, 5000);
    if (!store || cm_store_ping(store) != 0) {
        fprintf(stderr, "bench/assets: no Redis on %d\n", port);
        return 1;
    }
    int64_t now = cm_time_now_ms();
    int64_t due = now + BENCH_LEAD_MS(plans);
    if (s_equipment(store, now) != 0) {
        fprintf(stderr, "bench/assets: the equipment was not written\n");
        return 1;
    }
    for (long done = 0; done < plans; done += BENCH_BATCH) {
        long first = done + 1;
        if (s_plans(store, first, s_chunk(plans, done), due, now) != 0) {
            fprintf(stderr, "bench/assets: plans not written at %ld\n", first);
            return 1;
        }
    }
    int64_t written = cm_time_now_ms();
    printf("%ld plans written in %.1f s, all due at +%.1f s\n", plans,
           (double)(written - now) / 1000.0, (double)(due - now) / 1000.0);
    fflush(stdout);
    long long orders = 0, last_report = 0;
    int64_t start = due > written ? due : written;
    while (cm_time_now_ms() < start + BENCH_TIMEOUT_MS) {
        orders = s_integer(store, "ZCARD", "sm:{dispatch}:idx:workorders");
        if (orders >= plans) {
            break;
        }
        if (orders - last_report >= 10000) {
            last_report = orders;
            printf("  %lld work orders at +%.1f s\n", orders,
                   (double)(cm_time_now_ms() - start) / 1000.0);
            fflush(stdout);
        }
        zclock_sleep(200); // polling dispatch's progress
    }
    int64_t end = cm_time_now_ms();
    double seconds = (double)(end - start) / 1000.0;
    zclock_sleep(3000); // anything still in flight would show as a duplicate
    long long requested = s_requested(store, plans);
    orders = s_integer(store, "ZCARD", "sm:{dispatch}:idx:workorders");
    printf("all %ld work orders in dispatch %.1f s after the due moment: "
           "%.0f work orders/s\n",
           plans, seconds, seconds > 0 ? (double)plans / seconds : 0.0);
    printf("duplicates: %lld due times requested beyond one per plan, %lld "
           "work orders beyond one per plan\n",
           requested - plans, orders - plans);
    cm_store_destroy(&store);
    return 0;
}
