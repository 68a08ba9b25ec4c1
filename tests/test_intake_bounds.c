// Integration tests of what keeps a case healthy however it is used: a
// stale If-Match changes nothing (412), a free text past its maximum is a
// 400 that changes nothing, a case with 1,000 history entries still reads
// in one reply and its history pages through, and the arrays that grow per
// action keep their last entries; a batch of reads with a write among them
// answers each read with its own document. Real redis-server, broker, hub and
// intake; requests over MDP. Suite: intake_bounds_suite.
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cm_mdp.h"
#include "cm_time.h"
#include "suites.h"
#include "test_intake_stack.h"

#define S_NOTES 999 // with the "record" entry: 1,000 history entries

static json_t *s_agent;   // cs_agent of customer service
static json_t *s_finance; // head of finance: the department cases go to

static void
s_setup(void)
{
    intake_stack_setup();
    s_agent = harness_mdp_actor("ST-2", "cs_agent", "customer_service");
    s_finance = harness_mdp_actor("ST-6", "dept_head", "finance");
}

static void
s_teardown(void)
{
    json_decref(s_agent);
    json_decref(s_finance);
    s_agent = s_finance = NULL;
    intake_stack_teardown();
}

// An inquiry of a new customer; returns its id (free).
static char *
s_create(void)
{
    json_t *body = json_pack("{s:s, s:s, s:{s:s, s:s}, s:s, s:s}", "kind",
                             "inquiry", "channel", "phone", "customer", "name",
                             "Li Wei", "phone", "+86 139 4444 0001", "subject",
                             "Water pressure", "description", "Low since May");
    json_t *doc = intake_expect(201, s_agent, "POST", "/v1/cases", body);
    json_decref(body);
    char *id = strdup(json_string_value(json_object_get(doc, "id")));
    json_decref(doc);
    return id;
}

static json_t *
s_get(const char *id)
{
    char path[64];
    snprintf(path, sizeof path, "/v1/cases/%s", id);
    return intake_expect(200, s_agent, "GET", path, NULL);
}

static int64_t
s_int(const json_t *doc, const char *member)
{
    return json_integer_value(json_object_get(doc, member));
}

static int64_t
s_outbox_length(void)
{
    char *text = intake_redis("XLEN", "sm:{intake}:outbox", NULL);
    int64_t length = text ? atoll(text) : -1;
    free(text);
    return length;
}

START_TEST(test_intake_bounds_stale_if_match)
{
    char *id = s_create();
    char path[64];
    snprintf(path, sizeof path, "/v1/cases/%s/answer", id);
    json_t *body = json_pack("{s:s}", "answer", "Open 8-17");
    cm_envelope_request_t fields = {
        .actor = s_agent,
        .method = "POST",
        .path = path,
        .body = body,
        .if_match = "\"7\"",
    };
    int64_t events = s_outbox_length();
    json_t *reply = intake_call_with(&fields);
    ck_assert_int_eq(harness_mdp_status(reply), 412);
    ck_assert_str_eq(harness_mdp_error_code(reply), "precondition_failed");
    json_decref(reply);
    json_t *doc = s_get(id);
    ck_assert_int_eq(s_int(doc, "version"), 1);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "state")),
                     "recorded");
    ck_assert_ptr_null(json_object_get(doc, "answer"));
    json_decref(doc);
    ck_assert_int_eq(s_outbox_length(), events);
    fields.if_match = "\"1\"";
    reply = intake_call_with(&fields);
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    json_decref(reply);
    json_decref(body);
    free(id);
}
END_TEST

