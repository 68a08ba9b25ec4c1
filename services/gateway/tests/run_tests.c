// Runs every gateway unit suite in one SRunner. CK_RUN_SUITE / CK_RUN_CASE
// pick one; CK_FORK=no runs in-process for gdb or valgrind.
#include <sodium.h>
#include <stdlib.h>

#include "suites.h"

int
main(void)
{
    if (sodium_init() < 0) {
        return EXIT_FAILURE;
    }
    SRunner *runner = srunner_create(gateway_routes_suite());
    srunner_add_suite(runner, gateway_input_suite());
    srunner_add_suite(runner, gateway_auth_suite());
    srunner_add_suite(runner, gateway_limiter_suite());
    srunner_add_suite(runner, gateway_metrics_suite());
    srunner_add_suite(runner, gateway_sse_suite());
    srunner_add_suite(runner, gateway_queue_suite());
    srunner_add_suite(runner, gateway_wire_suite());
    srunner_add_suite(runner, gateway_response_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
