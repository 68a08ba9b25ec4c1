// safety-audit — safety procedures, training, inspections, hazards and the
// audit trail (regulations ch. 8).
#include "cm_service.h"
#include "safety.h"

int
main(int argc, char **argv)
{
    return cm_service_main(&safety_service, argc, argv);
}
