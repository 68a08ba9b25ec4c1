// personnel — who is who and who may do what (domain.md §0, ch. 3).
#include "cm_service.h"
#include "personnel.h"

int
main(int argc, char **argv)
{
    return cm_service_main(&personnel_service, argc, argv);
}
