#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../gateway_wire.h"
#include "suites.h"

static const gateway_wire_peer_t s_peer = {"192.0.2.7", false};

// Parse a whole head; the status of the refusal, or 0 when accepted.
static int
s_status(const char *head, gateway_wire_request_t *request)
{
    size_t scanned = 0;
    size_t size = strlen(head);
    size_t end = gateway_wire_head_end(head, size, &scanned);
    ck_assert_msg(end == size, "head end %zu of %zu", end, size);
    gateway_wire_error_t error = {0};
    gateway_wire_request_t local = {0};
    gateway_wire_request_t *out = request ? request : &local;
    if (gateway_wire_parse_request(head, end, &s_peer, out, &error) != 0) {
        return error.status;
    }
    if (!request) {
        gateway_wire_request_clear(&local);
    }
    return 0;
}

START_TEST(test_gateway_wire_head_end)
{
    const char *head = "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET";
    size_t scanned = 0;
    ck_assert_uint_eq(gateway_wire_head_end(head, 20, &scanned), 0);
    ck_assert_uint_eq(scanned, 20);
    ck_assert_uint_eq(gateway_wire_head_end(head, strlen(head), &scanned), 27);
    scanned = 0;
    ck_assert_uint_eq(
        gateway_wire_head_end("GET / HTTP/1.0\n\nx", 17, &scanned), 16);
    ck_assert_uint_eq(gateway_wire_skip_blank("\r\n\r\nGET", 7), 4);
}
END_TEST

START_TEST(test_gateway_wire_forwards_what_the_gateway_reads)
{
    gateway_wire_request_t request;
    ck_assert_int_eq(
        s_status("POST /v1/cases?x=1 HTTP/1.1\r\nhost: x\r\n"
                 "Content-Length: 5\r\n"
                 "X-Foo: a\tb \x80\xff\r\n"
                 "Content-Type:\tapplication/json;\tcharset=utf-8\r\n"
                 "X-Sm-Peer: 10.9.9.9\r\n"
                 "X-Real-IP: 10.1.1.1\r\n"
                 "Connection: keep-alive, close\r\n\r\n",
                 &request),
        0);
    ck_assert_str_eq(request.method, "POST");
    ck_assert_uint_eq(request.content_length, 5);
    ck_assert(request.close);
    ck_assert(!request.is_head);
    ck_assert_str_eq(request.client, "192.0.2.7"); // peer not trusted
    ck_assert_str_eq(request.forward,
                     "POST /v1/cases?x=1 HTTP/1.1\r\nhost: x\r\n"
                     "Content-Length: 5\r\n"
                     "Content-Type: application/json; charset=utf-8\r\n"
                     "Connection: keep-alive, close\r\n"
                     "X-Sm-Peer: 192.0.2.7\r\n\r\n");
    gateway_wire_request_clear(&request);
    gateway_wire_peer_t proxy = {"10.0.0.2", true};
    gateway_wire_error_t error;
    const char *head =
        "HEAD / HTTP/1.1\r\nHost: x\r\nX-Real-IP: 2001:db8::1\r\n\r\n";
    ck_assert_int_eq(gateway_wire_parse_request(head, strlen(head), &proxy,
                                                &request, &error),
                     0);
    ck_assert_str_eq(request.client, "2001:db8::1");
    ck_assert(request.is_head);
    gateway_wire_request_clear(&request);
}
END_TEST

START_TEST(test_gateway_wire_refusals)
{
    ck_assert_int_eq(s_status("GET GET /x HTTP/1.1\r\nHost: x\r\n\r\n", NULL),
                     400);
    ck_assert_int_eq(s_status("GET /x HTTP/2.0\r\nHost: x\r\n\r\n", NULL), 505);
    ck_assert_int_eq(s_status("PRI * HTTP/2.0\r\n\r\n", NULL), 505);
    ck_assert_int_eq(s_status("GET /x HTTX/1.1\r\nHost: x\r\n\r\n", NULL), 400);
    ck_assert_int_eq(s_status("GET /x HTTP/1.1\r\n\r\n", NULL), 400); // Host
    ck_assert_int_eq(s_status("GET /x HTTP/1.0\r\n\r\n", NULL), 0);
    ck_assert_int_eq(s_status("GET x HTTP/1.1\r\nHost: x\r\n\r\n", NULL), 400);
    ck_assert_int_eq(s_status("GET /a\x01 HTTP/1.1\r\nHost: x\r\n\r\n", NULL),
                     400);
    ck_assert_int_eq(
        s_status("GET /a?q=\x7f HTTP/1.1\r\nHost: x\r\n\r\n", NULL), 400);
    ck_assert_int_eq(s_status("GET /a%00 HTTP/1.1\r\nHost: x\r\n\r\n", NULL),
                     400);
    ck_assert_int_eq(s_status("GET /a?b=%00 HTTP/1.1\r\nHost: x\r\n\r\n", NULL),
                     400);
    ck_assert_int_eq(s_status("GET /a%0a HTTP/1.1\r\nHost: x\r\n\r\n", NULL),
                     400);
    ck_assert_int_eq(s_status("GET /a?b=%0a HTTP/1.1\r\nHost: x\r\n\r\n", NULL),
                     0);
    ck_assert_int_eq(
        s_status("GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x01\r\n\r\n", NULL), 400);
    ck_assert_int_eq(
        s_status("GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", NULL), 400);
    ck_assert_int_eq(s_status("GET / HTTP/1.1\r\nHost : x\r\n\r\n", NULL), 400);
    ck_assert_int_eq(
        s_status("GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", NULL), 400);
    ck_assert_int_eq(s_status("POST / HTTP/1.1\r\nHost: x\r\n"
                              "Transfer-Encoding: chunked\r\n\r\n",
                              NULL),
                     411);
    ck_assert_int_eq(s_status("POST / HTTP/1.1\r\nHost: x\r\n"
                              "Content-Length: 1\r\nContent-Length: 1\r\n\r\n",
                              NULL),
                     400);
    ck_assert_int_eq(s_status("POST / HTTP/1.1\r\nHost: x\r\n"
                              "Content-Length: 99999999\r\n\r\n",
                              NULL),
                     413);
    ck_assert_int_eq(s_status("GET / HTTP/1.1\r\nHost: x\r\n"
                              "Authorization: Bearer \xc3\xa9\r\n\r\n",
                              NULL),
                     400);
}
END_TEST

