// cm_envelope: build, encode, parse and validate request / reply / event.
#include <stdlib.h>
#include <string.h>

#include "cm_envelope.h"
#include "cm_envelope_scan.h"
#include "cm_problem.h"
#include "cm_time.h"
#include "suites.h"

#define REASON_SIZE CM_ENVELOPE_REASON_MAX

static json_t *actor;   // fresh for every test
static json_t *request; // a built request, fresh for every test
static char reason[REASON_SIZE];

static void
setup(void)
{
    actor = json_pack("{s:s, s:s, s:s}", "id", "S-7", "role", "cs_agent",
                      "department", "customer_service");
    json_t *body = json_pack("{s:s}", "to", "dispatch");
    cm_envelope_request_t fields = {
        .type = "intake.case.forward",
        .source = "gateway/test",
        .deadline_ms = cm_time_now_ms() + 2000,
        .idempotency_key = "key-1",
        .actor = actor,
        .method = "POST",
        .path = "/v1/cases/CS-12/forward",
        .body = body,
    };
    request = cm_envelope_request_new(&fields);
    json_decref(body);
    ck_assert_ptr_nonnull(request);
    reason[0] = '\0';
}

static void
teardown(void)
{
    json_decref(request);
    json_decref(actor);
}

// Parses text as a request and checks that the reason mentions `needle`.
static void
expect_rejected(const char *text, cm_envelope_kind_t kind, const char *needle)
{
    json_t *parsed =
        cm_envelope_parse(text, strlen(text), kind, reason, sizeof reason);
    ck_assert_ptr_null(parsed);
    ck_assert_msg(strstr(reason, needle), "reason '%s' lacks '%s'", reason,
                  needle);
}

// The built request with one member replaced (value NULL: removed).
static char *
request_with(const char *field, json_t *value)
{
    json_t *copy = json_deep_copy(request);
    if (value) {
        json_object_set_new(copy, field, value);
    } else {
        json_object_del(copy, field);
    }
    char *text = json_dumps(copy, JSON_COMPACT);
    json_decref(copy);
    return text;
}

START_TEST(test_cm_envelope_request_roundtrip)
{
    char *text = cm_envelope_encode(request);
    ck_assert_ptr_nonnull(text);
    json_t *parsed = cm_envelope_parse(text, strlen(text), CM_ENVELOPE_REQUEST,
                                       reason, sizeof reason);
    ck_assert_msg(parsed != NULL, "%s", reason);
    ck_assert_str_eq(cm_envelope_type(parsed), "intake.case.forward");
    ck_assert_str_eq(cm_envelope_method(parsed), "POST");
    ck_assert_str_eq(cm_envelope_path(parsed), "/v1/cases/CS-12/forward");
    ck_assert_str_eq(cm_envelope_correlation_id(parsed),
                     cm_envelope_id(parsed));
    ck_assert_str_eq(cm_envelope_string(parsed, "idempotency_key"), "key-1");
    ck_assert_int_eq(cm_envelope_deadline(parsed),
                     cm_envelope_deadline(request));
    ck_assert(json_is_object(cm_envelope_member(parsed, "query")));
    ck_assert(json_equal(cm_envelope_member(parsed, "actor"), actor));
    json_decref(parsed);
    free(text);
}
END_TEST

START_TEST(test_cm_envelope_request_builder_rejects_missing)
{
    cm_envelope_request_t fields = {.type = "x.y",
                                    .source = "t",
                                    .deadline_ms = 1,
                                    .actor = actor,
                                    .method = "GET",
                                    .path = NULL};
    ck_assert_ptr_null(cm_envelope_request_new(&fields));
    fields.path = "/v1/x";
    fields.actor = NULL;
    ck_assert_ptr_null(cm_envelope_request_new(&fields));
}
END_TEST

START_TEST(test_cm_envelope_reply_and_error)
{
    json_t *body = json_pack("{s:s}", "id", "CS-12");
    json_t *headers = json_pack("{s:s}", "ETag", "\"4\"");
    json_t *reply = cm_envelope_reply_new(request, 201, headers, body);
    ck_assert_int_eq(
        cm_envelope_validate(reply, CM_ENVELOPE_REPLY, reason, sizeof reason),
        0);
    ck_assert_str_eq(cm_envelope_correlation_id(reply),
                     cm_envelope_id(request));
    ck_assert_int_eq(cm_envelope_status(reply), 201);
    json_t *problem = cm_problem_new(409, "invalid_transition", "closed");
    json_t *error = cm_envelope_error_reply_new(request, problem);
    ck_assert_int_eq(
        cm_envelope_validate(error, CM_ENVELOPE_REPLY, reason, sizeof reason),
        0);
    ck_assert_int_eq(cm_envelope_status(error), 409);
    ck_assert(json_equal(cm_envelope_member(error, "error"), problem));
    ck_assert_ptr_null(cm_envelope_member(error, "body"));
    json_decref(error);
    json_decref(problem);
    json_decref(reply);
    json_decref(headers);
    json_decref(body);
}
END_TEST

