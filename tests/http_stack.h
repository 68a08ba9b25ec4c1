// http_stack — the stack an integration suite drives over HTTP as the
// people of a small station: a private redis-server, the broker, the hub,
// personnel (real tokens), the suite's services and the gateway, and the
// people created through personnel, each with a bearer token. The suites'
// own stacks (tests/test_<service>_stack.c) name their services, people,
// departments and configuration, and wait for their org views; starting,
// calling, waiting and stopping are here.
#ifndef TESTS_HTTP_STACK_H
#define TESTS_HTTP_STACK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "harness.h"

#define HTTP_STACK_PEOPLE_MAX 16 // people of one stack
#define HTTP_STACK_PROCS_MAX  10 // broker, hub, personnel, services, gateway
#define HTTP_STACK_ENV_MAX    20 // children's environment variables
#define HTTP_STACK_ID_MAX     48 // a staff id and NUL
#define HTTP_STACK_TOKEN_MAX  96 // a bearer token and NUL

// One person of the station: people[0] is the station head, who is the
// bootstrap account (ST-1, the bootstrap token); personnel creates the
// others on http_stack_person.
typedef struct {
    const char *name, *role, *department;
} http_stack_person_t;

// What a suite's stack is made of.
typedef struct {
    const char *boot_token;            // personnel's bootstrap token
    const char *const *services;       // between personnel and the gateway
    const char *const *env;            // more NAME=value; NULL-ended or NULL
    const http_stack_person_t *people; // [0]: the station head
    size_t people_count;               // at most HTTP_STACK_PEOPLE_MAX
} http_stack_def_t;

typedef struct {
    harness_redis_t redis;
    harness_proc_t procs[HTTP_STACK_PROCS_MAX]; // in start order
    size_t proc_count;
    int http_port;                            // the gateway's
    char env[HTTP_STACK_ENV_MAX][256];        // children's environment
    const char *envp[HTTP_STACK_ENV_MAX + 1]; // NULL-ended
    const http_stack_person_t *people;        // borrowed from the def
    size_t people_count;                      // their count
    char ids[HTTP_STACK_PEOPLE_MAX][HTTP_STACK_ID_MAX];       // staff ids
    char tokens[HTTP_STACK_PEOPLE_MAX][HTTP_STACK_TOKEN_MAX]; // their tokens
} http_stack_t;

// Start redis, then the broker, the hub, personnel, def->services and the
// gateway with the common test configuration (free ports, hub discovery
// every 100 ms, an 8 s gateway deadline, two workers) plus def->env; wait
// for the gateway to start. The station head is people[0] with the
// bootstrap token. On failure: stop what started and fail the test.
void http_stack_start(http_stack_t *s, const http_stack_def_t *def);

// Stop every process (SIGTERM, newest first) and redis; the processes'
// logs stay when SM_TEST_KEEP_LOGS is set.
void http_stack_stop(http_stack_t *s);

// When !ok: stop the stack and fail the test with `what`.
void http_stack_require(http_stack_t *s, bool ok, const char *what);

// The process started as `name` (the first one), or NULL.
harness_proc_t *http_stack_proc(http_stack_t *s, const char *name);

// One HTTP request through the gateway as person `who`. body: JSON text or
// NULL; extra: more header lines or NULL. Returns the status (0 when no
// answer came); *out (when not NULL) gets the parsed body (caller owns;
// NULL when none).
int http_stack_call(const http_stack_t *s, int who, const char *method,
                    const char *path, const char *body, const char *extra,
                    json_t **out);

// http_stack_call that fails the test unless the status is `status`, naming
// the person; returns the body (caller owns).
json_t *http_stack_expect(const http_stack_t *s, int status, int who,
                          const char *method, const char *path,
                          const char *body);

// Poll fn(arg) every 50 ms until it is true (true) or timeout_ms passed.
bool http_stack_wait(bool (*fn)(void *arg), void *arg, int timeout_ms);

// POST /v1/departments {code, name: code} as the station head.
void http_stack_department(http_stack_t *s, const char *code);

// Create person `who` through personnel (name, role, department; or the
// given ones when not NULL) with a token, as the station head.
void http_stack_person(http_stack_t *s, int who, const char *name,
                       const char *role, const char *department);

// PATCH /v1/departments/<code> naming `head` its head and, when deputy >= 0,
// that person its deputy, as the station head.
void http_stack_set_head(http_stack_t *s, const char *code, int head,
                         int deputy);

// The broker's endpoint ("tcp://127.0.0.1:<port>") into buf, for MDP calls
// to a service's internal routes. Returns buf.
const char *http_stack_broker(const http_stack_t *s, char *buf, size_t size);

// The string member of an object, "" when absent. Borrowed.
const char *http_stack_text(const json_t *object, const char *member);

#endif
