// gateway_stack — the stack the gateway integration suites run against:
// real redis-server, broker, hub and gateway processes (tests/harness), and
// test workers in this process that pretend to be personnel (token
// resolution), intake and dispatch.
//
// Fake tokens: tok-head (station_head, management), tok-agent (cs_agent,
// customer_service), tok-sys (system, management), tok-tech (technician,
// technical), tok-soon (cs_agent; expires GATEWAY_STACK_SOON_MS after its
// first resolution, unknown after that); any other tok-* is a station head.
// Fake intake routes: …/empty (no body), …/slow (answers after
// GATEWAY_STACK_SLOW_MS), anything else echoes the request envelope.
#ifndef TESTS_GATEWAY_STACK_H
#define TESTS_GATEWAY_STACK_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "harness.h"
#include "http_client.h"

#define GATEWAY_STACK_DEADLINE_MS 700  // gateway/deadline_ms in these tests
#define GATEWAY_STACK_SLOW_MS     1500 // the slow route answers after this
#define GATEWAY_STACK_SOON_MS     1500 // tok-soon expires this long after
#define GATEWAY_STACK_ENV_MAX     20   // environment entries of the stack

// A worker thread answering MDP requests for one service.
typedef struct {
    char service[64];  // MDP service name
    char endpoint[64]; // broker
    pthread_t thread;  // its thread
    atomic_bool stop;  // ask it to leave
    bool running;      // started
    int64_t soon_ms;   // personnel: when tok-soon expires (0: not issued)
} gateway_stack_worker_t;

typedef struct {
    harness_redis_t redis;                // private redis-server
    harness_proc_t broker;                // broker binary
    harness_proc_t hub;                   // hub binary
    harness_proc_t gateway;               // gateway binary
    gateway_stack_worker_t personnel;     // fake personnel (tokens)
    gateway_stack_worker_t intake;        // fake intake (echo)
    harness_proc_t personnel_proc;        // the real personnel, when used
    int port;                             // gateway HTTP
    int broker_port;                      // broker ROUTER
    int hub_pub_port;                     // hub XPUB
    char env[GATEWAY_STACK_ENV_MAX][128]; // environment of the children
    const char *envp[GATEWAY_STACK_ENV_MAX + 1]; // NULL-ended view of env
} gateway_stack_t;

// The stack of the running test (one per forked test).
extern gateway_stack_t gateway_stack;

// A response buffer for tests (large: kept off the stack).
extern http_client_response_t gateway_stack_response;

// Start everything with the default environment plus `extra` ("KEY=value",
// NULL-ended, may be NULL; later entries win); asserts (Check) on failure.
// With "SM_GATEWAY__EMBED_BROKER=true" no broker process is started: the
// gateway binds the broker port itself.
void gateway_stack_start(const char *const *extra);

// Checked fixtures: gateway_stack_start(NULL); stop and clean up.
void gateway_stack_setup(void);
void gateway_stack_teardown(void);

// Start / stop a fake worker for service on the stack's broker.
void gateway_stack_worker_start(gateway_stack_worker_t *worker,
                                const char *service, int broker_port);
void gateway_stack_worker_stop(gateway_stack_worker_t *worker);

// Replace the fake personnel by the personnel binary, bootstrapped with
// boot_token (a station head's token), and wait until it answers.
void gateway_stack_use_personnel(const char *boot_token);

// Poll a routed GET until it is no longer 503 (workers registering).
void gateway_stack_wait_routed(void);

#endif
