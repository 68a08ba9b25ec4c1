// Unit tests of gateway_response: fields set and replaced, the rendered
// bytes of a response the front thread sends (HEAD, close, empty body).
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "../gateway_response.h"
#include "suites.h"

START_TEST(test_gateway_response_fields_replace)
{
    gateway_response_t response;
    gateway_response_init(&response, 200);
    gateway_response_set(&response, "X-Request-Id", "a");
    gateway_response_set(&response, "ETag", "\"1\"");
    gateway_response_set(&response, "x-request-id", "b");
    ck_assert_uint_eq(response.count, 2);
    ck_assert_str_eq(gateway_response_get(&response, "X-REQUEST-ID"), "b");
    ck_assert_ptr_null(gateway_response_get(&response, "Location"));
}
END_TEST

START_TEST(test_gateway_response_render)
{
    gateway_response_t response;
    gateway_response_init(&response, 201);
    gateway_response_set(&response, "X-Request-Id", "r1");
    gateway_response_set(&response, "Content-Type", "application/json");
    gateway_response_set(&response, "Content-Length", "99"); // ours wins
    size_t size = 0;
    char *text =
        gateway_response_render(&response, "{}", 2, false, false, &size);
    const char *want = "HTTP/1.1 201 Created\r\nX-Request-Id: r1\r\n"
                       "Content-Type: application/json\r\n"
                       "Content-Length: 2\r\n\r\n{}";
    ck_assert_uint_eq(size, strlen(want));
    ck_assert_mem_eq(text, want, size);
    free(text);
    // HEAD: the length of the body, not the body; close on request.
    text = gateway_response_render(&response, "{}", 2, true, true, &size);
    want = "HTTP/1.1 201 Created\r\nX-Request-Id: r1\r\n"
           "Content-Type: application/json\r\n"
           "Content-Length: 2\r\nConnection: close\r\n\r\n";
    ck_assert_uint_eq(size, strlen(want));
    ck_assert_mem_eq(text, want, size);
    free(text);
    // No body: Content-Length 0 (keep-alive clients must not wait).
    gateway_response_init(&response, 204);
    text = gateway_response_render(&response, NULL, 0, false, false, &size);
    ck_assert_str_eq(text,
                     "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n");
    free(text);
}
END_TEST

Suite *
gateway_response_suite(void)
{
    Suite *suite = suite_create("gateway_response");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_gateway_response_fields_replace);
    tcase_add_test(core, test_gateway_response_render);
    suite_add_tcase(suite, core);
    return suite;
}
