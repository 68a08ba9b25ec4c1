// bench/finance — the finance benchmark's driver (run.sh starts the stack):
//   finance append <http port> <token> <total> <step> <connections>
//       POST /v1/journal through the gateway on <connections> keep-alive
//       connections until <total> entries are posted (each Dr 1002 bank /
//       Cr 6001 revenue, reference B-<n>, amount a function of n); prints
//       the throughput of every <step> entries, so the curve shows whether
//       it stays flat while the journal grows.
//   finance reconcile <redis port> <lines> <stride>
//       a statement of <lines> lines for bank account 1002 (line k is entry
//       k * stride + 1 as the bank saw it; 1 in 50 with a wrong amount) is
//       stored, then matched against every posting of 1002 in the period
//       (reconciliation_run, in process): prints the time and peak RSS.
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "../lib/http_conn.h"
#include "cm_doc.h"
#include "cm_store.h"
#include "cm_time.h"
#include "finance.h"
#include "period.h"
#include "reconciliation.h"

#define S_BODY_MAX  512
#define S_BATCH     1000 // statement lines per commit
#define S_PIPELINE  20   // commits per round trip
#define S_WRONG_ONE 50   // 1 statement line in 50 has a wrong amount

// The amount of entry n: spread, so most amounts are distinct.
static long long
s_amount(long long n)
{
    return 1000 + (n * 7919) % 10000000;
}

typedef struct {
    int port;            // gateway
    const char *token;   // bearer
    long long total;     // entries to post
    atomic_llong next;   // the next entry number
    atomic_llong done;   // entries answered 201
    atomic_llong failed; // other answers
} s_append_t;

static void *
s_poster(void *arg)
{
    s_append_t *run = arg;
    http_conn_t conn = {.fd = -1};
    if (http_conn_open(&conn, run->port) != 0) {
        fprintf(stderr, "bench/finance: cannot connect\n");
        return NULL;
    }
    char headers[256], body[S_BODY_MAX];
    snprintf(headers, sizeof headers,
             "Authorization: Bearer %s\r\nContent-Type: application/json\r\n",
             run->token);
    for (;;) {
        long long n = atomic_fetch_add(&run->next, 1);
        if (n >= run->total) {
            break;
        }
        long long amount = s_amount(n);
        snprintf(body, sizeof body,
                 "{\"memo\":\"bench\",\"reference\":\"B-%lld\",\"lines\":[{"
                 "\"account\":\"1002\",\"debit\":%lld},{\"account\":\"6001\","
                 "\"credit\":%lld}]}",
                 n, amount, amount);
        int status =
            http_conn_request(&conn, "POST", "/v1/journal", headers, body);
        if (status == 201) {
            atomic_fetch_add(&run->done, 1);
        } else {
            atomic_fetch_add(&run->failed, 1);
            if (status == 0 && http_conn_open(&conn, run->port) != 0) {
                break;
            }
        }
    }
    http_conn_close(&conn);
    return NULL;
}

static int
s_append(int port, const char *token, long long total, long long step,
         int connections)
{
    s_append_t run = {.port = port, .token = token, .total = total};
    pthread_t *threads = calloc((size_t)connections, sizeof *threads);
    int64_t started = cm_time_mono_ms(), last = started;
    for (int i = 0; i < connections; i++) {
        pthread_create(&threads[i], NULL, s_poster, &run);
    }
    printf("%12s %10s %12s %10s\n", "entries", "step_s", "entries/s", "failed");
    for (long long mark = step; mark <= total; mark += step) {
        while (atomic_load(&run.done) + atomic_load(&run.failed) < mark) {
            usleep(20000);
        }
        int64_t now = cm_time_mono_ms();
        printf("%12lld %10.1f %12.0f %10lld\n", mark,
               (double)(now - last) / 1000.0,
               (double)step * 1000.0
                   / (double)(now - last > 0 ? now - last : 1),
               (long long)atomic_load(&run.failed));
        fflush(stdout);
        last = now;
    }
    for (int i = 0; i < connections; i++) {
        pthread_join(threads[i], NULL);
    }
    int64_t elapsed = cm_time_mono_ms() - started;
    printf("total %lld entries in %.1f s: %.0f entries/s, %lld failed\n",
           (long long)atomic_load(&run.done), (double)elapsed / 1000.0,
           (double)atomic_load(&run.done) * 1000.0 / (double)elapsed,
           (long long)atomic_load(&run.failed));
    free(threads);
    return atomic_load(&run.failed) ? 1 : 0;
}

