// Every suite of the webhooks unit tests (pure parts: signatures, event
// patterns, the URL allow-list, the retry schedule).
#ifndef WEBHOOKS_TESTS_SUITES_H
#define WEBHOOKS_TESTS_SUITES_H

#include <check.h>

Suite *webhooks_units_suite(void);

#endif
