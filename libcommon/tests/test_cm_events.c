// Placeholder: replaced by the module's real suite.
#include "suites.h"

Suite *
cm_events_suite(void)
{
    return suite_create("cm_events");
}
