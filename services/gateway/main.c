// gateway — HTTP in front of Stationmaster. Thin: configuration,
// logging, run until SIGTERM/SIGINT, clean stop.
#include <czmq.h>
#include <signal.h>
#include <sodium.h>
#include <stdlib.h>

#include "cm_config.h"
#include "cm_curve.h"
#include "cm_log.h"
#include "gateway.h"

int
main(int argc, char **argv)
{
    zsys_init();
    zsys_set_logstream(stderr);
    cm_config_t *config =
        cm_config_load_or_exit("gateway", gateway_options, argc, argv);
    cm_log_init("gateway", cm_config_str(config, "service/replica"));
    int level = cm_log_level_parse(cm_config_str(config, "log/level"));
    if (level >= 0) {
        cm_log_set_level((cm_log_level_t)level);
    }
    cm_config_log(config);
    cm_curve_setup_or_exit(config);
    if (sodium_init() < 0) {
        cm_log_error("gateway.sodium_failed", "reason", "sodium_init");
        return EXIT_FAILURE;
    }
    gateway_t *gateway = gateway_new(config);
    if (!gateway || gateway_start(gateway) != 0) {
        gateway_destroy(&gateway);
        cm_config_destroy(&config);
        return EXIT_FAILURE;
    }
    // czmq's handler sets zsys_interrupted on SIGINT/SIGTERM.
    while (!zsys_interrupted) {
        zclock_sleep(100);
    }
    gateway_stop(gateway);
    gateway_destroy(&gateway);
    cm_log_notice("gateway.stopped", "reason", "signal");
    cm_config_destroy(&config);
    return EXIT_SUCCESS;
}
