// Every suite of the finance unit tests (pure parts: entry balancing,
// statement parsing, matching, periods, the process tables).
#ifndef FINANCE_TESTS_SUITES_H
#define FINANCE_TESTS_SUITES_H

#include <check.h>

Suite *entry_suite(void);
Suite *statement_suite(void);
Suite *matcher_suite(void);
Suite *period_suite(void);
Suite *workflow_tables_suite(void);

#endif
