// hub_ingest_parse: what the hub accepts from other systems on XSUB.
#include <string.h>

#include "hub_ingest.h"
#include "suites.h"

#define GOOD                                                                   \
    "{\"id\":\"x-1\",\"source\":\"partner\",\"type\":\"partner.order."         \
    "placed\","                                                                \
    "\"time\":\"2026-01-02T03:04:05Z\",\"data\":{}}"

static json_t *
parse(const char *topic, const char *text, char *reason)
{
    return hub_ingest_parse(topic, text, strlen(text), reason,
                            HUB_INGEST_REASON_MAX);
}

START_TEST(test_hub_ingest_accepts_valid_event)
{
    char reason[HUB_INGEST_REASON_MAX] = "";
    json_t *event = parse("evt.partner.order.placed", GOOD, reason);
    ck_assert_ptr_nonnull(event);
    json_decref(event);
}
END_TEST

START_TEST(test_hub_ingest_rejects_bad_input)
{
    static const struct {
        const char *topic;
        const char *text;
        const char *reason;
    } cases[] = {
        {"evt.a.b", "{not json", "json:"},
        {"evt.a.b", "[1]", "not an object"},
        {"evt.a.b", "{\"id\":\"1\",\"id\":\"2\"}", "json:"},
        {"evt.a.b",
         "{\"source\":\"s\",\"type\":\"a.b\",\"time\":\"2026-01-02T03:04:05Z\","
         "\"data\":{}}",
         "id:"},
        {"evt.a.b",
         "{\"id\":\"1\",\"source\":\"s\",\"type\":\"A B\","
         "\"time\":\"2026-01-02T03:04:05Z\",\"data\":{}}",
         "type:"},
        {"evt.a.b",
         "{\"id\":\"1\",\"source\":\"s\",\"type\":\"a.b\",\"time\":\"soon\","
         "\"data\":{}}",
         "time:"},
        {"evt.a.b",
         "{\"id\":\"1\",\"source\":\"s\",\"type\":\"a.b\","
         "\"time\":\"2026-01-02T03:04:05Z\"}",
         "data:"},
        {"evt.other", GOOD, "topic:"},
        {NULL, GOOD, "topic:"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char reason[HUB_INGEST_REASON_MAX] = "";
        json_t *event = parse(cases[i].topic, cases[i].text, reason);
        ck_assert_msg(!event, "case %zu accepted", i);
        ck_assert_msg(strncmp(reason, cases[i].reason, strlen(cases[i].reason))
                          == 0,
                      "case %zu: %s", i, reason);
    }
    char reason[HUB_INGEST_REASON_MAX] = "";
    ck_assert_ptr_null(
        hub_ingest_parse("evt.a.b", GOOD, 70000, reason, sizeof reason));
    ck_assert_ptr_null(
        hub_ingest_parse("evt.a.b", "", 0, reason, sizeof reason));
}
END_TEST

Suite *
hub_ingest_suite(void)
{
    Suite *suite = suite_create("hub_ingest");
    TCase *parse_case = tcase_create("parse");
    tcase_add_test(parse_case, test_hub_ingest_accepts_valid_event);
    tcase_add_test(parse_case, test_hub_ingest_rejects_bad_input);
    suite_add_tcase(suite, parse_case);
    return suite;
}
