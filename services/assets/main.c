// assets — the equipment register, trainings and authorised operators
// (regulations ch. 6).
#include "assets.h"
#include "cm_service.h"

int
main(int argc, char **argv)
{
    return cm_service_main(&assets_service, argc, argv);
}
