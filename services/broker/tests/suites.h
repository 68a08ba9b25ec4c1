// One Check suite per broker module (docs/c-style.md).
#ifndef BROKER_TESTS_SUITES_H
#define BROKER_TESTS_SUITES_H

#include <check.h>

Suite *broker_suite(void);

#endif
