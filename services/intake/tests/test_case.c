// The case document, create validation, list queries on the case type,
// satisfaction folding and the mapping of external events.
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "case.h"
#include "case_create.h"
#include "cm_list.h"
#include "customer.h"
#include "intake_events.h"
#include "satisfaction.h"
#include "suites.h"

static int
s_errors(json_t *problem)
{
    int n = (int)json_array_size(json_object_get(problem, "errors"));
    json_decref(problem);
    return n;
}

START_TEST(test_case_new_and_summary)
{
    json_t *customer =
        json_pack("{s:s, s:s, s:s}", "id", "CU-1", "name", "A", "phone", "123");
    json_t *actor = json_pack("{s:s, s:s}", "id", "ST-2", "role", "cs_agent");
    case_fields_t fields = {.id = "CS-1",
                            .kind = "inquiry",
                            .channel = "phone",
                            .subject = "s",
                            .description = "d",
                            .customer = customer,
                            .actor = actor,
                            .now_ms = 1000};
    json_t *doc = case_new(&fields);
    ck_assert_str_eq(cm_doc_text(doc, "state"), "recorded");
    json_t *history = json_object_get(doc, "history");
    ck_assert_int_eq(json_array_size(history), 1);
    ck_assert_str_eq(cm_doc_text(json_array_get(history, 0), "action"),
                     "record");
    ck_assert_int_eq(cm_doc_integer(doc, "history_count"), 1);
    ck_assert_str_eq(cm_doc_text(json_object_get(doc, "customer"), "phone"),
                     "123");
    ck_assert_ptr_null(json_object_get(json_object_get(doc, "customer"),
                                       "email")); // absent, not null
    json_t *summary = case_summary(doc);
    const char *keys[] = {"id",
                          "kind",
                          "state",
                          "severity",
                          "department",
                          "assignee",
                          "customer_id",
                          "channel",
                          "promised_reply_at",
                          "awaiting_customer"};
    ck_assert_int_eq(json_object_size(summary), 10);
    for (size_t i = 0; i < 10; i++) {
        ck_assert_ptr_nonnull(json_object_get(summary, keys[i]));
    }
    json_t *item = case_list_item(doc);
    ck_assert_int_eq(json_object_size(item), 16);
    ck_assert_str_eq(cm_doc_text(item, "customer_name"), "A");
    json_decref(item);
    for (int i = 0; i < 8; i++) {
        case_append_bounded(doc, "linked_cases", json_integer(i), 3);
    }
    json_t *linked = json_object_get(doc, "linked_cases");
    ck_assert_int_eq(json_array_size(linked), 3);
    ck_assert_int_eq(json_integer_value(json_array_get(linked, 0)), 5);
    json_decref(summary);
    json_decref(doc);
    json_decref(actor);
    json_decref(customer);
}
END_TEST

START_TEST(test_case_create_validation)
{
    json_t *array = json_array();
    ck_assert_int_eq(s_errors(case_create_check(array)), 1);
    json_decref(array);
    json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:{s:s}}", "kind", "inquiry",
                             "channel", "fax", "subject", "s", "description",
                             "d", "customer", "name", "A");
    // channel, customer without a contact
    ck_assert_int_eq(s_errors(case_create_check(body)), 2);
    json_decref(body);
    body = json_pack("{s:s, s:s, s:s, s:s, s:s}", "kind", "inquiry", "channel",
                     "web", "subject", "s", "description", "d", "customer_id",
                     "CU-1");
    ck_assert_ptr_null(case_create_check(body));
    json_decref(body);
    json_t *problem = NULL;
    body = json_pack("{s:s, s:s}", "name", "A", "email", "no-at-sign");
    ck_assert(!customer_check(body, "customer", &problem));
    ck_assert_str_eq(
        cm_doc_text(json_array_get(json_object_get(problem, "errors"), 0),
                    "field"),
        "customer.email");
    ck_assert_int_eq(s_errors(problem), 1);
    json_decref(body);
    char buf[CUSTOMER_CONTACT_MAX];
    ck_assert_str_eq(
        customer_phone_normalise("+86 (10) 555-01", buf, sizeof buf),
        "+861055501");
    ck_assert_str_eq(customer_email_normalise(" A@B.cn ", buf, sizeof buf),
                     "a@b.cn");
    ck_assert_ptr_null(customer_phone_normalise("abc", buf, sizeof buf));
}
END_TEST

