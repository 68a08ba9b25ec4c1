// Runs every integration suite in one SRunner. CK_RUN_SUITE / CK_RUN_CASE
// pick one; SM_BIN_DIR chooses the binaries (default build/debug/bin).
#include <stdlib.h>

#include "suites.h"

int
main(void)
{
    // A suite may start this binary again as a service of its own.
    const char *serve = getenv("SM_TEST_SERVE");
    if (serve) {
        return test_call_serve(serve);
    }
    SRunner *runner = srunner_create(hub_suite());
    srunner_add_suite(runner, curve_suite());
    srunner_add_suite(runner, gateway_suite());
    srunner_add_suite(runner, gateway_access_suite());
    srunner_add_suite(runner, gateway_events_suite());
    srunner_add_suite(runner, gateway_framing_suite());
    srunner_add_suite(runner, gateway_edge_suite());
    srunner_add_suite(runner, personnel_suite());
    srunner_add_suite(runner, personnel_org_suite());
    srunner_add_suite(runner, personnel_delegation_suite());
    srunner_add_suite(runner, personnel_people_suite());
    srunner_add_suite(runner, personnel_learning_suite());
    srunner_add_suite(runner, dispatch_suite());
    srunner_add_suite(runner, dispatch_rules_suite());
    srunner_add_suite(runner, dispatch_clocks_suite());
    srunner_add_suite(runner, intake_suite());
    srunner_add_suite(runner, intake_events_suite());
    srunner_add_suite(runner, call_suite());
    srunner_add_suite(runner, dispatch_requests_suite());
    srunner_add_suite(runner, dispatch_skills_suite());
    srunner_add_suite(runner, restart_suite());
    srunner_add_suite(runner, events_suite());
    srunner_add_suite(runner, intake_bounds_suite());
    srunner_add_suite(runner, intake_access_suite());
    srunner_add_suite(runner, intake_desk_suite());
    srunner_add_suite(runner, intake_search_suite());
    srunner_add_suite(runner, intake_attach_suite());
    srunner_add_suite(runner, dispatch_attach_suite());
    srunner_add_suite(runner, finance_suite());
    srunner_add_suite(runner, finance_money_suite());
    srunner_add_suite(runner, safety_suite());
    srunner_add_suite(runner, safety_audit_suite());
    srunner_add_suite(runner, inventory_suite());
    srunner_add_suite(runner, assets_suite());
    srunner_add_suite(runner, assets_faults_suite());
    srunner_add_suite(runner, assets_scrap_suite());
    srunner_add_suite(runner, assets_maintenance_suite());
    srunner_add_suite(runner, e2e_suite());
    srunner_add_suite(runner, authz_suite());
    srunner_add_suite(runner, webhooks_suite());
    srunner_add_suite(runner, logistics_suite());
    srunner_add_suite(runner, logistics_rounds_suite());
    srunner_add_suite(runner, oversight_reviews_suite());
    srunner_add_suite(runner, oversight_station_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
