#include "../gateway_auth.h"
#include "suites.h"

START_TEST(test_gateway_auth_expires)
{
    gateway_auth_t *auth = gateway_auth_new(30000);
    json_t *actor =
        json_pack("{s:s, s:s}", "id", "ST-1", "role", "station_head");
    ck_assert_ptr_null(gateway_auth_lookup(auth, "h1", 1000));
    gateway_auth_store(auth, "h1", actor, 1000);
    const json_t *cached = gateway_auth_lookup(auth, "h1", 30999);
    ck_assert_ptr_nonnull(cached);
    ck_assert_str_eq(json_string_value(json_object_get(cached, "id")), "ST-1");
    ck_assert_ptr_null(gateway_auth_lookup(auth, "h1", 31000));
    ck_assert_int_eq(gateway_auth_size(auth), 0);
    json_decref(actor);
    gateway_auth_destroy(&auth);
    ck_assert_ptr_null(auth);
}
END_TEST

START_TEST(test_gateway_auth_ttl_never_above_30s)
{
    gateway_auth_t *auth = gateway_auth_new(3600 * 1000);
    json_t *actor = json_pack("{s:s}", "id", "ST-1");
    gateway_auth_store(auth, "h", actor, 0);
    ck_assert_ptr_nonnull(gateway_auth_lookup(auth, "h", 29999));
    ck_assert_ptr_null(gateway_auth_lookup(auth, "h", 30000));
    json_decref(actor);
    gateway_auth_destroy(&auth);
    auth = gateway_auth_new(0);
    actor = json_pack("{s:s}", "id", "ST-1");
    gateway_auth_store(auth, "h", actor, 0);
    ck_assert_ptr_null(gateway_auth_lookup(auth, "h", 0));
    json_decref(actor);
    gateway_auth_destroy(&auth);
}
END_TEST

Suite *
gateway_auth_suite(void)
{
    Suite *suite = suite_create("gateway_auth");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_gateway_auth_expires);
    tcase_add_test(core, test_gateway_auth_ttl_never_above_30s);
    suite_add_tcase(suite, core);
    return suite;
}
