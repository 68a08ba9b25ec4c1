// Every suite of the safety-audit unit tests (pure parts: the chain's
// hash, checkpoint signatures, onboarding levels, the process table).
#ifndef SAFETY_TESTS_SUITES_H
#define SAFETY_TESTS_SUITES_H

#include <check.h>

Suite *audit_hash_suite(void);
Suite *checkpoint_suite(void);
Suite *onboarding_suite(void);

#endif