START_TEST(test_intake_bounds_long_answer_changes_nothing)
{
    char *id = s_create();
    char *answer = malloc(33 * 1024 + 1);
    memset(answer, 'a', 33 * 1024);
    answer[33 * 1024] = '\0';
    int64_t events = s_outbox_length();
    json_t *reply = intake_act(s_agent, id, "answer",
                               json_pack("{s:s}", "answer", answer), 400);
    json_t *error = json_array_get(
        json_object_get(json_object_get(reply, "error"), "errors"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(error, "field")),
                     "answer");
    ck_assert_str_eq(json_string_value(json_object_get(error, "message")),
                     "must be at most 1000 characters");
    json_decref(reply);
    free(answer);
    json_t *doc = s_get(id);
    ck_assert_int_eq(s_int(doc, "version"), 1);
    ck_assert_int_eq(s_int(doc, "history_count"), 1);
    ck_assert_ptr_null(json_object_get(doc, "answer"));
    json_decref(doc);
    ck_assert_int_eq(s_outbox_length(), events);
    // The case still works.
    json_decref(intake_act(s_agent, id, "answer",
                           json_pack("{s:s}", "answer", "Open 8-17"), 200));
    free(id);
}
END_TEST

// A note of n characters of a three-byte character. Caller owns it.
static char *
s_han(size_t n)
{
    char *text = malloc(n * 3 + 1);
    for (size_t i = 0; i < n; i++) {
        memcpy(text + i * 3, "\xe4\xb8\xad", 3); // U+4E2D
    }
    text[n * 3] = '\0';
    return text;
}

// Page through GET /v1/cases/{id}/history; returns the entries seen.
static size_t
s_walk_history(const char *id, size_t *pages)
{
    char path[64];
    snprintf(path, sizeof path, "/v1/cases/%s/history", id);
    json_t *query = json_pack("{s:s}", "limit", "200");
    size_t seen = 0;
    for (*pages = 0; *pages < 50; (*pages)++) {
        json_t *reply = intake_call(s_agent, "GET", path, query, NULL, NULL);
        ck_assert_int_eq(harness_mdp_status(reply), 200);
        json_t *body = json_object_get(reply, "body");
        json_t *items = json_object_get(body, "items");
        if (seen == 0) {
            ck_assert_str_eq(json_string_value(json_object_get(
                                 json_array_get(items, 0), "action")),
                             "record");
        }
        seen += json_array_size(items);
        json_t *next = json_object_get(body, "next_cursor");
        bool last = json_is_null(next);
        json_object_set(query, "cursor", next);
        json_decref(reply);
        if (last) {
            break;
        }
    }
    json_decref(query);
    return seen;
}

START_TEST(test_intake_bounds_thousand_history_entries)
{
    char *id = s_create();
    char *long_note = s_han(4000); // the longest note, 12 KB
    char short_note[64];
    for (int i = 0; i < S_NOTES; i++) {
        snprintf(short_note, sizeof short_note, "called back, try %d", i);
        bool last = i >= S_NOTES - 5;
        json_decref(intake_act(
            s_agent, id, "note",
            json_pack("{s:s}", "note", last ? long_note : short_note), 200));
    }
    free(long_note);
    json_t *doc = s_get(id);
    ck_assert_int_eq(s_int(doc, "history_count"), S_NOTES + 1);
    size_t inline_count = json_array_size(json_object_get(doc, "history"));
    ck_assert_uint_gt(inline_count, 0);
    ck_assert_uint_le(inline_count, 20);
    ck_assert_int_eq(s_int(doc, "version"), S_NOTES + 1);
    json_decref(doc);
    size_t pages = 0;
    ck_assert_uint_eq(s_walk_history(id, &pages), S_NOTES + 1);
    ck_assert_uint_ge(pages, 5);
    free(id);
}
END_TEST

