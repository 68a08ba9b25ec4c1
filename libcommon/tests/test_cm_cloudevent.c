// cm_cloudevent: the rules, the identity and the stored shape of other
// systems' events, shared by the gateway's POST /v1/events and the hub.
#include "cm_cloudevent.h"

#include <stdlib.h>
#include <string.h>

#include "cm_envelope.h"
#include "cm_problem.h"
#include "suites.h"

static json_t *
s_event(void)
{
    json_t *event = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:{s:s}}", "specversion", "1.0", "id",
        "call-1", "source", "pbx", "type", "call.received", "time",
        "2026-11-27T16:00:00.25+08:00", "data", "from", "555");
    ck_assert_ptr_nonnull(event);
    return event;
}

// The error fields of a problem, each followed by a space.
static const char *
s_fields(const json_t *problem, char *out, size_t size)
{
    out[0] = '\0';
    size_t i;
    json_t *error;
    json_array_foreach(json_object_get(problem, "errors"), i, error)
    {
        size_t used = strlen(out);
        snprintf(out + used, size - used, "%s ",
                 json_string_value(json_object_get(error, "field")));
    }
    return out;
}

// The fields cm_cloudevent_check names for event with member set to value
// (taken; NULL deletes it).
static const char *
s_check_with(const char *member, json_t *value, char *out, size_t size)
{
    json_t *event = s_event();
    if (value) {
        json_object_set_new(event, member, value);
    } else {
        json_object_del(event, member);
    }
    json_t *problem = cm_cloudevent_check(event);
    s_fields(problem, out, size);
    if (problem) {
        ck_assert_int_eq(cm_problem_status(problem), 400);
    }
    json_decref(problem);
    json_decref(event);
    return out;
}

static json_t *
s_repeat(char c, size_t n)
{
    char *text = malloc(n + 1);
    ck_assert_ptr_nonnull(text);
    memset(text, c, n);
    text[n] = '\0';
    json_t *value = json_string(text);
    free(text);
    return value;
}

START_TEST(test_cm_cloudevent_check_rules)
{
    char f[256];
    json_t *event = s_event();
    ck_assert_ptr_null(cm_cloudevent_check(event));
    json_decref(event);
    ck_assert_str_eq(s_check_with("specversion", NULL, f, sizeof f),
                     "specversion ");
    ck_assert_str_eq(
        s_check_with("specversion", json_string("0.3"), f, sizeof f),
        "specversion ");
    ck_assert_str_eq(s_check_with("extra", json_true(), f, sizeof f), "extra ");
    ck_assert_str_eq(s_check_with("data", json_string("x"), f, sizeof f),
                     "data ");
    ck_assert_str_eq(s_check_with("data", NULL, f, sizeof f), "data ");
    ck_assert_str_eq(s_check_with("id", json_string(" "), f, sizeof f), "id ");
    ck_assert_str_eq(s_check_with("source", json_string("a\nb"), f, sizeof f),
                     "source ");
    ck_assert_str_eq(
        s_check_with("type", json_string("Call.Received"), f, sizeof f),
        "type ");
    ck_assert_str_eq(
        s_check_with("type", json_string("call..received"), f, sizeof f),
        "type ");
    ck_assert_str_eq(s_check_with("subject", json_integer(1), f, sizeof f),
                     "subject ");
    ck_assert_str_eq(
        s_check_with("datacontenttype",
                     json_string("application/json; charset=utf-8"), f,
                     sizeof f),
        "");
    ck_assert_str_eq(s_check_with("datacontenttype",
                                  json_string("application/cloudevents+json"),
                                  f, sizeof f),
                     "");
    ck_assert_str_eq(
        s_check_with("datacontenttype", json_string("text/plain"), f, sizeof f),
        "datacontenttype ");
    ck_assert_str_eq(s_check_with("body", NULL, f, sizeof f), "");
}
END_TEST

START_TEST(test_cm_cloudevent_check_bounds_and_dates)
{
    char f[256];
    ck_assert_str_eq(s_check_with("type", s_repeat('a', CM_CLOUDEVENT_TYPE_MAX),
                                  f, sizeof f),
                     "");
    ck_assert_str_eq(s_check_with("type",
                                  s_repeat('a', CM_CLOUDEVENT_TYPE_MAX + 1), f,
                                  sizeof f),
                     "type ");
    ck_assert_str_eq(
        s_check_with("id", s_repeat('i', CM_CLOUDEVENT_ID_MAX), f, sizeof f),
        "");
    ck_assert_str_eq(s_check_with("id", s_repeat('i', CM_CLOUDEVENT_ID_MAX + 1),
                                  f, sizeof f),
                     "id ");
    ck_assert_str_eq(s_check_with("source",
                                  s_repeat('s', CM_CLOUDEVENT_SOURCE_MAX + 1),
                                  f, sizeof f),
                     "source ");
    ck_assert_str_eq(s_check_with("subject",
                                  s_repeat('j', CM_CLOUDEVENT_SUBJECT_MAX), f,
                                  sizeof f),
                     "");
    ck_assert_str_eq(s_check_with("subject",
                                  s_repeat('j', CM_CLOUDEVENT_SUBJECT_MAX + 1),
                                  f, sizeof f),
                     "subject ");
    static const char *const bad[] = {"2027-02-30T00:00:00Z",
                                      "0000-01-01T00:00:00Z", "yesterday",
                                      "2026-11-27 08:00:00Z"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_msg(
            strcmp(s_check_with("time", json_string(bad[i]), f, sizeof f),
                   "time ")
                == 0,
            "%s: %s", bad[i], f);
    }
}
END_TEST

