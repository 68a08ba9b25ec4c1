// e2e_stack — the whole system as staff meet it, for the end-to-end and
// authorization-matrix suites: `make run` (scripts/run-local) on free ports
// with a private VAR_DIR and a bootstrap token, behind the OpenAPI contract
// check (scripts/contract-proxy: Prism's validating proxy). Every request
// goes through the proxy; a request or response that breaks
// docs/openapi.yaml fails the test that sent it, and the suite's teardown
// fails when the proxy logged any violation.
//
// The station: departments management, customer_service, technical,
// logistics and finance; the station head ST-1 (bootstrap token); deputy
// head A overseeing customer_service and technical, deputy head B
// overseeing logistics and finance; in each of the four working departments
// its named head and one person of every other role. Everyone gets a token
// through the API.
#ifndef TESTS_E2E_STACK_H
#define TESTS_E2E_STACK_H

#include <jansson.h>
#include <stdbool.h>

#include "harness.h"

#define E2E_BOOT_TOKEN "smt_e2e_suite_bootstrap_token_0123456789abcdef012345"
#define E2E_ENV_MAX    18
#define E2E_ENV_SIZE   (HARNESS_PATH_MAX + 64)
#define E2E_UP_MS      120000 // the stack and the proxy answering
#define E2E_DEPTS      4      // working departments (E2E_DEPT_NAMES)
#define E2E_ROLES      8      // roles per department (E2E_ROLE_NAMES)
#define E2E_DEPT_NAMES "customer_service technical logistics finance"
#define E2E_ROLE_NAMES                                                         \
    "dept_head cs_agent technician logistics finance safety_officer "          \
    "auditor system"
#define E2E_ID_MAX    48
#define E2E_TOKEN_MAX 96

// People: index into e2e_stack.ids / tokens.
typedef enum {
    E2E_HEAD,     // station head ST-1 (management)
    E2E_DEPUTY_A, // deputy head over customer_service and technical
    E2E_DEPUTY_B, // deputy head over logistics and finance
    E2E_TECH2,    // a second technician in technical
    E2E_GRID,     // first of E2E_DEPTS x E2E_ROLES (e2e_person)
    E2E_PEOPLE = E2E_GRID + E2E_DEPTS * E2E_ROLES
} e2e_who_t;

typedef struct {
    harness_proc_t run;   // scripts/run-local: the whole stack
    harness_proc_t proxy; // scripts/contract-proxy in front of the gateway
    char var[HARNESS_PATH_MAX];
    char env[E2E_ENV_MAX][E2E_ENV_SIZE];
    const char *envp[E2E_ENV_MAX + 1];
    int gateway_port; // the gateway itself
    int proxy_port;   // what the tests talk to
    int redis_port;
    char ids[E2E_PEOPLE][E2E_ID_MAX];
    char tokens[E2E_PEOPLE][E2E_TOKEN_MAX];
    char today[16];    // YYYY-MM-DD (UTC)
    int year;          // this year
    long long started; // monotonic ms at setup
    bool in_setup;     // the unchecked fixture is running
} e2e_stack_t;

extern e2e_stack_t e2e_stack;

// Unchecked fixtures: start the stack and the proxy, set up the station;
// stop everything (fails when the proxy logged a violation).
void e2e_stack_setup(void);
void e2e_stack_teardown(void);

// The person of `role` in `department` (a working department, or
// "management" for the station head). Asserts it exists.
e2e_who_t e2e_person(const char *role, const char *department);

// The deputy head overseeing department, and the other one.
e2e_who_t e2e_deputy_of(const char *department);

// One request through the contract proxy as who (E2E_ANONYMOUS: no token).
// body: JSON text or NULL; extra: header lines or NULL. POSTs get a fresh
// Idempotency-Key. Returns the status; *out (when not NULL) the parsed body
// (caller owns; NULL when none). A contract violation fails the test.
#define E2E_ANONYMOUS (-1)
int e2e_http(int who, const char *method, const char *path, const char *body,
             const char *extra, json_t **out);

// e2e_http for a text answer: the body into text (size bytes) and the
// Content-Type into type (64 bytes); extra: header lines or NULL.
int e2e_http_text(int who, const char *method, const char *path,
                  const char *extra, char *text, size_t size, char *type);

// The status of a streaming GET (Server-Sent Events) as who, sent to the
// gateway itself: the contract proxy cannot relay a response that never
// ends. Reads the head only.
int e2e_stream_status(int who, const char *path);

// e2e_http that asserts the status and returns the body (caller owns).
json_t *e2e_expect(int status, int who, const char *method, const char *path,
                   const char *body);

// POST /v1/<collection>/<id>/<action> as who, asserting status.
json_t *e2e_act(int who, const char *collection, const char *id,
                const char *action, const char *body, int status);

// The string member of an object, "" when absent. Borrowed.
const char *e2e_str(const json_t *object, const char *member);

// The integer member of an object, 0 when absent.
long long e2e_int(const json_t *object, const char *member);

// Poll fn(arg) every 100 ms up to timeout_ms; true once it is true.
bool e2e_wait(bool (*fn)(void *arg), void *arg, int timeout_ms);

#endif
