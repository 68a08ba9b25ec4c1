// Integration tests of finance's money paths (test_finance_stack.h): the
// journal and balances, a reconciliation with two differences closed with
// explanations, the internal budget routes (check, commit, confirm by
// event, release, expiry), the events finance posts from, and concurrent
// approvals against the last of a stop line. Suite: finance_money.
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cm_outbox.h"
#include "cm_redis.h"
#include "cm_time.h"
#include "suites.h"
#include "test_finance_stack.h"

#define S_RACERS 64

static const char *
s_text(const json_t *doc, const char *member)
{
    const char *text = json_string_value(json_object_get(doc, member));
    return text ? text : "";
}

static const char *
s_error_for(const json_t *problem, const char *field)
{
    const json_t *errors = json_object_get(problem, "errors");
    for (size_t i = 0; i < json_array_size(errors); i++) {
        const json_t *e = json_array_get(errors, i);
        if (strcmp(s_text(e, "field"), field) == 0) {
            return s_text(e, "message");
        }
    }
    return NULL;
}

static long long
s_balance(const char *code, const char *at)
{
    char path[160];
    snprintf(path, sizeof path, "/v1/accounts/%s/balance%s%s", code,
             at ? "?at=" : "", at ? at : "");
    json_t *reply = fin_expect(200, FIN_CLERK, "GET", path, NULL);
    long long balance = fin_int(reply, "balance");
    json_decref(reply);
    return balance;
}

// Post a two-line entry; returns its id into id (48 bytes).
static void
s_post(const char *debit, const char *credit, long amount,
       const char *reference, char *id)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"memo\":\"test\",\"reference\":\"%s\",\"lines\":[{\"account\":"
             "\"%s\",\"debit\":%ld},{\"account\":\"%s\",\"credit\":%ld}]}",
             reference, debit, amount, credit, amount);
    json_t *entry = fin_expect(201, FIN_CLERK, "POST", "/v1/journal", body);
    snprintf(id, 48, "%s", s_text(entry, "id"));
    json_decref(entry);
}

static void
s_pause_ms(long ms)
{
    // Not a synchronisation: two postings must fall on distinct stream
    // milliseconds for a balance "at" between them to exist.
    struct timespec pause = {0, ms * 1000 * 1000};
    nanosleep(&pause, NULL);
}

START_TEST(test_finance_journal_balanced_append_only)
{
    json_t *out = NULL;
    ck_assert_int_eq(
        fin_http(FIN_CLERK, "POST", "/v1/journal",
                 "{\"memo\":\"m\",\"lines\":[{\"account\":\"1002\",\"debit\":"
                 "100},{\"account\":\"6001\",\"credit\":90}]}",
                 NULL, &out),
        400);
    ck_assert_ptr_nonnull(strstr(s_error_for(out, "lines"), "balance"));
    json_decref(out);
    ck_assert_int_eq(
        fin_http(FIN_CLERK, "POST", "/v1/journal",
                 "{\"memo\":\"m\",\"lines\":[{\"account\":\"1002\",\"debit\":"
                 "100},{\"account\":\"9999\",\"credit\":100}]}",
                 NULL, &out),
        400);
    ck_assert_str_eq(s_error_for(out, "lines[1].account"), "is not an account");
    json_decref(out);
    ck_assert_int_eq(
        fin_http(FIN_CLERK, "POST", "/v1/journal",
                 "{\"memo\":\"m\",\"lines\":[{\"account\":\"1002\",\"debit\":"
                 "10.0},{\"account\":\"6001\",\"credit\":-3}]}",
                 NULL, &out),
        400);
    ck_assert_ptr_nonnull(s_error_for(out, "lines[0].debit"));
    ck_assert_ptr_nonnull(s_error_for(out, "lines[1].credit"));
    json_decref(out);
    ck_assert_int_eq(fin_http(FIN_TECH, "POST", "/v1/journal",
                              "{\"memo\":\"m\",\"lines\":[]}", NULL, NULL),
                     403);
    long long before = s_balance("1001", NULL);
    char first[48], second[48], at[40];
    s_post("1001", "6001", 70000, "CASH-1", first);
    s_pause_ms(3);
    cm_time_format(cm_time_now_ms(), at);
    s_pause_ms(3);
    s_post("1001", "6001", 5000, "CASH-2", second);
    ck_assert_int_eq(s_balance("1001", NULL), before + 75000);
    ck_assert_int_eq(s_balance("1001", at), before + 70000);
    // The account's postings, with the running balance.
    json_t *page = fin_expect(200, FIN_CLERK, "GET",
                              "/v1/journal?account=1001&limit=200", NULL);
    const json_t *items = json_object_get(page, "items");
    const json_t *last = json_array_get(items, json_array_size(items) - 1);
    ck_assert_str_eq(s_text(last, "entry"), second);
    ck_assert_int_eq(fin_int(last, "balance"), before + 75000);
    json_decref(page);
    // A correction is a reversing entry, once.
    char path[96];
    snprintf(path, sizeof path, "/v1/journal/%s/reverse", second);
    json_t *reversal = fin_expect(201, FIN_CLERK, "POST", path, "{}");
    ck_assert_str_eq(s_text(reversal, "reverses"), second);
    json_decref(reversal);
    ck_assert_int_eq(s_balance("1001", NULL), before + 70000);
    out = fin_expect(409, FIN_CLERK, "POST", path, "{}");
    ck_assert_str_eq(s_text(out, "code"), "already_reversed");
    json_decref(out);
    ck_assert_int_eq(fin_http(FIN_CLERK, "PATCH", path, "{}", NULL, NULL), 405);
}
END_TEST

