// Integration tests of the finance service through the gateway with real
// tokens (test_finance_stack.h): budgets, expense claims, adjustments, the
// major-expenditure gate, and the line figures checked against their
// movements. Suite: finance.
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "test_finance_stack.h"

// The error message for field in a problem body, or NULL.
static const char *
s_error_for(const json_t *problem, const char *field)
{
    const json_t *errors = json_object_get(problem, "errors");
    for (size_t i = 0; i < json_array_size(errors); i++) {
        const json_t *e = json_array_get(errors, i);
        if (strcmp(json_string_value(json_object_get(e, "field")), field)
            == 0) {
            return json_string_value(json_object_get(e, "message"));
        }
    }
    return NULL;
}

static const char *
s_text(const json_t *doc, const char *member)
{
    const char *text = json_string_value(json_object_get(doc, member));
    return text ? text : "";
}

static bool
s_has(const json_t *array, const char *text)
{
    for (size_t i = 0; i < json_array_size(array); i++) {
        if (strcmp(json_string_value(json_array_get(array, i)), text) == 0) {
            return true;
        }
    }
    return false;
}

// A claim body of amount on category with one invoice numbered number.
static void
s_claim_body(char *body, size_t size, const char *category, long amount,
             const char *number)
{
    snprintf(body, size,
             "{\"date\":\"%s\",\"place\":\"Site B\",\"purpose\":\"Repair "
             "visit\",\"category\":\"%s\",\"amount\":%ld,\"invoices\":[{"
             "\"number\":\"%s\",\"date\":\"%s\",\"amount\":%ld,\"issuer\":"
             "\"Rail Co\"}]}",
             fin_stack.today, category, amount, number, fin_stack.today,
             amount);
}

static void
s_ref(char *ref, const char *line)
{
    snprintf(ref, 64, "%s/%s", fin_stack.budget, line);
}

START_TEST(test_finance_budget_roles_and_fields)
{
    json_t *out = NULL;
    const char *good = "{\"year\":2040,\"title\":\"B\",\"lines\":[{"
                       "\"category\":\"a\",\"department\":\"tech\","
                       "\"amount\":100}]}";
    ck_assert_int_eq(
        fin_http(FIN_TECH, "POST", "/v1/budgets", good, NULL, NULL), 403);
    ck_assert_int_eq(
        fin_http(FIN_CLERK, "POST", "/v1/budgets",
                 "{\"year\":2040,\"title\":\"B\",\"lines\":[{\"category\":"
                 "\"a\",\"department\":\"tech\",\"amount\":10.5},{\"category\":"
                 "\"b\",\"department\":\"tech\"}],\"bogus\":1}",
                 NULL, &out),
        400);
    ck_assert_ptr_nonnull(s_error_for(out, "lines[0].amount"));
    ck_assert_str_eq(s_error_for(out, "lines[1].amount"), "is required");
    ck_assert_str_eq(s_error_for(out, "bogus"), "is not allowed");
    json_decref(out);
}
END_TEST

