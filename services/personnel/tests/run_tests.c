// Runs every personnel suite in one SRunner. CK_RUN_SUITE / CK_RUN_CASE
// pick one suite or case; CK_FORK=no runs in-process for gdb or valgrind.
#include <stdlib.h>

#include "cm_log.h"
#include "suites.h"

int
main(void)
{
    cm_log_init("personnel_tests", "0");
    cm_log_set_level(CM_LOG_ERROR);
    SRunner *runner = srunner_create(token_suite());
    srunner_add_suite(runner, staff_suite());
    srunner_add_suite(runner, department_suite());
    srunner_add_suite(runner, access_suite());
    srunner_add_suite(runner, sanction_suite());
    srunner_add_suite(runner, evaluation_suite());
    srunner_add_suite(runner, recruitment_suite());
    srunner_add_suite(runner, learning_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
