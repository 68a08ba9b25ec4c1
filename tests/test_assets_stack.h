// test_assets_stack — the stack the assets integration suites run
// against: a private redis-server, the broker, the hub, personnel (real
// tokens), assets, dispatch, finance, inventory and the gateway; the people of
// a small station created through the gateway with tokens; HTTP helpers that
// call the gateway as one of them; an outbox append for the events other
// services would publish (inventory's receipts).
#ifndef TESTS_TEST_ASSETS_STACK_H
#define TESTS_TEST_ASSETS_STACK_H

#include <jansson.h>
#include <stdbool.h>

#include "harness.h"
#include "http_stack.h"

#define AST_BOOT_TOKEN "smt_assets_suite_bootstrap_token_0123456789abcd"

// The people (index into ast_stack.ids / tokens).
typedef enum {
    AST_HEAD,      // station head (bootstrap), heads management
    AST_TECH_HEAD, // dept_head of technical (its named head)
    AST_TECH,      // technician of technical
    AST_TECH2,     // technician of technical
    AST_OPS_HEAD,  // dept_head of ops (its named head)
    AST_OPS,       // cs_agent of ops
    AST_OFFICER,   // safety_officer, management
    AST_AUDITOR,   // auditor, management
    AST_OPS_TECH,  // technician placed in ops (not a keeper)
    AST_FIN,       // finance of finance
    AST_PEOPLE
} ast_who_t;

// The stack (tests/http_stack.h); ids and tokens are indexed by ast_who_t.
extern http_stack_t ast_stack;

// Unchecked fixture: start the stack and create the people; stop all.
void ast_stack_setup(void);
void ast_stack_teardown(void);

// One HTTP request through the gateway as `who`. body: JSON text or NULL.
// Returns the status; *out (when not NULL) gets the parsed body (caller
// owns; NULL when none).
int ast_http(ast_who_t who, const char *method, const char *path,
             const char *body, json_t **out);

// ast_http that asserts the status and returns the body (caller owns).
json_t *ast_expect(int status, ast_who_t who, const char *method,
                   const char *path, const char *body);

// Append an event of `producer` (type, subject, version, data as JSON
// text) to its outbox, as that service's commit would.
void ast_publish(const char *producer, const char *type, const char *subject,
                 int version, const char *data_text);

// Poll fn(arg) every 50 ms up to timeout_ms; true once it is true.
bool ast_wait(bool (*fn)(void *arg), void *arg, int timeout_ms);

// The string member of a JSON object ("" when absent).
const char *ast_text(const json_t *object, const char *member);

// The first errors[].field of a problem ("" when none).
const char *ast_error_field(const json_t *problem);

#endif
