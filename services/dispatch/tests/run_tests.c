// Runs every dispatch unit suite in one SRunner.
#include <stdlib.h>

#include "suites.h"

int
main(void)
{
    SRunner *runner = srunner_create(calendar_suite());
    srunner_add_suite(runner, workorder_flow_suite());
    srunner_add_suite(runner, clock_suite());
    srunner_add_suite(runner, assign_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
