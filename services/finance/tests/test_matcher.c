#include <check.h>
#include <stdlib.h>

#include "matcher.h"
#include "suites.h"

START_TEST(test_matcher_amount_window_reference)
{
    // Statement: a deposit, a payment with a reference, a fee nobody booked.
    matcher_item_t statement[] = {
        {100, 5000, "DEP-1"}, {101, -3000, "PAY-7"}, {101, -150, "FEE"}};
    // Book: the payment twice (only one with the reference), the deposit
    // two days off, a receipt the bank has not seen.
    matcher_item_t book[] = {{100, -3000, "JE-1"},
                             {99, -3000, "PAY-7"},
                             {102, 5000, "JE-3"},
                             {100, 800, "JE-4"}};
    long match[3];
    bool used[4];
    ck_assert_int_eq(matcher_run(statement, 3, book, 4, 3, match, used), 2);
    ck_assert_int_eq(match[0], 2);  // the deposit, within the window
    ck_assert_int_eq(match[1], 1);  // the reference wins over the nearer date
    ck_assert_int_eq(match[2], -1); // the fee
    ck_assert(!used[0] && used[1] && used[2] && !used[3]);
}
END_TEST

START_TEST(test_matcher_window_and_single_use)
{
    matcher_item_t statement[] = {
        {100, 700, NULL}, {100, 700, NULL}, {100, 700, NULL}};
    matcher_item_t book[] = {{96, 700, NULL}, {101, 700, NULL}, {99, 700, ""}};
    long match[3];
    bool used[3];
    // Day 96 is four days away: outside a window of 3.
    ck_assert_int_eq(matcher_run(statement, 3, book, 3, 3, match, used), 2);
    ck_assert(match[0] >= 1 && match[1] >= 1 && match[0] != match[1]);
    ck_assert_int_eq(match[2], -1);
    ck_assert(!used[0]);
    // Empty sides.
    ck_assert_int_eq(matcher_run(statement, 3, NULL, 0, 3, match, NULL), 0);
    ck_assert_int_eq(match[0], -1);
    ck_assert_int_eq(matcher_run(NULL, 0, book, 3, 3, match, used), 0);
}
END_TEST

START_TEST(test_matcher_many_equal_items)
{
    // 20000 identical book items and as many statement lines: each pairs
    // once, and the "next free" table keeps it linear.
    enum {
        N = 20000
    };
    matcher_item_t *statement = calloc(N, sizeof *statement);
    matcher_item_t *book = calloc(N, sizeof *book);
    long *match = calloc(N, sizeof *match);
    bool *used = calloc(N, sizeof *used);
    for (int i = 0; i < N; i++) {
        statement[i] = (matcher_item_t){500, 100, NULL};
        book[i] = (matcher_item_t){500 + i % 2, 100, NULL};
    }
    ck_assert_int_eq(matcher_run(statement, N, book, N, 1, match, used), N);
    for (int i = 0; i < N; i++) {
        ck_assert(used[i]);
    }
    free(statement);
    free(book);
    free(match);
    free(used);
}
END_TEST

Suite *
matcher_suite(void)
{
    Suite *s = suite_create("matcher");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_matcher_amount_window_reference);
    tcase_add_test(tc, test_matcher_window_and_single_use);
    tcase_add_test(tc, test_matcher_many_equal_items);
    suite_add_tcase(s, tc);
    return s;
}
