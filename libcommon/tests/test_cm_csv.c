// cm_csv: header, quoting, numbers, nulls, nested values.
#include <stdlib.h>
#include <string.h>

#include "cm_csv.h"
#include "suites.h"

START_TEST(test_cm_csv_rows)
{
    const char *columns[] = {"name", "count", "note", "ok", "tags", NULL};
    json_t *rows =
        json_pack("[{s:s, s:i, s:s, s:b, s:[s]}, {s:s, s:f, s:n}]", "name",
                  "Li, Wei", "count", 3, "note", "said \"hi\"\nthen left", "ok",
                  1, "tags", "a", "name", "Zhao", "count", 2.5, "note");
    char *csv = cm_csv_rows(columns, rows);
    ck_assert_ptr_nonnull(csv);
    ck_assert_str_eq(csv, "name,count,note,ok,tags\r\n"
                          "\"Li, Wei\",3,\"said \"\"hi\"\"\nthen left\","
                          "true,\"[\"\"a\"\"]\"\r\n"
                          "Zhao,2.5,,,\r\n");
    free(csv);
    json_decref(rows);
    // No rows: the header alone.
    json_t *none = json_array();
    csv = cm_csv_rows(columns, none);
    ck_assert_str_eq(csv, "name,count,note,ok,tags\r\n");
    free(csv);
    json_decref(none);
}
END_TEST

Suite *
cm_csv_suite(void)
{
    Suite *s = suite_create("cm_csv");
    TCase *tc = tcase_create("rows");
    tcase_add_test(tc, test_cm_csv_rows);
    suite_add_tcase(s, tc);
    return s;
}
