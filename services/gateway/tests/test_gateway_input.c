#include <string.h>

#include "../gateway_input.h"
#include "suites.h"

START_TEST(test_gateway_input_request_id)
{
    ck_assert(gateway_request_id_is_valid("abc-DEF_1.2"));
    char longest[GATEWAY_REQUEST_ID_MAX + 2];
    memset(longest, 'a', sizeof longest);
    longest[GATEWAY_REQUEST_ID_MAX] = '\0';
    ck_assert(gateway_request_id_is_valid(longest));
    longest[GATEWAY_REQUEST_ID_MAX] = 'a';
    longest[GATEWAY_REQUEST_ID_MAX + 1] = '\0';
    ck_assert(!gateway_request_id_is_valid(longest));
    ck_assert(!gateway_request_id_is_valid(""));
    ck_assert(!gateway_request_id_is_valid(NULL));
    ck_assert(!gateway_request_id_is_valid("a b"));
    ck_assert(!gateway_request_id_is_valid("a/b"));
    ck_assert(!gateway_request_id_is_valid("a\"b"));
}
END_TEST

START_TEST(test_gateway_input_idempotency_key)
{
    ck_assert(gateway_idempotency_key_is_valid("k-1:{x}/\"ok\""));
    ck_assert(!gateway_idempotency_key_is_valid(""));
    ck_assert(!gateway_idempotency_key_is_valid("has space"));
    ck_assert(!gateway_idempotency_key_is_valid("tab\there"));
    ck_assert(!gateway_idempotency_key_is_valid("caf\xc3\xa9"));
    char key[GATEWAY_IDEMPOTENCY_KEY_MAX + 2];
    memset(key, 'k', sizeof key);
    key[GATEWAY_IDEMPOTENCY_KEY_MAX] = '\0';
    ck_assert(gateway_idempotency_key_is_valid(key));
    key[GATEWAY_IDEMPOTENCY_KEY_MAX] = 'k';
    key[GATEWAY_IDEMPOTENCY_KEY_MAX + 1] = '\0';
    ck_assert(!gateway_idempotency_key_is_valid(key));
}
END_TEST

START_TEST(test_gateway_input_fingerprint_is_canonical)
{
    char a[GATEWAY_SHA256_HEX], b[GATEWAY_SHA256_HEX], c[GATEWAY_SHA256_HEX];
    json_t *one = json_loads("{\"b\":1,\"a\":[1,2]}", 0, NULL);
    json_t *two = json_loads("{ \"a\" : [1, 2], \"b\" : 1 }", 0, NULL);
    ck_assert_int_eq(gateway_fingerprint("POST", "/v1/cases", one, a), 0);
    ck_assert_int_eq(gateway_fingerprint("POST", "/v1/cases", two, b), 0);
    ck_assert_str_eq(a, b);
    ck_assert_int_eq(strlen(a), 64);
    ck_assert_int_eq(gateway_fingerprint("PUT", "/v1/cases", one, c), 0);
    ck_assert_str_ne(a, c);
    // sha256("POST\n/v1/x\n")
    ck_assert_int_eq(gateway_fingerprint("POST", "/v1/x", NULL, c), 0);
    char expected[GATEWAY_SHA256_HEX];
    gateway_sha256_hex("POST\n/v1/x\n", 11, expected);
    ck_assert_str_eq(c, expected);
    json_decref(one);
    json_decref(two);
}
END_TEST

