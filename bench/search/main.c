// bench/search — full-text case search (services/intake/case_words.h):
//   search load <redis port> <count>
//       store <count> cases CS-1… directly through intake's commit path
//       (case_new + cm_doc_commit of case_type: the document, its list
//       indexes, the word index and the volume counters, exactly as a
//       request writes them; no HTTP, no events), pipelined 500 commits a
//       round trip. Each case has 4 subject words and 16 description words
//       drawn from a vocabulary of S_VOCABULARY made-up words (each word in
//       about 1 % of the cases), and "water" in one case of five.
//   search query <gateway port> <token> <calls> <seed>
//       GET /v1/cases?q=<w1>+<w2>&limit=50 through the gateway on one
//       keep-alive connection, <calls> times with random pairs, then as
//       many with "water" and a random word; prints p50 / p99 / max of each.
// run.sh starts the stack and runs both. Prints figures only.
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../lib/http_conn.h"
#include "case.h"
#include "cm_store.h"
#include "cm_time.h"

#define S_BATCH       500
#define S_VOCABULARY  2000
#define S_SUBJECT     4
#define S_DESCRIPTION 16

static const char *const s_syllables[] = {
    "ka", "lo", "mi", "nu", "pe", "ra", "si", "to", "vu", "ze",
    "ba", "de", "fi", "go", "hu", "ja", "ke", "li", "mo", "ny"};

static const char *const s_kinds[] = {"inquiry", "complaint", "tech_support"};

// Word n of the vocabulary: three syllables (8,000 possible).
static void
s_word(unsigned n, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s%s", s_syllables[n % 20], s_syllables[n / 20 % 20],
             s_syllables[n / 400 % 20]);
}

// Up to count random words into buf, space-separated.
static void
s_words(unsigned *seed, int count, char *buf, size_t size)
{
    buf[0] = '\0';
    for (int i = 0; i < count; i++) {
        char word[16];
        s_word((unsigned)rand_r(seed) % S_VOCABULARY, word, sizeof word);
        strncat(buf, i ? " " : "", size - strlen(buf) - 1);
        strncat(buf, word, size - strlen(buf) - 1);
    }
}

static cm_commit_t *
s_case_commit(int64_t n, unsigned *seed, const json_t *customer,
              const json_t *actor)
{
    char id[32];
    char subject[128];
    char description[512];
    snprintf(id, sizeof id, "CS-%" PRId64, n);
    s_words(seed, S_SUBJECT, subject, sizeof subject);
    s_words(seed, S_DESCRIPTION, description, sizeof description);
    if (rand_r(seed) % 5 == 0) {
        strncat(description, " water",
                sizeof description - strlen(description) - 1);
    }
    case_fields_t fields = {.id = id,
                            .kind = s_kinds[n % 3],
                            .channel = "phone",
                            .subject = subject,
                            .description = description,
                            .customer = customer,
                            .actor = actor,
                            .now_ms = cm_time_now_ms()};
    json_t *doc = case_new(&fields);
    cm_commit_t *commit = cm_commit_new(CASE_OWNER);
    int rc = cm_doc_commit(commit, &case_type, NULL, doc, CM_VERSION_ANY,
                           fields.now_ms);
    assert(rc == 0); // a loaded case is small
    json_decref(doc);
    return commit;
}

static int
s_load(int port, int64_t count)
{
    cm_store_t *store = cm_store_new("127.0.0.1", port, "", 30000);
    json_t *customer = json_pack("{s:s, s:s, s:s}", "id", "CU-1", "name",
                                 "Bench", "phone", "100");
    json_t *actor = json_pack("{s:s, s:s}", "id", "ST-1", "role", "cs_agent");
    unsigned seed = 42;
    int64_t started = cm_time_mono_ms();
    int rc = 0;
    for (int64_t done = 0; done < count && rc == 0; done += S_BATCH) {
        cm_commit_t *commits[S_BATCH];
        cm_commit_result_t results[S_BATCH];
        int rcs[S_BATCH];
        size_t n = 0;
        for (; n < S_BATCH && done + (int64_t)n < count; n++) {
            commits[n] =
                s_case_commit(done + (int64_t)n + 1, &seed, customer, actor);
        }
        rc = cm_store_commit_batch(store, (const cm_commit_t *const *)commits,
                                   n, results, rcs);
        for (size_t i = 0; i < n; i++) {
            rc = rc ? rc : rcs[i];
            cm_commit_result_clear(&results[i]);
            cm_commit_destroy(&commits[i]);
        }
    }
    printf("loaded %" PRId64 " cases through the commit path in %.1f s "
           "(rc %d)\n",
           count, (double)(cm_time_mono_ms() - started) / 1000.0, rc);
    json_decref(customer);
    json_decref(actor);
    cm_store_destroy(&store);
    return rc ? 1 : 0;
}

static int
s_compare(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;
    return (x > y) - (x < y);
}

static double
s_now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

// calls searches, the first word fixed (NULL: random); prints figures.
static int
s_run(http_conn_t *conn, const char *headers, int calls, unsigned *seed,
      const char *fixed, const char *label)
{
    double *ms = calloc((size_t)calls, sizeof *ms);
    assert(ms);
    int failed = 0;
    for (int i = 0; i < calls; i++) {
        char a[16];
        char b[16];
        s_word((unsigned)rand_r(seed) % S_VOCABULARY, a, sizeof a);
        s_word((unsigned)rand_r(seed) % S_VOCABULARY, b, sizeof b);
        char path[128];
        snprintf(path, sizeof path, "/v1/cases?q=%s+%s&limit=50",
                 fixed ? fixed : a, b);
        double t0 = s_now_ms();
        int status = http_conn_request(conn, "GET", path, headers, NULL);
        ms[i] = s_now_ms() - t0;
        failed += status != 200;
    }
    qsort(ms, (size_t)calls, sizeof *ms, s_compare);
    printf("search %-14s %d calls: p50 %.3f ms  p99 %.3f ms  max %.3f ms  "
           "failed %d\n",
           label, calls, ms[calls / 2], ms[calls * 99 / 100], ms[calls - 1],
           failed);
    free(ms);
    return failed;
}

static int
s_query(int port, const char *token, int calls, unsigned seed)
{
    http_conn_t *conn = calloc(1, sizeof *conn);
    assert(conn);
    conn->fd = -1;
    if (http_conn_open(conn, port) != 0) {
        fprintf(stderr, "search: no gateway on %d\n", port);
        free(conn);
        return 1;
    }
    char headers[256];
    snprintf(headers, sizeof headers, "Authorization: Bearer %s\r\n", token);
    // Warm-up: the connection, the token cache, the first index pages.
    for (int i = 0; i < 20; i++) {
        (void)http_conn_request(conn, "GET", "/v1/cases?q=water&limit=50",
                                headers, NULL);
    }
    int failed = s_run(conn, headers, calls, &seed, NULL, "two words");
    failed += s_run(conn, headers, calls, &seed, "water", "water + word");
    http_conn_close(conn);
    free(conn);
    return failed ? 1 : 0;
}

int
main(int argc, char **argv)
{
    if (argc >= 4 && strcmp(argv[1], "load") == 0) {
        return s_load(atoi(argv[2]), strtoll(argv[3], NULL, 10));
    }
    if (argc >= 6 && strcmp(argv[1], "query") == 0) {
        return s_query(atoi(argv[2]), argv[3], atoi(argv[4]),
                       (unsigned)strtoul(argv[5], NULL, 10));
    }
    fprintf(stderr, "usage: search load PORT COUNT | search query PORT TOKEN "
                    "CALLS SEED\n");
    return 64;
}
