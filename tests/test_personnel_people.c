// Personnel's people records (services/personnel/staff.c): contracts and
// skills on staff records, carried by the staff events so every service's
// org view has them. Suite: personnel_people_suite.
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "cm_doc.h"
#include "suites.h"
#include "test_personnel_stack.h"

// The field of the first error of a problem reply.
static const char *
s_first_error(const json_t *reply)
{
    const json_t *errors =
        json_object_get(json_object_get(reply, "error"), "errors");
    return cm_doc_text(json_array_get(errors, 0), "field");
}

START_TEST(test_personnel_contract_and_skills)
{
    personnel_create_department("people_dept");
    json_t *head = personnel_head();
    json_t *body = json_pack(
        "{s:s, s:s, s:s, s:{s:s, s:s, s:s}, s:[s,s]}", "name", "Wei",
        "role", "technician", "department", "people_dept", "contract", "kind",
        "fixed_term", "start", "2026-01-01", "end", "2027-12-31", "skills",
        "electrical", "hvac");
    json_t *reply = personnel_call(head, "POST", "/v1/staff", NULL, body, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 201);
    const json_t *doc = json_object_get(reply, "body");
    char id[PERSONNEL_TEST_ID_MAX];
    snprintf(id, sizeof id, "%s", cm_doc_text(doc, "id"));
    ck_assert_str_eq(
        cm_doc_text(json_object_get(doc, "contract"), "end"), "2027-12-31");
    ck_assert_int_eq(json_array_size(json_object_get(doc, "skills")), 2);
    json_decref(reply);
    json_decref(body);
    // PATCH replaces the skills; the event carries them.
    char path[96];
    snprintf(path, sizeof path, "/v1/staff/%s", id);
    body = json_pack("{s:[s]}", "skills", "plumbing");
    reply = personnel_call(head, "PATCH", path, NULL, body, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    json_decref(reply);
    json_decref(body);
    personnel_events_t events = {0};
    personnel_read_events(&events);
    const json_t *data =
        personnel_last_event(&events, "personnel.staff.updated");
    ck_assert_ptr_nonnull(data);
    ck_assert_str_eq(cm_doc_text(data, "id"), id);
    ck_assert_str_eq(
        json_string_value(json_array_get(json_object_get(data, "skills"), 0)),
        "plumbing");
    ck_assert_str_eq(
        cm_doc_text(json_object_get(data, "contract"), "kind"), "fixed_term");
    personnel_events_clear(&events);
    // A contract ending before it starts, a skill twice: 400 naming them,
    // nothing changed.
    body = json_pack("{s:{s:s, s:s, s:s}}", "contract", "kind", "fixed_term",
                     "start", "2026-06-01", "end", "2026-05-31");
    reply = personnel_call(head, "PATCH", path, NULL, body, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 400);
    ck_assert_str_eq(s_first_error(reply), "contract.end");
    json_decref(reply);
    json_decref(body);
    body = json_pack("{s:[s,s]}", "skills", "hvac", "hvac");
    reply = personnel_call(head, "PATCH", path, NULL, body, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 400);
    ck_assert_str_eq(s_first_error(reply), "skills[1]");
    json_decref(reply);
    json_decref(body);
    reply = personnel_call(head, "GET", path, NULL, NULL, NULL);
    ck_assert_int_eq(
        json_array_size(json_object_get(json_object_get(reply, "body"),
                                        "skills")),
        1);
    json_decref(reply);
    json_decref(head);
}
END_TEST

Suite *
personnel_people_suite(void)
{
    Suite *suite = suite_create("personnel_people");
    TCase *core = tcase_create("core");
    tcase_add_unchecked_fixture(core, personnel_stack_setup,
                                personnel_stack_teardown);
    tcase_set_timeout(core, 60);
    tcase_add_test(core, test_personnel_contract_and_skills);
    suite_add_tcase(suite, core);
    return suite;
}
