// test_personnel_stack — the stack the personnel integration suites run
// against: a private redis-server, the broker and personnel replicas, plus
// helpers to call personnel over MDP as actors of different roles.
#ifndef TESTS_TEST_PERSONNEL_STACK_H
#define TESTS_TEST_PERSONNEL_STACK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "cm_outbox.h"
#include "harness.h"
#include "harness_mdp.h"

#define PERSONNEL_TEST_BOOT_TOKEN                                              \
    "smt_integration_bootstrap_token_0123456789abcdef"
#define PERSONNEL_TEST_CALL_MS   5000
#define PERSONNEL_TEST_ENV_MAX   96
#define PERSONNEL_TEST_REPLICAS  2
#define PERSONNEL_TEST_ID_MAX    48 // staff and token ids
#define PERSONNEL_TEST_TOKEN_MAX 80 // token secrets

typedef struct {
    harness_redis_t redis;                             // private redis-server
    harness_proc_t broker;                             // the broker binary
    harness_proc_t personnel[PERSONNEL_TEST_REPLICAS]; // personnel replicas
    size_t replicas;                                   // started
    char endpoint[64];                   // broker endpoint for clients
    char env[4][PERSONNEL_TEST_ENV_MAX]; // environment of the children
} personnel_stack_t;

// The running stack of the current TCase.
extern personnel_stack_t personnel_stack;

// Unchecked fixtures: one replica with the test bootstrap token, or two
// replicas racing to bootstrap with a generated token; stop everything.
void personnel_stack_setup(void);
void personnel_stack_setup_race(void);
void personnel_stack_teardown(void);

// Send a request and return the reply envelope (never NULL: asserted).
// Borrowed arguments; key is the Idempotency-Key or NULL.
json_t *personnel_call(const json_t *actor, const char *method,
                       const char *path, const json_t *query,
                       const json_t *body, const char *key);

// The same with an If-Match header value (NULL: none).
json_t *personnel_call_if(const json_t *actor, const char *method,
                          const char *path, const json_t *body,
                          const char *if_match);

// The status of one request (body as JSON text or NULL).
int personnel_status(const json_t *actor, const char *method, const char *path,
                     const char *body_text);

// A reply header, or NULL. Borrowed.
const char *personnel_header(const json_t *reply, const char *name);

// The station head ST-1 (bootstrap) / the gateway's own actor. Caller owns
// the result.
json_t *personnel_head(void);
json_t *personnel_gateway(void);

// Resolve a token as the gateway; returns the reply status.
int personnel_resolve_status(const char *token);

// Create a department (code) as the station head; asserts 201.
void personnel_create_department(const char *code);

// Create a staff member as the station head; writes the id
// (PERSONNEL_TEST_ID_MAX bytes).
void personnel_create_staff(const char *name, const char *role,
                            const char *department, char *id);

// PATCH a department as the station head with body (JSON text); returns
// the status.
int personnel_patch_department(const char *code, const char *body_text);

// Promote or demote staff id (kind "promotion" or "demotion") to role the
// only way there is: a sanction the station head proposes (their own
// decision) and publishes. Returns the status of the last step.
int personnel_sanction_role(const char *staff_id, const char *kind,
                            const char *role, const char *reason);

// Issue a token for staff id as the station head (expires_at may be NULL);
// writes the secret (PERSONNEL_TEST_TOKEN_MAX bytes) and the token id
// (PERSONNEL_TEST_ID_MAX bytes).
void personnel_issue_token(const char *staff_id, const char *expires_at,
                           char *secret, char *token_id);

// Outbox event types in order; envelopes are checked for a secret.
typedef struct {
    char types[256][64]; // event types in order
    json_t *data[256];   // their data (owned; personnel_events_clear)
    size_t count;        // collected
    const char *secret;  // must appear in no envelope
    bool leaked;         // it did
} personnel_events_t;

// Read sm:{personnel}:outbox from the start.
void personnel_read_events(personnel_events_t *events);

// Free the data the events hold.
void personnel_events_clear(personnel_events_t *events);

// The data of the last event of type, or NULL. Borrowed.
const json_t *personnel_last_event(const personnel_events_t *events,
                                   const char *type);

#endif
