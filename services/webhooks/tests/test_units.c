// The pure parts of webhooks: the Standard Webhooks signature (the
// convention's published example), secrets, event patterns, the URL
// allow-list and the retry schedule.
#include <check.h>
#include <string.h>

#include "http_out.h"
#include "signature.h"
#include "suites.h"
#include "target.h"
#include "webhooks.h"

START_TEST(test_signature_standard_example)
{
    // The example of the Standard Webhooks specification.
    const char *body = "{\"test\": 2432232314}";
    char out[SIGNATURE_HEADER_MAX];
    ck_assert_int_eq(signature_sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                                    "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
                                    body, strlen(body), out),
                     0);
    ck_assert_str_eq(out, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}
END_TEST

START_TEST(test_signature_secrets)
{
    char secret[SIGNATURE_SECRET_MAX], other[SIGNATURE_SECRET_MAX];
    signature_secret_new(secret);
    signature_secret_new(other);
    ck_assert(strncmp(secret, "whsec_", 6) == 0);
    ck_assert(signature_secret_is_valid(secret));
    ck_assert_str_ne(secret, other);
    ck_assert(!signature_secret_is_valid("whsec_c2hvcnQ=")); // 5 bytes
    ck_assert(!signature_secret_is_valid("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
    ck_assert(!signature_secret_is_valid("whsec_not base64!!"));
    ck_assert(!signature_secret_is_valid(NULL));
    char a[SIGNATURE_HEADER_MAX], b[SIGNATURE_HEADER_MAX];
    ck_assert_int_eq(signature_sign(secret, "WD-1", 1, "{}", 2, a), 0);
    ck_assert_int_eq(signature_sign(other, "WD-1", 1, "{}", 2, b), 0);
    ck_assert_str_ne(a, b);
    ck_assert_int_eq(signature_sign("bad", "WD-1", 1, "{}", 2, a), -1);
}
END_TEST

START_TEST(test_patterns)
{
    ck_assert(target_pattern_is_valid("intake.case.*"));
    ck_assert(target_pattern_is_valid("*"));
    ck_assert(target_pattern_is_valid("*.case.created"));
    ck_assert(target_pattern_is_valid("finance.budget.threshold_reached"));
    ck_assert(!target_pattern_is_valid(""));
    ck_assert(!target_pattern_is_valid("intake..case"));
    ck_assert(!target_pattern_is_valid("intake.case*"));
    ck_assert(!target_pattern_is_valid("Intake.case"));
    ck_assert(!target_pattern_is_valid("intake.case."));
    ck_assert(target_pattern_matches("intake.case.*", "intake.case.created"));
    ck_assert(target_pattern_matches("intake.case.*", "intake.case.a.b"));
    ck_assert(!target_pattern_matches("intake.case.*", "intake.case"));
    ck_assert(!target_pattern_matches("intake.case.*", "intake.cases.x"));
    ck_assert(target_pattern_matches("*", "personnel.staff.created"));
    ck_assert(target_pattern_matches("*.case.created", "intake.case.created"));
    ck_assert(!target_pattern_matches("*.case.created", "intake.case.closed"));
    ck_assert(target_pattern_matches("a.b", "a.b"));
    ck_assert(!target_pattern_matches("a.b", "a.b.c"));
    ck_assert(!target_pattern_matches("a.b.c", "a.b"));
}
END_TEST

START_TEST(test_allow_list)
{
    char why[TARGET_WHY_MAX];
    const char *allowed = "hooks.example.com 127.0.0.1:9000 [::1]:8443";
    ck_assert(
        target_url_is_allowed(allowed, "https://hooks.example.com/x", why));
    ck_assert(
        target_url_is_allowed(allowed, "http://HOOKS.example.com:81/", why));
    ck_assert(target_url_is_allowed(allowed, "http://127.0.0.1:9000/in", why));
    ck_assert(target_url_is_allowed(allowed, "https://[::1]:8443/in", why));
    ck_assert(!target_url_is_allowed(allowed, "http://127.0.0.1:9001/in", why));
    ck_assert(strstr(why, "allow-list") != NULL);
    ck_assert(!target_url_is_allowed(allowed, "http://169.254.169.254/", why));
    ck_assert(!target_url_is_allowed(allowed, "http://localhost:9000/", why));
    ck_assert(!target_url_is_allowed(allowed, "ftp://hooks.example.com/", why));
    ck_assert(
        !target_url_is_allowed(allowed, "http://u:p@hooks.example.com/", why));
    ck_assert(!target_url_is_allowed(
        allowed, "http://hooks.example.com.evil.org/", why));
    ck_assert(!target_url_is_allowed("", "https://hooks.example.com/x", why));
}
END_TEST

START_TEST(test_schedule)
{
    webhooks_t self;
    memset(&self, 0, sizeof self);
    ck_assert_int_eq(webhooks_parse_schedule(&self, "100 200  300"), 0);
    ck_assert_uint_eq(self.schedule_count, 3);
    ck_assert_int_eq(self.schedule_ms[2], 300);
    ck_assert_int_eq(webhooks_parse_schedule(&self, ""), 0);
    ck_assert_uint_eq(self.schedule_count, 0);
    ck_assert_int_eq(webhooks_parse_schedule(&self, "100 x"), -1);
    ck_assert_int_eq(webhooks_parse_schedule(&self, "0"), -1);
    ck_assert_int_eq(webhooks_parse_schedule(&self, "100,200"), -1);
}
END_TEST

// Debian's libnng is built with TLS: an https call gets as far as
// connecting (refused here), where a build without TLS would refuse to set
// it up at all (NNG_ENOTSUP).
START_TEST(test_https_is_available)
{
    http_out_result_t result;
    const http_out_header_t headers[] = {{"webhook-id", "WD-1"}};
    http_out_call_t *call =
        http_out_start("https://127.0.0.1:1/hook", headers, 1, "{}", 2, 2000,
                       "/etc/ssl/certs/ca-certificates.crt", &result);
    ck_assert_msg(call != NULL, "TLS setup failed: %s", result.error);
    ck_assert_int_eq(http_out_finish(&call, &result), -1);
    ck_assert_ptr_null(call);
    ck_assert_int_eq(result.status, 0);
    ck_assert(strstr(result.error, "refused") != NULL);
}
END_TEST

Suite *
webhooks_units_suite(void)
{
    Suite *suite = suite_create("webhooks_units");
    TCase *tc = tcase_create("pure");
    tcase_add_test(tc, test_signature_standard_example);
    tcase_add_test(tc, test_signature_secrets);
    tcase_add_test(tc, test_patterns);
    tcase_add_test(tc, test_allow_list);
    tcase_add_test(tc, test_schedule);
    tcase_add_test(tc, test_https_is_available);
    suite_add_tcase(suite, tc);
    return suite;
}
