// test_intake_stack — the stack the intake integration suites run against:
// a private redis-server, the broker, the hub and the intake binary, plus
// helpers to call intake over MDP as actors of different roles.
#ifndef TESTS_TEST_INTAKE_STACK_H
#define TESTS_TEST_INTAKE_STACK_H

#include <jansson.h>
#include <stdbool.h>

#include "cm_envelope.h"
#include "cm_mdp_client.h"
#include "cm_store.h"
#include "harness.h"
#include "harness_mdp.h"

#define INTAKE_TEST_CALL_MS 5000
#define INTAKE_TEST_ENV_MAX 96
#define INTAKE_TEST_WORKERS 2

typedef struct {
    harness_redis_t redis;            // private redis-server
    harness_proc_t broker;            // broker binary
    harness_proc_t hub;               // hub binary
    harness_proc_t intake;            // intake binary
    char endpoint[64];                // broker endpoint for clients
    char env[8][INTAKE_TEST_ENV_MAX]; // environment of the children
    const char *envp[9];              // NULL-ended view of env
    cm_store_t *store;                // the test's own Redis access
    int intake_starts;                // times intake was started
    cm_mdp_client_t *client;          // the test's client (lazy)
} intake_stack_t;

// The stack of the running test (one per forked test).
extern intake_stack_t intake_stack;

// Checked fixture: start everything and wait until intake's workers
// registered with the broker; stop and clean up.
void intake_stack_setup(void);
void intake_stack_teardown(void);

// Feed one personnel event (type, data as JSON text) into intake's org
// view, as its consumer would.
void intake_org_event(const char *type, const char *data_text);

// Start intake again (after a kill) and wait for its workers.
bool intake_stack_restart_intake(void);

// One request; the reply envelope or NULL on timeout. Borrowed arguments;
// key is the Idempotency-Key or NULL. Caller owns the result.
json_t *intake_call(const json_t *actor, const char *method, const char *path,
                    const json_t *query, const json_t *body, const char *key);

// One request with every envelope field the test sets (If-Match …); the
// reply envelope or NULL. Caller owns the result.
json_t *intake_call_with(const cm_envelope_request_t *fields);

// intake_call that asserts a reply and its status; returns the body
// (caller owns it).
json_t *intake_expect(int status, const json_t *actor, const char *method,
                      const char *path, const json_t *body);

// POST /v1/cases/{id}/{action} expecting status; body (taken) may be NULL.
// Returns the reply envelope (caller owns it).
json_t *intake_act(const json_t *actor, const char *id, const char *action,
                   json_t *body, int status);

// True when the JSON array holds the string.
bool intake_has(const json_t *array, const char *text);

// Run "command key [member]" (member may be NULL) through the harness;
// caller owns the text (free).
char *intake_redis(const char *command, const char *key, const char *member);

#endif