START_TEST(test_finance_budget_chain_one_per_year)
{
    json_t *out = NULL;
    const char *good = "{\"year\":2040,\"title\":\"B\",\"lines\":[{"
                       "\"category\":\"a\",\"department\":\"tech\","
                       "\"amount\":100}]}";
    json_t *doc = fin_expect(201, FIN_CLERK, "POST", "/v1/budgets", good);
    char id[48];
    snprintf(id, sizeof id, "%s", s_text(doc, "id"));
    json_decref(doc);
    // Wrong state: 409 with what this caller may do.
    ck_assert_int_eq(fin_http(FIN_FIN_HEAD, "POST", "/v1/budgets/BU-1/submit",
                              "{}", NULL, &out),
                     409);
    ck_assert_ptr_nonnull(json_object_get(out, "allowed_actions"));
    json_decref(out);
    json_decref(fin_act(FIN_CLERK, "budgets", id, "submit", NULL, 200));
    // Only the finance head takes the review step, then the station head.
    json_decref(fin_act(FIN_CLERK2, "budgets", id, "approve", NULL, 403));
    json_decref(fin_act(FIN_HEAD, "budgets", id, "approve", NULL, 403));
    json_decref(fin_act(FIN_FIN_HEAD, "budgets", id, "approve", NULL, 200));
    json_decref(fin_act(FIN_FIN_HEAD, "budgets", id, "approve", NULL, 403));
    json_decref(fin_act(FIN_HEAD, "budgets", id, "approve", NULL, 200));
    char path[64];
    snprintf(path, sizeof path, "/v1/budgets/%s", id);
    doc = fin_expect(200, FIN_TECH, "GET", path, NULL);
    ck_assert_str_eq(s_text(doc, "state"), "approved");
    const json_t *line = json_array_get(json_object_get(doc, "lines"), 0);
    ck_assert_int_eq(fin_int(json_object_get(line, "execution"), "available"),
                     100);
    json_decref(doc);
    // One approved budget per fiscal year.
    doc = fin_expect(201, FIN_CLERK, "POST", "/v1/budgets", good);
    snprintf(id, sizeof id, "%s", s_text(doc, "id"));
    json_decref(doc);
    json_decref(fin_act(FIN_CLERK, "budgets", id, "submit", NULL, 200));
    json_decref(fin_act(FIN_FIN_HEAD, "budgets", id, "approve", NULL, 200));
    out = fin_act(FIN_HEAD, "budgets", id, "approve", NULL, 409);
    ck_assert_str_eq(s_text(out, "code"), "budget_exists_for_year");
    json_decref(out);
}
END_TEST

// The history entries of claim id whose action is `action`.
static int
s_history_count(const char *id, const char *action)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/expense-claims/%s/history?limit=50", id);
    json_t *history = fin_expect(200, FIN_TECH, "GET", path, NULL);
    int count = 0;
    const json_t *items = json_object_get(history, "items");
    for (size_t i = 0; i < json_array_size(items); i++) {
        count +=
            strcmp(s_text(json_array_get(items, i), "action"), action) == 0;
    }
    json_decref(history);
    return count;
}

// PATCH a returned claim (at version) with a second invoice: 15000 in all.
static void
s_correct(const char *id, long long version)
{
    char extra[64], body[1024], path[96];
    snprintf(extra, sizeof extra, "If-Match: \"%lld\"\r\n", version);
    snprintf(body, sizeof body,
             "{\"amount\":15000,\"invoices\":[{\"number\":\"RJ-1\",\"date\":"
             "\"%s\",\"amount\":12000,\"issuer\":\"Rail Co\"},{\"number\":"
             "\"RJ-2\",\"date\":\"%s\",\"amount\":3000,\"issuer\":\"Taxi\"}]}",
             fin_stack.today, fin_stack.today);
    snprintf(path, sizeof path, "/v1/expense-claims/%s", id);
    ck_assert_int_eq(
        fin_http(FIN_TECH, "PATCH", path, body, "If-Match: \"1\"\r\n", NULL),
        412); // stale
    ck_assert_int_eq(fin_http(FIN_TECH, "PATCH", path, body, extra, NULL), 200);
}

