#include "../gateway_auth.h"
#include "cm_time.h"
#include "suites.h"

#define S_WALL_MS 1800000000000LL // 2027-01-15T08:00:00Z: wall clock "now"

START_TEST(test_gateway_auth_expires)
{
    gateway_auth_t *auth = gateway_auth_new(30000);
    json_t *actor =
        json_pack("{s:s, s:s}", "id", "ST-1", "role", "station_head");
    ck_assert_ptr_null(gateway_auth_lookup(auth, "h1", 1000));
    gateway_auth_store(auth, "h1", actor, 1000, S_WALL_MS, 0);
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
    gateway_auth_t *auth = gateway_auth_new((int64_t)3600 * 1000);
    json_t *actor = json_pack("{s:s}", "id", "ST-1");
    gateway_auth_store(auth, "h", actor, 0, S_WALL_MS, 0);
    ck_assert_ptr_nonnull(gateway_auth_lookup(auth, "h", 29999));
    ck_assert_ptr_null(gateway_auth_lookup(auth, "h", 30000));
    json_decref(actor);
    gateway_auth_destroy(&auth);
    auth = gateway_auth_new(0);
    actor = json_pack("{s:s}", "id", "ST-1");
    gateway_auth_store(auth, "h", actor, 0, S_WALL_MS, 0);
    ck_assert_ptr_null(gateway_auth_lookup(auth, "h", 0));
    json_decref(actor);
    gateway_auth_destroy(&auth);
}
END_TEST

// A token's own expires_at ends its cache entry even when the cache TTL
// would keep it longer; an already expired one is not kept at all.
START_TEST(test_gateway_auth_honours_token_expiry)
{
    gateway_auth_t *auth = gateway_auth_new(30000);
    char expires[CM_TIME_TEXT_MAX];
    cm_time_format(S_WALL_MS + 5000, expires);
    json_t *actor = json_pack("{s:s, s:s, s:s}", "id", "ST-1", "role",
                              "cs_agent", "expires_at", expires);
    gateway_auth_store(auth, "h", actor, 1000, S_WALL_MS, 0);
    ck_assert_ptr_nonnull(gateway_auth_lookup(auth, "h", 5999));
    ck_assert_ptr_null(gateway_auth_lookup(auth, "h", 6000));
    cm_time_format(S_WALL_MS - 1, expires);
    json_object_set_new(actor, "expires_at", json_string(expires));
    gateway_auth_store(auth, "h", actor, 1000, S_WALL_MS, 0);
    ck_assert_ptr_null(gateway_auth_lookup(auth, "h", 1000));
    json_object_set_new(actor, "expires_at", json_null()); // no expiry
    gateway_auth_store(auth, "h", actor, 1000, S_WALL_MS, 0);
    ck_assert_ptr_nonnull(gateway_auth_lookup(auth, "h", 30999));
    json_decref(actor);
    gateway_auth_destroy(&auth);
}
END_TEST

// Forgetting a staff member drops every token of theirs at once, and a
// resolution that started before the forget is not cached afterwards.
START_TEST(test_gateway_auth_forget_staff)
{
    gateway_auth_t *auth = gateway_auth_new(30000);
    json_t *ann = json_pack("{s:s, s:s}", "id", "ST-1", "role", "cs_agent");
    json_t *bob = json_pack("{s:s, s:s}", "id", "ST-2", "role", "cs_agent");
    uint64_t generation = gateway_auth_generation(auth);
    gateway_auth_store(auth, "a1", ann, 0, S_WALL_MS, generation);
    gateway_auth_store(auth, "a2", ann, 0, S_WALL_MS, generation);
    gateway_auth_store(auth, "b1", bob, 0, S_WALL_MS, generation);
    ck_assert_uint_eq(gateway_auth_forget_staff(auth, "ST-1"), 2);
    ck_assert_ptr_null(gateway_auth_lookup(auth, "a1", 1));
    ck_assert_ptr_null(gateway_auth_lookup(auth, "a2", 1));
    ck_assert_ptr_nonnull(gateway_auth_lookup(auth, "b1", 1));
    // A resolution sent at the old generation answers, but is not kept.
    gateway_auth_store(auth, "a1", ann, 2, S_WALL_MS, generation);
    ck_assert_ptr_null(gateway_auth_lookup(auth, "a1", 3));
    gateway_auth_store(auth, "a1", ann, 2, S_WALL_MS,
                       gateway_auth_generation(auth));
    ck_assert_ptr_nonnull(gateway_auth_lookup(auth, "a1", 3));
    gateway_auth_forget_all(auth);
    ck_assert_uint_eq(gateway_auth_size(auth), 0);
    json_decref(ann);
    json_decref(bob);
    gateway_auth_destroy(&auth);
}
END_TEST

START_TEST(test_gateway_auth_which_staff)
{
    json_t *staff = json_pack("{s:{s:s, s:s}}", "data", "id", "ST-5",
                              "department", "technical");
    json_t *token =
        json_pack("{s:{s:s, s:s}}", "data", "id", "TK-1", "staff", "ST-6");
    ck_assert_str_eq(
        gateway_auth_event_staff("personnel.staff.suspended", staff), "ST-5");
    ck_assert_str_eq(gateway_auth_event_staff("personnel.staff.left", staff),
                     "ST-5");
    ck_assert_str_eq(
        gateway_auth_event_staff("personnel.staff.role_changed", staff),
        "ST-5");
    ck_assert_str_eq(gateway_auth_event_staff("personnel.staff.updated", staff),
                     "ST-5");
    ck_assert_str_eq(gateway_auth_event_staff("personnel.token.revoked", token),
                     "ST-6");
    ck_assert_ptr_null(
        gateway_auth_event_staff("personnel.staff.created", staff));
    ck_assert_ptr_null(gateway_auth_event_staff("intake.case.created", staff));
    char id[32];
    ck_assert_str_eq(
        gateway_auth_path_staff("/v1/staff/ST-5/suspend", id, sizeof id),
        "ST-5");
    ck_assert_str_eq(gateway_auth_path_staff("/v1/staff/ST-5", id, sizeof id),
                     "ST-5");
    ck_assert_ptr_null(gateway_auth_path_staff("/v1/staff", id, sizeof id));
    ck_assert_ptr_null(gateway_auth_path_staff("/v1/staff/", id, sizeof id));
    ck_assert_ptr_null(gateway_auth_path_staff("/v1/cases/1", id, sizeof id));
    json_decref(staff);
    json_decref(token);
}
END_TEST

Suite *
gateway_auth_suite(void)
{
    Suite *suite = suite_create("gateway_auth");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_gateway_auth_expires);
    tcase_add_test(core, test_gateway_auth_ttl_never_above_30s);
    tcase_add_test(core, test_gateway_auth_honours_token_expiry);
    tcase_add_test(core, test_gateway_auth_forget_staff);
    tcase_add_test(core, test_gateway_auth_which_staff);
    suite_add_tcase(suite, core);
    return suite;
}