START_TEST(test_cm_cloudevent_identity_unambiguous)
{
    char a[CM_CLOUDEVENT_IDENTITY_MAX];
    char b[CM_CLOUDEVENT_IDENTITY_MAX];
    // sha256("3:pbx,6:call-1,")
    ck_assert_str_eq(
        cm_cloudevent_identity("pbx", "call-1", a),
        "d6314216020f5b9b23961e596e0b43e7beb9979e84b64faaf1c6d9181e2ce1cd");
    static const char *const pairs[][4] = {
        {"pbx|site-a", "call-77", "pbx", "site-a|call-77"},
        {"pbx\n", "x", "pbx", "\nx"},
        {"1:a,", "b", "1:a", ",b"},
        {"", "ab", "a", "b"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        cm_cloudevent_identity(pairs[i][0], pairs[i][1], a);
        cm_cloudevent_identity(pairs[i][2], pairs[i][3], b);
        ck_assert_msg(strcmp(a, b) != 0, "pair %zu collides", i);
    }
    char key[CM_STORE_KEY_MAX];
    ck_assert_str_eq(
        cm_cloudevent_marker(key, sizeof key, "ingest", "pbx", "call-1"),
        "sm:{ingest}:seen:"
        "d6314216020f5b9b23961e596e0b43e7beb9979e84b64faaf1c6d9181e2ce1cd");
}
END_TEST

START_TEST(test_cm_cloudevent_stored_shape)
{
    json_t *event = s_event();
    json_object_set_new(event, "datacontenttype",
                        json_string("application/json"));
    json_t *actor = json_pack("{s:s, s:s}", "id", "SYS-1", "role", "system");
    cm_cloudevent_arrival_t http = {.correlation_id = "req-1", .actor = actor};
    cm_cloudevent_arrival_t zeromq = {.correlation_id = "u-2", .actor = NULL};
    json_t *one = cm_cloudevent_envelope(event, &http);
    json_t *two = cm_cloudevent_envelope(event, &zeromq);
    ck_assert_ptr_nonnull(one);
    ck_assert_ptr_nonnull(two);
    ck_assert_int_eq(cm_envelope_validate(one, CM_ENVELOPE_EVENT, NULL, 0), 0);
    char *text = json_dumps(one, JSON_COMPACT | JSON_SORT_KEYS);
    ck_assert_str_eq(text,
                     "{\"actor\":{\"id\":\"SYS-1\",\"role\":\"system\"},"
                     "\"correlation_id\":\"req-1\",\"data\":{\"from\":\"555\"},"
                     "\"id\":\"call-1\",\"source\":\"pbx\",\"subject\":\"event/"
                     "call-1\",\"time\":\"2026-11-27T08:00:00.250Z\",\"type\":"
                     "\"call.received\",\"v\":1,\"version\":1}");
    free(text);
    // Apart from the arrival metadata, the two arrivals are the same bytes.
    json_object_del(one, "actor");
    json_object_del(one, "correlation_id");
    json_object_del(two, "correlation_id");
    ck_assert(json_equal(one, two));
    json_decref(two);
    json_decref(one);
    json_decref(actor);
    json_decref(event);
}
END_TEST

START_TEST(test_cm_cloudevent_commit)
{
    cm_cloudevent_arrival_t arrival = {.correlation_id = "req-1"};
    json_t *problem = NULL;
    json_t *event = s_event();
    cm_commit_t *commit = cm_cloudevent_commit(event, &arrival, 1000, &problem);
    ck_assert_ptr_nonnull(commit);
    ck_assert_ptr_null(problem);
    ck_assert_str_eq(cm_commit_owner(commit), CM_CLOUDEVENT_OWNER);
    cm_commit_destroy(&commit);
    // Too large to store: refused, naming data.
    json_object_set_new(json_object_get(event, "data"), "blob",
                        s_repeat('x', CM_ENVELOPE_MAX_BYTES));
    ck_assert_ptr_null(cm_cloudevent_commit(event, &arrival, 1000, &problem));
    char f[64];
    ck_assert_str_eq(s_fields(problem, f, sizeof f), "data ");
    json_decref(problem);
    // Invalid: the problem names every member, the reason reads as one line.
    json_object_set_new(event, "time", json_string("2027-02-30T00:00:00Z"));
    json_object_del(event, "specversion");
    ck_assert_ptr_null(cm_cloudevent_commit(event, &arrival, 1000, &problem));
    char reason[CM_CLOUDEVENT_REASON_MAX];
    cm_cloudevent_reason(problem, reason, sizeof reason);
    ck_assert_msg(strncmp(reason, "specversion: is required; time: must be", 39)
                      == 0,
                  "%s", reason);
    cm_cloudevent_reason(problem, reason, 20);
    ck_assert_uint_le(strlen(reason), 19);
    json_decref(problem);
    json_decref(event);
}
END_TEST

Suite *
cm_cloudevent_suite(void)
{
    Suite *suite = suite_create("cm_cloudevent");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_cm_cloudevent_check_rules);
    tcase_add_test(core, test_cm_cloudevent_check_bounds_and_dates);
    tcase_add_test(core, test_cm_cloudevent_identity_unambiguous);
    tcase_add_test(core, test_cm_cloudevent_stored_shape);
    tcase_add_test(core, test_cm_cloudevent_commit);
    suite_add_tcase(suite, core);
    return suite;
}