START_TEST(test_finance_claim_rejected_corrected_paid)
{
    char body[1024], id[48], ref[64], path[96];
    s_ref(ref, "L1");
    long long committed = fin_line(ref, "committed");
    long long actual = fin_line(ref, "actual");
    s_claim_body(body, sizeof body, "travel", 12000, "RJ-1");
    fin_claim(FIN_TECH, body, id);
    json_decref(fin_act(FIN_TECH, "expense-claims", id, "submit", NULL, 200));
    // Nobody approves their own claim; the finance clerk is not the first
    // step; the tech head is.
    json_decref(fin_act(FIN_TECH, "expense-claims", id, "approve", NULL, 403));
    json_decref(fin_act(FIN_CLERK, "expense-claims", id, "approve", NULL, 403));
    json_decref(
        fin_act(FIN_TECH_HEAD, "expense-claims", id, "approve", NULL, 200));
    json_t *doc = fin_act(FIN_CLERK, "expense-claims", id, "reject",
                          "{\"reason\":\"the taxi invoice is missing\","
                          "\"code\":\"missing_invoice\"}",
                          200);
    ck_assert_str_eq(s_text(doc, "state"), "returned");
    long long version = fin_int(doc, "version");
    json_decref(doc);
    // Corrected while returned: a second invoice, the amount grows.
    s_correct(id, version);
    json_decref(fin_act(FIN_TECH, "expense-claims", id, "resubmit", NULL, 200));
    json_decref(
        fin_act(FIN_TECH_HEAD, "expense-claims", id, "approve", NULL, 200));
    doc = fin_act(FIN_CLERK, "expense-claims", id, "approve", NULL, 200);
    ck_assert_str_eq(s_text(doc, "state"), "approved");
    ck_assert_int_eq(fin_int(json_object_get(doc, "approval"), "round"), 2);
    ck_assert_int_eq(json_array_size(json_object_get(
                         json_object_get(doc, "approval"), "rounds")),
                     1);
    json_decref(doc);
    ck_assert_int_eq(fin_line(ref, "committed"), committed + 15000);
    // The claimant may not pay; another finance member does.
    json_decref(fin_act(FIN_TECH, "expense-claims", id, "pay", NULL, 403));
    doc = fin_act(FIN_CLERK2, "expense-claims", id, "pay",
                  "{\"method\":\"bank\"}", 200);
    ck_assert_str_eq(s_text(doc, "state"), "paid");
    const char *entry =
        s_text(json_object_get(doc, "payment"), "journal_entry");
    snprintf(path, sizeof path, "/v1/journal/%s", entry);
    json_decref(doc);
    ck_assert_int_eq(fin_line(ref, "committed"), committed);
    ck_assert_int_eq(fin_line(ref, "actual"), actual + 15000);
    json_t *posted = fin_expect(200, FIN_CLERK, "GET", path, NULL);
    ck_assert_int_eq(json_array_size(json_object_get(posted, "lines")), 2);
    json_decref(posted);
    // Both rounds are in the history.
    ck_assert_int_eq(s_history_count(id, "reject"), 1);
    ck_assert_int_eq(s_history_count(id, "submit"), 1);
    ck_assert_int_eq(s_history_count(id, "resubmit"), 1);
}
END_TEST

START_TEST(test_finance_claim_bad_input)
{
    char body[1024];
    json_t *out = NULL;
    // A decimal amount, invoices that do not sum, an unknown member.
    snprintf(body, sizeof body,
             "{\"date\":\"%s\",\"place\":\"X\",\"purpose\":\"Y\","
             "\"category\":\"travel\",\"amount\":10.5,\"invoices\":[],"
             "\"colour\":1}",
             fin_stack.today);
    ck_assert_int_eq(
        fin_http(FIN_TECH, "POST", "/v1/expense-claims", body, NULL, &out),
        400);
    ck_assert_ptr_nonnull(s_error_for(out, "amount"));
    ck_assert_ptr_nonnull(s_error_for(out, "invoices"));
    ck_assert_str_eq(s_error_for(out, "colour"), "is not allowed");
    json_decref(out);
    snprintf(body, sizeof body,
             "{\"date\":\"%s\",\"place\":\"X\",\"purpose\":\"Y\","
             "\"category\":\"travel\",\"amount\":500,\"invoices\":[{"
             "\"number\":\"BI-1\",\"date\":\"%d-01-01\",\"amount\":400,"
             "\"issuer\":\"Z\"}]}",
             fin_stack.today, fin_stack.year - 1);
    ck_assert_int_eq(
        fin_http(FIN_TECH, "POST", "/v1/expense-claims", body, NULL, &out),
        400);
    ck_assert_ptr_nonnull(strstr(s_error_for(out, "invoices"), "sum"));
    ck_assert_ptr_nonnull(
        strstr(s_error_for(out, "invoices[0].date"), "out of period"));
    json_decref(out);
    // Missing fields, each named.
    ck_assert_int_eq(
        fin_http(FIN_TECH, "POST", "/v1/expense-claims", "{}", NULL, &out),
        400);
    ck_assert_str_eq(s_error_for(out, "purpose"), "is required");
    ck_assert_str_eq(s_error_for(out, "invoices"), "is required");
    json_decref(out);
    // A category without a budget line.
    s_claim_body(body, sizeof body, "catering", 500, "BI-2");
    ck_assert_int_eq(
        fin_http(FIN_TECH, "POST", "/v1/expense-claims", body, NULL, &out),
        422);
    ck_assert_str_eq(s_text(out, "code"), "no_budget_line");
    json_decref(out);
}
END_TEST

