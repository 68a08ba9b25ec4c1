// intake: customers and cases (docs/domain.md). Everything but the
// definition lives in the service files; cm_service_main does the rest.
#include "intake.h"

static intake_t intake_state; // the one mutable object of the process

static const cm_service_def_t intake_service = {
    .name = INTAKE_NAME,
    .routes = intake_routes,
    .options = intake_options,
    .subscriptions = intake_subscriptions,
    .start = intake_start,
    .tick = intake_tick,
    .tick_ms = INTAKE_TICK_MS,
    .state = &intake_state,
    .org_view = true,
    .refresh_actor = intake_refresh_actor,
};

int
main(int argc, char **argv)
{
    return cm_service_main(&intake_service, argc, argv);
}
