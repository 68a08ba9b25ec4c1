// Unit suites of the gateway's pure parts (docs/coding.md).
#ifndef GATEWAY_TESTS_SUITES_H
#define GATEWAY_TESTS_SUITES_H

#include <check.h>

Suite *gateway_routes_suite(void);
Suite *gateway_input_suite(void);
Suite *gateway_auth_suite(void);
Suite *gateway_limiter_suite(void);
Suite *gateway_metrics_suite(void);
Suite *gateway_sse_suite(void);
Suite *gateway_queue_suite(void);
Suite *gateway_wire_suite(void);
Suite *gateway_response_suite(void);

#endif
