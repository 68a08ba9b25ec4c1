// dispatch — work orders, queues, rosters, assignment, SLA clocks and
// escalation. Everything is in the service definition.
#include "dispatch.h"

int
main(int argc, char **argv)
{
    return cm_service_main(&dispatch_service, argc, argv);
}