START_TEST(test_cm_envelope_event)
{
    json_t *data = json_pack("{s:s}", "to", "dispatch");
    cm_envelope_event_t fields = {.type = "intake.case.forwarded",
                                  .source = "intake",
                                  .subject = "case/CS-12",
                                  .version = 4,
                                  .correlation_id = "c-1",
                                  .actor = actor,
                                  .data = data};
    json_t *event = cm_envelope_event_new(&fields);
    ck_assert_ptr_nonnull(event);
    ck_assert_int_eq(
        cm_envelope_validate(event, CM_ENVELOPE_EVENT, reason, sizeof reason),
        0);
    json_object_set_new(event, "seq", json_integer(57));
    json_object_set_new(event, "epoch", json_string("e1"));
    ck_assert_int_eq(
        cm_envelope_validate(event, CM_ENVELOPE_EVENT, reason, sizeof reason),
        0);
    json_object_set_new(event, "seq", json_string("57"));
    ck_assert_int_eq(
        cm_envelope_validate(event, CM_ENVELOPE_EVENT, reason, sizeof reason),
        -1);
    ck_assert_ptr_nonnull(strstr(reason, "seq"));
    ck_assert_int_eq(
        cm_envelope_validate(event, CM_ENVELOPE_REQUEST, reason, sizeof reason),
        -1);
    json_decref(event);
    json_decref(data);
}
END_TEST

START_TEST(test_cm_envelope_rejects_duplicate_keys)
{
    char *text = request_with("path", NULL);
    // Insert a duplicate "method" after the opening brace.
    size_t size = strlen(text) + 32;
    char *dup = malloc(size);
    ck_assert_ptr_nonnull(dup);
    snprintf(dup, size, "{\"method\":\"GET\",%s", text + 1);
    expect_rejected(dup, CM_ENVELOPE_REQUEST, "duplicate");
    free(dup);
    free(text);
}
END_TEST

START_TEST(test_cm_envelope_rejects_wrong_types)
{
    char *text = request_with("deadline", json_string("soon"));
    expect_rejected(text, CM_ENVELOPE_REQUEST, "'deadline' must be an integer");
    free(text);
    text = request_with("actor", json_string("S-7"));
    expect_rejected(text, CM_ENVELOPE_REQUEST, "'actor' must be an object");
    free(text);
    text = request_with("v", json_integer(2));
    expect_rejected(text, CM_ENVELOPE_REQUEST, "'v' must be 1");
    free(text);
    text = request_with("time", json_string("yesterday"));
    expect_rejected(text, CM_ENVELOPE_REQUEST, "'time'");
    free(text);
}
END_TEST

START_TEST(test_cm_envelope_rejects_missing_and_unknown)
{
    char *text = request_with("method", NULL);
    expect_rejected(text, CM_ENVELOPE_REQUEST, "'method' is required");
    free(text);
    text = request_with("color", json_string("red"));
    expect_rejected(text, CM_ENVELOPE_REQUEST, "'color'");
    free(text);
}
END_TEST

START_TEST(test_cm_envelope_rejects_non_json)
{
    expect_rejected("{\"v\":1,", CM_ENVELOPE_REQUEST, "invalid JSON");
    expect_rejected("[1,2]", CM_ENVELOPE_REQUEST, "object");
    expect_rejected("", CM_ENVELOPE_REPLY, "invalid JSON");
}
END_TEST

// A request padded with a body string to exactly `size` bytes.
static char *
request_of_size(size_t size)
{
    char *text = request_with("body", json_string(""));
    size_t base = strlen(text);
    ck_assert_uint_lt(base, size);
    char *padded = malloc(size + 1);
    ck_assert_ptr_nonnull(padded);
    const char *tail = strstr(text, "\"body\":\"\"") + 8; // at closing quote
    size_t head = (size_t)(tail - text);
    memcpy(padded, text, head);
    memset(padded + head, 'x', size - base);
    memcpy(padded + head + (size - base), tail, strlen(tail) + 1);
    free(text);
    ck_assert_uint_eq(strlen(padded), size);
    return padded;
}

