// inventory — materials: the catalogue and the stock ledger (regulations
// ch. 5).
#include "cm_service.h"
#include "inventory.h"

int
main(int argc, char **argv)
{
    return cm_service_main(&inventory_service, argc, argv);
}