// Store lines [first, first + count) of the statement in one commit.
static cm_commit_t *
s_statement_commit(const char *key, long long first, long long count,
                   long long stride, const char *today)
{
    cm_commit_t *commit = cm_commit_new(FINANCE_OWNER);
    for (long long k = first; k < first + count; k++) {
        long long n = k * stride + 1;
        long long amount = s_amount(n) + (k % S_WRONG_ONE == 7 ? 1 : 0);
        char line[S_BODY_MAX];
        snprintf(line, sizeof line,
                 "{\"n\":%lld,\"date\":\"%s\",\"amount\":%lld,\"reference\":"
                 "\"B-%lld\",\"description\":\"bench\"}",
                 k + 1, today, amount, n);
        cm_commit_ledger(commit, key, line);
    }
    return commit;
}

static int
s_store_statement(cm_store_t *store, const char *key, long long lines,
                  long long stride, const char *today)
{
    for (long long k = 0; k < lines; k += S_BATCH * S_PIPELINE) {
        cm_commit_t *commits[S_PIPELINE];
        cm_commit_result_t results[S_PIPELINE];
        int rcs[S_PIPELINE];
        size_t n = 0;
        for (; n < S_PIPELINE && k + (long long)n * S_BATCH < lines; n++) {
            long long first = k + (long long)n * S_BATCH;
            long long count = lines - first < S_BATCH ? lines - first : S_BATCH;
            commits[n] = s_statement_commit(key, first, count, stride, today);
        }
        int rc = cm_store_commit_batch(
            store, (const cm_commit_t *const *)commits, n, results, rcs);
        for (size_t i = 0; i < n; i++) {
            rc = rc ? rc : rcs[i];
            cm_commit_result_clear(&results[i]);
            cm_commit_destroy(&commits[i]);
        }
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

static int
s_reconcile(int port, long long lines, long long stride)
{
    cm_store_t *store = cm_store_new("127.0.0.1", port, "", 30000);
    char today[11], key[CM_STORE_KEY_MAX];
    period_format_day(period_day(cm_time_now_ms()), today);
    reconciliation_statement_key("RC-BENCH", key);
    int64_t started = cm_time_mono_ms();
    int rc = s_store_statement(store, key, lines, stride, today);
    printf("statement of %lld lines stored in %.1f s (rc %d)\n", lines,
           (double)(cm_time_mono_ms() - started) / 1000.0, rc);
    json_t *doc = json_pack("{s:s, s:s, s:s, s:s}", "id", "RC-BENCH", "account",
                            "1002", "period_start", today, "period_end", today);
    started = cm_time_mono_ms();
    rc = rc ? rc : reconciliation_run(store, doc, 3);
    int64_t elapsed = cm_time_mono_ms() - started;
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    printf("reconciled %lld statement lines against %lld postings in %.1f s "
           "(rc %d): matched %lld, unmatched statement %lld, unmatched book "
           "%lld; peak RSS %.0f MiB\n",
           lines, (long long)cm_doc_integer(doc, "book_entries"),
           (double)elapsed / 1000.0, rc,
           (long long)cm_doc_integer(doc, "matched"),
           (long long)cm_doc_integer(doc, "unmatched_statement"),
           (long long)cm_doc_integer(doc, "unmatched_book"),
           (double)usage.ru_maxrss / 1024.0);
    json_decref(doc);
    cm_store_destroy(&store);
    return rc ? 1 : 0;
}

int
main(int argc, char **argv)
{
    if (argc == 7 && strcmp(argv[1], "append") == 0) {
        return s_append(atoi(argv[2]), argv[3], atoll(argv[4]), atoll(argv[5]),
                        atoi(argv[6]));
    }
    if (argc == 5 && strcmp(argv[1], "reconcile") == 0) {
        return s_reconcile(atoi(argv[2]), atoll(argv[3]), atoll(argv[4]));
    }
    fprintf(stderr, "usage: finance append <http port> <token> <total> <step> "
                    "<connections>\n       finance reconcile <redis port> "
                    "<lines> <stride>\n");
    return 2;
}
