// Runs every broker suite in one SRunner. CK_RUN_SUITE / CK_RUN_CASE pick
// one suite or case; CK_FORK=no runs in-process for gdb or valgrind.
#include <stdio.h>
#include <stdlib.h>

#include "cm_log.h"
#include "suites.h"

int
main(void)
{
    // No zsys_* call here: it would create czmq's global context before
    // Check forks, and each forked test would then report it as leaked.
    cm_log_init("broker_tests", "0");
    SRunner *runner = srunner_create(broker_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