START_TEST(test_finance_reconciliation_two_differences)
{
    json_decref(fin_expect(201, FIN_CLERK, "POST", "/v1/accounts",
                           "{\"code\":\"1003\",\"name\":\"Second bank\","
                           "\"type\":\"asset\"}"));
    char e1[48], e2[48], e3[48], body[1024], id[48];
    s_post("1003", "6001", 100000, "DEP-1", e1);
    s_post("6602", "1003", 30000, "PAY-7", e2);
    s_post("1003", "6001", 20000, "DEP-2", e3);
    json_t *out = NULL;
    snprintf(body, sizeof body,
             "{\"account\":\"1003\",\"period_start\":\"%s\",\"period_end\":"
             "\"%s\",\"csv\":\"date,amount,reference,description\\n%s,12.5,"
             "X,bad\\n\"}",
             fin_stack.today, fin_stack.today, fin_stack.today);
    ck_assert_int_eq(
        fin_http(FIN_CLERK, "POST", "/v1/reconciliations", body, NULL, &out),
        400);
    ck_assert_ptr_nonnull(strstr(s_error_for(out, "csv"), "line 2"));
    json_decref(out);
    snprintf(body, sizeof body,
             "{\"account\":\"1003\",\"period_start\":\"%s\",\"period_end\":"
             "\"%s\",\"csv\":\"date,amount,reference,description\\n"
             "%s,100000,DEP-1,\\\"Deposit, cash\\\"\\n%s,-30000,PAY-7,rent\\n"
             "%s,-1500,FEE,bank fee\\n\"}",
             fin_stack.today, fin_stack.today, fin_stack.today, fin_stack.today,
             fin_stack.today);
    json_t *doc =
        fin_expect(201, FIN_CLERK, "POST", "/v1/reconciliations", body);
    snprintf(id, sizeof id, "%s", s_text(doc, "id"));
    ck_assert_int_eq(fin_int(doc, "statement_lines"), 3);
    json_decref(doc);
    doc = fin_act(FIN_CLERK, "reconciliations", id, "match", NULL, 200);
    ck_assert_int_eq(fin_int(doc, "matched"), 2);
    ck_assert_int_eq(fin_int(doc, "unmatched_statement"), 1);
    ck_assert_int_eq(fin_int(doc, "unmatched_book"), 1);
    ck_assert_int_eq(fin_int(doc, "difference"), -1500 - 20000);
    json_decref(doc);
    out = fin_act(FIN_CLERK, "reconciliations", id, "submit", NULL, 409);
    ck_assert_str_eq(s_text(out, "code"), "unexplained_differences");
    ck_assert_int_eq(json_array_size(json_object_get(out, "unexplained")), 2);
    json_decref(out);
    json_decref(fin_act(FIN_CLERK, "reconciliations", id, "explain",
                        "{\"item\":\"JE-999\",\"explanation\":\"x\"}", 400));
    json_decref(fin_act(FIN_CLERK, "reconciliations", id, "explain",
                        "{\"item\":\"S-3\",\"explanation\":\"bank fee, to "
                        "be booked\"}",
                        200));
    snprintf(body, sizeof body,
             "{\"item\":\"%s\",\"explanation\":\"deposit in transit\"}", e3);
    json_decref(
        fin_act(FIN_CLERK, "reconciliations", id, "explain", body, 200));
    json_decref(fin_act(FIN_CLERK, "reconciliations", id, "submit", NULL, 200));
    json_decref(
        fin_act(FIN_CLERK2, "reconciliations", id, "approve", NULL, 403));
    doc = fin_act(FIN_FIN_HEAD, "reconciliations", id, "approve", NULL, 200);
    ck_assert_str_eq(s_text(doc, "state"), "closed");
    json_decref(doc);
}
END_TEST