START_TEST(test_cm_envelope_size_limit)
{
    char *text = request_of_size(CM_ENVELOPE_MAX_BYTES);
    json_t *parsed = cm_envelope_parse(text, strlen(text), CM_ENVELOPE_REQUEST,
                                       reason, sizeof reason);
    ck_assert_msg(parsed != NULL, "%s", reason);
    char *encoded = cm_envelope_encode(parsed);
    ck_assert_ptr_nonnull(encoded);
    free(encoded);
    json_object_set_new(parsed, "path",
                        json_string("/v1/cases/CS-12/forward/again"));
    ck_assert_ptr_null(cm_envelope_encode(parsed)); // now over the limit
    json_decref(parsed);
    free(text);
    text = request_of_size(CM_ENVELOPE_MAX_BYTES + 1);
    expect_rejected(text, CM_ENVELOPE_REQUEST, "65537 bytes");
    free(text);
}
END_TEST

START_TEST(test_cm_envelope_peek)
{
    char *text = cm_envelope_encode(request);
    char id[64];
    int64_t deadline_ms = 0;
    ck_assert_int_eq(cm_envelope_peek_request(text, strlen(text), id, sizeof id,
                                              &deadline_ms, reason,
                                              sizeof reason),
                     0);
    ck_assert_str_eq(id, cm_envelope_id(request));
    ck_assert_int_eq(deadline_ms, cm_envelope_deadline(request));
    free(text);
    text = request_with("deadline", NULL);
    ck_assert_int_eq(cm_envelope_peek_request(text, strlen(text), id, sizeof id,
                                              &deadline_ms, reason,
                                              sizeof reason),
                     -1);
    ck_assert_str_eq(id, cm_envelope_id(request)); // still usable for a 400
    ck_assert_ptr_nonnull(strstr(reason, "deadline"));
    free(text);
    ck_assert_int_eq(cm_envelope_peek_request("nope", 4, id, sizeof id,
                                              &deadline_ms, reason,
                                              sizeof reason),
                     -1);
    ck_assert_str_eq(id, "");
}
END_TEST

// ---- cm_envelope_scan ------------------------------------------------------

static const char *const scan_names[] = {"id", "deadline", "body", "none"};

// True when jansson (duplicates rejected) loads text and agrees with every
// span the scan found; the property the scan promises whenever it says 0.
static bool
scan_agrees_with_jansson(const char *text, size_t size,
                         const cm_envelope_span_t *spans)
{
    json_t *root = json_loadb(text, size, JSON_REJECT_DUPLICATES, NULL);
    bool agree = json_is_object(root);
    for (size_t i = 0; agree && i < 4; i++) {
        json_t *member = json_object_get(root, scan_names[i]);
        json_t *value = spans[i].data ? json_loadb(spans[i].data, spans[i].size,
                                                   JSON_DECODE_ANY, NULL)
                                      : NULL;
        agree = member ? value && json_equal(member, value) : !spans[i].data;
        json_decref(value);
    }
    json_decref(root);
    return agree;
}

static void
expect_scan(const char *text, int rc)
{
    cm_envelope_span_t spans[4];
    int got = cm_envelope_scan(text, strlen(text), scan_names, spans, 4);
    ck_assert_msg(got == rc, "scan of '%s' gave %d", text, got);
    if (got == 0) {
        ck_assert_msg(scan_agrees_with_jansson(text, strlen(text), spans),
                      "scan and jansson disagree on '%s'", text);
    }
}

START_TEST(test_cm_envelope_scan_finds_members)
{
    char *text = cm_envelope_encode(request);
    cm_envelope_span_t spans[4];
    ck_assert_int_eq(cm_envelope_scan(text, strlen(text), scan_names, spans, 4),
                     0);
    char id[64];
    ck_assert_int_eq(cm_envelope_span_string(&spans[0], id, sizeof id), 0);
    ck_assert_str_eq(id, cm_envelope_id(request));
    int64_t deadline = 0;
    ck_assert_int_eq(cm_envelope_span_int(&spans[1], &deadline), 0);
    ck_assert_int_eq(deadline, cm_envelope_deadline(request));
    ck_assert(cm_envelope_span_is_object(&spans[2]));
    ck_assert(!cm_envelope_span_is_set(&spans[3]));
    ck_assert(scan_agrees_with_jansson(text, strlen(text), spans));
    free(text);
    expect_scan(" {\"id\":\"a\",\"body\":null} \n", 0);
    expect_scan("{\"body\":[1,-2,0,\"x\",{},[],true,false,null]}", 0);
    expect_scan(
        "{\"body\":\"caf\xc3\xa9 \\\"q\\\" \\n \\u00e9 \\ud83d\\ude00\"}", 0);
    expect_scan("{\"a\":{\"id\":1},\"b\":{\"id\":2},\"id\":\"top\"}", 0);
    expect_scan("{}", 0);
}
END_TEST

