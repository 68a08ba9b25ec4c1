#include "../gateway_limiter.h"
#include "suites.h"

START_TEST(test_gateway_limiter_bucket)
{
    gateway_limiter_t *limiter = gateway_limiter_new(10, 3);
    int64_t retry = 0;
    ck_assert(gateway_limiter_take(limiter, "a", 0, &retry));
    ck_assert(gateway_limiter_take(limiter, "a", 0, &retry));
    ck_assert(gateway_limiter_take(limiter, "a", 0, &retry));
    ck_assert(!gateway_limiter_take(limiter, "a", 0, &retry));
    ck_assert_int_eq(retry, 100); // 10/s: one token per 100 ms
    ck_assert(gateway_limiter_take(limiter, "b", 0, &retry)); // own bucket
    ck_assert(!gateway_limiter_take(limiter, "a", 99, &retry));
    ck_assert_int_eq(retry, 1);
    ck_assert(gateway_limiter_take(limiter, "a", 100, &retry));
    // Refill never exceeds the burst.
    for (int i = 0; i < 3; i++) {
        ck_assert(gateway_limiter_take(limiter, "a", 100000, NULL));
    }
    ck_assert(!gateway_limiter_take(limiter, "a", 100000, NULL));
    ck_assert_int_eq(gateway_limiter_size(limiter), 2);
    gateway_limiter_destroy(&limiter);
    ck_assert_ptr_null(limiter);
    ck_assert_ptr_null(gateway_limiter_new(0, 1));
    ck_assert_ptr_null(gateway_limiter_new(1, 0));
}
END_TEST

START_TEST(test_gateway_limiter_check_does_not_take)
{
    gateway_limiter_t *limiter = gateway_limiter_new(1.0, 2.0);
    int64_t retry = 0;
    ck_assert(gateway_limiter_check(limiter, "10.0.0.1", 0, &retry));
    ck_assert_uint_eq(gateway_limiter_size(limiter), 0); // nothing kept
    ck_assert(gateway_limiter_take(limiter, "10.0.0.1", 0, NULL));
    ck_assert(gateway_limiter_check(limiter, "10.0.0.1", 0, NULL));
    ck_assert(gateway_limiter_take(limiter, "10.0.0.1", 0, NULL));
    ck_assert(!gateway_limiter_check(limiter, "10.0.0.1", 0, &retry));
    ck_assert_int_eq(retry, 1000);
    ck_assert(gateway_limiter_check(limiter, "10.0.0.1", 1000, NULL));
    ck_assert(gateway_limiter_check(limiter, "10.0.0.2", 0, NULL));
    gateway_limiter_destroy(&limiter);
}
END_TEST

Suite *
gateway_limiter_suite(void)
{
    Suite *suite = suite_create("gateway_limiter");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_gateway_limiter_bucket);
    tcase_add_test(core, test_gateway_limiter_check_does_not_take);
    suite_add_tcase(suite, core);
    return suite;
}
