// oversight — the heads' periodic review (regulations ch. 2 (二)1–2): the
// station report across services and the reviews with their improvement
// measures.
#include "cm_service.h"
#include "oversight.h"

int
main(int argc, char **argv)
{
    return cm_service_main(&oversight_service, argc, argv);
}
