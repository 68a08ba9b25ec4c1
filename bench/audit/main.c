// bench/audit — the audit chain (services/safety-audit/audit.h): append
// rate (each event as the consumer appends it: read the head, hash, one
// commit with the entry, the head and five index entries) and verify rate
// (read entries 500 per round trip, parse, canonicalise, BLAKE2b) and the
// latency of a search page (an index page, then its entries) over N
// entries (argv[1], default 1,000,000), against the raw BLAKE2b rate of
// this machine. Starts its own redis-server (temp dir, AOF off). Prints
// figures only.
#include <czmq.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "audit.h"
#include "cm_log.h"
#include "cm_store.h"
#include "cm_time.h"
#include "safety.h"

#define BENCH_EVENTS_DEFAULT 1000000
#define BENCH_RAW_BYTES      (64 * 1024 * 1024)

static pid_t
s_redis_start(int port, char *dir)
{
    if (!mkdtemp(dir)) {
        return -1;
    }
    char port_text[16];
    snprintf(port_text, sizeof port_text, "%d", port);
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, STDOUT_FILENO);
        execlp("redis-server", "redis-server", "--port", port_text, "--bind",
               "127.0.0.1", "--dir", dir, "--appendonly", "no", "--save", "",
               (char *)NULL);
        _exit(127);
    }
    return pid;
}

static cm_store_t *
s_store_wait(int port)
{
    cm_store_t *store = cm_store_new("127.0.0.1", port, NULL, 5000);
    int64_t deadline = cm_time_mono_ms() + 10000;
    while (store && cm_store_ping(store) != 0 && cm_time_mono_ms() < deadline) {
        zclock_sleep(10); // polling redis-server start-up
    }
    return store;
}

// An envelope the size of a typical case event (~450 bytes).
static void
s_envelope(char *buf, size_t size, int i)
{
    snprintf(buf, size,
             "{\"v\":1,\"id\":\"bench-%d\",\"type\":\"intake.case.updated\","
             "\"source\":\"intake\",\"subject\":\"case/CS-%d\",\"version\":%d,"
             "\"time\":\"2027-03-01T08:00:00.000Z\",\"correlation_id\":"
             "\"c-%d\",\"actor\":{\"id\":\"ST-%d\",\"role\":\"cs_agent\","
             "\"department\":\"customer_service\"},\"data\":{\"id\":\"CS-%d\","
             "\"kind\":\"complaint\",\"state\":\"forwarded\",\"severity\":"
             "\"high\",\"department\":\"technical\",\"assignee\":null,"
             "\"promised_reply_at\":null,\"awaiting_customer\":false}}",
             i, i % 5000, i % 7 + 1, i, i % 40 + 1, i % 5000);
}

static double
s_append(cm_store_t *store, int n)
{
    int64_t started = zclock_usecs();
    char envelope[1024];
    for (int i = 0; i < n; i++) {
        cm_event_t event = {.seq = i + 1};
        snprintf(event.stream, sizeof event.stream, "sm:{intake}:outbox");
        snprintf(event.id, sizeof event.id, "1796000000000-%d", i);
        s_envelope(envelope, sizeof envelope, i);
        event.type = "intake.case.updated";
        event.envelope = envelope;
        cm_commit_t *commit = cm_commit_new(SAFETY_OWNER);
        cm_commit_result_t result;
        memset(&result, 0, sizeof result);
        if (audit_append(store, &event, commit) != 0
            || cm_store_commit(store, commit, &result) != 0
            || result.outcome != CM_COMMIT_OK) {
            fprintf(stderr, "bench/audit: append %d failed\n", i);
            exit(1);
        }
        cm_commit_result_clear(&result);
        cm_commit_destroy(&commit);
    }
    return (double)(zclock_usecs() - started) / 1e6;
}

// Recompute the chain; seconds, and the canonical bytes hashed.
static double
s_verify(cm_store_t *store, int n, double *bytes)
{
    char prev[AUDIT_HASH_HEX], hash[AUDIT_HASH_HEX];
    memset(prev, '0', AUDIT_HASH_HEX - 1);
    prev[AUDIT_HASH_HEX - 1] = '\0';
    json_t *entries[AUDIT_READ_MAX];
    *bytes = 0;
    int64_t started = zclock_usecs();
    for (int64_t first = 1; first <= n; first += AUDIT_READ_MAX) {
        size_t count =
            (size_t)(n - first + 1 < AUDIT_READ_MAX ? n - first + 1
                                                    : AUDIT_READ_MAX);
        if (audit_read(store, first, count, entries) != 0) {
            fprintf(stderr, "bench/audit: read failed at %" PRId64 "\n", first);
            exit(1);
        }
        for (size_t i = 0; i < count; i++) {
            char *text = json_dumps(json_object_get(entries[i], "envelope"),
                                    JSON_COMPACT | JSON_SORT_KEYS);
            *bytes += text ? (double)strlen(text) + 60 : 0;
            free(text);
            if (audit_hash(prev, entries[i], hash) != 0
                || strcmp(hash, json_string_value(
                                    json_object_get(entries[i], "hash")))
                       != 0) {
                fprintf(stderr, "bench/audit: broken at %" PRId64 "\n",
                        first + (int64_t)i);
                exit(1);
            }
            memcpy(prev, hash, sizeof prev);
            json_decref(entries[i]);
        }
    }
    return (double)(zclock_usecs() - started) / 1e6;
}

