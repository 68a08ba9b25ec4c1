// Check suites of the hub (docs/coding.md).
#ifndef HUB_TESTS_SUITES_H
#define HUB_TESTS_SUITES_H

#include <check.h>

Suite *hub_ingest_suite(void);

#endif
