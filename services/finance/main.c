// finance — budgets, expense claims, funds (regulations ch. 7).
#include "cm_service.h"
#include "finance.h"

int
main(int argc, char **argv)
{
    return cm_service_main(&finance_service, argc, argv);
}
