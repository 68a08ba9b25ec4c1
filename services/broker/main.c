// broker — the Majordomo broker process (docs/architecture.md §2).
// Configuration, logging, run the actor until SIGINT/SIGTERM, exit code.
// Nothing else.
#include <assert.h>
#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>

#include "broker.h"
#include "cm_config.h"
#include "cm_curve.h"
#include "cm_log.h"

// broker/queue_max is a common option: an embedded broker reads it too.
static const cm_config_option_t s_options[] = {
    {NULL, CM_CONFIG_STRING, NULL, 0, 0, false, NULL},
};

int
main(int argc, char **argv)
{
    zsys_set_logstream(stderr);
    cm_config_t *config =
        cm_config_load_or_exit("broker", s_options, argc, argv);
    cm_log_init("broker", cm_config_str(config, "service/replica"));
    cm_config_log(config);
    cm_curve_setup_or_exit(config);
    char endpoint[256];
    cm_config_endpoint(config, "broker/bind", "broker/port", endpoint,
                       sizeof endpoint);
    broker_args_t args = {
        .endpoint = endpoint,
        .queue_max = (int)cm_config_int(config, "broker/queue_max"),
        .heartbeat_ms = (int)cm_config_int(config, "service/heartbeat_ms"),
    };
    zactor_t *broker = zactor_new(broker_actor, &args);
    int rc = broker && broker_port(broker) >= 0 ? EXIT_SUCCESS : EXIT_FAILURE;
    if (rc == EXIT_SUCCESS) {
        // The actor's loop ends by itself on SIGINT/SIGTERM (czmq's handler
        // sets zsys_interrupted); its exit signal then arrives on the pipe.
        zpoller_t *poller = zpoller_new(broker, NULL);
        assert(poller);
        while (!zsys_interrupted && !zpoller_wait(poller, 1000)) {
            if (zpoller_terminated(poller)) {
                break;
            }
        }
        zpoller_destroy(&poller);
    }
    zactor_destroy(&broker);
    cm_config_destroy(&config);
    return rc;
}
