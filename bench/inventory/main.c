// bench/inventory — the inventory benchmark's driver (run.sh starts the
// stack and stocks the items):
//   inventory issue <http port> <token> <items> <total> <step> <connections>
//       POST /v1/stock/movements (issue of 1 unit of item IT-(n % items + 1))
//       through the gateway on <connections> keep-alive connections until
//       <total> entries are written; for every <step> entries prints the
//       throughput, and the p50/p99 of 500 GET /v1/stock?item= sent on
//       their own connection while the issues go on, so the curve shows
//       whether either degrades as the ledger grows.
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../lib/http_conn.h"
#include "cm_time.h"

#define S_BODY_MAX 256
#define S_SAMPLES  500 // stock reads per step

typedef struct {
    int port;            // gateway
    const char *token;   // bearer
    long long items;     // IT-1 … IT-<items>
    long long total;     // entries to write
    atomic_llong next;   // the next entry number
    atomic_llong done;   // entries answered 201
    atomic_llong failed; // other answers
} s_run_t;

static void
s_headers(const s_run_t *run, char *buf, size_t size)
{
    snprintf(buf, size,
             "Authorization: Bearer %s\r\nContent-Type: application/json\r\n",
             run->token);
}

static void *
s_issuer(void *arg)
{
    s_run_t *run = arg;
    http_conn_t conn = {.fd = -1};
    if (http_conn_open(&conn, run->port) != 0) {
        fprintf(stderr, "bench/inventory: cannot connect\n");
        return NULL;
    }
    char headers[256], body[S_BODY_MAX];
    s_headers(run, headers, sizeof headers);
    for (;;) {
        long long n = atomic_fetch_add(&run->next, 1);
        if (n >= run->total) {
            break;
        }
        snprintf(body, sizeof body,
                 "{\"item\":\"IT-%lld\",\"kind\":\"issue\",\"quantity\":1,"
                 "\"reference\":\"B-%lld\"}",
                 n % run->items + 1, n);
        int status = http_conn_request(&conn, "POST", "/v1/stock/movements",
                                       headers, body);
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

static int64_t
s_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
s_compare(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

// p50 and p99 (µs) of S_SAMPLES stock reads.
static void
s_reads(const s_run_t *run, http_conn_t *conn, double *p50, double *p99)
{
    static int64_t took[S_SAMPLES];
    char headers[256], path[64];
    s_headers(run, headers, sizeof headers);
    for (int i = 0; i < S_SAMPLES; i++) {
        snprintf(path, sizeof path, "/v1/stock?item=IT-%lld",
                 (long long)(i % run->items + 1));
        int64_t start = s_mono_us();
        int status = http_conn_request(conn, "GET", path, headers, NULL);
        took[i] = s_mono_us() - start;
        if (status == 0) {
            http_conn_open(conn, run->port);
        }
    }
    qsort(took, S_SAMPLES, sizeof took[0], s_compare);
    *p50 = (double)took[S_SAMPLES / 2];
    *p99 = (double)took[S_SAMPLES * 99 / 100];
}

static int
s_issue(s_run_t *run, long long step, int connections)
{
    pthread_t *threads = calloc((size_t)connections, sizeof *threads);
    http_conn_t reader = {.fd = -1};
    http_conn_open(&reader, run->port);
    int64_t started = cm_time_mono_ms(), last = started;
    for (int i = 0; i < connections; i++) {
        pthread_create(&threads[i], NULL, s_issuer, run);
    }
    printf("%12s %10s %10s %12s %12s %8s\n", "entries", "step_s", "issues/s",
           "stock_p50_ms", "stock_p99_ms", "failed");
    for (long long mark = step; mark <= run->total; mark += step) {
        double p50 = 0, p99 = 0;
        s_reads(run, &reader, &p50, &p99);
        while (atomic_load(&run->done) + atomic_load(&run->failed) < mark) {
            usleep(20000);
        }
        int64_t now = cm_time_mono_ms();
        printf(
            "%12lld %10.1f %10.0f %12.2f %12.2f %8lld\n", mark,
            (double)(now - last) / 1000.0,
            (double)step * 1000.0 / (double)(now - last > 0 ? now - last : 1),
            p50 / 1000.0, p99 / 1000.0, (long long)atomic_load(&run->failed));
        fflush(stdout);
        last = now;
    }
    for (int i = 0; i < connections; i++) {
        pthread_join(threads[i], NULL);
    }
    double p50 = 0, p99 = 0;
    s_reads(run, &reader, &p50, &p99); // idle, at the final size
    http_conn_close(&reader);
    int64_t elapsed = cm_time_mono_ms() - started;
    printf("total %lld entries in %.1f s: %.0f issues/s, %lld failed; "
           "GET /v1/stock?item= at rest: p50 %.2f ms, p99 %.2f ms\n",
           (long long)atomic_load(&run->done), (double)elapsed / 1000.0,
           (double)atomic_load(&run->done) * 1000.0 / (double)elapsed,
           (long long)atomic_load(&run->failed), p50 / 1000.0, p99 / 1000.0);
    free(threads);
    return atomic_load(&run->failed) ? 1 : 0;
}

int
main(int argc, char **argv)
{
    if (argc == 8 && strcmp(argv[1], "issue") == 0) {
        s_run_t run = {.port = atoi(argv[2]),
                       .token = argv[3],
                       .items = atoll(argv[4]),
                       .total = atoll(argv[5])};
        long long step = atoll(argv[6]);
        int connections = atoi(argv[7]);
        if (run.items < 1 || run.total < 1 || step < 1 || connections < 1) {
            fprintf(stderr, "bench/inventory: bad arguments\n");
            return 2;
        }
        return s_issue(&run, step, connections);
    }
    fprintf(stderr, "usage: inventory issue <http port> <token> <items> "
                    "<total> <step> <connections>\n");
    return 2;
}
