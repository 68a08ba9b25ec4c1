// e2e_steps — what the end-to-end suites (test_e2e*.c) share: the people
// who take the steps (persons of the station tests/e2e_stack.h builds) and
// the steps every process uses. One suite, e2e, on one stack: each file
// adds its tests to the TCase with e2e_add_<area>.
#ifndef TESTS_E2E_STEPS_H
#define TESTS_E2E_STEPS_H

#include <check.h>
#include <jansson.h>

#include "e2e_stack.h"

#define S_WAIT_MS   30000 // what another service does in reaction
#define S_AGENT     e2e_person("cs_agent", "customer_service")
#define S_CS_HEAD   e2e_person("dept_head", "customer_service")
#define S_TECH      e2e_person("technician", "technical")
#define S_TECH_HEAD e2e_person("dept_head", "technical")
#define S_CLERK     e2e_person("finance", "finance")
#define S_FIN_HEAD  e2e_person("dept_head", "finance")
#define S_AUDITOR   e2e_person("auditor", "finance")
#define S_OUTSIDER  e2e_person("logistics", "logistics")
#define S_KEEPER    e2e_person("logistics", "logistics")

// Record a case of kind as the agent; its id into id (48 bytes).
void e2e_record(const char *kind, const char *subject, char *id);

// Take one step on a case as who and check the state it leads to.
void e2e_step(int who, const char *id, const char *action, const char *body,
              const char *state);

// POST /v1/budgets/<id>/<action> as who (200 asserted); the document.
json_t *e2e_budget_step(int who, const char *id, const char *action);

// The tests of each area, added to the e2e TCase.
void e2e_add_personnel(TCase *tc);
void e2e_add_inventory(TCase *tc);
void e2e_add_safety(TCase *tc);
void e2e_add_assets(TCase *tc);
void e2e_add_webhooks(TCase *tc);
void e2e_add_logistics(TCase *tc);
void e2e_add_oversight(TCase *tc);
void e2e_add_desk(TCase *tc);
void e2e_add_oversight_report(TCase *tc);

#endif
