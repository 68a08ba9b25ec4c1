#include <check.h>
#include <string.h>

#include "cm_doc.h"
#include "cm_store.h"
#include "staff.h"
#include "staff_action.h"
#include "suites.h"

// The field of the i-th error of a problem.
static const char *
s_error_field(const json_t *problem, size_t i)
{
    return json_string_value(json_object_get(
        json_array_get(json_object_get(problem, "errors"), i), "field"));
}

static size_t
s_error_count(const json_t *problem)
{
    return json_array_size(json_object_get(problem, "errors"));
}

START_TEST(test_staff_validate_create_ok)
{
    json_t *body = json_pack(
        "{s:s, s:s, s:s, s:{s:s, s:s}, s:s}", "name", "Ann", "role", "cs_agent",
        "department", "customer_service", "contact", "phone",
        "+86 (10) 1234-5678", "email", "ann@example.org", "position", "POS-3");
    ck_assert_ptr_null(staff_validate_create(body));
    json_decref(body);
}
END_TEST

START_TEST(test_staff_validate_create_names_every_bad_field)
{
    json_t *body =
        json_pack("{s:s, s:s, s:{s:s, s:s, s:s}, s:s, s:b}", "role", "janitor",
                  "department", "Bad Dept", "contact", "phone", "call me",
                  "email", "nobody", "fax", "1", "position", "P-1", "admin", 1);
    json_t *problem = staff_validate_create(body);
    ck_assert_ptr_nonnull(problem);
    ck_assert_int_eq(json_integer_value(json_object_get(problem, "status")),
                     400);
    // admin (unknown), name (missing), role (enum), department, position,
    // contact.fax, contact.phone, contact.email.
    ck_assert_int_eq(s_error_count(problem), 8);
    ck_assert_str_eq(s_error_field(problem, 0), "admin");
    json_decref(problem);
    json_decref(body);
    problem = staff_validate_create(NULL);
    ck_assert_str_eq(s_error_field(problem, 0), "body");
    json_decref(problem);
}
END_TEST

START_TEST(test_staff_validate_patch)
{
    json_t *body = json_pack("{s:s, s:s, s:n}", "role", "auditor", "status",
                             "left", "name");
    json_t *problem = staff_validate_patch(body);
    ck_assert_int_eq(s_error_count(problem), 3);
    char *text = json_dumps(problem, 0);
    ck_assert_ptr_nonnull(strstr(text, "change-role"));
    free(text);
    json_decref(problem);
    json_decref(body);
    body = json_object();
    problem = staff_validate_patch(body);
    ck_assert_str_eq(s_error_field(problem, 0), "body");
    json_decref(problem);
    json_decref(body);
    body = json_pack("{s:n, s:n}", "position", "contact");
    ck_assert_ptr_null(staff_validate_patch(body));
    json_decref(body);
}
END_TEST

START_TEST(test_staff_doc_mapping)
{
    json_t *body = json_pack("{s:s, s:s, s:s, s:{s:s}}", "name", "Ann", "role",
                             "technician", "department", "technical", "contact",
                             "email", "ann@example.org");
    json_t *actor =
        json_pack("{s:s, s:s}", "id", "ST-1", "role", "station_head");
    json_t *doc = staff_new_doc(body, "ST-7", actor, 1767225600000);
    json_decref(actor);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "id")), "ST-7");
    ck_assert_str_eq(json_string_value(json_object_get(doc, "status")),
                     "active");
    ck_assert_str_eq(json_string_value(json_object_get(doc, "state")),
                     "active");
    ck_assert(json_is_null(json_object_get(doc, "position")));
    ck_assert(json_is_null(
        json_object_get(json_object_get(doc, "contact"), "phone")));
    ck_assert_int_eq(json_array_size(json_object_get(doc, "history")), 1);
    json_t *patch = json_pack("{s:s, s:n}", "name", "Ann Lee", "contact");
    staff_apply_patch(doc, patch);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "name")),
                     "Ann Lee");
    ck_assert(json_is_null(json_object_get(doc, "contact")));
    json_t *data = staff_event_data(doc);
    ck_assert_ptr_null(json_object_get(data, "history"));
    ck_assert_ptr_null(json_object_get(data, "contact"));
    ck_assert_str_eq(json_string_value(json_object_get(data, "name")),
                     "Ann Lee");
    json_decref(data);
    json_decref(patch);
    json_decref(doc);
    json_decref(body);
}
END_TEST

