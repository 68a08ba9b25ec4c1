// personnel — who is who and who may do what (docs/domain.md, ch. 3).
// `personnel --recover-station-head-token` issues the station head a new
// token, prints it once and exits (recovery.h); otherwise it runs the
// service.
#include "cm_org.h"
#include "cm_service.h"
#include "onboarding.h"
#include "org.h"
#include "personnel.h"
#include "recovery.h"

static personnel_t personnel_state; // the one mutable object of the process

// safety-audit's onboarding sets staff records' training_status.
static const cm_subscription_t personnel_subscriptions[] = {
    {"safety-audit", onboarding_on_event, CM_ORG_SAFETY_TOPIC},
    {NULL, NULL},
};

static const cm_service_def_t personnel_service = {
    .name = PERSONNEL_OWNER,
    .routes = personnel_routes,
    .options = personnel_options,
    .start = personnel_start,
    .state = &personnel_state,
    .refresh_actor = org_refresh_actor,
    .subscriptions = personnel_subscriptions,
};

int
main(int argc, char **argv)
{
    if (recovery_requested(argc, argv)) {
        return recovery_main(argc, argv);
    }
    return cm_service_main(&personnel_service, argc, argv);
}
