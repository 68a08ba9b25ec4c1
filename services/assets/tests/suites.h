// Unit suites of the assets service (services/assets/tests).
#ifndef ASSETS_TESTS_SUITES_H
#define ASSETS_TESTS_SUITES_H

#include <check.h>

Suite *assets_units_suite(void);

#endif
