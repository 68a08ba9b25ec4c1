// test_finance_stack — the stack the finance integration suites run
// against: a private redis-server, the broker, the hub, personnel (real
// tokens), finance and the gateway; the people of a small station created
// through the gateway with tokens; HTTP helpers that call the gateway as
// one of them; MDP calls to finance's internal routes as a service.
#ifndef TESTS_TEST_FINANCE_STACK_H
#define TESTS_TEST_FINANCE_STACK_H

#include <jansson.h>
#include <stdbool.h>

#include "http_stack.h"

#define FIN_CALL_MS    8000
#define FIN_MAJOR_FEN  800000 // the major-expenditure threshold of tests
#define FIN_TTL_MS     3000   // a pending commitment's life in tests
#define FIN_BOOT_TOKEN "smt_finance_suite_bootstrap_token_0123456789ab"

// The people (index into fin_people).
typedef enum {
    FIN_HEAD,      // station head (bootstrap)
    FIN_FIN_HEAD,  // dept head of finance
    FIN_CLERK,     // finance
    FIN_CLERK2,    // finance
    FIN_TECH_HEAD, // dept head of tech
    FIN_TECH,      // technician, tech
    FIN_TECH2,     // technician, tech
    FIN_SYSTEM,    // a service account (role system)
    FIN_PEOPLE
} fin_who_t;

typedef struct {
    http_stack_t http; // redis, processes, ids and tokens of the people
    char endpoint[64]; // broker, for MDP calls
    int year;          // the current UTC year
    char today[16];    // YYYY-MM-DD
    char budget[48];   // this year's approved budget
} fin_stack_t;

extern fin_stack_t fin_stack;

// Unchecked fixture: start the stack, create the people and this year's
// budget (approved); stop everything.
void fin_stack_setup(void);
void fin_stack_teardown(void);

// One HTTP request through the gateway as `who`. body: JSON text or NULL;
// extra: more header lines ("If-Match: \"2\"\r\n") or NULL. Returns the
// status; *out (when not NULL) gets the parsed body (caller owns; NULL
// when none).
int fin_http(fin_who_t who, const char *method, const char *path,
             const char *body, const char *extra, json_t **out);

// fin_http that asserts the status and returns the body (caller owns).
json_t *fin_expect(int status, fin_who_t who, const char *method,
                   const char *path, const char *body);

// A finance internal route over MDP as actor {role}; returns the reply
// envelope (caller owns). key: the Idempotency-Key or NULL.
json_t *fin_internal(const char *role, const char *path, const char *body,
                     const char *key);

// A budget of `year` with the given lines JSON, created by the clerk and
// approved by the finance head and the station head; its id into id.
void fin_approved_budget(int year, const char *lines, char *id);

// An expense claim by `who` (JSON body text); its id into id (48 bytes).
void fin_claim(fin_who_t who, const char *body, char *id);

// POST path/{action} as who with body, expecting status; returns the body.
json_t *fin_act(fin_who_t who, const char *collection, const char *id,
                const char *action, const char *body, int status);

// The integer member of a JSON object (0 when absent).
long long fin_int(const json_t *object, const char *member);

// The execution figure `member` of budget line ref "BU-1/L2".
long long fin_line(const char *ref, const char *member);

// Append an event of `producer` to its outbox as another service would.
void fin_publish(const char *producer, const char *type, const char *data);

// Poll fn(arg) every 50 ms up to timeout_ms; true once it is true.
bool fin_wait(bool (*fn)(void *arg), void *arg, int timeout_ms);

#endif
