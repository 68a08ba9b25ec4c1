// Check suites of the hub (docs/c-style.md).
#ifndef HUB_TESTS_SUITES_H
#define HUB_TESTS_SUITES_H

#include <check.h>

Suite *hub_ingest_suite(void);

#endif