static bool
s_state_is(void *arg)
{
    const char **want = arg; // {key, state}
    char *state =
        harness_redis_cmd(&fin_stack.http.redis, "HGET", want[0], "state");
    bool same = state && strcmp(state, want[1]) == 0;
    free(state);
    return same;
}

static int
s_internal(const char *role, const char *path, const char *body,
           const char *key, json_t **reply)
{
    json_t *r = fin_internal(role, path, body, key);
    int status = (int)json_integer_value(json_object_get(r, "status"));
    if (reply) {
        *reply = r;
    } else {
        json_decref(r);
    }
    return status;
}

static void
s_commit_body(char *body, size_t size, const char *ref, long amount,
              const char *order)
{
    snprintf(body, size,
             "{\"line\":\"%s\",\"amount\":%ld,\"document\":{\"type\":"
             "\"purchase_order\",\"id\":\"%s\",\"step\":\"approve\"},"
             "\"reservation\":\"purchase_order:%s:approve:r1\"}",
             ref, amount, order, order);
}

// Events of `type` in finance's outbox.
typedef struct {
    const char *type; // counted
    int n;            // seen
} s_count_t;

static int
s_count(const cm_event_t *event, void *arg)
{
    s_count_t *count = arg;
    count->n += strcmp(event->type, count->type) == 0;
    return 0;
}

static int
s_events_of(const char *type)
{
    cm_redis_t *redis =
        cm_redis_new("127.0.0.1", fin_stack.http.redis.port, "", 2000);
    ck_assert_ptr_nonnull(redis);
    s_count_t count = {type, 0};
    ck_assert_int_ge(cm_outbox_range(redis, "sm:{finance}:outbox", "0-0",
                                     100000, s_count, &count),
                     0);
    cm_redis_destroy(&redis);
    return count.n;
}

START_TEST(test_finance_internal_check)
{
    char ref[64], warn_ref[64], body[512];
    snprintf(ref, sizeof ref, "%s/L4", fin_stack.budget);
    snprintf(warn_ref, sizeof warn_ref, "%s/L3", fin_stack.budget);
    json_t *reply = NULL;
    // People may not use internal routes.
    snprintf(body, sizeof body, "{\"line\":\"%s\",\"amount\":100}", ref);
    ck_assert_int_eq(
        s_internal("finance", "/internal/budget/check", body, NULL, NULL), 403);
    ck_assert_int_eq(
        s_internal("system", "/internal/budget/check", body, NULL, &reply),
        200);
    ck_assert(
        json_is_true(json_object_get(json_object_get(reply, "body"), "fits")));
    json_decref(reply);
    snprintf(body, sizeof body, "{\"line\":\"%s\",\"amount\":900000000}", ref);
    ck_assert_int_eq(
        s_internal("system", "/internal/budget/check", body, NULL, &reply),
        422);
    const json_t *error = json_object_get(reply, "error");
    ck_assert_str_eq(s_text(error, "code"), "over_budget");
    ck_assert_str_eq(s_text(error, "line"), ref);
    ck_assert_int_eq(fin_int(error, "requested"), 900000000);
    json_decref(reply);
    // A warn line allows it with a warning.
    snprintf(body, sizeof body, "{\"line\":\"%s\",\"amount\":600000}",
             warn_ref);
    ck_assert_int_eq(
        s_internal("system", "/internal/budget/check", body, NULL, &reply),
        200);
    ck_assert_ptr_nonnull(
        json_object_get(json_object_get(reply, "body"), "warning"));
    json_decref(reply);
}
END_TEST

