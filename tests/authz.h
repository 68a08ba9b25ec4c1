// authz — the authorization matrix: every operation of docs/openapi.yaml
// against a token of every role, inside and outside the resource's
// department, through the real stack (tests/e2e_stack.h). The expectations
// are data, one table per service: tests/authz/<service>.matrix (the
// format is described at the top of tests/authz/README.md).
#ifndef TESTS_AUTHZ_H
#define TESTS_AUTHZ_H

#include <stdbool.h>
#include <stddef.h>

#define AUTHZ_DIR      "tests/authz"
#define AUTHZ_PERSONAS 19  // columns of a row (AUTHZ_PERSONA_CODES)
#define AUTHZ_ROWS_MAX 400 // rows of one table
#define AUTHZ_STEPS    600 // fixture steps of one table
#define AUTHZ_TEXT_MAX 2048
#define AUTHZ_NAME_MAX 96
#define AUTHZ_OPS_MAX  1000 // operations (and actions) in the spec
#define AUTHZ_PERSONA_CODES                                                    \
    "SH DH+ DH- HD+ HD- CS+ CS- TE+ TE- LO+ LO- FI+ FI- SO+ SO- AU+ AU- SY+ "  \
    "SY-"

// What a cell expects: a 2xx, or one status.
typedef enum {
    AUTHZ_OK = 0,
    AUTHZ_403 = 403,
    AUTHZ_404 = 404,
    AUTHZ_409 = 409, // an action that exists for nobody (a case's close)
    AUTHZ_HOLE = 1   // the rules say 403, the service answers 2xx: a known
                     // hole (README.md), run and counted, not a failure
} authz_expect_t;

// One row: an operation (operationId, ":action" for {action} paths, then
// an optional "?query"), the fixture it acts on, the department that
// counts as "in", one expectation per persona, the request body.
typedef struct {
    char operation[AUTHZ_NAME_MAX]; // e.g. postCasesIdAction:answer
    char fixture[AUTHZ_NAME_MAX];   // a fixture name, or "-"
    char in[AUTHZ_NAME_MAX];        // customer_service, technical, ...
    authz_expect_t expect[AUTHZ_PERSONAS];
    char body[AUTHZ_TEXT_MAX]; // JSON with {placeholders}, or "" for none
    int line;                  // in the table file
} authz_row_t;

// One step of a fixture: who does what; ">var" keeps the answer's id.
typedef struct {
    char fixture[AUTHZ_NAME_MAX]; // the fixture it belongs to
    bool once;                    // run once per table, before the rows
    char who[32];                 // a persona code, or "-" for `set`
    char method[8];               // GET POST PUT PATCH DELETE, or "set"
    char path[AUTHZ_TEXT_MAX];    // path; for `set`: the variable
    char capture[32];             // variable for the answer's id, or ""
    char body[AUTHZ_TEXT_MAX];    // JSON, or for `set`: the value
    int line;
} authz_step_t;

typedef struct {
    char file[AUTHZ_NAME_MAX * 2];
    authz_row_t rows[AUTHZ_ROWS_MAX];
    size_t row_count;
    authz_step_t steps[AUTHZ_STEPS];
    size_t step_count;
} authz_table_t;

// An operation of the spec (with its action, for {action} paths).
typedef struct {
    char key[AUTHZ_NAME_MAX]; // operationId or operationId:action
    char method[8];
    char path[256];
    char tag[32]; // its first tag: the table it belongs in
} authz_op_t;

typedef struct {
    authz_op_t ops[AUTHZ_OPS_MAX];
    size_t count;
    bool full; // the spec has more than AUTHZ_OPS_MAX: loading fails
} authz_spec_t;

// Read a table file into table (reset first). 0, or -1 with the reason in
// error (size bytes).
int authz_table_load(authz_table_t *table, const char *path, char *error,
                     size_t size);

// Read docs/openapi.yaml's operations (every action of an {action} path as
// its own key). 0, or -1 when it cannot be read or holds more than
// AUTHZ_OPS_MAX.
int authz_spec_load(authz_spec_t *spec, const char *path);

// The operation of key (the row's operation without "?query"), or NULL.
const authz_op_t *authz_spec_find(const authz_spec_t *spec, const char *key);

// Run every row of table against the running e2e stack. Appends one line
// per cell that differs (and per refused write that changed something) to
// report (size bytes). Returns the number of differences; *cells gets the
// number of cells run.
int authz_table_run(const authz_table_t *table, const authz_spec_t *spec,
                    char *report, size_t size, int *cells);

#endif
