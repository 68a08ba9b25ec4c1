// cm_envelope: build, encode, parse and validate request / reply / event.
#include <stdlib.h>
#include <string.h>

#include "cm_envelope.h"
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
    return suite;
}
