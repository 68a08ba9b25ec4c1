// Every suite of the personnel unit tests (pure parts: validation, JSON
// mapping, token format and hashing, workflow tables).
#ifndef PERSONNEL_TESTS_SUITES_H
#define PERSONNEL_TESTS_SUITES_H

#include <check.h>

Suite *token_suite(void);
Suite *staff_suite(void);
Suite *department_suite(void);
Suite *access_suite(void);
Suite *sanction_suite(void);
Suite *evaluation_suite(void);
Suite *recruitment_suite(void);
Suite *learning_suite(void);

#endif
