// test_logistics_stack — the stack the logistics integration suite runs
// against: a private redis-server, the broker, the hub, personnel (real
// tokens), logistics and the gateway; the people of a small station with
// tokens; HTTP helpers that call the gateway as one of them.
#ifndef TESTS_TEST_LOGISTICS_STACK_H
#define TESTS_TEST_LOGISTICS_STACK_H

#include <check.h>
#include <jansson.h>
#include <stdbool.h>

#include "harness.h"
#include "http_stack.h"

#define LOG_BOOT_TOKEN "smt_logistics_suite_bootstrap_token_0123456789"

// The people (index into log_stack.ids / tokens).
typedef enum {
    LOG_HEAD,      // station head (bootstrap)
    LOG_LOG_HEAD,  // dept head of logistics
    LOG_CLERK,     // logistics, logistics: runs the vehicles
    LOG_AWAY,      // logistics role placed in tech: runs nothing
    LOG_TECH_HEAD, // dept head of tech
    LOG_TECH,      // technician, tech: requests trips
    LOG_DRIVER,    // technician, tech: drives
    LOG_DRIVER2,   // logistics, logistics: drives too
    LOG_AUDITOR,   // auditor, management
    LOG_DEPUTY,    // deputy head overseeing tech
    LOG_PEOPLE
} log_who_t;

// The stack (tests/http_stack.h); ids and tokens are indexed by log_who_t.
extern http_stack_t log_stack;

// Unchecked fixture: start the stack, create the people; stop everything.
void log_stack_setup(void);
void log_stack_teardown(void);

// log_stack_setup with safety-audit running too (the hazards a security
// round's failed items open).
void log_stack_setup_safety(void);

// One HTTP request through the gateway as `who`. body: JSON text or NULL;
// extra: more header lines or NULL. Returns the status; *out (when not
// NULL) gets the parsed body (caller owns; NULL when none).
int log_http(log_who_t who, const char *method, const char *path,
             const char *body, const char *extra, json_t **out);

// log_http that asserts the status and returns the body (caller owns).
json_t *log_expect(int status, log_who_t who, const char *method,
                   const char *path, const char *body);

// The string member of an object, "" when absent. Borrowed.
const char *log_str(const json_t *object, const char *member);

// The integer member of an object (0 when absent).
long long log_int(const json_t *object, const char *member);

// The message for field in a problem's errors, or NULL. Borrowed.
const char *log_error_for(const json_t *problem, const char *field);

// Outbox entries of type whose envelope holds subject (quoted, as in
// "\"trip/TR-1\"") on sm:{logistics}:outbox.
int log_outbox_count(const char *type, const char *subject);

#endif
