// webhooks — signed outbound webhooks to other systems.
#include "cm_service.h"
#include "webhooks.h"

int
main(int argc, char **argv)
{
    return cm_service_main(&webhooks_service, argc, argv);
}
