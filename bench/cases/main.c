// bench/cases — the list side of the intake benchmark (run.sh does the
// HTTP side with wrk):
//   cases load <redis port> <count> [first]
//                                     store <count> cases CS-<first>… through
//                                     cm_store
//                                     (the intake document and index
//                                     writes, pipelined; no HTTP, no events)
//   cases list <broker endpoint> <calls> [name=value ...]
//                                     GET /v1/cases (first page) over MDP,
//                                     <calls> times; prints p50 / p99 / max
#include <assert.h>
#include <czmq.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "case.h"
#include "cm_envelope.h"
#include "cm_mdp_client.h"
#include "cm_time.h"

#define S_BATCH 500

static const char *const s_kinds[] = {"inquiry", "complaint", "tech_support"};

static cm_commit_t *
s_case_commit(int64_t n, const json_t *customer, const json_t *actor)
{
    char id[32];
    snprintf(id, sizeof id, "CS-%" PRId64, n);
    case_fields_t fields = {.id = id,
                            .kind = s_kinds[n % 3],
                            .channel = "phone",
                            .subject = "Loaded case",
                            .description = "bench/cases loader",
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
s_load(int port, int64_t count, int64_t first)
{
    cm_store_t *store = cm_store_new("127.0.0.1", port, "", 10000);
    json_t *customer = json_pack("{s:s, s:s, s:s}", "id", "CU-1", "name",
                                 "Bench", "phone", "100");
    json_t *actor = json_pack("{s:s, s:s}", "id", "ST-1", "role", "cs_agent");
    int64_t started = cm_time_mono_ms();
    int rc = 0;
    for (int64_t done = 0; done < count && rc == 0; done += S_BATCH) {
        cm_commit_t *commits[S_BATCH];
        cm_commit_result_t results[S_BATCH];
        int rcs[S_BATCH];
        size_t n = 0;
        for (; n < S_BATCH && done + (int64_t)n < count; n++) {
            commits[n] =
                s_case_commit(first + done + (int64_t)n, customer, actor);
        }
        rc = cm_store_commit_batch(store, (const cm_commit_t *const *)commits,
                                   n, results, rcs);
        for (size_t i = 0; i < n; i++) {
            rc = rc ? rc : rcs[i];
            cm_commit_result_clear(&results[i]);
            cm_commit_destroy(&commits[i]);
        }
    }
    printf("loaded %" PRId64 " cases in %.1f s (rc %d)\n", count,
           (double)(cm_time_mono_ms() - started) / 1000.0, rc);
    json_decref(customer);
    json_decref(actor);
    cm_store_destroy(&store);
    return rc ? 1 : 0;
}

static char *
s_request(const json_t *query)
{
    json_t *actor = json_pack("{s:s, s:s, s:s}", "id", "ST-1", "role",
                              "auditor", "department", "audit");
    cm_envelope_request_t fields = {.type = "bench",
                                    .source = "bench/cases",
                                    .deadline_ms = cm_time_now_ms() + 5000,
                                    .actor = actor,
                                    .method = "GET",
                                    .path = "/v1/cases",
                                    .query = query};
    json_t *request = cm_envelope_request_new(&fields);
    char *text = cm_envelope_encode(request);
    json_decref(request);
    json_decref(actor);
    return text;
}

static int
s_compare(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;
    return (x > y) - (x < y);
}

// One call; its duration in ms, or -1 when no 200 came back.
static double
s_call(cm_mdp_client_t *client, const json_t *query)
{
    char *text = s_request(query);
    int64_t t0 = cm_time_mono_ms();
    struct timespec a;
    clock_gettime(CLOCK_MONOTONIC, &a);
    while (cm_mdp_client_send(client, "intake", text) != 0) {
        if (cm_time_mono_ms() - t0 > 5000) {
            free(text);
            return -1;
        }
        zclock_sleep(1); // not connected yet
        clock_gettime(CLOCK_MONOTONIC, &a);
    }
    char *reply = cm_mdp_client_recv(client, 5000, NULL);
    struct timespec b;
    clock_gettime(CLOCK_MONOTONIC, &b);
    json_t *envelope = reply ? json_loads(reply, 0, NULL) : NULL;
    int status = (int)json_integer_value(json_object_get(envelope, "status"));
    json_decref(envelope);
    free(reply);
    free(text);
    return status == 200 ? (double)(b.tv_sec - a.tv_sec) * 1e3
                               + (double)(b.tv_nsec - a.tv_nsec) / 1e6
                         : -1;
}

static int
s_list(const char *endpoint, int calls, int argc, char **argv)
{
    json_t *query = json_object();
    for (int i = 0; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (eq) {
            *eq = '\0';
            json_object_set_new(query, argv[i], json_string(eq + 1));
        }
    }
    cm_mdp_client_t *client = cm_mdp_client_new(endpoint);
    double *ms = calloc((size_t)calls, sizeof *ms);
    int failed = 0;
    s_call(client, query); // warm-up: connection and first page cache
    for (int i = 0; i < calls; i++) {
        ms[i] = s_call(client, query);
        failed += ms[i] < 0;
    }
    qsort(ms, (size_t)calls, sizeof *ms, s_compare);
    printf("list %d calls: p50 %.3f ms  p99 %.3f ms  max %.3f ms  failed %d\n",
           calls, ms[calls / 2], ms[calls * 99 / 100], ms[calls - 1], failed);
    free(ms);
    json_decref(query);
    cm_mdp_client_destroy(&client);
    return failed ? 1 : 0;
}

int
main(int argc, char **argv)
{
    if (argc >= 4 && strcmp(argv[1], "load") == 0) {
        return s_load(atoi(argv[2]), strtoll(argv[3], NULL, 10),
                      argc > 4 ? strtoll(argv[4], NULL, 10) : 1);
    }
    if (argc >= 4 && strcmp(argv[1], "list") == 0) {
        return s_list(argv[2], atoi(argv[3]), argc - 4, argv + 4);
    }
    fprintf(stderr, "usage: cases load PORT COUNT | cases list ENDPOINT "
                    "CALLS [name=value...]\n");
    return 64;
}