START_TEST(test_finance_claim_invoice_used_and_reject_codes)
{
    char body[1024], id[48];
    json_t *out = NULL;
    // An invoice already used on another claim: 409 naming that claim.
    s_claim_body(body, sizeof body, "travel", 700, "BI-3");
    fin_claim(FIN_TECH, body, id);
    ck_assert_int_eq(
        fin_http(FIN_TECH2, "POST", "/v1/expense-claims", body, NULL, &out),
        409);
    ck_assert_str_eq(s_text(out, "code"), "invoice_used");
    ck_assert_str_eq(s_text(out, "claim"), id);
    json_decref(out);
    // Someone else's claim: not theirs to submit or even to see.
    char path[96];
    snprintf(path, sizeof path, "/v1/expense-claims/%s/submit", id);
    ck_assert_int_eq(fin_http(FIN_TECH2, "POST", path, "{}", NULL, NULL), 404);
    // A claim in the wrong state: 409 with the allowed actions.
    out = fin_act(FIN_TECH, "expense-claims", id, "pay", NULL, 409);
    ck_assert(s_has(json_object_get(out, "allowed_actions"), "submit"));
    json_decref(out);
    // A reject needs a coded reason; an unknown code is refused.
    json_decref(fin_act(FIN_TECH, "expense-claims", id, "submit", NULL, 200));
    out = fin_act(FIN_TECH_HEAD, "expense-claims", id, "reject",
                  "{\"reason\":\"x\",\"code\":\"bad_luck\"}", 400);
    json_decref(out);
    out = fin_act(FIN_TECH_HEAD, "expense-claims", id, "reject",
                  "{\"reason\":\"not a business trip\",\"code\":"
                  "\"not_business\"}",
                  200);
    ck_assert_str_eq(s_text(out, "state"), "returned");
    json_decref(out);
}
END_TEST

// The status of one claim of amount on category, run to its final step.
static void
s_claim_to_review(const char *category, long amount, const char *number,
                  const char *request, char *id)
{
    char body[1024];
    s_claim_body(body, sizeof body, category, amount, number);
    if (request) {
        size_t n = strlen(body);
        snprintf(body + n - 1, sizeof body - n + 1,
                 ",\"expenditure_request\":\"%s\"}", request);
    }
    fin_claim(FIN_TECH, body, id);
    json_decref(fin_act(FIN_TECH, "expense-claims", id, "submit", NULL, 200));
    json_decref(
        fin_act(FIN_TECH_HEAD, "expense-claims", id, "approve", NULL, 200));
}

START_TEST(test_finance_adjustment_station_head_only)
{
    char from[64], to[64], path[96];
    s_ref(from, "L4");
    s_ref(to, "L6");
    long long from_amount = fin_line(from, "amount");
    long long to_amount = fin_line(to, "amount");
    snprintf(path, sizeof path, "/v1/budgets/%s/adjust", fin_stack.budget);
    json_t *doc = fin_expect(201, FIN_CLERK, "POST", path,
                             "{\"from_line\":\"L4\",\"to_line\":\"L6\","
                             "\"amount\":300000,\"reason\":\"travel "
                             "grew\"}");
    char id[48];
    snprintf(id, sizeof id, "%s", s_text(doc, "id"));
    json_decref(doc);
    json_decref(
        fin_act(FIN_CLERK, "budget-adjustments", id, "submit", NULL, 200));
    // Not the finance head, not the clerk: only the station head.
    json_decref(
        fin_act(FIN_FIN_HEAD, "budget-adjustments", id, "approve", NULL, 403));
    json_decref(
        fin_act(FIN_CLERK2, "budget-adjustments", id, "approve", NULL, 403));
    doc = fin_act(FIN_HEAD, "budget-adjustments", id, "approve", NULL, 200);
    ck_assert_str_eq(s_text(doc, "state"), "approved");
    json_decref(doc);
    ck_assert_int_eq(fin_line(from, "amount"), from_amount - 300000);
    ck_assert_int_eq(fin_line(to, "amount"), to_amount + 300000);
    // A transfer of more than the line has available is refused.
    doc = fin_expect(422, FIN_CLERK, "POST", path,
                     "{\"from_line\":\"L4\",\"to_line\":\"L6\","
                     "\"amount\":90000000,\"reason\":\"too much\"}");
    ck_assert_str_eq(s_text(doc, "code"), "over_budget");
    json_decref(doc);
}
END_TEST

