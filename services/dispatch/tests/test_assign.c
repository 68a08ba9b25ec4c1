// The least_loaded policy.
#include <check.h>

#include "../assign.h"
#include "../workorder.h"
#include "cm_org.h"
#include "suites.h"

START_TEST(test_assign_least_loaded)
{
    const char *ids[] = {"ST-12", "ST-3", "ST-5"};
    int64_t loads[] = {1, 1, 2};
    ck_assert_int_eq(assign_least_loaded(ids, loads, 3), 1); // tie: ST-3
    int64_t other[] = {0, 1, 0};
    ck_assert_int_eq(assign_least_loaded(ids, other, 3), 2); // ST-5 < ST-12
    ck_assert_int_eq(assign_least_loaded(ids, loads, 0), -1);
}
END_TEST

START_TEST(test_assign_id_order)
{
    ck_assert_int_lt(cm_org_id_compare("ST-3", "ST-12"), 0);
    ck_assert_int_gt(cm_org_id_compare("ST-12", "ST-3"), 0);
    ck_assert_int_eq(cm_org_id_compare("ST-3", "ST-3"), 0);
    ck_assert_int_lt(cm_org_id_compare("AB", "ST-1"), 0);
}
END_TEST

START_TEST(test_assign_skill_match)
{
    json_t *staff = json_pack("{s:s, s:[s,s]}", "id", "ST-3", "skills",
                              "electrical", "hvac");
    json_t *bare = json_pack("{s:s}", "id", "ST-4"); // a record without skills
    json_t *needs = json_pack("{s:s}", "skill", "hvac");
    json_t *other = json_pack("{s:s}", "skill", "plumbing");
    json_t *none = json_pack("{s:n}", "skill");
    ck_assert(assign_has_skill(staff, needs));
    ck_assert(!assign_has_skill(staff, other));
    ck_assert(!assign_has_skill(bare, needs));
    ck_assert(assign_has_skill(bare, none));
    ck_assert(assign_has_skill(staff, none));
    json_decref(staff);
    json_decref(bare);
    json_decref(needs);
    json_decref(other);
    json_decref(none);
}
END_TEST

START_TEST(test_assign_eligible_hook)
{
    json_t *active = json_pack("{s:s, s:s}", "id", "ST-3", "status", "active");
    json_t *left = json_pack("{s:s, s:s}", "id", "ST-4", "status", "left");
    // Not field work: the store (the training records) is not read.
    ck_assert(assign_is_eligible(NULL, active, NULL));
    ck_assert(!assign_is_eligible(NULL, left, NULL));
    json_decref(active);
    json_decref(left);
}
END_TEST

START_TEST(test_assign_field_work)
{
    json_t *plain = json_pack("{s:s, s:b}", "id", "WO-1", "field_work", 0);
    json_t *marked = json_pack("{s:s, s:b}", "id", "WO-2", "field_work", 1);
    json_t *repair =
        json_pack("{s:s, s:{s:s}}", "id", "WO-3", "request", "kind", "repair");
    json_t *count = json_pack("{s:s, s:{s:s, s:b}}", "id", "WO-4", "request",
                              "kind", "count", "field_work", 0);
    json_t *asked = json_pack("{s:s, s:{s:s, s:b}}", "id", "WO-5", "request",
                              "kind", "rectification", "field_work", 1);
    ck_assert(!workorder_is_field_work(plain));
    ck_assert(workorder_is_field_work(marked));
    ck_assert(workorder_is_field_work(repair));
    ck_assert(!workorder_is_field_work(count));
    ck_assert(workorder_is_field_work(asked));
    json_decref(plain);
    json_decref(marked);
    json_decref(repair);
    json_decref(count);
    json_decref(asked);
}
END_TEST

Suite *
assign_suite(void)
{
    Suite *suite = suite_create("assign");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_assign_least_loaded);
    tcase_add_test(core, test_assign_id_order);
    tcase_add_test(core, test_assign_skill_match);
    tcase_add_test(core, test_assign_eligible_hook);
    tcase_add_test(core, test_assign_field_work);
    suite_add_tcase(suite, core);
    return suite;
}
