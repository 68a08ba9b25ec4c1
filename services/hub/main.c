// hub — relays outbox streams to XPUB, accepts external events on XSUB
// (docs/architecture.md §4). Configuration, logging, run until SIGINT/SIGTERM.
#include <czmq.h>
#include <stdlib.h>

#include "cm_config.h"
#include "cm_curve.h"
#include "cm_log.h"
#include "hub.h"

int
main(int argc, char **argv)
{
    zsys_set_logstream(stderr);
    cm_config_t *config =
        cm_config_load_or_exit("hub", hub_config_options, argc, argv);
    cm_log_init("hub", cm_config_str(config, "service/replica"));
    cm_config_log(config);
    cm_curve_setup_or_exit(config);
    hub_options_t options;
    hub_options_from_config(config, &options);
    hub_t *hub = hub_new(&options);
    int rc = hub ? EXIT_SUCCESS : EXIT_FAILURE;
    if (hub) {
        hub_run(hub, NULL);
    }
    hub_destroy(&hub);
    cm_config_destroy(&config);
    return rc;
}
