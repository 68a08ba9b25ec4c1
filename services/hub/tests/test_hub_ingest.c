// hub_ingest_parse: what the hub accepts from other systems on XSUB.
#include <stdio.h>
#include <string.h>

#include "hub_ingest.h"
#include "suites.h"

#define GOOD                                                                   \
    "{\"specversion\":\"1.0\",\"id\":\"x-1\",\"source\":\"partner\",\"type\":" \
    "\"partner.order."                                                         \
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
        {"evt.a.b", "[1]", "body:"},
        {"evt.a.b", "{\"id\":\"1\",\"id\":\"2\"}", "json:"},
        {"evt.a.b",
         "{\"specversion\":\"1.0\",\"source\":\"s\",\"type\":\"a.b\",\"time\":"
         "\"2026-01-02T03:04:05Z\","
         "\"data\":{}}",
         "id:"},
        {"evt.a.b",
         "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"s\",\"type\":\"A "
         "B\","
         "\"time\":\"2026-01-02T03:04:05Z\",\"data\":{}}",
         "type:"},
        {"evt.a.b",
         "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"s\",\"type\":\"a."
         "b\",\"time\":\"soon\","
         "\"data\":{}}",
         "time:"},
        {"evt.a.b",
         "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"s\",\"type\":\"a."
         "b\","
         "\"time\":\"2026-01-02T03:04:05Z\"}",
         "data:"},
        {"evt.a.b",
         "{\"id\":\"1\",\"source\":\"s\",\"type\":\"a.b\","
         "\"time\":\"2026-01-02T03:04:05Z\",\"data\":{}}",
         "specversion:"},
        {"evt.a.b",
         "{\"specversion\":\"0.3\",\"id\":\"1\",\"source\":\"s\","
         "\"type\":\"a.b\",\"time\":\"2026-01-02T03:04:05Z\",\"data\":{}}",
         "specversion:"},
        {"evt.a.b",
         "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"s\","
         "\"type\":\"a.b\",\"time\":\"2027-02-30T00:00:00Z\",\"data\":{}}",
         "time:"},
        {"evt.a.b",
         "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"s\","
         "\"type\":\"a.b\",\"time\":\"0000-01-01T00:00:00Z\",\"data\":{}}",
         "time:"},
        {"evt.a.b",
         "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"s\","
         "\"type\":\"a.b\",\"time\":\"2026-01-02T03:04:05Z\",\"data\":1}",
         "data:"},
        {"evt.a.b",
         "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"s\","
         "\"type\":\"a.b\",\"time\":\"2026-01-02T03:04:05Z\",\"data\":{},"
         "\"extra\":true}",
         "extra:"},
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
    // A type too long to form a topic ("evt." + type) is refused as such.
    char type[300];
    char topic[320];
    char text[600];
    memset(type, 'a', 252);
    type[252] = '\0';
    snprintf(topic, sizeof topic, "evt.%s", type);
    snprintf(text, sizeof text,
             "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"s\","
             "\"type\":\"%s\",\"time\":\"2026-01-02T03:04:05Z\","
             "\"data\":{}}",
             type);
    ck_assert_ptr_null(parse(topic, text, reason));
    ck_assert_msg(strncmp(reason, "type:", 5) == 0, "%s", reason);
    ck_assert_ptr_null(
        hub_ingest_parse("evt.a.b", "", 0, reason, sizeof reason));
}
END_TEST

START_TEST(test_hub_ingest_sanitize)
{
    char out[HUB_INGEST_LOG_FIELD_MAX];
    ck_assert_str_eq(hub_ingest_sanitize("evt.a\x01\n\xc3\xa9", 9, out, 16),
                     "evt.a????");
    char text[300];
    memset(text, 'x', sizeof text);
    hub_ingest_sanitize(text, sizeof text, out, sizeof out);
    ck_assert_uint_eq(strlen(out), sizeof out - 1);
    ck_assert_str_eq(out + sizeof out - 4, "...");
    ck_assert_str_eq(hub_ingest_sanitize("", 0, out, 4), "");
    ck_assert_str_eq(hub_ingest_sanitize("abc", 3, out, 4), "abc");
    ck_assert_str_eq(hub_ingest_sanitize("abcd", 4, out, 4), "...");
}
END_TEST

Suite *
hub_ingest_suite(void)
{
    Suite *suite = suite_create("hub_ingest");
    TCase *parse_case = tcase_create("parse");
    tcase_add_test(parse_case, test_hub_ingest_accepts_valid_event);
    tcase_add_test(parse_case, test_hub_ingest_rejects_bad_input);
    tcase_add_test(parse_case, test_hub_ingest_sanitize);
    suite_add_tcase(suite, parse_case);
    return suite;
}