START_TEST(test_staff_contract_and_skills)
{
    json_t *body =
        json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s}, s:[s,s]}", "name", "Bo",
                  "role", "technician", "department", "technical", "contract",
                  "kind", "fixed_term", "start", "2026-01-01", "end",
                  "2027-12-31", "skills", "electrical", "hvac");
    ck_assert_ptr_null(staff_validate_create(body));
    json_t *doc = staff_new_doc(body, "ST-8", NULL, 1767225600000);
    json_t *data = staff_event_data(doc);
    json_t *contract = json_object_get(data, "contract");
    ck_assert_str_eq(json_string_value(json_object_get(contract, "end")),
                     "2027-12-31");
    ck_assert_int_eq(json_array_size(json_object_get(data, "skills")), 2);
    json_decref(data);
    // Patch: skills replaced, contract cleared.
    json_t *patch = json_pack("{s:[s], s:n}", "skills", "plumbing", "contract");
    ck_assert_ptr_null(staff_validate_patch(patch));
    staff_apply_patch(doc, patch);
    data = staff_event_data(doc);
    ck_assert(json_is_null(json_object_get(data, "contract")));
    ck_assert_str_eq(
        json_string_value(json_array_get(json_object_get(data, "skills"), 0)),
        "plumbing");
    json_decref(data);
    json_decref(patch);
    json_decref(doc);
    json_decref(body);
    // Without them: null and [].
    body = json_pack("{s:s, s:s, s:s}", "name", "Cy", "role", "technician",
                     "department", "technical");
    doc = staff_new_doc(body, "ST-9", NULL, 1767225600000);
    ck_assert(json_is_null(json_object_get(doc, "contract")));
    ck_assert_int_eq(json_array_size(json_object_get(doc, "skills")), 0);
    json_decref(doc);
    json_decref(body);
}
END_TEST

START_TEST(test_staff_contract_and_skills_refused)
{
    // end before start; a skill twice; a bad skill name.
    json_t *body =
        json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s}, s:[s,s,s]}", "name", "Bo",
                  "role", "technician", "department", "technical", "contract",
                  "kind", "fixed_term", "start", "2026-05-01", "end",
                  "2026-04-30", "skills", "hvac", "Bad Skill", "hvac");
    json_t *problem = staff_validate_create(body);
    ck_assert_int_eq(s_error_count(problem), 3);
    ck_assert_str_eq(s_error_field(problem, 0), "contract.end");
    ck_assert_str_eq(s_error_field(problem, 1), "skills[1]");
    ck_assert_str_eq(s_error_field(problem, 2), "skills[2]");
    json_decref(problem);
    json_decref(body);
    // A probation contract needs its end; kind and start are required; an
    // unknown member is refused.
    body = json_pack("{s:{s:s, s:s}}", "contract", "kind", "probation", "start",
                     "2026-05-01");
    problem = staff_validate_patch(body);
    ck_assert_int_eq(s_error_count(problem), 1);
    ck_assert_str_eq(s_error_field(problem, 0), "contract.end");
    json_decref(problem);
    json_decref(body);
    body = json_pack("{s:{s:s, s:s}}", "contract", "kind", "forever", "salary",
                     "1");
    problem = staff_validate_patch(body);
    // contract.salary, contract.kind, contract.start
    ck_assert_int_eq(s_error_count(problem), 3);
    json_decref(problem);
    json_decref(body);
    ck_assert(staff_skill_is_valid("first_aid"));
    ck_assert(!staff_skill_is_valid("x"));
    ck_assert(!staff_skill_is_valid("9lives"));
    ck_assert(!staff_skill_is_valid(NULL));
}
END_TEST

