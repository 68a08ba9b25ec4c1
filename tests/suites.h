// Integration suites (real redis-server and project binaries), all run by
// tests/run_tests.c in one SRunner. Add a suite: declare it here, list it in
// run_tests.c.
#ifndef TESTS_SUITES_H
#define TESTS_SUITES_H

#include <check.h>

Suite *hub_suite(void);
Suite *curve_suite(void);
Suite *gateway_suite(void);
Suite *gateway_access_suite(void);
Suite *gateway_events_suite(void);
Suite *gateway_framing_suite(void);
Suite *gateway_edge_suite(void);
Suite *personnel_suite(void);
Suite *personnel_org_suite(void);
Suite *personnel_delegation_suite(void);
Suite *personnel_people_suite(void);
Suite *personnel_learning_suite(void);
Suite *dispatch_suite(void);
Suite *dispatch_rules_suite(void);
Suite *dispatch_clocks_suite(void);
Suite *intake_suite(void);
Suite *intake_events_suite(void);
Suite *events_suite(void);
Suite *call_suite(void);
Suite *dispatch_requests_suite(void);
Suite *dispatch_skills_suite(void);
Suite *restart_suite(void);
Suite *finance_suite(void);
Suite *finance_money_suite(void);
Suite *safety_suite(void);
Suite *safety_audit_suite(void);
Suite *inventory_suite(void);
Suite *assets_suite(void);
Suite *assets_faults_suite(void);
Suite *assets_scrap_suite(void);
Suite *assets_maintenance_suite(void);
Suite *e2e_suite(void);
Suite *authz_suite(void);
Suite *webhooks_suite(void);
Suite *logistics_suite(void);
Suite *logistics_rounds_suite(void);
Suite *oversight_reviews_suite(void);
Suite *oversight_station_suite(void);

// Run a test service of a suite in this process (SM_TEST_SERVE=<name>):
// the process exit code.
int test_call_serve(const char *name);
Suite *intake_bounds_suite(void);
Suite *intake_access_suite(void);
Suite *intake_desk_suite(void);
Suite *intake_search_suite(void);
Suite *intake_attach_suite(void);
Suite *dispatch_attach_suite(void);

#endif