START_TEST(test_gateway_input_body_position)
{
    json_t *problem = NULL;
    json_t *body =
        gateway_body_parse("{\n  \"a\": 1,\n  oops\n}", 19, &problem);
    ck_assert_ptr_null(body);
    ck_assert_ptr_nonnull(problem);
    ck_assert_int_eq(json_integer_value(json_object_get(problem, "status")),
                     400);
    ck_assert_int_eq(json_integer_value(json_object_get(problem, "line")), 3);
    ck_assert(json_integer_value(json_object_get(problem, "column")) > 0);
    ck_assert_ptr_nonnull(strstr(
        json_string_value(json_object_get(problem, "detail")), "line 3"));
    json_decref(problem);
    problem = NULL;
    ck_assert_ptr_null(gateway_body_parse("{\"a\":1,\"a\":2}", 13, &problem));
    json_decref(problem);
    problem = NULL;
    body = gateway_body_parse("{\"a\":[1]}", 9, &problem);
    ck_assert_ptr_nonnull(body);
    ck_assert_ptr_null(problem);
    json_decref(body);
}
END_TEST

START_TEST(test_gateway_input_headers)
{
    ck_assert(gateway_content_type_is_json("application/json"));
    ck_assert(gateway_content_type_is_json("Application/JSON; charset=utf-8"));
    ck_assert(!gateway_content_type_is_json("application/jsonp"));
    ck_assert(!gateway_content_type_is_json("text/plain"));
    ck_assert(!gateway_content_type_is_json(NULL));
    // Uploads: a POST to a collection of attachments only.
    ck_assert(gateway_raw_body_allowed("POST", "/v1/cases/CS-1/attachments"));
    ck_assert(!gateway_raw_body_allowed("GET", "/v1/cases/CS-1/attachments"));
    ck_assert(!gateway_raw_body_allowed("POST", "/v1/cases/CS-1/answer"));
    ck_assert(!gateway_raw_body_allowed("POST", "/attachments"));
    ck_assert(
        !gateway_raw_body_allowed("POST", "/v1/cases/CS-1/attachments/A-1"));
    ck_assert(!gateway_raw_body_allowed("POST", NULL));
    size_t length = 0;
    ck_assert_int_eq(gateway_content_length_parse("65536", &length), 0);
    ck_assert_uint_eq(length, 65536);
    ck_assert_int_eq(gateway_content_length_parse("12a", &length), -1);
    ck_assert_int_eq(gateway_content_length_parse("-1", &length), -1);
    ck_assert_int_eq(gateway_content_length_parse("", &length), -1);
    size_t size = 0;
    const char *token = gateway_bearer_token("Bearer abc.def", &size);
    ck_assert_ptr_nonnull(token);
    ck_assert_int_eq(size, 7);
    ck_assert_ptr_null(gateway_bearer_token("Basic abc", &size));
    ck_assert_ptr_null(gateway_bearer_token("Bearer ", &size));
    ck_assert_ptr_null(gateway_bearer_token("Bearer a b", &size));
    ck_assert(gateway_method_has_body("PATCH"));
    ck_assert(!gateway_method_has_body("GET"));
}
END_TEST

START_TEST(test_gateway_input_query)
{
    json_t *query = gateway_query_parse("state=open&q=a%20b+c&limit=5&&x");
    ck_assert_ptr_nonnull(query);
    ck_assert_str_eq(json_string_value(json_object_get(query, "state")),
                     "open");
    ck_assert_str_eq(json_string_value(json_object_get(query, "q")), "a b c");
    ck_assert_str_eq(json_string_value(json_object_get(query, "x")), "");
    json_decref(query);
    query = gateway_query_parse(NULL);
    ck_assert_int_eq(json_object_size(query), 0);
    json_decref(query);
    ck_assert_ptr_null(gateway_query_parse("a=%ff"));
}
END_TEST

Suite *
gateway_input_suite(void)
{
    Suite *suite = suite_create("gateway_input");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_gateway_input_request_id);
    tcase_add_test(core, test_gateway_input_idempotency_key);
    tcase_add_test(core, test_gateway_input_fingerprint_is_canonical);
    tcase_add_test(core, test_gateway_input_body_position);
    tcase_add_test(core, test_gateway_input_headers);
    tcase_add_test(core, test_gateway_input_query);
    suite_add_tcase(suite, core);
    return suite;
}