START_TEST(test_staff_index_keys)
{
    char key[CM_STORE_KEY_MAX];
    ck_assert_str_eq(cm_doc_index_key(&staff_type, NULL, NULL, key, sizeof key),
                     "sm:{personnel}:idx:staffs");
    ck_assert_str_eq(
        cm_doc_index_key(&staff_type, "role", "cs_agent", key, sizeof key),
        "sm:{personnel}:idx:staff_role:cs_agent");
    ck_assert_str_eq(cm_doc_index_key(&staff_type, "department", "technical",
                                      key, sizeof key),
                     "sm:{personnel}:idx:staff_department:technical");
}
END_TEST

START_TEST(test_staff_action_validate)
{
    json_t *body = json_pack("{s:s, s:s}", "role", "pilot", "why", "x");
    json_t *problem = staff_action_validate("change-role", body);
    // why (unknown), role (not a role), reason (required)
    ck_assert_int_eq(s_error_count(problem), 3);
    json_decref(problem);
    json_decref(body);
    body = json_pack("{s:s}", "reason", "absent");
    ck_assert_ptr_null(staff_action_validate("suspend", body));
    ck_assert_ptr_null(staff_action_validate("reinstate", NULL));
    ck_assert_ptr_null(staff_action_validate("explode", body));
    json_decref(body);
}
END_TEST

// The actions of actor on doc in state, as one string "a b c".
static void
s_actions(const char *state, const json_t *actor, const json_t *doc, char *out,
          size_t size)
{
    json_t *actions = cm_workflow_actions(&staff_workflow, state, actor, doc);
    out[0] = '\0';
    size_t i;
    json_t *action;
    json_array_foreach(actions, i, action)
    {
        size_t used = strlen(out);
        snprintf(out + used, size - used, "%s%s", used ? " " : "",
                 json_string_value(action));
    }
    json_decref(actions);
}

START_TEST(test_staff_workflow)
{
    ck_assert_int_eq(cm_workflow_check(&staff_workflow), 0);
    json_t *doc = json_pack("{s:s, s:s}", "id", "ST-5", "role", "cs_agent");
    json_t *head =
        json_pack("{s:s, s:s}", "id", "ST-1", "role", "station_head");
    json_t *deputy = json_pack("{s:s, s:s, s:[s]}", "id", "ST-5", "role",
                               "deputy_head", "oversees", "ops");
    json_object_set_new(doc, "department", json_string("ops"));
    json_t *agent = json_pack("{s:s, s:s}", "id", "ST-9", "role", "cs_agent");
    char text[128];
    s_actions("active", head, doc, text, sizeof text);
    ck_assert_str_eq(text, "update suspend leave change-role");
    s_actions("suspended", head, doc, text, sizeof text);
    ck_assert_str_eq(text, "update reinstate leave change-role");
    s_actions("left", head, doc, text, sizeof text);
    ck_assert_str_eq(text, "");
    s_actions("active", agent, doc, text, sizeof text);
    ck_assert_str_eq(text, "");
    // Nobody suspends, dismisses or re-roles themself.
    s_actions("active", deputy, doc, text, sizeof text);
    ck_assert_str_eq(text, "update");
    // A deputy acts only in the departments it oversees.
    json_object_set_new(doc, "id", json_string("ST-6"));
    s_actions("active", deputy, doc, text, sizeof text);
    ck_assert_str_eq(text, "update suspend leave change-role");
    json_object_set_new(doc, "department", json_string("finance"));
    s_actions("active", deputy, doc, text, sizeof text);
    ck_assert_str_eq(text, "");
    json_decref(agent);
    json_decref(deputy);
    json_decref(head);
    json_decref(doc);
}
END_TEST

Suite *
staff_suite(void)
{
    Suite *suite = suite_create("staff");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_staff_validate_create_ok);
    tcase_add_test(core, test_staff_validate_create_names_every_bad_field);
    tcase_add_test(core, test_staff_validate_patch);
    tcase_add_test(core, test_staff_doc_mapping);
    tcase_add_test(core, test_staff_contract_and_skills);
    tcase_add_test(core, test_staff_contract_and_skills_refused);
    tcase_add_test(core, test_staff_index_keys);
    tcase_add_test(core, test_staff_action_validate);
    tcase_add_test(core, test_staff_workflow);
    suite_add_tcase(suite, core);
    return suite;
}
