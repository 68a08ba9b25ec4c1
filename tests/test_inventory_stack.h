// test_inventory_stack — the stack the inventory integration suites run
// against: a private redis-server, the broker, the hub, personnel (real
// tokens), finance, inventory and the gateway; the people of a small
// station with tokens; this year's approved budget with a materials line
// of the logistics department; HTTP helpers that call the gateway as one
// of them.
#ifndef TESTS_TEST_INVENTORY_STACK_H
#define TESTS_TEST_INVENTORY_STACK_H

#include <check.h>
#include <jansson.h>
#include <stdbool.h>

#include "harness.h"

#define INV_ENV_MAX    12
#define INV_BOOT_TOKEN "smt_inventory_suite_bootstrap_token_0123456789"

// The people (index into inv_stack.ids / tokens).
typedef enum {
    INV_HEAD,      // station head (bootstrap)
    INV_LOG_HEAD,  // dept head of logistics
    INV_KEEPER,    // logistics, logistics: a store keeper
    INV_AWAY,      // logistics role placed in tech: not a keeper
    INV_TECH_HEAD, // dept head of tech
    INV_TECH,      // technician, tech
    INV_AUDITOR,   // auditor, management
    INV_FINANCE,   // finance, finance: a clerk
    INV_FIN_HEAD,  // dept head of finance
    INV_DEPUTY,    // deputy head overseeing tech
    INV_PEOPLE
} inv_who_t;

typedef struct {
    harness_redis_t redis;
    harness_proc_t broker, hub, personnel, finance, inventory, gateway;
    int http_port;
    char env[INV_ENV_MAX][128];        // children's environment
    const char *envp[INV_ENV_MAX + 1]; // NULL-ended
    char ids[INV_PEOPLE][48];          // staff ids
    char tokens[INV_PEOPLE][96];       // their bearer tokens
    char budget[48];                   // this year's approved budget
    char line[64];                     // its logistics materials line
} inv_stack_t;

extern inv_stack_t inv_stack;

// Unchecked fixture: start the stack, create the people and the budget;
// stop everything.
void inv_stack_setup(void);
void inv_stack_teardown(void);

// One HTTP request through the gateway as `who`. body: JSON text or NULL;
// extra: more header lines or NULL. Returns the status; *out (when not
// NULL) gets the parsed body (caller owns; NULL when none).
int inv_http(inv_who_t who, const char *method, const char *path,
             const char *body, const char *extra, json_t **out);

// inv_http that asserts the status and returns the body (caller owns).
json_t *inv_expect(int status, inv_who_t who, const char *method,
                   const char *path, const char *body);

// A new item (JSON body text) created by the keeper; its id into id (48).
void inv_item(const char *body, char *id);

// A movement as the keeper: kind, quantity on item (default location);
// returns the status.
int inv_move(const char *item, const char *kind, long quantity);

// The item's total on hand (GET /v1/stock?item=).
long long inv_on_hand(const char *item);

// The string member of an object, "" when absent. Borrowed.
const char *inv_str(const json_t *object, const char *member);

// The integer member of an object (0 when absent).
long long inv_int(const json_t *object, const char *member);

// The message for field in a problem's errors, or NULL. Borrowed.
const char *inv_error_for(const json_t *problem, const char *field);

// Poll fn(arg) every 50 ms up to timeout_ms; true once it is true.
bool inv_wait(bool (*fn)(void *arg), void *arg, int timeout_ms);

void inv_new_item(const char *name, const char *category, const char *more,
                  char *id);

// The item's ledger page (all of it: tests stay under 1000 entries).
json_t *inv_ledger(inv_who_t who, const char *item, int status);

// A date days from today (UTC), YYYY-MM-DD, into buf (16 bytes).
const char *inv_date(char *buf, int days);

json_t *inv_supplier_act(inv_who_t who, const char *id, const char *action,
                         const char *body, int status);

// Outbox entries of type whose envelope holds subject (quoted, as in
// "\"order/PO-1\"") on sm:{inventory}:outbox.
int inv_outbox_count(const char *type, const char *subject);

// The tests of test_inventory_flow.c, added to the inventory TCase.
void inventory_add_flow(TCase *tc);

// The tests of test_inventory_checks.c (stored-goods checks), added to the
// inventory suite's TCase "checks".
void inventory_add_checks(TCase *tc);

#endif
