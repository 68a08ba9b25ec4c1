#include <stdlib.h>

#include "../gateway_sse.h"
#include "suites.h"

START_TEST(test_gateway_sse_filter)
{
    json_t *head = json_pack("{s:s, s:s}", "role", "station_head", "department",
                             "management");
    json_t *agent = json_pack("{s:s, s:s}", "role", "cs_agent", "department",
                              "customer_service");
    json_t *mine = json_pack("{s:{s:s}, s:{}}", "actor", "department",
                             "customer_service", "data");
    json_t *for_me = json_pack("{s:{}, s:{s:s}}", "actor", "data", "department",
                               "customer_service");
    json_t *other = json_pack("{s:{s:s}, s:{s:s}}", "actor", "department",
                              "finance", "data", "department", "finance");
    ck_assert(gateway_sse_visible(head, other));
    ck_assert(gateway_sse_visible(agent, mine));
    ck_assert(gateway_sse_visible(agent, for_me));
    ck_assert(!gateway_sse_visible(agent, other));
    json_decref(head);
    json_decref(agent);
    json_decref(mine);
    json_decref(for_me);
    json_decref(other);
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
