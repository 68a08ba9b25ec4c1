#include <check.h>

#include "adjustment.h"
#include "budget.h"
#include "claim.h"
#include "expenditure.h"
#include "period.h"
#include "reconciliation.h"
#include "suites.h"

START_TEST(test_period_keys_and_days)
{
    char key[PERIOD_KEY_MAX], text[11];
    int64_t day = 0;
    ck_assert(period_parse_day("2026-03-15", &day));
    int64_t ms = day * PERIOD_DAY_MS + 1000;
    ck_assert_str_eq(period_key("monthly", ms, key), "2026-03");
    ck_assert_str_eq(period_key("quarterly", ms, key), "2026-Q1");
    ck_assert_str_eq(period_key("yearly", ms, key), "2026");
    ck_assert_str_eq(period_key(NULL, ms, key), "2026");
    ck_assert_int_eq(period_year(ms), 2026);
    ck_assert_str_eq(period_format_day(day, text), "2026-03-15");
    ck_assert(period_parse_day("2024-02-29", &day));
    ck_assert(!period_parse_day("2026-02-29", &day));
    ck_assert(!period_parse_day("2026-13-01", &day));
    ck_assert(!period_parse_day("2026-1-01", &day));
    ck_assert(!period_parse_day(NULL, &day));
    ck_assert(period_parse_day("1970-01-01", &day));
    ck_assert_int_eq(day, 0);
    ck_assert_int_eq(period_day(-1), -1);
}
END_TEST

START_TEST(test_workflow_tables_are_valid)
{
    const cm_workflow_t *tables[] = {
        &budget_workflow, &claim_workflow, &expenditure_workflow,
        &reconciliation_workflow, &adjustment_workflow};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        ck_assert_int_eq(cm_workflow_check(tables[i]), 0);
    }
    // A claim: only its claimant edits and submits it.
    json_t *actor = json_pack("{s:s, s:s}", "id", "ST-9", "role", "technician");
    json_t *doc = json_pack("{s:s, s:s}", "claimant", "ST-5", "state", "draft");
    json_t *actions = cm_workflow_actions(&claim_workflow, "draft", actor, doc);
    ck_assert_int_eq(json_array_size(actions), 0);
    json_decref(actions);
    json_object_set_new(doc, "claimant", json_string("ST-9"));
    actions = cm_workflow_actions(&claim_workflow, "draft", actor, doc);
    ck_assert_int_eq(json_array_size(actions), 3); // update submit cancel
    json_decref(actions);
    json_decref(doc);
    json_decref(actor);
}
END_TEST

Suite *
period_suite(void)
{
    Suite *s = suite_create("period");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_period_keys_and_days);
    suite_add_tcase(s, tc);
    return s;
}

Suite *
workflow_tables_suite(void)
{
    Suite *s = suite_create("workflow_tables");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_workflow_tables_are_valid);
    suite_add_tcase(s, tc);
    return s;
}
