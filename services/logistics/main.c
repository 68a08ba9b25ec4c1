// logistics — the logistics department's duties: vehicles and trip
// requests (regulations ch. 2).
#include "cm_service.h"
#include "logistics.h"

int
main(int argc, char **argv)
{
    return cm_service_main(&logistics_service, argc, argv);
}