START_TEST(test_gateway_wire_sizes)
{
    static char head[80000];
    gateway_wire_error_t error;
    // A long target: 414 as soon as it cannot fit.
    memset(head, 'a', 9000);
    // NOLINTNEXTLINE(bugprone-not-null-terminated-result): a prefix only
    memcpy(head, "GET /", 5);
    ck_assert_int_eq(gateway_wire_check_partial(head, 9000, &error), -1);
    ck_assert_int_eq(error.status, 414);
    snprintf(head, sizeof head, "GET /%08000d HTTP/1.1\r\nHost: x\r\n\r\n", 0);
    ck_assert_int_eq(s_status(head, NULL), 414);
    // A 16 KiB header line: 431 before its end arrives.
    int size = snprintf(head, sizeof head, "GET / HTTP/1.1\r\nX-Big: ");
    memset(head + size, 'b', 16384);
    ck_assert_int_eq(
        gateway_wire_check_partial(head, (size_t)size + 16384, &error), -1);
    ck_assert_int_eq(error.status, 431);
    // 1000 header fields.
    size = snprintf(head, sizeof head, "GET / HTTP/1.1\r\nHost: x\r\n");
    for (int i = 0; i < 1000; i++) {
        size +=
            snprintf(head + size, sizeof head - (size_t)size, "X-%d: 1\r\n", i);
    }
    snprintf(head + size, sizeof head - (size_t)size, "\r\n");
    ck_assert_int_eq(s_status(head, NULL), 431);
}
END_TEST

START_TEST(test_gateway_wire_responses)
{
    const char *head = "HTTP/1.1 505 HTTP Version Not Supported\r\n"
                       "Content-Type: text/html; charset=UTF-8\r\n"
                       "Content-Length: 12\r\n\r\n";
    gateway_wire_response_t response;
    ck_assert_int_eq(gateway_wire_parse_response(head, strlen(head), &response),
                     0);
    ck_assert_int_eq(response.status, 505);
    ck_assert(response.has_length);
    ck_assert_uint_eq(response.content_length, 12);
    size_t size = 0;
    char *fixed = gateway_wire_relabel(head, strlen(head), &size);
    ck_assert_str_eq(fixed, "HTTP/1.1 505 HTTP Version Not Supported\r\n"
                            "Content-Type: application/problem+json\r\n"
                            "Content-Length: 12\r\n\r\n");
    ck_assert_uint_eq(size, strlen(fixed));
    free(fixed);
    const char *json =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n";
    ck_assert_ptr_null(gateway_wire_relabel(json, strlen(json), &size));
    gateway_wire_error_t error = {431, "headers_too_large", "too big"};
    char *problem = gateway_wire_problem(&error, &size);
    ck_assert(strncmp(problem, "HTTP/1.1 431 ", 13) == 0);
    ck_assert_ptr_nonnull(strstr(problem, "Connection: close\r\n"));
    ck_assert_ptr_nonnull(
        strstr(problem, "Content-Type: application/problem+json\r\n"));
    ck_assert_ptr_nonnull(strstr(problem, "\"code\":\"headers_too_large\""));
    free(problem);
}
END_TEST

START_TEST(test_gateway_wire_address_in)
{
    ck_assert(gateway_wire_address_in("10.1.2.3", "192.168.0.0/16 10.0.0.0/8"));
    ck_assert(!gateway_wire_address_in("11.1.2.3", "10.0.0.0/8"));
    ck_assert(gateway_wire_address_in("172.20.0.5", "172.16.0.0/12"));
    ck_assert(!gateway_wire_address_in("172.32.0.5", "172.16.0.0/12"));
    ck_assert(gateway_wire_address_in("127.0.0.1", "127.0.0.1"));
    ck_assert(gateway_wire_address_in("::1", "::1"));
    ck_assert(gateway_wire_address_in("2001:db8::5", "2001:db8::/32"));
    ck_assert(!gateway_wire_address_in("10.0.0.1", "::/0 bogus 10.0.0.0/33"));
    ck_assert(!gateway_wire_address_in("10.0.0.1", ""));
}
END_TEST

Suite *
gateway_wire_suite(void)
{
    Suite *suite = suite_create("gateway_wire");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_gateway_wire_head_end);
    tcase_add_test(core, test_gateway_wire_forwards_what_the_gateway_reads);
    tcase_add_test(core, test_gateway_wire_refusals);
    tcase_add_test(core, test_gateway_wire_sizes);
    tcase_add_test(core, test_gateway_wire_responses);
    tcase_add_test(core, test_gateway_wire_address_in);
    suite_add_tcase(suite, core);
    return suite;
}
