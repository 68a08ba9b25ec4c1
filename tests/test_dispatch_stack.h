// test_dispatch_stack — the stack the dispatch integration suites run
// against: a private redis-server, the broker, the hub and one or two
// dispatch replicas. Requests go over MDP; intake and personnel events are
// committed straight into sm:{intake}:outbox and sm:{personnel}:outbox,
// shaped as those services publish them, so the suites depend on neither.
#ifndef TESTS_TEST_DISPATCH_STACK_H
#define TESTS_TEST_DISPATCH_STACK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_store.h"
#include "harness.h"
#include "harness_mdp.h"

#define DISPATCH_TEST_ENV_MAX   96
#define DISPATCH_TEST_ENV_COUNT 6
#define DISPATCH_TEST_REPLICAS  2
#define DISPATCH_TEST_WAIT_MS   15000

typedef struct {
    harness_redis_t redis;                           // private redis-server
    harness_proc_t broker;                           // the broker binary
    harness_proc_t hub;                              // the hub binary
    harness_proc_t dispatch[DISPATCH_TEST_REPLICAS]; // dispatch replicas
    size_t replicas;                                 // started
    int starts;                                      // dispatch starts
    char endpoint[64]; // broker endpoint for clients
    char env[DISPATCH_TEST_ENV_COUNT][DISPATCH_TEST_ENV_MAX]; // children's
    const char *envp[DISPATCH_TEST_ENV_COUNT + 1]; // NULL-ended view of env
    cm_store_t *store;                             // the test's own connection
} dispatch_stack_t;

// The running stack of the current test (one per forked test).
extern dispatch_stack_t dispatch_stack;

// Checked fixtures: one replica, two replicas; stop everything.
void dispatch_stack_setup(void);
void dispatch_stack_setup_replicas(void);
void dispatch_stack_teardown(void);

// Start replica i again (after a kill) and wait for its workers.
bool dispatch_stack_restart(size_t i);

// Options of a request besides actor, method, path and body.
typedef struct {
    const char *if_match; // the If-Match header's value, or NULL
    json_t *query;        // taken; NULL: none
    // An upload's Content-Type (body: a JSON string of base64), or NULL.
    const char *content_type;
} dispatch_call_options_t;

// Send a request as actor (taken) with body (taken, may be NULL) on a fresh
// client and return the reply envelope (never NULL: asserted). options may
// be NULL.
json_t *dispatch_call_with(json_t *actor, const char *method, const char *path,
                           json_t *body,
                           const dispatch_call_options_t *options);
json_t *dispatch_call(json_t *actor, const char *method, const char *path,
                      json_t *body);

// Commit an event of `producer` (data taken) to its outbox. Returns the
// envelope's time (epoch ms).
int64_t dispatch_publish(const char *producer, const char *type,
                         const char *subject, json_t *data);

// The same with an explicit envelope version; *envelope_text (may be NULL)
// receives the encoded envelope (caller owns it, free) to publish again.
int64_t dispatch_publish_version(const char *producer, const char *type,
                                 const char *subject, int64_t version,
                                 json_t *data, char **envelope_text);

// Commit an already encoded envelope of `type` to producer's outbox again
// (a redelivery).
void dispatch_publish_again(const char *producer, const char *type,
                            const char *envelope_text);

// personnel.staff.created / personnel.department.created. dispatch_staff
// also publishes the person's completed safety training (safety-audit's
// safety.onboarding.completed); dispatch_staff_untrained does not.
void dispatch_staff(const char *id, const char *role, const char *dept);
void dispatch_staff_untrained(const char *id, const char *role,
                              const char *dept);
// A safety.onboarding.* event of safety-audit for staff id: complete, or
// only the station level signed off.
void dispatch_training(const char *id, const char *dept, bool complete);
void dispatch_department(const char *id, const char *head, const char *deputy);

// The org chart: station head ST-1, deputy head ST-20 (overseeing every
// department), heads ST-2 (customer_service), ST-3 (technical), ST-9
// (logistics), technicians ST-5, ST-6, ST-7. Waits until dispatch has it.
void dispatch_seed_org(void);

// True when the document key exists within DISPATCH_TEST_WAIT_MS.
bool dispatch_wait_doc(const char *key);

// A JSON document stored at key (NULL when absent). Caller owns it.
json_t *dispatch_doc(const char *key);

// The stored version of the document at key (0 when absent).
int64_t dispatch_doc_version(const char *key);

// A case summary as intake publishes it. Caller owns it.
json_t *dispatch_case(const char *id, const char *kind, const char *state,
                      const char *severity, const char *dept);

// Publish an intake.case.* event of the summary (taken). Returns the
// envelope's time.
int64_t dispatch_case_event(const char *type, json_t *summary);

// The newest work order of case `id` into out, waiting for it.
bool dispatch_wait_case_workorder(const char *case_id, char *out, size_t size);

// Every dispatch event of `type`. Caller owns the array.
json_t *dispatch_outbox_events(const char *type);

#endif
