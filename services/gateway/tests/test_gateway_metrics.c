#include <stdio.h>
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
    ck_assert_ptr_nonnull(strstr(text, "# TYPE sm_outbox_lag gauge\n"
                                       "sm_outbox_lag{stream=\"sm:{intake}:"
                                       "outbox\",group=\"dispatch\"} 4\n"));
    ck_assert_ptr_nonnull(strstr(text, "sm_outbox_pending{stream=\"sm:{"
                                       "intake}:outbox\",group=\"dispatch\"} "
                                       "1\n"));
    free(text);
    json_decref(services);
    json_decref(lag);
    gateway_metrics_destroy(&metrics);
    ck_assert_ptr_null(metrics);
}
END_TEST

// Every family has a # HELP line before its # TYPE (promtool warns
// otherwise).
START_TEST(test_gateway_metrics_every_family_has_help)
{
    gateway_metrics_t *metrics = gateway_metrics_new();
    gateway_metrics_observe(metrics, "/healthz", "GET", 200, 100);
    json_t *services = json_loads(
        "{\"intake\":{\"queue\":1,\"workers\":2,\"in_flight\":3}}", 0, NULL);
    json_t *lag = json_loads("[]", 0, NULL);
    gateway_metrics_live_t live = {1, services, lag};
    char *text = gateway_metrics_render(metrics, &live);
    ck_assert_ptr_nonnull(text);
    int families = 0;
    for (const char *type = strstr(text, "# TYPE "); type;
         type = strstr(type + 1, "# TYPE ")) {
        char name[128], help[140];
        ck_assert_int_eq(sscanf(type, "# TYPE %127s", name), 1);
        snprintf(help, sizeof help, "# HELP %s ", name);
        const char *found = strstr(text, help);
        ck_assert_msg(found && found < type, "no # HELP for %s", name);
        families++;
    }
    ck_assert_int_ge(families, 7);
    free(text);
    json_decref(services);
    json_decref(lag);
    gateway_metrics_destroy(&metrics);
}
END_TEST

START_TEST(test_gateway_metrics_lag_json)
{
    cm_outbox_lag_t lags[2] = {
        {.stream = "sm:{intake}:outbox",
         .group = "dispatch",
         .lag = 3,
         .pending = 2},
        {.stream = "sm:{ingest}:outbox",
         .group = "intake",
         .lag = 0,
         .pending = 0},
    };
    json_t *lag = gateway_metrics_lag_json(lags, 2);
    ck_assert_int_eq(json_array_size(lag), 2);
    gateway_metrics_t *metrics = gateway_metrics_new();
    gateway_metrics_live_t live = {0, NULL, lag};
    char *text = gateway_metrics_render(metrics, &live);
    ck_assert_ptr_nonnull(strstr(
        text,
        "sm_outbox_lag{stream=\"sm:{intake}:outbox\",group=\"dispatch\"} 3\n"
        "sm_outbox_lag{stream=\"sm:{ingest}:outbox\",group=\"intake\"} 0\n"));
    ck_assert_ptr_nonnull(strstr(
        text,
        "sm_outbox_pending{stream=\"sm:{intake}:outbox\",group=\"dispatch\"}"
        " 2\n"));
    free(text);
    gateway_metrics_destroy(&metrics);
    json_decref(lag);
    // No groups: an empty snapshot, still an array.
    lag = gateway_metrics_lag_json(NULL, 0);
    ck_assert(json_is_array(lag));
    ck_assert_int_eq(json_array_size(lag), 0);
    json_decref(lag);
}
END_TEST

Suite *
gateway_metrics_suite(void)
{
    Suite *suite = suite_create("gateway_metrics");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_gateway_metrics_text);
    tcase_add_test(core, test_gateway_metrics_lag_json);
    tcase_add_test(core, test_gateway_metrics_every_family_has_help);
    suite_add_tcase(suite, core);
    return suite;
}
