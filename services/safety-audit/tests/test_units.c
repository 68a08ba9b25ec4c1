// The pure parts of safety-audit: the chain's hash (BLAKE2b of the previous
// hash and the canonical bytes, whatever the member order of the envelope),
// checkpoint signatures (a changed n, hash or key fails), the levels an
// onboarding record still lacks, and the process table.
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "checkpoint.h"
#include "cm_workflow.h"
#include "onboarding.h"
#include "suites.h"

static const char *s_zero =
    "0000000000000000000000000000000000000000000000000000000000000000";

START_TEST(test_audit_hash_canonical)
{
    json_t *a = json_loads("{\"stream\":\"sm:{x}:outbox\",\"entry\":\"1-0\","
                           "\"envelope\":{\"id\":\"e1\",\"type\":\"x.y.z\"},"
                           "\"n\":1}",
                           0, NULL);
    json_t *b = json_loads("{\"n\":9,\"envelope\":{\"type\":\"x.y.z\",\"id\":"
                           "\"e1\"},\"entry\":\"1-0\",\"stream\":\"sm:{x}:"
                           "outbox\",\"hash\":\"ignored\"}",
                           0, NULL);
    char ha[AUDIT_HASH_HEX], hb[AUDIT_HASH_HEX], hc[AUDIT_HASH_HEX];
    ck_assert_int_eq(audit_hash(s_zero, a, ha), 0);
    ck_assert_int_eq(audit_hash(s_zero, b, hb), 0);
    ck_assert_str_eq(ha, hb); // only stream, entry and envelope count
    ck_assert_uint_eq(strlen(ha), 64);
    ck_assert_int_eq(audit_hash(ha, a, hc), 0); // chained: another hash
    ck_assert_str_ne(ha, hc);
    json_object_set_new(json_object_get(b, "envelope"), "id",
                        json_string("e2"));
    ck_assert_int_eq(audit_hash(s_zero, b, hb), 0);
    ck_assert_str_ne(ha, hb);
    ck_assert_int_eq(audit_hash("zz", a, hc), -1);
    json_decref(a);
    json_decref(b);
}
END_TEST

Suite *
audit_hash_suite(void)
{
    Suite *s = suite_create("audit_hash");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_audit_hash_canonical);
    suite_add_tcase(s, tc);
    return s;
}

START_TEST(test_checkpoint_sign_and_check)
{
    char dir[] = "/tmp/sm-checkpoint-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char key_file[96], file[96];
    snprintf(key_file, sizeof key_file, "%s/k/signing.key", dir);
    snprintf(file, sizeof file, "%s/c/checkpoints.jsonl", dir);
    checkpoint_signer_t signer, again, other;
    ck_assert_int_eq(checkpoint_signer_init(&signer, "", key_file, file), 0);
    // The generated key is kept: a second start signs with the same one.
    ck_assert_int_eq(checkpoint_signer_init(&again, NULL, key_file, file), 0);
    ck_assert_str_eq(signer.public_hex, again.public_hex);
    ck_assert_int_eq(checkpoint_signer_init(&other, s_zero, key_file, file), 0);
    ck_assert_str_ne(signer.public_hex, other.public_hex);
    ck_assert_int_ne(checkpoint_signer_init(&other, "abc", key_file, file), 0);
    json_t *last = NULL;
    ck_assert_int_eq(checkpoint_last(&signer, &last), 0);
    ck_assert_ptr_null(last);
    ck_assert_int_eq(checkpoint_write(&signer, 7, s_zero, 1000), 0);
    ck_assert_int_eq(checkpoint_write(&signer, 9, s_zero, 2000), 0);
    ck_assert_int_eq(checkpoint_last(&signer, &last), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(last, "n")), 9);
    ck_assert(checkpoint_is_signed(last, signer.public_key));
    ck_assert(!checkpoint_is_signed(last, other.public_key));
    json_object_set_new(last, "n", json_integer(8));
    ck_assert(!checkpoint_is_signed(last, signer.public_key));
    json_decref(last);
    char command[128];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(command), 0);
}
END_TEST

Suite *
checkpoint_suite(void)
{
    Suite *s = suite_create("checkpoint");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_checkpoint_sign_and_check);
    suite_add_tcase(s, tc);
    return s;
}

START_TEST(test_onboarding_levels)
{
    json_t *staff = json_pack("{s:s, s:s, s:s}", "id", "ST-5", "name", "Li",
                              "department", "technical");
    json_t *doc = onboarding_new(staff, NULL, 1000);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "state")),
                     "untrained");
    ck_assert_uint_eq(json_array_size(json_object_get(doc, "missing")), 3);
    json_object_set_new(json_object_get(doc, "levels"), "department",
                        json_pack("{s:s}", "by", "ST-3"));
    json_t *missing = onboarding_missing(doc);
    ck_assert_uint_eq(json_array_size(missing), 2);
    ck_assert_str_eq(json_string_value(json_array_get(missing, 0)), "station");
    ck_assert_str_eq(json_string_value(json_array_get(missing, 1)), "team");
    json_decref(missing);
    json_decref(doc);
    json_decref(staff);
    ck_assert_int_eq(cm_workflow_check(&onboarding_workflow), 0);
}
END_TEST

Suite *
onboarding_suite(void)
{
    Suite *s = suite_create("onboarding");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_onboarding_levels);
    suite_add_tcase(s, tc);
    return s;
}