START_TEST(test_finance_supplement_reviewed_then_approved)
{
    char to[64], path[96], id[48];
    s_ref(to, "L6");
    long long to_amount = fin_line(to, "amount");
    // A supplement: the finance head reviews, the station head approves.
    snprintf(path, sizeof path, "/v1/budgets/%s/supplement", fin_stack.budget);
    json_t *doc = fin_expect(201, FIN_CLERK, "POST", path,
                             "{\"to_line\":\"L6\",\"amount\":50000,\"reason\":"
                             "\"extra trips\"}");
    snprintf(id, sizeof id, "%s", s_text(doc, "id"));
    json_decref(doc);
    json_decref(
        fin_act(FIN_CLERK, "budget-adjustments", id, "submit", NULL, 200));
    json_decref(
        fin_act(FIN_HEAD, "budget-adjustments", id, "approve", NULL, 403));
    json_decref(
        fin_act(FIN_FIN_HEAD, "budget-adjustments", id, "approve", NULL, 200));
    json_decref(
        fin_act(FIN_HEAD, "budget-adjustments", id, "approve", NULL, 200));
    ck_assert_int_eq(fin_line(to, "amount"), to_amount + 50000);
    // Both stay in the adjustments' list (and each keeps its history).
    snprintf(path, sizeof path, "/v1/budget-adjustments?budget=%s",
             fin_stack.budget);
    doc = fin_expect(200, FIN_CLERK, "GET", path, NULL);
    ck_assert_int_ge(json_array_size(json_object_get(doc, "items")), 2);
    json_decref(doc);
}
END_TEST

// A major-expenditure request by the tech head (after a refused one
// without its feasibility study); its id into er (48 bytes).
static void
s_expenditure_request(char *er)
{
    json_t *out;
    // The feasibility study is required, field by field.
    out = fin_expect(400, FIN_TECH_HEAD, "POST", "/v1/expenditure-requests",
                     "{\"title\":\"Generator\",\"amount\":2000000,"
                     "\"purpose\":\"backup power\",\"feasibility\":{"
                     "\"document\":\"DOC-7\"}}");
    ck_assert_str_eq(s_error_for(out, "feasibility.summary"), "is required");
    ck_assert_str_eq(s_error_for(out, "feasibility.alternatives"),
                     "is required");
    json_decref(out);
    out = fin_expect(201, FIN_TECH_HEAD, "POST", "/v1/expenditure-requests",
                     "{\"title\":\"Generator\",\"amount\":2000000,"
                     "\"purpose\":\"backup power\",\"feasibility\":{"
                     "\"document\":\"DOC-7\",\"summary\":\"pays back in "
                     "3 years\",\"alternatives\":[\"rent one\",\"do "
                     "nothing\"]}}");
    snprintf(er, 48, "%s", s_text(out, "id"));
    json_decref(out);
}

