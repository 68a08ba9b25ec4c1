// test_safety_stack — the stack the safety-audit integration suites run
// against: a private redis-server, the broker, the hub, personnel (real
// tokens), safety-audit, dispatch and the gateway; the people of a small
// station created through the gateway with tokens; HTTP helpers that call
// the gateway as one of them.
#ifndef TESTS_TEST_SAFETY_STACK_H
#define TESTS_TEST_SAFETY_STACK_H

#include <jansson.h>
#include <stdbool.h>

#include "harness.h"
#include "http_stack.h"

#define SAF_BOOT_TOKEN "smt_safety_suite_bootstrap_token_0123456789abcd"

// The people (index into saf_stack.ids / tokens).
typedef enum {
    SAF_HEAD,      // station head (bootstrap), heads management
    SAF_OFFICER,   // safety_officer, management
    SAF_OFFICER2,  // safety_officer, management
    SAF_TECH_HEAD, // dept head of tech
    SAF_LEAD,      // technician of tech, the hire's team lead
    SAF_TECH,      // technician of tech
    SAF_HIRE,      // technician of tech, the new hire
    SAF_OPS_HEAD,  // dept head of ops
    SAF_AUDITOR,   // auditor, management
    SAF_PEOPLE
} saf_who_t;

// The stack (tests/http_stack.h); ids and tokens are indexed by saf_who_t.
extern http_stack_t saf_stack;

// Unchecked fixture: start the stack and create the people; stop all.
void saf_stack_setup(void);
void saf_stack_teardown(void);

// One HTTP request through the gateway as `who`. body: JSON text or NULL.
// Returns the status; *out (when not NULL) gets the parsed body (caller
// owns; NULL when none).
int saf_http(saf_who_t who, const char *method, const char *path,
             const char *body, json_t **out);

// saf_http that asserts the status and returns the body (caller owns).
json_t *saf_expect(int status, saf_who_t who, const char *method,
                   const char *path, const char *body);

// A new staff member (role, department) with a token: the index it was
// stored at (`slot`, normally SAF_HIRE) gets the id and token.
void saf_staff(saf_who_t slot, const char *name, const char *role,
               const char *dept);

// Poll fn(arg) every 50 ms up to timeout_ms; true once it is true.
bool saf_wait(bool (*fn)(void *arg), void *arg, int timeout_ms);

// The string member of a JSON object ("" when absent).
const char *saf_text(const json_t *object, const char *member);

#endif
