// The authorization matrix: every operation of docs/openapi.yaml against a
// token of every role, inside and outside the resource's department,
// through the real stack and the contract proxy (tests/e2e_stack.h). The
// expectations are tables, one per service, in tests/authz/*.matrix (see
// tests/authz/README.md). Suite: authz.
//
// - test_authz_every_operation_has_a_row fails when an operation (or an
//   action of an {action} path) of the spec has no row, naming the table
//   to add it to: a new route cannot ship without its expectations
//   (narrowed by AUTHZ_TABLES to the operations of those tables' tags).
// - test_authz_table runs one table per iteration (every *.matrix file, in
//   name order; AUTHZ_TABLES="finance intake" runs only those) and lists
//   every cell that differs.
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "e2e_stack.h"
#include "suites.h"

#define S_SPEC        "docs/openapi.yaml"
#define S_TABLES_MAX  32
#define S_REPORT_SIZE (256 * 1024)

static char s_tables[S_TABLES_MAX][AUTHZ_NAME_MAX * 2];
static int s_table_count;

// The *.matrix files of AUTHZ_DIR, sorted.
static void
s_find_tables(void)
{
    s_table_count = 0;
    DIR *dir = opendir(AUTHZ_DIR);
    struct dirent *entry;
    while (dir && (entry = readdir(dir)) && s_table_count < S_TABLES_MAX) {
        size_t n = strlen(entry->d_name);
        const char *only = getenv("AUTHZ_TABLES"); // "finance intake": those
        char name[AUTHZ_NAME_MAX];
        snprintf(name, sizeof name, "%.*s", (int)(n > 7 ? n - 7 : 0),
                 entry->d_name);
        if (only && *only && !strstr(only, name)) {
            continue;
        }
        if (n > 7 && strcmp(entry->d_name + n - 7, ".matrix") == 0) {
            snprintf(s_tables[s_table_count++], sizeof s_tables[0], "%s/%.*s",
                     AUTHZ_DIR, AUTHZ_NAME_MAX, entry->d_name);
        }
    }
    if (dir) {
        closedir(dir);
    }
    qsort(s_tables, (size_t)s_table_count, sizeof s_tables[0],
          (int (*)(const void *, const void *))strcmp);
}

static bool
s_has_row(const authz_table_t *table, const char *key)
{
    size_t n = strlen(key);
    for (size_t i = 0; i < table->row_count; i++) {
        const char *op = table->rows[i].operation;
        if (strncmp(op, key, n) == 0 && (op[n] == '\0' || op[n] == '?')) {
            return true;
        }
    }
    return false;
}

START_TEST(test_authz_every_operation_has_a_row)
{
    static authz_spec_t spec;
    static authz_table_t table;
    static char missing[S_REPORT_SIZE];
    static bool covered[AUTHZ_OPS_MAX];
    char error[256];
    ck_assert_int_eq(authz_spec_load(&spec, S_SPEC), 0);
    ck_assert_int_gt(s_table_count, 0);
    memset(covered, 0, sizeof covered);
    for (int t = 0; t < s_table_count; t++) {
        ck_assert_msg(authz_table_load(&table, s_tables[t], error, sizeof error)
                          == 0,
                      "%s", error);
        for (size_t i = 0; i < table.row_count; i++) {
            const authz_row_t *row = &table.rows[i];
            ck_assert_msg(authz_spec_find(&spec, row->operation),
                          "%s:%d: %s is not an operation of %s", s_tables[t],
                          row->line, row->operation, S_SPEC);
        }
        for (size_t i = 0; i < spec.count; i++) {
            covered[i] = covered[i] || s_has_row(&table, spec.ops[i].key);
        }
    }
    int count = 0;
    missing[0] = '\0';
    for (size_t i = 0; i < spec.count; i++) {
        const authz_op_t *op = &spec.ops[i];
        size_t used = strlen(missing);
        const char *only = getenv("AUTHZ_TABLES"); // narrowed: those tags
        if (only && *only && !strstr(only, op->tag)) {
            continue;
        }
        if (!covered[i] && used + 512 < sizeof missing) {
            snprintf(missing + used, sizeof missing - used,
                     "  %s (%s %s): add its row to %s/%s.matrix\n", op->key,
                     op->method, op->path, AUTHZ_DIR, op->tag);
            count++;
        }
    }
    ck_assert_msg(count == 0,
                  "%d operation(s) of %s have no authorization row; every "
                  "operation (every action of an {action} path) needs one "
                  "row with an expectation for each role, in and out:\n%s",
                  count, S_SPEC, missing);
}
END_TEST

START_TEST(test_authz_table)
{
    static authz_spec_t spec;
    static authz_table_t table;
    static char report[S_REPORT_SIZE];
    char error[256];
    ck_assert_int_eq(authz_spec_load(&spec, S_SPEC), 0);
    ck_assert_int_lt(_i, s_table_count);
    ck_assert_msg(authz_table_load(&table, s_tables[_i], error, sizeof error)
                      == 0,
                  "%s", error);
    int cells = 0;
    int differences =
        authz_table_run(&table, &spec, report, sizeof report, &cells);
    printf("authz: %s: %zu rows, %d cells, %d differences\n%s", s_tables[_i],
           table.row_count, cells, differences, report);
    fflush(stdout);
    // Check's messages are short: the whole list is on stdout above.
    ck_assert_msg(differences == 0,
                  "%s: %d difference(s), listed above; "
                  "the first: %.2000s",
                  s_tables[_i], differences, report);
}
END_TEST

Suite *
authz_suite(void)
{
    s_find_tables();
    Suite *suite = suite_create("authz");
    TCase *rows = tcase_create("rows");
    tcase_add_test(rows, test_authz_every_operation_has_a_row);
    suite_add_tcase(suite, rows);
    TCase *matrix = tcase_create("matrix");
    tcase_add_unchecked_fixture(matrix, e2e_stack_setup, e2e_stack_teardown);
    tcase_set_timeout(matrix, 900);
    tcase_add_loop_test(matrix, test_authz_table, 0,
                        s_table_count > 0 ? s_table_count : 1);
    suite_add_tcase(suite, matrix);
    return suite;
}
