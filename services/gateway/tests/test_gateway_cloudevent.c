#include <string.h>

#include "../gateway_cloudevent.h"
#include "cm_problem.h"
#include "suites.h"

static json_t *
s_event(void)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s}}", "id", "call-1",
                     "source", "pbx", "type", "call.received", "specversion",
                     "1.0", "time", "2026-11-27T08:00:00Z", "data", "from",
                     "555");
}

static bool
s_names(const json_t *problem, const char *field)
{
    size_t i;
    json_t *error;
    json_array_foreach(json_object_get(problem, "errors"), i, error)
    {
        const char *name = json_string_value(json_object_get(error, "field"));
        if (name && strcmp(name, field) == 0) {
            return true;
        }
    }
    return false;
}

START_TEST(test_gateway_cloudevent_valid)
{
    json_t *event = s_event();
    ck_assert_ptr_null(gateway_cloudevent_check(event));
    json_t *actor = json_pack("{s:s, s:s}", "id", "SYS-1", "role", "system");
    json_t *envelope = gateway_cloudevent_envelope(event, actor, "req-1");
    ck_assert_ptr_nonnull(envelope);
    ck_assert_str_eq(json_string_value(json_object_get(envelope, "type")),
                     "call.received");
    ck_assert_str_eq(json_string_value(json_object_get(envelope, "subject")),
                     "event/call-1");
    ck_assert_str_eq(json_string_value(json_object_get(envelope, "time")),
                     "2026-11-27T08:00:00Z");
    json_decref(envelope);
    json_decref(actor);
    json_decref(event);
}
END_TEST

START_TEST(test_gateway_cloudevent_errors_named)
{
    json_t *event = s_event();
    json_object_set_new(event, "extra", json_true());
    json_object_set_new(event, "specversion", json_string("0.3"));
    json_object_set_new(event, "time", json_string("yesterday"));
    json_object_del(event, "source");
    json_object_set_new(event, "data", json_string("x"));
    json_t *problem = gateway_cloudevent_check(event);
    ck_assert_ptr_nonnull(problem);
    ck_assert_int_eq(cm_problem_status(problem), 400);
    ck_assert(s_names(problem, "extra"));
    ck_assert(s_names(problem, "specversion"));
    ck_assert(s_names(problem, "time"));
    ck_assert(s_names(problem, "source"));
    ck_assert(s_names(problem, "data"));
    json_decref(problem);
    json_decref(event);
}
END_TEST

START_TEST(test_gateway_cloudevent_seen_key)
{
    json_t *one = s_event();
    json_t *two = s_event();
    char a[128], b[128];
    gateway_cloudevent_seen_key(one, a, sizeof a);
    gateway_cloudevent_seen_key(two, b, sizeof b);
    ck_assert_str_eq(a, b);
    ck_assert_int_eq(strncmp(a, "sm:{ingest}:seen:", 17), 0);
    json_object_set_new(two, "source", json_string("mail"));
    gateway_cloudevent_seen_key(two, b, sizeof b);
    ck_assert_str_ne(a, b);
    json_decref(one);
    json_decref(two);
}
END_TEST

Suite *
gateway_cloudevent_suite(void)
{
    Suite *suite = suite_create("gateway_cloudevent");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_gateway_cloudevent_valid);
    tcase_add_test(core, test_gateway_cloudevent_errors_named);
    tcase_add_test(core, test_gateway_cloudevent_seen_key);
    suite_add_tcase(suite, core);
    return suite;
}