START_TEST(test_cm_envelope_scan_leaves_hard_cases_to_jansson)
{
    const char *cases[] = {
        "",
        "[1]",
        "{\"id\":1,\"id\":2}",           // duplicate
        "{\"a\":{\"k\":1,\"k\":2}}",     // nested duplicate
        "{\"\\u0069d\":\"x\"}",          // escape in a key
        "{\"id\":1.5}",                  // real
        "{\"id\":1e3}",                  // real
        "{\"id\":1234567890123456789}",  // 19 digits
        "{\"id\":01}",                   // leading zero
        "{\"id\":\"a\"} x",              // trailing garbage
        "{\"id\":\"a\",}",               // trailing comma
        "{\"id\":[1,]}",                 // trailing comma
        "{\"id\":\"\\u0000\"}",          // NUL
        "{\"id\":\"\\ud800\"}",          // lone high surrogate
        "{\"id\":\"\\udc00\"}",          // lone low surrogate
        "{\"id\":\"\\x\"}",              // bad escape
        "{\"id\":\"\xc0\xaf\"}",         // overlong
        "{\"id\":\"\xed\xa0\x80\"}",     // surrogate in UTF-8
        "{\"id\":\"\xf4\x90\x80\x80\"}", // above U+10FFFF
        "{\"id\":\"tab\there\"}",        // raw control character
        "{\"id\":tru}",
        "{\"id\" 1}",
        "{\"id\":\"open",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        expect_scan(cases[i], -1);
    }
    char deep[2 * CM_ENVELOPE_SCAN_DEPTH_MAX + 16];
    size_t n = 0;
    deep[n++] = '{';
    deep[n++] = '"';
    deep[n++] = 'a';
    deep[n++] = '"';
    deep[n++] = ':';
    for (int i = 0; i < CM_ENVELOPE_SCAN_DEPTH_MAX; i++) {
        deep[n++] = '[';
    }
    for (int i = 0; i < CM_ENVELOPE_SCAN_DEPTH_MAX; i++) {
        deep[n++] = ']';
    }
    deep[n++] = '}';
    deep[n] = '\0';
    expect_scan(deep, -1);
}
END_TEST

// Random byte edits of a real envelope: whenever the scan says 0, jansson
// must load the text to the same member values.
START_TEST(test_cm_envelope_scan_fuzz_agrees_with_jansson)
{
    json_t *body = json_pack("{s:s, s:[i, i], s:{s:b, s:n}, s:s}", "to",
                             "dispatch", "list", 1, -20, "nested", "flag", 1,
                             "none", "text", "a\"b\\c\n\xc3\xa9");
    json_object_set_new(request, "body", body);
    char *text = cm_envelope_encode(request);
    size_t size = strlen(text);
    char *copy = malloc(size + 1);
    ck_assert_ptr_nonnull(copy);
    const char alphabet[] = "{}[]\":,\\u0aZ -.e\x80\xc3\xff";
    unsigned seed = 12345;
    size_t accepted = 0;
    for (int round = 0; round < 20000; round++) {
        memcpy(copy, text, size + 1);
        int edits = 1 + round % 3;
        for (int e = 0; e < edits; e++) {
            size_t at = (size_t)rand_r(&seed) % size;
            copy[at] = alphabet[(size_t)rand_r(&seed) % (sizeof alphabet - 1)];
        }
        cm_envelope_span_t spans[4];
        if (cm_envelope_scan(copy, size, scan_names, spans, 4) == 0) {
            accepted++;
            ck_assert_msg(scan_agrees_with_jansson(copy, size, spans),
                          "scan and jansson disagree on '%s'", copy);
        }
    }
    ck_assert_uint_gt(accepted, 0);
    free(copy);
    free(text);
}
END_TEST

