// Unit suites of the intake service (pure: no Redis, no sockets).
#ifndef INTAKE_TESTS_SUITES_H
#define INTAKE_TESTS_SUITES_H

#include <check.h>

Suite *case_flow_suite(void);
Suite *case_suite(void);
Suite *case_words_suite(void);

#endif
