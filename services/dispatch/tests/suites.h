// Unit suites of the dispatch service (pure functions and tables).
#ifndef DISPATCH_TESTS_SUITES_H
#define DISPATCH_TESTS_SUITES_H

#include <check.h>

Suite *calendar_suite(void);
Suite *workorder_flow_suite(void);
Suite *clock_suite(void);
Suite *assign_suite(void);

#endif
