// Check suites of the hub (style.md §13).
#ifndef HUB_TESTS_SUITES_H
#define HUB_TESTS_SUITES_H

#include <check.h>

Suite *hub_ingest_suite(void);

#endif
