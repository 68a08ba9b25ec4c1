#include <stdlib.h>
#include <string.h>

#include "../gateway_metrics.h"
#include "suites.h"

START_TEST(test_gateway_metrics_text)
{
    gateway_metrics_t *metrics = gateway_metrics_new();
    gateway_metrics_observe(metrics, "/v1/cases", "GET", 200, 700);
    gateway_metrics_observe(metrics, "/v1/cases", "GET", 200, 3000000);
    gateway_metrics_observe(metrics, "/v1/cases", "BREW", 405, 10);
    json_t *services = json_loads(
        "{\"intake\":{\"queue\":3,\"workers\":2,\"in_flight\":1}}", 0, NULL);
    json_t *lag = json_loads("[{\"stream\":\"sm:{intake}:outbox\","
                             "\"group\":\"dispatch\",\"lag\":4,\"pending\":1}]",
                             0, NULL);
    gateway_metrics_live_t live = {7, services, lag};
    char *text = gateway_metrics_render(metrics, &live);
    ck_assert_ptr_nonnull(text);
    ck_assert_ptr_nonnull(strstr(
        text, "sm_http_requests_total{route=\"/v1/cases\",method=\"GET\","
              "status=\"200\"} 2\n"));
    ck_assert_ptr_nonnull(strstr(
        text, "sm_http_requests_total{route=\"/v1/cases\",method=\"OTHER\","
              "status=\"405\"} 1\n"));
    ck_assert_ptr_nonnull(
        strstr(text, "sm_http_request_duration_seconds_bucket{route=\"/v1/"
                     "cases\",le=\"0.001\"} 2\n"));
    ck_assert_ptr_nonnull(
        strstr(text, "sm_http_request_duration_seconds_bucket{route=\"/v1/"
                     "cases\",le=\"2.5\"} 2\n"));
    ck_assert_ptr_nonnull(
        strstr(text, "sm_http_request_duration_seconds_bucket{route=\"/v1/"
                     "cases\",le=\"+Inf\"} 3\n"));
    ck_assert_ptr_nonnull(
        strstr(text, "sm_http_request_duration_seconds_count{route=\"/v1/"
                     "cases\"} 3\n"));
    ck_assert_ptr_nonnull(strstr(text, "sm_http_in_flight 7\n"));
    ck_assert_ptr_nonnull(
        strstr(text, "sm_broker_queue_depth{service=\"intake\"} 3\n"));
    ck_assert_ptr_nonnull(
        strstr(text, "sm_broker_workers{service=\"intake\"} 2\n"));
    ck_assert_ptr_nonnull(strstr(text, "sm_outbox_consumer_lag{stream=\"sm:{"
                                       "intake}:outbox\",group=\"dispatch\"} "
                                       "4\n"));
    free(text);
    json_decref(services);
    json_decref(lag);
    gateway_metrics_destroy(&metrics);
    ck_assert_ptr_null(metrics);
}
END_TEST

Suite *
gateway_metrics_suite(void)
{
    Suite *suite = suite_create("gateway_metrics");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_gateway_metrics_text);
    suite_add_tcase(suite, core);
    return suite;
}
