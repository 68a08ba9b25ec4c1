#include <stdlib.h>

#include "../gateway_sse.h"
#include "suites.h"

// Only the subject's department (data.department) decides; the event's
// actor does not. Station head, deputy heads and auditors see everything.
START_TEST(test_gateway_sse_filter)
{
    json_t *head = json_pack("{s:s, s:s}", "role", "station_head", "department",
                             "management");
    json_t *deputy = json_pack("{s:s, s:s}", "role", "deputy_head",
                               "department", "management");
    json_t *auditor =
        json_pack("{s:s, s:s}", "role", "auditor", "department", "audit");
    json_t *agent = json_pack("{s:s, s:s}", "role", "cs_agent", "department",
                              "customer_service");
    json_t *system =
        json_pack("{s:s, s:s}", "role", "system", "department", "management");
    json_t *by_me =
        json_pack("{s:{s:s}, s:{s:s}}", "actor", "department",
                  "customer_service", "data", "department", "technical");
    json_t *for_me =
        json_pack("{s:{s:s}, s:{s:s}}", "actor", "department", "technical",
                  "data", "department", "customer_service");
    json_t *token = json_pack("{s:{s:s}, s:{s:s}}", "actor", "department",
                              "management", "data", "staff", "ST-1");
    ck_assert(gateway_sse_visible(head, by_me));
    ck_assert(gateway_sse_visible(deputy, token));
    ck_assert(gateway_sse_visible(auditor, by_me));
    ck_assert(gateway_sse_visible(agent, for_me));
    ck_assert(!gateway_sse_visible(agent, by_me));
    ck_assert(!gateway_sse_visible(system, token));
    ck_assert(!gateway_sse_visible(system, for_me));
    json_decref(head);
    json_decref(deputy);
    json_decref(auditor);
    json_decref(agent);
    json_decref(system);
    json_decref(by_me);
    json_decref(for_me);
    json_decref(token);
}
END_TEST

START_TEST(test_gateway_sse_frame)
{
    char *frame = gateway_sse_frame("sm:{ingest}:outbox/1-0", "call.received",
                                    "{\"a\":1}\n{\"b\":2}");
    ck_assert_str_eq(frame, "id: sm:{ingest}:outbox/1-0\n"
                            "event: call.received\n"
                            "data: {\"a\":1}\n"
                            "data: {\"b\":2}\n\n");
    free(frame);
}
END_TEST

Suite *
gateway_sse_suite(void)
{
    Suite *suite = suite_create("gateway_sse");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_gateway_sse_filter);
    tcase_add_test(core, test_gateway_sse_frame);
    suite_add_tcase(suite, core);
    return suite;
}