// Satisfaction entries grow per confirm: the case keeps the last five (all
// are in the history and the satisfaction ledger).
START_TEST(test_intake_bounds_satisfaction_entries)
{
    char *id = s_create();
    char reply_by[32];
    cm_time_format(cm_time_now_ms() + 3600LL * 1000, reply_by);
    json_decref(intake_act(
        s_agent, id, "forward",
        json_pack("{s:s, s:s}", "department", "finance", "reply_by", reply_by),
        200));
    for (int round = 1; round <= 7; round++) {
        json_decref(intake_act(s_finance, id, "reply",
                               json_pack("{s:s}", "answer", "see bill"), 200));
        json_decref(intake_act(s_agent, id, "relay", NULL, 200));
        json_decref(intake_act(
            s_agent, id, "confirm",
            json_pack("{s:b, s:i}", "satisfied", 0, "score", 1), 200));
    }
    json_t *doc = s_get(id);
    json_t *entries = json_object_get(doc, "satisfaction");
    ck_assert_int_eq(json_array_size(entries), 5);
    ck_assert_int_eq(s_int(json_array_get(entries, 4), "round"), 7);
    ck_assert_int_eq(s_int(doc, "round"), 8);
    json_decref(doc);
    char *count = intake_redis("XLEN", "sm:{intake}:ledger:satisfaction", NULL);
    ck_assert_str_eq(count, "7");
    free(count);
    free(id);
}
END_TEST

// A host that stops running the broker and the service for longer than the
// workers' liveness (3 heartbeats of 2.5 s), as an overloaded virtual
// machine does: when both run again the workers are still the broker's, and
// the next request is served rather than refused with "no worker".
START_TEST(test_intake_bounds_stalled_host_keeps_its_workers)
{
    json_decref(intake_expect(200, s_agent, "GET", "/v1/cases", NULL));
    pid_t stopped[] = {intake_stack.broker.pid, intake_stack.intake.pid};
    for (size_t i = 0; i < 2; i++) {
        ck_assert_int_eq(kill(stopped[i], SIGSTOP), 0);
    }
    struct timespec stall = {CM_MDP_HEARTBEAT_MS * CM_MDP_LIVENESS / 1000 + 1,
                             0};
    nanosleep(&stall, NULL);
    for (size_t i = 0; i < 2; i++) {
        ck_assert_int_eq(kill(stopped[i], SIGCONT), 0);
    }
    char *id = s_create();
    json_decref(s_get(id));
    free(id);
    ck_assert_int_eq(
        harness_proc_count_event(&intake_stack.broker, "broker.worker.expired"),
        0);
    ck_assert_int_ge(
        harness_proc_count_event(&intake_stack.broker, "broker.stalled"), 1);
}
END_TEST

