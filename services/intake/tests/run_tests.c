// Runs every intake unit suite in one SRunner.
#include <stdlib.h>

#include "suites.h"

int
main(void)
{
    SRunner *runner = srunner_create(case_flow_suite());
    srunner_add_suite(runner, case_suite());
    srunner_add_suite(runner, case_words_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
