#include <check.h>
#include <string.h>

#include "cm_time.h"
#include "suites.h"
#include "token.h"

START_TEST(test_token_generate_format)
{
    char a[TOKEN_TEXT_MAX];
    char b[TOKEN_TEXT_MAX];
    token_generate(a);
    token_generate(b);
    ck_assert_int_eq(strlen(a), strlen(TOKEN_PREFIX) + 64);
    ck_assert(strncmp(a, TOKEN_PREFIX, strlen(TOKEN_PREFIX)) == 0);
    ck_assert_int_eq(strspn(a + 4, "0123456789abcdef"), 64);
    ck_assert_str_ne(a, b);
}
END_TEST

START_TEST(test_token_hash_is_stable_hex)
{
    char h1[TOKEN_HASH_HEX_MAX];
    char h2[TOKEN_HASH_HEX_MAX];
    char h3[TOKEN_HASH_HEX_MAX];
    token_hash("smt_abc", h1);
    token_hash("smt_abc", h2);
    token_hash("smt_abd", h3);
    ck_assert_str_eq(h1, h2);
    ck_assert_str_ne(h1, h3);
    ck_assert_int_eq(strlen(h1), 64);
    // BLAKE2b-256 of "abc" (RFC 7693 family, libsodium generichash).
    token_hash("abc", h1);
    ck_assert_str_eq(
        h1, "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
}
END_TEST

START_TEST(test_token_validate_issue)
{
    int64_t now = 0;
    cm_time_parse("2026-01-01T00:00:00Z", &now);
    ck_assert_ptr_null(token_validate_issue(NULL, now));
    json_t *body = json_pack("{s:s, s:s}", "name", "laptop", "expires_at",
                             "2026-02-01T00:00:00+01:00");
    ck_assert_ptr_null(token_validate_issue(body, now));
    json_decref(body);
    body = json_pack("{s:s, s:i, s:s}", "expires_at", "2025-12-31T23:59:59Z",
                     "name", 5, "scope", "all");
    json_t *problem = token_validate_issue(body, now);
    ck_assert_ptr_nonnull(problem);
    ck_assert_int_eq(json_array_size(json_object_get(problem, "errors")), 3);
    json_decref(problem);
    json_decref(body);
    body = json_pack("{s:s}", "expires_at", "tomorrow");
    problem = token_validate_issue(body, now);
    ck_assert_ptr_nonnull(problem);
    json_decref(problem);
    json_decref(body);
}
END_TEST

START_TEST(test_token_doc_has_no_secret)
{
    const char *secret =
        "smt_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    json_t *body =
        json_pack("{s:s}", "expires_at", "2030-01-01T08:00:00+08:00");
    json_t *actor =
        json_pack("{s:s, s:s}", "id", "ST-1", "role", "station_head");
    json_t *doc =
        token_new_doc(body, "TOK-3", "ST-2", secret, actor, 1767225600000);
    char *text = json_dumps(doc, 0);
    ck_assert_ptr_null(strstr(text, "0123456789abcdef0123"));
    free(text);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "last4")), "cdef");
    ck_assert_str_eq(json_string_value(json_object_get(doc, "expires_at")),
                     "2030-01-01T00:00:00.000Z");
    ck_assert_str_eq(json_string_value(json_object_get(doc, "state")),
                     "active");
    ck_assert_str_eq(json_string_value(json_object_get(doc, "created_by")),
                     "ST-1");
    json_decref(doc);
    // A short (given) secret shows no last characters.
    doc = token_new_doc(NULL, "TOK-1", "ST-1", "short", actor, 1767225600000);
    ck_assert(json_is_null(json_object_get(doc, "last4")));
    json_decref(doc);
    json_decref(actor);
    json_decref(body);
}
END_TEST

START_TEST(test_token_view_state)
{
    int64_t now = 0;
    cm_time_parse("2026-06-01T00:00:00Z", &now);
    json_t *doc = json_pack("{s:s, s:s}", "state", "active", "expires_at",
                            "2026-05-01T00:00:00.000Z");
    ck_assert_str_eq(token_view_state(doc, now), "expired");
    json_object_set_new(doc, "expires_at", json_null());
    ck_assert_str_eq(token_view_state(doc, now), "active");
    json_object_set_new(doc, "state", json_string("revoked"));
    ck_assert_str_eq(token_view_state(doc, now), "revoked");
    json_decref(doc);
}
END_TEST

START_TEST(test_token_workflow_owner_or_manager)
{
    ck_assert_int_eq(cm_workflow_check(&token_workflow), 0);
    json_t *doc = json_pack("{s:s, s:s}", "staff", "ST-2", "state", "active");
    json_t *owner = json_pack("{s:s, s:s}", "id", "ST-2", "role", "cs_agent");
    json_t *other = json_pack("{s:s, s:s}", "id", "ST-3", "role", "cs_agent");
    json_t *deputy =
        json_pack("{s:s, s:s}", "id", "ST-4", "role", "deputy_head");
    json_t *actions =
        cm_workflow_actions(&token_workflow, "active", owner, doc);
    ck_assert_int_eq(json_array_size(actions), 1);
    json_decref(actions);
    actions = cm_workflow_actions(&token_workflow, "active", other, doc);
    ck_assert_int_eq(json_array_size(actions), 0);
    json_decref(actions);
    actions = cm_workflow_actions(&token_workflow, "active", deputy, doc);
    ck_assert_int_eq(json_array_size(actions), 1);
    json_decref(actions);
    actions = cm_workflow_actions(&token_workflow, "revoked", deputy, doc);
    ck_assert_int_eq(json_array_size(actions), 0);
    json_decref(actions);
    json_decref(deputy);
    json_decref(other);
    json_decref(owner);
    json_decref(doc);
}
END_TEST

Suite *
token_suite(void)
{
    Suite *suite = suite_create("token");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_token_generate_format);
    tcase_add_test(core, test_token_hash_is_stable_hex);
    tcase_add_test(core, test_token_validate_issue);
    tcase_add_test(core, test_token_doc_has_no_secret);
    tcase_add_test(core, test_token_view_state);
    tcase_add_test(core, test_token_workflow_owner_or_manager);
    suite_add_tcase(suite, core);
    return suite;
}