START_TEST(test_finance_internal_commit_confirm_release)
{
    char ref[64], body[512];
    snprintf(ref, sizeof ref, "%s/L4", fin_stack.budget);
    // Commit, idempotent by the call key; a second key cannot commit twice.
    long long committed = fin_line(ref, "committed");
    s_commit_body(body, sizeof body, ref, 100000, "PO-9");
    const char *key = "purchase_order:PO-9:approve:r1";
    ck_assert_int_eq(
        s_internal("system", "/internal/budget/commit", body, key, NULL), 201);
    ck_assert_int_eq(
        s_internal("system", "/internal/budget/commit", body, key, NULL), 201);
    // The same document and step under another key: the same commitment.
    ck_assert_int_eq(
        s_internal("system", "/internal/budget/commit", body, "other", NULL),
        200);
    s_commit_body(body, sizeof body, ref, 99, "PO-9");
    ck_assert_int_eq(
        s_internal("system", "/internal/budget/commit", body, "third", NULL),
        409);
    s_commit_body(body, sizeof body, ref, 100000, "PO-9");
    ck_assert_int_eq(fin_line(ref, "committed"), committed + 100000);
    // Confirmed by the caller's event; then released in two parts.
    fin_publish("inventory", "inventory.order.approved",
                "{\"id\":\"PO-9\",\"budget_reservation\":"
                "\"purchase_order:PO-9:approve:r1\"}");
    const char *confirmed[] = {
        "sm:{finance}:commitment:purchase_order:PO-9:approve:r1", "confirmed"};
    ck_assert(fin_wait(s_state_is, confirmed, HARNESS_WAIT_MS));
    ck_assert_int_eq(
        s_internal("system", "/internal/budget/release",
                   "{\"reservation\":\"purchase_order:PO-9:approve:r1\","
                   "\"amount\":40000}",
                   "PO-9:close:1", NULL),
        200);
    ck_assert_int_eq(fin_line(ref, "committed"), committed + 60000);
    ck_assert_int_eq(
        s_internal("system", "/internal/budget/release",
                   "{\"reservation\":\"purchase_order:PO-9:approve:r1\"}",
                   "PO-9:close:2", NULL),
        200);
    ck_assert_int_eq(fin_line(ref, "committed"), committed);
}
END_TEST

START_TEST(test_finance_internal_warn_and_threshold)
{
    char warn_ref[64], body[512];
    json_t *reply = NULL;
    snprintf(warn_ref, sizeof warn_ref, "%s/L3", fin_stack.budget);
    // A warn line: over its available amount it warns (reply and event);
    // past its threshold (50 %) the event comes once in the period.
    for (int i = 0; i < 2; i++) {
        char order[16];
        snprintf(order, sizeof order, "PO-W%d", i);
        s_commit_body(body, sizeof body, warn_ref, 300000, order);
        ck_assert_int_eq(
            s_internal("system", "/internal/budget/commit", body, NULL, &reply),
            201);
        const json_t *figures =
            json_object_get(json_object_get(reply, "body"), "figures");
        ck_assert(i == 0 || json_object_get(figures, "warning") != NULL);
        json_decref(reply);
    }
    ck_assert_int_eq(s_events_of("finance.budget.threshold_reached"), 1);
    ck_assert_int_eq(s_events_of("finance.budget.overspend_warned"), 1);
}
END_TEST

START_TEST(test_finance_internal_commit_expires)
{
    char ref[64], body[512];
    snprintf(ref, sizeof ref, "%s/L4", fin_stack.budget);
    long long committed = fin_line(ref, "committed");
    // A commitment never confirmed expires and gives the budget back.
    s_commit_body(body, sizeof body, ref, 50000, "PO-10");
    ck_assert_int_eq(s_internal("system", "/internal/budget/commit", body,
                                "purchase_order:PO-10:approve:r1", NULL),
                     201);
    ck_assert_int_eq(fin_line(ref, "committed"), committed + 50000);
    const char *expired[] = {
        "sm:{finance}:commitment:purchase_order:PO-10:approve:r1", "expired"};
    ck_assert(fin_wait(s_state_is, expired, FIN_TTL_MS + HARNESS_WAIT_MS));
    ck_assert_int_eq(fin_line(ref, "committed"), committed);
}
END_TEST

// The balance of an account has grown to want.
typedef struct {
    const char *code;
    long long want;
} s_balance_wait_t;

static bool
s_balance_reached(void *arg)
{
    const s_balance_wait_t *w = arg;
    return s_balance(w->code, NULL) == w->want;
}

