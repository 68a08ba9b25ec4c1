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
//       keep-alive connection, <calls> searches with random pairs, then as
//       many with "water" and a random word. A search follows next_cursor
//       while its page came back short (fewer than 50 items with a cursor):
//       prints p50 / p99 / max of every call and of every search, the short
//       pages and the most calls a search took; a failed call is counted.
// run.sh starts the stack and runs both. Prints figures only.
#include <assert.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../lib/http_conn.h"
#include "case.h"
#include "cm_redis.h"
#include "cm_store.h"
#include "cm_time.h"

#define S_BATCH       500
#define S_VOCABULARY  2000
#define S_SUBJECT     4
#define S_DESCRIPTION 16
#define S_LIMIT       50  // results a search wants
#define S_FOLLOW      100 // calls one search may make
#define S_BODY        65536

static int conn_port; // the gateway's, to reconnect

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
    // The counter, as the cases' creation leaves it (a search starts there).
    char counter[32];
    snprintf(counter, sizeof counter, "%" PRId64, count);
    redisReply *set = cm_redis_cmd(cm_store_redis(store), "SET",
                                   "sm:{intake}:counter:case", counter);
    rc = rc ? rc : !set || set->type == REDIS_REPLY_ERROR;
    if (set) {
        freeReplyObject(set);
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

// p50 / p99 / max of n times (sorted here) as text.
static void
s_figures(double *ms, int n, char *text, size_t size)
{
    qsort(ms, (size_t)n, sizeof *ms, s_compare);
    snprintf(text, size, "p50 %.3f ms  p99 %.3f ms  max %.3f ms",
             n ? ms[n / 2] : 0.0, n ? ms[n * 99 / 100] : 0.0,
             n ? ms[n - 1] : 0.0);
}

// The items of a page's body and its next_cursor (copied to cursor, ""
// when null): the item count, or -1 when the body is not a page.
static int
s_page(const char *body, char *cursor, size_t size)
{
    json_t *page = json_loads(body, 0, NULL);
    const json_t *items = json_object_get(page, "items");
    const char *next = json_string_value(json_object_get(page, "next_cursor"));
    int count = json_is_array(items) ? (int)json_array_size(items) : -1;
    snprintf(cursor, size, "%s", next ? next : "");
    json_decref(page);
    return count;
}

// calls searches, the first word fixed (NULL: random); prints figures.
// A search is what a client does for one page of S_LIMIT results: the
// first call and, while the page came back short with a cursor, the calls
// that follow it (at most S_FOLLOW). Printed: every call (first ones and
// follow-ups alike), the searches (first call to a full page or the end),
// the short pages and the calls a search took.
static int
s_run(http_conn_t *conn, const char *headers, int calls, unsigned *seed,
      const char *fixed, const char *label)
{
    double *call_ms = calloc((size_t)calls * S_FOLLOW, sizeof *call_ms);
    double *search_ms = calloc((size_t)calls, sizeof *search_ms);
    assert(call_ms && search_ms);
    int failed = 0;
    int made = 0;
    int short_pages = 0;
    int most = 0;
    for (int i = 0; i < calls; i++) {
        char a[16];
        char b[16];
        s_word((unsigned)rand_r(seed) % S_VOCABULARY, a, sizeof a);
        s_word((unsigned)rand_r(seed) % S_VOCABULARY, b, sizeof b);
        char cursor[128] = "";
        int found = 0;
        int n = 0;
        search_ms[i] = 0;
        do {
            char path[256];
            snprintf(path, sizeof path, "/v1/cases?q=%s+%s&limit=%d%s%s",
                     fixed ? fixed : a, b, S_LIMIT, *cursor ? "&cursor=" : "",
                     cursor);
            double t0 = s_now_ms();
            int status = http_conn_request(conn, "GET", path, headers, NULL);
            double took = s_now_ms() - t0;
            call_ms[made++] = took;
            search_ms[i] += took;
            int count =
                status == 200 ? s_page(conn->body, cursor, sizeof cursor) : -1;
            if (count < 0) {
                failed++;
                if (conn->fd < 0 && http_conn_open(conn, conn_port) != 0) {
                    free(call_ms);
                    free(search_ms);
                    return failed + 1;
                }
                break;
            }
            found += count;
            n++;
            short_pages += found < S_LIMIT && *cursor;
        } while (found < S_LIMIT && *cursor && n < S_FOLLOW);
        most = n > most ? n : most;
    }
    char calls_text[128];
    char search_text[128];
    s_figures(call_ms, made, calls_text, sizeof calls_text);
    s_figures(search_ms, calls, search_text, sizeof search_text);
    printf("search %-14s %d searches, %d calls (%d short pages with a cursor, "
           "at most %d calls a search), failed %d\n"
           "  every call:                  %s\n"
           "  search (page of %d or end): %s\n",
           label, calls, made, short_pages, most, failed, calls_text, S_LIMIT,
           search_text);
    free(call_ms);
    free(search_ms);
    return failed;
}

static int
s_query(int port, const char *token, int calls, unsigned seed)
{
    http_conn_t *conn = calloc(1, sizeof *conn);
    assert(conn);
    conn->fd = -1;
    conn->body = malloc(S_BODY);
    conn->body_size = S_BODY;
    assert(conn->body);
    conn_port = port;
    if (http_conn_open(conn, port) != 0) {
        fprintf(stderr, "search: no gateway on %d\n", port);
        free(conn->body);
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
    free(conn->body);
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