START_TEST(test_cm_envelope_span_readers)
{
    cm_envelope_span_t span = {"\"abc\"", 5};
    char out[4];
    ck_assert_int_eq(cm_envelope_span_string(&span, out, sizeof out), 0);
    ck_assert_str_eq(out, "abc");
    char small[3];
    ck_assert_int_eq(cm_envelope_span_string(&span, small, sizeof small), -1);
    cm_envelope_span_t escaped = {"\"a\\nb\"", 6};
    ck_assert_int_eq(cm_envelope_span_string(&escaped, out, sizeof out), -1);
    cm_envelope_span_t number = {"-42", 3};
    int64_t value = 0;
    ck_assert_int_eq(cm_envelope_span_int(&number, &value), 0);
    ck_assert_int_eq(value, -42);
    ck_assert_int_eq(cm_envelope_span_int(&span, &value), -1);
    ck_assert_int_eq(cm_envelope_span_string(&number, out, sizeof out), -1);
    cm_envelope_span_t null = {"null", 4};
    ck_assert(cm_envelope_span_is_null(&null));
    ck_assert(!cm_envelope_span_is_object(&null));
    cm_envelope_span_t absent = {NULL, 0};
    ck_assert(!cm_envelope_span_is_set(&absent));
    ck_assert_int_eq(cm_envelope_span_int(&absent, &value), -1);
}
END_TEST

// The peek gives the same answers with and without the scan's fast path.
START_TEST(test_cm_envelope_peek_slow_path)
{
    char *text = request_with("body", json_real(1.5)); // scan declines
    char id[64];
    int64_t deadline_ms = 0;
    ck_assert_int_eq(cm_envelope_peek_request(text, strlen(text), id, sizeof id,
                                              &deadline_ms, reason,
                                              sizeof reason),
                     0);
    ck_assert_str_eq(id, cm_envelope_id(request));
    ck_assert_int_eq(deadline_ms, cm_envelope_deadline(request));
    free(text);
    const char *dup = "{\"id\":\"x-1\",\"id\":\"x-2\",\"deadline\":1}";
    ck_assert_int_eq(cm_envelope_peek_request(dup, strlen(dup), id, sizeof id,
                                              &deadline_ms, reason,
                                              sizeof reason),
                     -1);
    ck_assert_ptr_nonnull(strstr(reason, "duplicate"));
    char tiny[4];
    ck_assert_int_eq(cm_envelope_peek_request(dup + 18, strlen(dup + 18), tiny,
                                              sizeof tiny, &deadline_ms, reason,
                                              sizeof reason),
                     -1); // not JSON at all: "x-2",...
    text = request_with("id", json_string("a-rather-long-id"));
    ck_assert_int_eq(cm_envelope_peek_request(text, strlen(text), tiny,
                                              sizeof tiny, &deadline_ms, reason,
                                              sizeof reason),
                     -1);
    ck_assert_ptr_nonnull(strstr(reason, "'id'"));
    free(text);
}
END_TEST

Suite *
cm_envelope_suite(void)
{
    Suite *suite = suite_create("cm_envelope");
    TCase *core = tcase_create("core");
    tcase_add_checked_fixture(core, setup, teardown);
    tcase_add_test(core, test_cm_envelope_request_roundtrip);
    tcase_add_test(core, test_cm_envelope_request_builder_rejects_missing);
    tcase_add_test(core, test_cm_envelope_reply_and_error);
    tcase_add_test(core, test_cm_envelope_event);
    tcase_add_test(core, test_cm_envelope_peek);
    suite_add_tcase(suite, core);
    TCase *errors = tcase_create("errors");
    tcase_add_checked_fixture(errors, setup, teardown);
    tcase_add_test(errors, test_cm_envelope_rejects_duplicate_keys);
    tcase_add_test(errors, test_cm_envelope_rejects_wrong_types);
    tcase_add_test(errors, test_cm_envelope_rejects_missing_and_unknown);
    tcase_add_test(errors, test_cm_envelope_rejects_non_json);
    tcase_add_test(errors, test_cm_envelope_size_limit);
    suite_add_tcase(suite, errors);
    TCase *scan = tcase_create("scan");
    tcase_add_checked_fixture(scan, setup, teardown);
    tcase_add_test(scan, test_cm_envelope_scan_finds_members);
    tcase_add_test(scan, test_cm_envelope_scan_leaves_hard_cases_to_jansson);
    tcase_add_test(scan, test_cm_envelope_scan_fuzz_agrees_with_jansson);
    tcase_add_test(scan, test_cm_envelope_span_readers);
    tcase_add_test(scan, test_cm_envelope_peek_slow_path);
    suite_add_tcase(suite, scan);
    return suite;
}