static int
s_compare(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

// Search pages as GET /v1/audit serves them (an index page of 50 by
// actor, then the entries in one round trip) at random depths: p50/p99 µs.
static void
s_search(cm_store_t *store, int n, int64_t *p50, int64_t *p99)
{
    enum {
        S_PAGES = 2000
    };
    static int64_t took[S_PAGES];
    for (int i = 0; i < S_PAGES; i++) {
        char key[CM_STORE_KEY_MAX], actor[16], cursor[32];
        snprintf(actor, sizeof actor, "ST-%d", i % 40 + 1);
        snprintf(cursor, sizeof cursor,
                 "%d:", (int)(randombytes_uniform((uint32_t)n)) + 1);
        int64_t started = zclock_usecs();
        cm_page_t page;
        if (cm_store_list(store, audit_index_key(key, "actor", actor), cursor,
                          50, false, &page)
            != 0) {
            exit(1);
        }
        int64_t ns[50];
        json_t *entries[50];
        for (size_t j = 0; j < page.count; j++) {
            ns[j] = page.scores[j];
        }
        if (audit_read_ids(store, ns, page.count, entries) != 0) {
            exit(1);
        }
        for (size_t j = 0; j < page.count; j++) {
            json_decref(entries[j]);
        }
        cm_page_clear(&page);
        took[i] = zclock_usecs() - started;
    }
    qsort(took, S_PAGES, sizeof took[0], s_compare);
    *p50 = took[S_PAGES / 2];
    *p99 = took[S_PAGES * 99 / 100];
}

// BLAKE2b-256 over one large buffer: MB/s.
static double
s_raw_rate(void)
{
    unsigned char *buf = malloc(BENCH_RAW_BYTES), out[32];
    randombytes_buf(buf, BENCH_RAW_BYTES);
    int64_t started = zclock_usecs();
    crypto_generichash(out, sizeof out, buf, BENCH_RAW_BYTES, NULL, 0);
    double seconds = (double)(zclock_usecs() - started) / 1e6;
    free(buf);
    return BENCH_RAW_BYTES / 1e6 / seconds;
}

int
main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : BENCH_EVENTS_DEFAULT;
    cm_log_init("bench-audit", "0");
    cm_log_set_level(CM_LOG_ERROR);
    if (n < 1 || sodium_init() < 0) {
        return 1;
    }
    int port = 20000 + (int)(getpid() % 20000);
    char dir[] = "/tmp/sm-bench-audit-XXXXXX";
    pid_t redis = s_redis_start(port, dir);
    cm_store_t *store = redis > 0 ? s_store_wait(port) : NULL;
    if (!store || cm_store_ping(store) != 0) {
        fprintf(stderr, "bench/audit: no redis-server\n");
        return 1;
    }
    double append_s = s_append(store, n), bytes = 0;
    double verify_s = s_verify(store, n, &bytes);
    double raw = s_raw_rate(), hashed = bytes / 1e6 / verify_s;
    int64_t p50 = 0, p99 = 0;
    s_search(store, n, &p50, &p99);
    printf("audit chain: %d entries\n", n);
    printf("  append: %.1f s, %.0f events/s (head read + hash + one commit "
           "each)\n",
           append_s, n / append_s);
    printf("  verify: %.1f s, %.0f events/s, %.1f MB/s of canonical bytes\n",
           verify_s, n / verify_s, hashed);
    printf("  BLAKE2b raw: %.0f MB/s on one core; verify reaches %.1f %% of "
           "it\n",
           raw, 100.0 * hashed / raw);
    printf("  search: a page of 50 by actor at a random depth: p50 %.2f ms, "
           "p99 %.2f ms\n",
           p50 / 1000.0, p99 / 1000.0);
    cm_store_destroy(&store);
    kill(redis, SIGTERM);
    waitpid(redis, NULL, 0);
    char command[96];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    return system(command) == 0 ? 0 : 1;
}
