#include <string.h>

#include "cm_id.h"
#include "suites.h"

START_TEST(test_cm_id_format_and_parse)
{
    char buf[CM_ID_MAX];
    ck_assert_str_eq(cm_id_format("CS", 1024, buf), "CS-1024");
    int64_t n = 0;
    ck_assert(cm_id_parse("CS-1024", "CS", &n));
    ck_assert_int_eq(n, 1024);
    ck_assert(!cm_id_parse("CS-01", "CS", NULL));
    ck_assert(!cm_id_parse("CS-", "CS", NULL));
    ck_assert(!cm_id_parse("WO-3", "CS", NULL));
    ck_assert(!cm_id_parse("CS-3x", "CS", NULL));
    ck_assert(!cm_id_parse("CSX-3", "CS", NULL));
    ck_assert(!cm_id_parse(NULL, "CS", NULL));
}
END_TEST

START_TEST(test_cm_id_uuid_and_token)
{
    char a[CM_UUID_MAX], b[CM_UUID_MAX];
    cm_uuid(a);
    cm_uuid(b);
    ck_assert(cm_uuid_is_valid(a));
    ck_assert_str_ne(a, b);
    ck_assert_int_eq(a[14], '4');
    ck_assert(!cm_uuid_is_valid("not-a-uuid"));
    char token[CM_TOKEN_MAX];
    cm_token_random(token);
    ck_assert_uint_eq(strlen(token), 64);
}
END_TEST

Suite *
cm_id_suite(void)
{
    Suite *suite = suite_create("cm_id");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_cm_id_format_and_parse);
    tcase_add_test(core, test_cm_id_uuid_and_token);
    suite_add_tcase(suite, core);
    return suite;
}