START_TEST(test_finance_major_expenditure_gate)
{
    char id[48], er[48], ref[64];
    long amount = FIN_MAJOR_FEN + 100000;
    s_ref(ref, "L5");
    // Drafting above the threshold without a request: 422 naming it.
    char body[1024];
    s_claim_body(body, sizeof body, "equipment", amount, "MX-1");
    json_t *out = NULL;
    ck_assert_int_eq(
        fin_http(FIN_TECH, "POST", "/v1/expense-claims", body, NULL, &out),
        422);
    ck_assert_str_eq(s_text(out, "code"), "expenditure_request_required");
    ck_assert_str_eq(s_text(out, "missing"), "expenditure_request");
    json_decref(out);
    s_expenditure_request(er);
    // Named but not approved yet: still refused.
    snprintf(body, sizeof body,
             "{\"date\":\"%s\",\"place\":\"S\",\"purpose\":\"G\","
             "\"category\":\"equipment\",\"amount\":%ld,\"invoices\":[{"
             "\"number\":\"MX-2\",\"date\":\"%s\",\"amount\":%ld,"
             "\"issuer\":\"Gen Co\"}],\"expenditure_request\":\"%s\"}",
             fin_stack.today, amount, fin_stack.today, amount, er);
    out = fin_expect(422, FIN_TECH, "POST", "/v1/expense-claims", body);
    ck_assert_str_eq(s_text(out, "expenditure_request"), er);
    json_decref(out);
    json_decref(fin_act(FIN_TECH_HEAD, "expenditure-requests", er, "submit",
                        NULL, 200));
    json_decref(fin_act(FIN_HEAD, "expenditure-requests", er, "approve", NULL,
                        403)); // the finance head reviews first
    json_decref(fin_act(FIN_FIN_HEAD, "expenditure-requests", er, "approve",
                        NULL, 200));
    json_decref(
        fin_act(FIN_HEAD, "expenditure-requests", er, "approve", NULL, 200));
    long long committed = fin_line(ref, "committed");
    s_claim_to_review("equipment", amount, "MX-3", er, id);
    json_decref(fin_act(FIN_CLERK, "expense-claims", id, "approve", NULL, 200));
    ck_assert_int_eq(fin_line(ref, "committed"), committed + amount);
    // The internal commit of another service is gated the same way.
    snprintf(body, sizeof body,
             "{\"line\":\"%s\",\"amount\":%ld,\"document\":{\"type\":"
             "\"purchase_order\",\"id\":\"PO-1\",\"step\":\"review\"},"
             "\"reservation\":\"purchase_order:PO-1:review:r1\"}",
             ref, amount);
    out = fin_internal("system", "/internal/budget/commit", body, NULL);
    ck_assert_int_eq(json_integer_value(json_object_get(out, "status")), 422);
    ck_assert_str_eq(s_text(json_object_get(out, "error"), "code"),
                     "expenditure_request_required");
    json_decref(out);
}
END_TEST

START_TEST(test_finance_movements_recompute_to_figures)
{
    char path[96], ref[64];
    snprintf(path, sizeof path, "/v1/budgets/%s/verify", fin_stack.budget);
    ck_assert_int_eq(fin_http(FIN_TECH, "POST", path, "{}", NULL, NULL), 403);
    json_t *report = fin_expect(200, FIN_FIN_HEAD, "POST", path, "{}");
    ck_assert(json_is_true(json_object_get(report, "consistent")));
    const json_t *lines = json_object_get(report, "lines");
    ck_assert_int_eq(json_array_size(lines), 6);
    for (size_t i = 0; i < json_array_size(lines); i++) {
        const json_t *line = json_array_get(lines, i);
        ck_assert_msg(json_equal(json_object_get(line, "stored"),
                                 json_object_get(line, "recomputed")),
                      "line %zu differs", i);
        ck_assert_int_ge(fin_int(line, "movements"), 1);
    }
    json_decref(report);
    // The movements page of a line starts with the approval's allocation.
    s_ref(ref, "L1");
    snprintf(path, sizeof path, "/v1/budgets/%s/lines/L1/movements?limit=1",
             fin_stack.budget);
    json_t *page = fin_expect(200, FIN_CLERK, "GET", path, NULL);
    const json_t *first = json_array_get(json_object_get(page, "items"), 0);
    ck_assert_str_eq(s_text(first, "kind"), "adjust");
    ck_assert_int_eq(fin_int(first, "amount"), 10000000);
    json_decref(page);
    // The report agrees with the line.
    snprintf(path, sizeof path, "/v1/reports/budget?year=%d&department=tech",
             fin_stack.year);
    report = fin_expect(200, FIN_FIN_HEAD, "GET", path, NULL);
    const json_t *rows = json_object_get(report, "lines");
    ck_assert_int_eq(json_array_size(rows), 5); // tech's lines only
    const json_t *row = json_array_get(rows, 0);
    ck_assert_str_eq(s_text(row, "line"), ref);
    ck_assert_int_eq(fin_int(row, "available"), fin_line(ref, "available"));
    ck_assert_int_eq(fin_int(row, "variance"),
                     fin_line(ref, "amount") - fin_line(ref, "actual"));
    json_decref(report);
    ck_assert_int_eq(
        fin_http(FIN_CLERK, "GET", "/v1/reports/budget", NULL, NULL, NULL),
        400);
}
END_TEST