START_TEST(test_case_list_query)
{
    json_t *query = json_pack("{s:s, s:s, s:s}", "kind", "complaint", "state",
                              "recorded", "assignee", "ST-4");
    cm_list_query_t parsed;
    ck_assert_ptr_null(cm_list_parse(&case_type, query, NULL, &parsed));
    ck_assert_int_eq(parsed.limit, CM_LIST_LIMIT_DEFAULT);
    // assignee is the most selective: first in the table, walked.
    ck_assert_str_eq(case_type.filters[0].param, "assignee");
    ck_assert_str_eq(parsed.values[0], "ST-4");
    json_t *doc =
        json_pack("{s:s, s:s, s:s, s:b}", "kind", "complaint", "state",
                  "recorded", "assignee", "ST-4", "overdue", 0);
    ck_assert(cm_list_matches(&case_type, &parsed, doc));
    json_object_set_new(doc, "state", json_string("closed"));
    ck_assert(!cm_list_matches(&case_type, &parsed, doc));
    json_decref(doc);
    // The stored list item answers every filter as the whole case does.
    json_t *customer = json_pack("{s:s, s:s}", "id", "CU-3", "name", "Bo");
    json_t *actor = json_pack("{s:s, s:s}", "id", "ST-2", "role", "cs_agent");
    case_fields_t fields = {.id = "CS-9",
                            .kind = "complaint",
                            .channel = "web",
                            .subject = "s",
                            .description = "d",
                            .customer = customer,
                            .actor = actor,
                            .now_ms = 1000};
    doc = case_new(&fields);
    const char *states[] = {"recorded", "closed"};
    const char *assignees[] = {"ST-4", "ST-5"};
    for (int n = 0; n < 8; n++) {
        cm_doc_set_string(doc, "state", states[n % 2]);
        cm_doc_set_string(doc, "assignee", assignees[n / 2 % 2]);
        json_object_set_new(doc, "overdue", json_boolean(n / 4));
        json_t *entry = case_list_item(doc);
        ck_assert_ptr_null(json_object_get(entry, "history"));
        ck_assert_int_eq(cm_list_matches(&case_type, &parsed, entry),
                         cm_list_matches(&case_type, &parsed, doc));
        ck_assert_int_eq(cm_list_matches(&case_type, &parsed, entry),
                         n == 0 || n == 4);
        json_decref(entry);
    }
    json_decref(doc);
    json_decref(actor);
    json_decref(customer);
    json_decref(query);
    // Unknown parameters, bad values: 400 naming each.
    query = json_pack("{s:s, s:s, s:s, s:s}", "limit", "201", "kind", "x",
                      "color", "red", "state", "asleep");
    ck_assert_int_eq(s_errors(cm_list_parse(&case_type, query, NULL, &parsed)),
                     4);
    json_decref(query);
    ck_assert_ptr_null(cm_list_parse(&case_type, NULL, NULL, &parsed));
}
END_TEST

START_TEST(test_case_satisfaction_fold)
{
    satisfaction_totals_t totals = {0};
    const char *members[] = {
        "{\"case\":\"CS-1\",\"department\":\"finance\",\"round\":1,"
        "\"satisfied\":false,\"score\":2,\"staff\":\"ST-6\"}",
        "{\"case\":\"CS-1\",\"department\":\"finance\",\"round\":2,"
        "\"satisfied\":true,\"score\":5,\"staff\":\"ST-6\"}",
        "{\"case\":\"CS-2\",\"department\":\"technical\",\"round\":1,"
        "\"satisfied\":true,\"score\":4,\"staff\":\"ST-4\"}",
        "not json",
    };
    for (size_t i = 0; i < 3; i++) {
        ck_assert_int_eq(
            satisfaction_fold(&totals, members[i], "finance", NULL), 0);
    }
    ck_assert_int_eq(satisfaction_fold(&totals, members[3], NULL, NULL), -1);
    json_t *report = satisfaction_report(&totals, 0, 1000, "finance", NULL);
    ck_assert_int_eq(json_integer_value(json_object_get(report, "count")), 2);
    ck_assert_int_eq(json_integer_value(json_object_get(report, "cases")), 1);
    ck_assert_int_eq(
        json_integer_value(json_object_get(report, "unsatisfied_rounds")), 1);
    ck_assert(json_real_value(json_object_get(report, "average_score")) == 3.5);
    json_decref(report);
    json_decref(totals.cases);
}
END_TEST

START_TEST(test_case_external_events)
{
    ck_assert_str_eq(intake_events_channel("call.received"), "phone");
    ck_assert_str_eq(intake_events_channel("chat.started"), "chat");
    ck_assert_ptr_null(intake_events_channel("alarm.raised"));
    json_t *data = json_pack("{s:s}", "from", "z@example.com");
    json_t *customer = intake_events_customer(data);
    ck_assert_str_eq(cm_doc_string(customer, "email"), "z@example.com");
    ck_assert_str_eq(cm_doc_string(customer, "name"), "z@example.com");
    json_decref(customer);
    json_decref(data);
    data = json_pack("{s:s}", "topic", "none");
    ck_assert_ptr_null(intake_events_customer(data));
    json_decref(data);
}
END_TEST

Suite *
case_suite(void)
{
    Suite *suite = suite_create("case");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_case_new_and_summary);
    tcase_add_test(core, test_case_create_validation);
    tcase_add_test(core, test_case_list_query);
    tcase_add_test(core, test_case_satisfaction_fold);
    tcase_add_test(core, test_case_external_events);
    suite_add_tcase(suite, core);
    return suite;
}
