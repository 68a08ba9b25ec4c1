// One Check suite per broker module (docs/coding.md).
#ifndef BROKER_TESTS_SUITES_H
#define BROKER_TESTS_SUITES_H

#include <check.h>

Suite *broker_suite(void);

#endif
