// Runs every libcommon suite in one SRunner. CK_RUN_SUITE / CK_RUN_CASE pick
// one suite or case; CK_FORK=no runs in-process for gdb or valgrind.
#include <stdlib.h>

#include "suites.h"

typedef Suite *(*suite_fn_t)(void);

int
main(void)
{
    const suite_fn_t suites[] = {
        cm_log_suite,      cm_time_suite,     cm_id_suite,
        cm_problem_suite,  cm_config_suite,   cm_envelope_suite,
        cm_mdp_suite,      cm_store_suite,    cm_events_suite,
        cm_outbox_suite,   cm_workflow_suite, cm_validate_suite,
        cm_service_suite,  cm_field_suite,    cm_approval_suite,
        cm_kit_suite,      cm_doc_suite,      cm_cloudevent_suite,
        cm_list_suite,     cm_action_suite,   cm_org_suite,
        cm_csv_suite,      cm_curve_suite,    cm_events_bus_suite,
        cm_attach_suite,   cm_schedule_suite, cm_summary_suite,
        cm_prefetch_suite,
    };
    SRunner *runner = srunner_create(NULL);
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++) {
        // cppcheck-suppress uninitvar ; 2.10 misreads the initialised array
        srunner_add_suite(runner, suites[i]());
    }
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