START_TEST(test_finance_closed_year_refuses_movements)
{
    char id[48], ref[64], body[512], path[96];
    int year = fin_stack.year + 6;
    char lines[256];
    snprintf(lines, sizeof lines,
             "[{\"category\":\"travel\",\"department\":\"tech\","
             "\"amount\":900000},{\"category\":\"fuel\",\"department\":"
             "\"tech\",\"amount\":100000}]");
    fin_approved_budget(year, lines, id);
    snprintf(ref, sizeof ref, "%s/L1", id);
    // Only the finance head (or the station head) closes a fiscal year.
    json_decref(fin_act(FIN_CLERK, "budgets", id, "close",
                        "{\"note\":\"year end\"}", 403));
    json_t *doc = fin_act(FIN_FIN_HEAD, "budgets", id, "close",
                          "{\"note\":\"year end\"}", 200);
    ck_assert_str_eq(s_text(doc, "state"), "closed");
    json_decref(doc);
    json_decref(
        fin_act(FIN_FIN_HEAD, "budgets", id, "close", "{\"note\":\"x\"}", 409));
    // No commitment, no transfer, nothing moves any more.
    snprintf(body, sizeof body,
             "{\"line\":\"%s\",\"amount\":1000,\"document\":{\"type\":"
             "\"purchase_order\",\"id\":\"PO-77\",\"step\":\"approve\"},"
             "\"reservation\":\"purchase_order:PO-77:approve:r1\"}",
             ref);
    json_t *reply =
        fin_internal("system", "/internal/budget/commit", body, NULL);
    ck_assert_int_eq(json_integer_value(json_object_get(reply, "status")), 409);
    ck_assert_str_eq(s_text(json_object_get(reply, "error"), "code"),
                     "fiscal_year_closed");
    json_decref(reply);
    snprintf(path, sizeof path, "/v1/budgets/%s/adjust", id);
    json_t *out = NULL;
    ck_assert_int_eq(
        fin_http(FIN_CLERK, "POST", path,
                 "{\"from_line\":\"L1\",\"to_line\":\"L2\",\"amount\":"
                 "1000,\"reason\":\"late\"}",
                 NULL, &out),
        409);
    ck_assert_str_eq(s_text(out, "code"), "fiscal_year_closed");
    json_decref(out);
    ck_assert_int_eq(fin_line(ref, "available"), 900000);
}
END_TEST

START_TEST(test_finance_head_claim_goes_to_deputy)
{
    char body[1024], id[48];
    s_claim_body(body, sizeof body, "travel", 900, "HD-1");
    fin_claim(FIN_TECH_HEAD, body, id);
    json_t *doc =
        fin_act(FIN_TECH_HEAD, "expense-claims", id, "submit", NULL, 200);
    const json_t *steps =
        json_object_get(json_object_get(doc, "approval"), "steps");
    ck_assert_str_eq(s_text(json_array_get(steps, 0), "role"), "deputy_head");
    ck_assert_str_eq(s_text(json_array_get(steps, 1), "role"), "finance");
    json_decref(doc);
    json_decref(
        fin_act(FIN_TECH_HEAD, "expense-claims", id, "approve", NULL, 403));
}
END_TEST

Suite *
finance_suite(void)
{
    Suite *s = suite_create("finance");
    TCase *tc = tcase_create("flows");
    tcase_add_unchecked_fixture(tc, fin_stack_setup, fin_stack_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_finance_budget_roles_and_fields);
    tcase_add_test(tc, test_finance_budget_chain_one_per_year);
    tcase_add_test(tc, test_finance_claim_rejected_corrected_paid);
    tcase_add_test(tc, test_finance_claim_bad_input);
    tcase_add_test(tc, test_finance_claim_invoice_used_and_reject_codes);
    tcase_add_test(tc, test_finance_adjustment_station_head_only);
    tcase_add_test(tc, test_finance_supplement_reviewed_then_approved);
    tcase_add_test(tc, test_finance_major_expenditure_gate);
    tcase_add_test(tc, test_finance_movements_recompute_to_figures);
    tcase_add_test(tc, test_finance_closed_year_refuses_movements);
    tcase_add_test(tc, test_finance_head_claim_goes_to_deputy);
    suite_add_tcase(s, tc);
    return s;
}