START_TEST(test_finance_events_post_entries)
{
    long long income = s_balance("6301", NULL);
    long long staff = s_balance("2211", NULL);
    fin_publish("personnel", "personnel.sanction.published",
                "{\"kind\":\"fine\",\"amount\":20000,\"staff\":\"ST-6\"}");
    s_balance_wait_t fine = {"6301", income + 20000};
    ck_assert(fin_wait(s_balance_reached, &fine, HARNESS_WAIT_MS));
    ck_assert_int_eq(s_balance("2211", NULL), staff - 20000);
    fin_publish("assets", "assets.scrap.disposed",
                "{\"proceeds\":120000,\"request\":\"SR-4\"}");
    s_balance_wait_t scrap = {"6301", income + 140000};
    ck_assert(fin_wait(s_balance_reached, &scrap, HARNESS_WAIT_MS));
}
END_TEST

static int s_statuses[S_RACERS];    // per racer, written by its thread
static char s_claims[S_RACERS][48]; // the claims they approve

static void *
s_racer(void *arg)
{
    long i = (long)arg;
    char path[96];
    snprintf(path, sizeof path, "/v1/expense-claims/%s/approve", s_claims[i]);
    s_statuses[i] = fin_http(FIN_CLERK, "POST", path, "{}", NULL, NULL);
    return NULL;
}

START_TEST(test_finance_concurrent_approvals_never_overspend)
{
    char ref[64], body[1024];
    snprintf(ref, sizeof ref, "%s/L2", fin_stack.budget);
    long long available = fin_line(ref, "available");
    long share = (long)(available / 10); // each claim: 10 % of what is left
    for (int i = 0; i < S_RACERS; i++) {
        char number[32];
        snprintf(number, sizeof number, "RACE-%d", i);
        snprintf(body, sizeof body,
                 "{\"date\":\"%s\",\"place\":\"Depot\",\"purpose\":\"Paper\","
                 "\"category\":\"office\",\"amount\":%ld,\"invoices\":[{"
                 "\"number\":\"%s\",\"date\":\"%s\",\"amount\":%ld,\"issuer\":"
                 "\"Stationer\"}]}",
                 fin_stack.today, share, number, fin_stack.today, share);
        fin_claim(FIN_TECH, body, s_claims[i]);
        json_decref(fin_act(FIN_TECH, "expense-claims", s_claims[i], "submit",
                            NULL, 200));
        json_decref(fin_act(FIN_TECH_HEAD, "expense-claims", s_claims[i],
                            "approve", NULL, 200));
    }
    pthread_t threads[S_RACERS];
    for (long i = 0; i < S_RACERS; i++) {
        ck_assert_int_eq(pthread_create(&threads[i], NULL, s_racer, (void *)i),
                         0);
    }
    int approved = 0, refused = 0;
    for (int i = 0; i < S_RACERS; i++) {
        pthread_join(threads[i], NULL);
        approved += s_statuses[i] == 200;
        refused += s_statuses[i] == 422;
    }
    ck_assert_msg(approved == 10 && refused == S_RACERS - 10,
                  "approved %d, refused %d of %d", approved, refused, S_RACERS);
    ck_assert_int_eq(fin_line(ref, "available"), available - 10 * share);
    ck_assert_int_ge(fin_line(ref, "available"), 0);
    // The refused claims are still pending, with the budget check in force.
    json_t *out = NULL;
    for (int i = 0; i < S_RACERS; i++) {
        if (s_statuses[i] == 422) {
            char path[96];
            snprintf(path, sizeof path, "/v1/expense-claims/%s/approve",
                     s_claims[i]);
            ck_assert_int_eq(
                fin_http(FIN_CLERK, "POST", path, "{}", NULL, &out), 422);
            ck_assert_str_eq(s_text(out, "code"), "over_budget");
            ck_assert_str_eq(s_text(out, "line"), ref);
            json_decref(out);
            break;
        }
    }
}
END_TEST

Suite *
finance_money_suite(void)
{
    Suite *s = suite_create("finance_money");
    TCase *tc = tcase_create("money");
    tcase_add_unchecked_fixture(tc, fin_stack_setup, fin_stack_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_finance_journal_balanced_append_only);
    tcase_add_test(tc, test_finance_reconciliation_two_differences);
    tcase_add_test(tc, test_finance_internal_check);
    tcase_add_test(tc, test_finance_internal_commit_confirm_release);
    tcase_add_test(tc, test_finance_internal_warn_and_threshold);
    tcase_add_test(tc, test_finance_internal_commit_expires);
    tcase_add_test(tc, test_finance_events_post_entries);
    tcase_add_test(tc, test_finance_concurrent_approvals_never_overspend);
    suite_add_tcase(s, tc);
    return s;
}
