#include <string.h>

#include "../gateway.h"
#include "../gateway_routes.h"
#include "suites.h"

START_TEST(test_gateway_routes_lookup)
{
    char error[256] = "";
    gateway_routes_t *routes =
        gateway_routes_new("staff=personnel cases=intake, work-orders=dispatch",
                           error, sizeof error);
    ck_assert_ptr_nonnull(routes);
    ck_assert_str_eq(gateway_routes_lookup(routes, "/v1/cases"), "intake");
    ck_assert_str_eq(gateway_routes_lookup(routes, "/v1/cases/CS-1/forward"),
                     "intake");
    ck_assert_str_eq(gateway_routes_lookup(routes, "/v1/work-orders/WO-8"),
                     "dispatch");
    ck_assert_ptr_null(gateway_routes_lookup(routes, "/v1/casesx"));
    ck_assert_ptr_null(gateway_routes_lookup(routes, "/v1/"));
    ck_assert_ptr_null(gateway_routes_lookup(routes, "/v2/cases"));
    ck_assert_ptr_null(gateway_routes_lookup(routes, "/cases"));
    ck_assert_int_eq(gateway_routes_service_count(routes), 3);
    ck_assert_str_eq(gateway_routes_service(routes, 0), "personnel");
    ck_assert_ptr_null(gateway_routes_service(routes, 3));
    gateway_routes_destroy(&routes);
    ck_assert_ptr_null(routes);
    gateway_routes_destroy(&routes);
}
END_TEST

START_TEST(test_gateway_routes_reports_by_second_segment)
{
    char error[256] = "";
    gateway_routes_t *routes = gateway_routes_new(
        "reports=intake reports/budget=finance reports/stock=inventory", error,
        sizeof error);
    ck_assert_msg(routes != NULL, "%s", error);
    ck_assert_str_eq(gateway_routes_lookup(routes, "/v1/reports/budget"),
                     "finance");
    ck_assert_str_eq(
        gateway_routes_lookup(routes, "/v1/reports/budget?year=2027"),
        "finance");
    ck_assert_str_eq(gateway_routes_lookup(routes, "/v1/reports/sla"),
                     "intake");
    ck_assert_str_eq(gateway_routes_lookup(routes, "/v1/reports"), "intake");
    char label[GATEWAY_ROUTE_LABEL_MAX];
    ck_assert_str_eq(gateway_routes_label(routes, "/v1/reports/stock", label),
                     "/v1/reports/stock");
    gateway_routes_destroy(&routes);
    ck_assert_ptr_null(gateway_routes_new("a/b/c=x", error, sizeof error));
    ck_assert_ptr_null(gateway_routes_new("/a=x", error, sizeof error));
}
END_TEST

// The compiled default table (gateway/routes) sends the approval matrix
// to personnel, which serves it for every service.
START_TEST(test_gateway_routes_default_table)
{
    const char *spec = NULL;
    for (size_t i = 0; gateway_options[i].path; i++) {
        if (strcmp(gateway_options[i].path, "gateway/routes") == 0) {
            spec = gateway_options[i].fallback;
        }
    }
    ck_assert_ptr_nonnull(spec);
    char error[256] = "";
    gateway_routes_t *routes = gateway_routes_new(spec, error, sizeof error);
    ck_assert_msg(routes != NULL, "%s", error);
    ck_assert_str_eq(gateway_routes_lookup(routes, "/v1/approval-rules"),
                     "personnel");
    ck_assert_str_eq(
        gateway_routes_lookup(routes, "/v1/staff/ST-2/delegations"),
        "personnel");
    gateway_routes_destroy(&routes);
}
END_TEST

START_TEST(test_gateway_routes_label_is_low_cardinality)
{
    char error[256];
    gateway_routes_t *routes =
        gateway_routes_new("cases=intake", error, sizeof error);
    char label[GATEWAY_ROUTE_LABEL_MAX];
    ck_assert_str_eq(gateway_routes_label(routes, "/v1/cases/CS-9", label),
                     "/v1/cases");
    ck_assert_str_eq(gateway_routes_label(routes, "/v1/whatever/1", label),
                     "other");
    gateway_routes_destroy(&routes);
}
END_TEST

START_TEST(test_gateway_routes_rejects_bad_spec)
{
    char error[256] = "";
    ck_assert_ptr_null(gateway_routes_new("cases", error, sizeof error));
    ck_assert_ptr_nonnull(strstr(error, "cases"));
    ck_assert_ptr_null(
        gateway_routes_new("cases=intake cases=x", error, sizeof error));
    ck_assert_ptr_nonnull(strstr(error, "twice"));
    ck_assert_ptr_null(gateway_routes_new("Cases=intake", error, sizeof error));
    ck_assert_ptr_null(
        gateway_routes_new("cases=In Take", error, sizeof error));
}
END_TEST

START_TEST(test_gateway_route_segment)
{
    char segment[GATEWAY_SEGMENT_MAX];
    ck_assert_int_eq(
        gateway_route_segment("/v1/staff/ST-1", segment, sizeof segment), 0);
    ck_assert_str_eq(segment, "staff");
    ck_assert_int_eq(gateway_route_segment("/v1/", segment, sizeof segment),
                     -1);
    ck_assert_int_eq(gateway_route_segment("/healthz", segment, sizeof segment),
                     -1);
}
END_TEST

// What the front thread serves itself: routed paths, not the gateway's own
// endpoints under /v1, nothing nng would decode first.
START_TEST(test_gateway_routes_is_direct)
{
    static const struct {
        const char *target;
        bool direct;
    } cases[] = {
        {"/v1/cases", true},     {"/v1/cases/CS-1?x=%20", true},
        {"/v1/eventsx", true},   {"/v1/events", false},
        {"/v1/events/", false},  {"/v1/events/stream?a=1", false},
        {"/v1/events?x", false}, {"/v1/openapi.yaml", false},
        {"/v1/", false},         {"/v1", false},
        {"/v1/%63ases", false},  {"/healthz", false},
        {"/metrics", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *target = cases[i].target;
        ck_assert_msg(gateway_routes_is_direct(target, strlen(target))
                          == cases[i].direct,
                      "%s", target);
    }
}
END_TEST

Suite *
gateway_routes_suite(void)
{
    Suite *suite = suite_create("gateway_routes");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_gateway_routes_lookup);
    tcase_add_test(core, test_gateway_routes_reports_by_second_segment);
    tcase_add_test(core, test_gateway_routes_default_table);
    tcase_add_test(core, test_gateway_routes_label_is_low_cardinality);
    tcase_add_test(core, test_gateway_routes_rejects_bad_spec);
    tcase_add_test(core, test_gateway_route_segment);
    tcase_add_test(core, test_gateway_routes_is_direct);
    suite_add_tcase(suite, core);
    return suite;
}
