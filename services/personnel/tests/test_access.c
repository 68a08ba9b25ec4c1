#include <check.h>
#include <string.h>

#include "access.h"
#include "suites.h"

static json_t *
s_person(const char *id, const char *role, const char *department)
{
    return json_pack("{s:s, s:s, s:s, s:[s]}", "id", id, "role", role,
                     "department", department, "oversees", "ops");
}

START_TEST(test_access_roles)
{
    ck_assert(access_role_is_manager("station_head"));
    ck_assert(access_role_is_manager("deputy_head"));
    ck_assert(!access_role_is_manager("dept_head"));
    ck_assert(!access_role_is_manager(NULL));
    json_t *head = s_person("ST-1", "station_head", "management");
    json_t *deputy = s_person("ST-2", "deputy_head", "management");
    ck_assert(access_may_grant(head, "deputy_head"));
    ck_assert(access_may_grant(deputy, "cs_agent"));
    ck_assert(!access_may_grant(deputy, "deputy_head"));
    ck_assert(!access_may_grant(deputy, "station_head"));
    json_decref(deputy);
    json_decref(head);
}
END_TEST

START_TEST(test_access_oversees_and_private)
{
    json_t *head = s_person("ST-1", "station_head", "management");
    json_t *deputy = s_person("ST-2", "deputy_head", "management");
    json_t *agent = s_person("ST-3", "cs_agent", "ops");
    json_t *other = s_person("ST-4", "cs_agent", "finance");
    json_t *auditor = s_person("ST-5", "auditor", "finance");
    ck_assert(access_oversees(head, "finance"));
    ck_assert(access_oversees(deputy, "ops"));
    ck_assert(!access_oversees(deputy, "finance"));
    ck_assert(!access_oversees(agent, "ops")); // `oversees` is a deputy's
    ck_assert(access_may_manage(deputy, agent));
    ck_assert(!access_may_manage(deputy, other));
    ck_assert(!access_may_manage(deputy, head));
    ck_assert(access_may_manage(head, head));
    ck_assert(access_may_read_private(agent, agent));
    ck_assert(!access_may_read_private(agent, other));
    ck_assert(access_may_read_private(auditor, head));
    ck_assert(access_may_read_private(deputy, agent));
    ck_assert(!access_may_read_private(deputy, head));
    json_decref(auditor);
    json_decref(other);
    json_decref(agent);
    json_decref(deputy);
    json_decref(head);
}
END_TEST

Suite *
access_suite(void)
{
    Suite *suite = suite_create("access");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_access_roles);
    tcase_add_test(core, test_access_oversees_and_private);
    suite_add_tcase(suite, core);
    return suite;
}
