// Runs every webhooks unit suite in one SRunner. CK_RUN_SUITE /
// CK_RUN_CASE pick one suite or case; CK_FORK=no runs in-process.
#include <sodium.h>
#include <stdlib.h>

#include "cm_log.h"
#include "suites.h"

int
main(void)
{
    cm_log_init("webhooks_tests", "0");
    cm_log_set_level(CM_LOG_ERROR);
    if (sodium_init() < 0) {
        return EXIT_FAILURE;
    }
    SRunner *runner = srunner_create(webhooks_units_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
