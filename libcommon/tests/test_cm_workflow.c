// Placeholder: replaced by the module's real suite.
#include "suites.h"

Suite *
cm_workflow_suite(void)
{
    return suite_create("cm_workflow");
}