// Requests that wait while intake (one worker thread here) is stopped reach
// it as one batch: the reads in it are answered from one read-ahead of their
// documents, and the write among them drops it, so the reads after the
// write see it. Each read gets its own case (an absent one 404), with a
// version and ETag that agree.
START_TEST(test_intake_bounds_batch_of_reads_and_a_write)
{
    char *a = s_create();
    char *b = s_create();
    ck_assert_int_eq(harness_proc_kill(&intake_stack.intake, SIGTERM, 10000),
                     0);
    snprintf(intake_stack.env[5], INTAKE_TEST_ENV_MAX, "SM_SERVICE__WORKERS=1");
    ck_assert_int_eq(
        harness_proc_start(&intake_stack.intake, "intake", intake_stack.envp),
        0);
    ck_assert(
        harness_proc_wait_event(&intake_stack.broker, "broker.worker.ready",
                                INTAKE_TEST_WORKERS + 1, HARNESS_WAIT_MS));
    cm_mdp_client_t *client = cm_mdp_client_new(intake_stack.endpoint);
    ck_assert_ptr_nonnull(client);
    cm_envelope_request_t list = {
        .actor = s_agent, .method = "GET", .path = "/v1/cases"};
    json_decref(harness_mdp_call(client, "intake", &list, 5000)); // connected
    const char *order[] = {a, b, "answer", a, b, "CS-999999", a};
    enum {
        N = sizeof order / sizeof order[0]
    };
    char ids[N][64];
    json_t *answer = json_pack("{s:s}", "answer", "Open 8-17");
    ck_assert_int_eq(kill(intake_stack.intake.pid, SIGSTOP), 0);
    for (size_t i = 0; i < N; i++) {
        char path[64];
        bool write = strcmp(order[i], "answer") == 0;
        snprintf(path, sizeof path,
                 write ? "/v1/cases/%s/answer" : "/v1/cases/%s",
                 write ? a : order[i]);
        cm_envelope_request_t fields = {
            .type = "intake.test",
            .source = "test",
            .deadline_ms = cm_time_now_ms() + 10000,
            .actor = s_agent,
            .method = write ? "POST" : "GET",
            .path = path,
            .body = write ? answer : NULL,
        };
        json_t *request = cm_envelope_request_new(&fields);
        ck_assert_ptr_nonnull(request);
        snprintf(ids[i], sizeof ids[i], "%s", cm_envelope_id(request));
        char *text = cm_envelope_encode(request);
        ck_assert_int_eq(cm_mdp_client_send(client, "intake", text), 0);
        free(text);
        json_decref(request);
    }
    ck_assert_int_eq(kill(intake_stack.intake.pid, SIGCONT), 0);
    for (size_t got = 0; got < N; got++) {
        char *text = cm_mdp_client_recv(client, 10000, NULL);
        ck_assert_msg(text != NULL, "reply %zu of %d never came", got, N);
        json_t *reply = json_loads(text, 0, NULL);
        free(text);
        const char *to = cm_envelope_correlation_id(reply);
        size_t i = 0;
        while (i < N && !(to && strcmp(ids[i], to) == 0)) {
            i++;
        }
        ck_assert_msg(i < N, "a reply to no request of the batch");
        const json_t *body = json_object_get(reply, "body");
        // cppcheck-suppress arrayIndexOutOfBoundsCond ; ck_assert_msg stops
        if (strcmp(order[i], "answer") == 0) {
            ck_assert_int_eq(harness_mdp_status(reply), 200);
        } else if (strcmp(order[i], "CS-999999") == 0) {
            ck_assert_int_eq(harness_mdp_status(reply), 404);
        } else {
            ck_assert_int_eq(harness_mdp_status(reply), 200);
            ck_assert_str_eq(json_string_value(json_object_get(body, "id")),
                             order[i]);
            int64_t version = s_int(body, "version");
            ck_assert_int_eq(version, order[i] == a && i > 2 ? 2 : 1);
            char etag[32];
            snprintf(etag, sizeof etag, "\"%lld\"", (long long)version);
            const json_t *headers = json_object_get(reply, "headers");
            ck_assert_str_eq(
                json_string_value(json_object_get(headers, "ETag")), etag);
        }
        json_decref(reply);
    }
    json_t *doc = s_get(a);
    ck_assert_int_eq(s_int(doc, "version"), 2);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "answer")),
                     "Open 8-17");
    json_decref(doc);
    json_decref(answer);
    cm_mdp_client_destroy(&client);
    free(a);
    free(b);
}
END_TEST

Suite *
intake_bounds_suite(void)
{
    Suite *suite = suite_create("intake_bounds");
    TCase *bounds = tcase_create("bounds");
    tcase_add_checked_fixture(bounds, s_setup, s_teardown);
    tcase_set_timeout(bounds, 120);
    tcase_add_test(bounds, test_intake_bounds_stale_if_match);
    tcase_add_test(bounds, test_intake_bounds_long_answer_changes_nothing);
    tcase_add_test(bounds, test_intake_bounds_thousand_history_entries);
    tcase_add_test(bounds, test_intake_bounds_satisfaction_entries);
    tcase_add_test(bounds, test_intake_bounds_stalled_host_keeps_its_workers);
    tcase_add_test(bounds, test_intake_bounds_batch_of_reads_and_a_write);
    suite_add_tcase(suite, bounds);
    return suite;
}
