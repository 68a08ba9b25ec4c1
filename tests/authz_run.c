// authz_run — running the matrix tables against the e2e stack: fixtures
// made through the API, one request per cell, refused writes checked to
// have changed nothing.
#include "authz.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cm_time.h"
#include "e2e_stack.h"

#define S_VARS      24
#define S_VAR_SIZE  128
#define S_DAY_MS    86400000LL
#define S_YEAR0     2030 // fresh budgets of their own year: 2030-2099
#define S_YEARS     70
#define S_ATTEMPTS  5 // tries of a request that met a concurrent change
#define S_SETTLE    3 // equal version reads in a row: the document settled
#define S_SETTLE_MS 200
#define S_GET_TRIES 100 // a GET fixture step: 404 read again, 50 ms apart

// Variables of a fixture instance ({id}, {token_id}, …) and of the table's
// once-fixtures, with the departments of the row.
typedef struct {
    char names[S_VARS][32];
    char values[S_VARS][S_VAR_SIZE];
    size_t count;
} s_vars_t;

typedef struct {
    const authz_table_t *table;
    const authz_spec_t *spec;
    s_vars_t once;      // the table's once-fixtures
    s_vars_t vars;      // the current fixture instance
    const char *in;     // the row's department
    const char *out;    // the other one
    unsigned long uniq; // for unique names, numbers and years
    char *report;       // differences, one per line
    size_t report_size; // its size
    int differences;    // lines in report
    int cells;          // cells run
    int holes;          // of which known holes
} s_run_t;

static const char *const s_codes[AUTHZ_PERSONAS] = {
    "SH",  "DH+", "DH-", "HD+", "HD-", "CS+", "CS-", "TE+", "TE-", "LO+",
    "LO-", "FI+", "FI-", "SO+", "SO-", "AU+", "AU-", "SY+", "SY-"};
static const char *const s_code_roles[] = {
    "HD", "dept_head", "CS", "cs_agent", "TE", "technician",
    "LO", "logistics", "FI", "finance",  "SO", "safety_officer",
    "AU", "auditor",   "SY", "system",   NULL};

static void
s_differ(s_run_t *run, const char *fmt, ...)
{
    size_t used = strlen(run->report);
    if (used + 1 < run->report_size) {
        va_list args;
        va_start(args, fmt);
        vsnprintf(run->report + used, run->report_size - used, fmt, args);
        va_end(args);
        used = strlen(run->report);
        snprintf(run->report + used, run->report_size - used, "\n");
    }
    run->differences++;
}

// The department outside `in`: logistics for the customer side, technical
// for the back office (the other deputy head oversees it).
static const char *
s_out_of(const char *in)
{
    bool front =
        strcmp(in, "customer_service") == 0 || strcmp(in, "technical") == 0;
    return front ? "logistics" : "technical";
}

// The person a persona code names for this row; -1 when unknown.
static int
s_who(const s_run_t *run, const char *code)
{
    if (strcmp(code, "SH") == 0) {
        return E2E_HEAD;
    }
    size_t n = strlen(code);
    bool at = n > 3 && code[2] == '@'; // RO@department: a fixed person
    if (!at && (n != 3 || (code[2] != '+' && code[2] != '-'))) {
        return -1;
    }
    const char *dept = at ? code + 3 : code[2] == '+' ? run->in : run->out;
    if (strncmp(code, "DH", 2) == 0) {
        return e2e_deputy_of(dept);
    }
    for (size_t i = 0; s_code_roles[i]; i += 2) {
        if (strncmp(code, s_code_roles[i], 2) == 0) {
            return e2e_person(s_code_roles[i + 1], dept);
        }
    }
    return -1;
}

static void
s_set(s_vars_t *vars, const char *name, const char *value)
{
    for (size_t i = 0; i < vars->count; i++) {
        if (strcmp(vars->names[i], name) == 0) {
            snprintf(vars->values[i], S_VAR_SIZE, "%s", value);
            return;
        }
    }
    assert(vars->count < S_VARS);
    snprintf(vars->names[vars->count], 32, "%s", name);
    snprintf(vars->values[vars->count++], S_VAR_SIZE, "%s", value);
}

static const char *
s_get(const s_vars_t *vars, const char *name)
{
    for (size_t i = 0; i < vars->count; i++) {
        if (strcmp(vars->names[i], name) == 0) {
            return vars->values[i];
        }
    }
    return NULL;
}

// The value of placeholder name into value; false when unknown.
static bool
s_value(const s_run_t *run, const char *name, char *value, size_t size)
{
    const char *known = s_get(&run->vars, name);
    known = known ? known : s_get(&run->once, name);
    char time[40];
    if (known) {
        snprintf(value, size, "%s", known);
    } else if (strcmp(name, "in") == 0 || strcmp(name, "department") == 0) {
        snprintf(value, size, "%s", run->in);
    } else if (strcmp(name, "out") == 0) {
        snprintf(value, size, "%s", run->out);
    } else if (strcmp(name, "today") == 0) {
        snprintf(value, size, "%s", e2e_stack.today);
    } else if (strcmp(name, "year") == 0) {
        snprintf(value, size, "%d", e2e_stack.year);
    } else if (strcmp(name, "uniq") == 0) {
        snprintf(value, size, "%d%lu", (int)(e2e_stack.started % 1000),
                 run->uniq);
    } else if (strcmp(name, "uniqyear") == 0) {
        snprintf(value, size, "%lu", S_YEAR0 + run->uniq % S_YEARS);
    } else if (strcmp(name, "future") == 0 || strcmp(name, "later") == 0) {
        int days = name[0] == 'f' ? 1 : 30; // later: within 90 days
        cm_time_format(cm_time_now_ms() + days * S_DAY_MS, time);
        snprintf(value, size, "%s", time);
    } else if (strncmp(name, "person:", 7) == 0 && s_who(run, name + 7) >= 0) {
        snprintf(value, size, "%s", e2e_stack.ids[s_who(run, name + 7)]);
    } else {
        return false;
    }
    return true;
}

// Expand {placeholders} of text into out; false (with a difference noted)
// when one is unknown.
static bool
s_expand(s_run_t *run, const char *text, char *out, size_t size, int line)
{
    size_t n = 0;
    for (const char *p = text; *p && n + 1 < size;) {
        const char *close = *p == '{' ? strchr(p, '}') : NULL;
        char name[64], value[S_VAR_SIZE];
        size_t length = close ? (size_t)(close - p - 1) : 0;
        if (length == 0 || length >= sizeof name
            || strcspn(p + 1, "\" {,[") < length) {
            out[n++] = *p++;
            continue;
        }
        snprintf(name, sizeof name, "%.*s", (int)(close - p - 1), p + 1);
        if (!s_value(run, name, value, sizeof value)) {
            s_differ(run, "%s:%d: unknown placeholder {%s}", run->table->file,
                     line, name);
            return false;
        }
        n += (size_t)snprintf(out + n, size - n, "%s", value);
        p = close + 1;
    }
    out[n < size ? n : size - 1] = '\0';
    return true;
}

static long long s_version(const char *path);

// A request; a 409 version_conflict (a service changed the document in
// reaction to the step before, as a client sees it) is tried again. A PATCH
// carries If-Match with the document's current version, as a client that
// read it first would (some types require it).
static int
s_request(int who, const char *method, const char *path, const char *body,
          json_t **out)
{
    int status = 0;
    for (int attempt = 0; attempt < S_ATTEMPTS; attempt++) {
        json_decref(*out);
        *out = NULL;
        char extra[64] = "";
        long long version = strcmp(method, "PATCH") == 0 ? s_version(path) : -1;
        if (version >= 0) {
            snprintf(extra, sizeof extra, "If-Match: \"%lld\"\r\n", version);
        }
        status =
            e2e_http(who, method, path, body, extra[0] ? extra : NULL, out);
        if (status == 412) {
            continue; // changed between the read and the write
        }
        if (status != 409
            || strcmp(e2e_str(*out, "code"), "version_conflict") != 0) {
            break;
        }
    }
    return status;
}

// The string at a dotted path of out ("items.0.id": members and array
// indexes), "" when absent. Borrowed.
static const char *
s_at(const json_t *out, const char *path)
{
    char part[64];
    const json_t *value = out;
    while (value && *path) {
        size_t n = strcspn(path, ".");
        snprintf(part, sizeof part, "%.*s", (int)n, path);
        char *end = NULL;
        long index = strtol(part, &end, 10);
        value = json_is_array(value) && end && !*end && n > 0
                    ? json_array_get(value, (size_t)index)
                    : json_object_get(value, part);
        path += n + (path[n] == '.');
    }
    return json_is_string(value) ? json_string_value(value) : "";
}

// What a step keeps of its answer: `>VAR` the answer's id, `>VAR=path`
// the string at path (s_at). "" when absent. Borrowed.
static const char *
s_captured(const authz_step_t *step, const json_t *out)
{
    const char *path = strchr(step->capture, '=');
    return path ? s_at(out, path + 1) : e2e_str(out, "id");
}

// Run one fixture step; false (difference noted) when it failed.
static bool
s_step(s_run_t *run, const authz_step_t *step, s_vars_t *vars)
{
    char path[AUTHZ_TEXT_MAX], body[AUTHZ_TEXT_MAX];
    if (!s_expand(run, step->body, body, sizeof body, step->line)) {
        return false;
    }
    if (strcmp(step->method, "set") == 0) {
        s_set(vars, step->path, body);
        return true;
    }
    int who = s_who(run, step->who);
    if (who < 0 || !s_expand(run, step->path, path, sizeof path, step->line)) {
        s_differ(run, "%s:%d: bad step", run->table->file, step->line);
        return false;
    }
    json_t *out = NULL;
    int status =
        s_request(who, step->method, path, body[0] ? body : NULL, &out);
    // A GET step waits for a document another service makes from the
    // previous step's event (an onboarding record from a new staff
    // member): 404 is read again, 50 ms apart, for up to 5 s.
    // The same while what it captures by path is not there yet (the
    // record a timer opens, listed under its round).
    for (int tries = 0; strcmp(step->method, "GET") == 0 && tries < S_GET_TRIES
                        && (status == 404
                            || (status == 200 && strchr(step->capture, '=')
                                && !*s_captured(step, out)));
         tries++) {
        struct timespec pause = {0, 50 * 1000 * 1000};
        nanosleep(&pause, NULL); // polling with a bound
        status = s_request(who, step->method, path, NULL, &out);
    }
    bool ok = status >= 200 && status < 300;
    if (!ok) {
        char *text = out ? json_dumps(out, JSON_COMPACT) : NULL;
        s_differ(run, "%s:%d: fixture %s: %s %s -> %d %.300s", run->table->file,
                 step->line, step->fixture, step->method, path, status,
                 text ? text : "");
        free(text);
    } else if (step->capture[0]) {
        char name[sizeof step->capture];
        snprintf(name, sizeof name, "%.*s", (int)strcspn(step->capture, "="),
                 step->capture);
        s_set(vars, name, s_captured(step, out));
    }
    json_decref(out);
    return ok;
}

// A fresh instance of fixture name in run->vars; false when it failed.
static bool
s_fixture(s_run_t *run, const char *name)
{
    memset(&run->vars, 0, sizeof run->vars);
    run->uniq++;
    if (strcmp(name, "-") == 0) {
        return true;
    }
    bool found = false;
    for (size_t i = 0; i < run->table->step_count; i++) {
        const authz_step_t *step = &run->table->steps[i];
        if (step->once || strcmp(step->fixture, name) != 0) {
            continue;
        }
        found = true;
        if (!s_step(run, step, &run->vars)) {
            return false;
        }
    }
    if (!found) {
        s_differ(run, "%s: no fixture %s", run->table->file, name);
    }
    return found;
}

// The table's once-fixtures, in file order, as the customer service side.
static bool
s_once(s_run_t *run)
{
    run->in = "customer_service";
    run->out = s_out_of(run->in);
    for (size_t i = 0; i < run->table->step_count; i++) {
        const authz_step_t *step = &run->table->steps[i];
        run->uniq++;
        if (step->once && !s_step(run, step, &run->once)) {
            return false;
        }
    }
    return true;
}

// The request path of op for this row: path parameters from the fixture's
// variables ({action} from the row's key), the row's query.
static bool
s_path(s_run_t *run, const authz_row_t *row, const authz_op_t *op, char *path,
       size_t size)
{
    const char *action = strchr(row->operation, ':');
    if (action) {
        char name[AUTHZ_NAME_MAX];
        snprintf(name, sizeof name, "%.*s", (int)strcspn(action + 1, "?"),
                 action + 1);
        s_set(&run->vars, "action", name);
    }
    const char *query = strchr(row->operation, '?');
    char templ[AUTHZ_TEXT_MAX];
    snprintf(templ, sizeof templ, "%s%s", op->path, query ? query : "");
    return s_expand(run, templ, path, size, row->line);
}

// Where the document a write acts on is read: the same path (PATCH, PUT,
// DELETE) or without its last segment (a POST action on
// /v1/<collection>/<id>/<action>); "" for a POST to a collection, which
// acts on no document of its own.
static void
s_read_path(const char *method, const char *path, char *read, size_t size)
{
    snprintf(read, size, "%s", path);
    char *query = strchr(read, '?');
    if (query) {
        *query = '\0';
    }
    int segments = 0;
    for (const char *p = read; *p; p++) {
        segments += *p == '/';
    }
    char *slash = strrchr(read, '/');
    if (strcmp(method, "POST") == 0 && slash && slash != read) {
        *slash = '\0';
        if (segments < 4) {
            read[0] = '\0';
        }
    }
}

// The version of the document at path as the station head; -1 when none.
static long long
s_version(const char *path)
{
    json_t *out = NULL;
    int status = e2e_http(E2E_HEAD, "GET", path, NULL, NULL, &out);
    long long version =
        status == 200 && json_is_integer(json_object_get(out, "version"))
            ? e2e_int(out, "version")
            : -1;
    json_decref(out);
    return version;
}

// The version once other services stopped changing the document (their
// reactions to the fixture's last step): S_SETTLE equal reads in a row,
// S_SETTLE_MS apart, for at most 50 reads.
static long long
s_settled_version(const char *path)
{
    long long version = s_version(path);
    for (int same = 1, reads = 1; same < S_SETTLE && reads < 50; reads++) {
        struct timespec pause = {0, S_SETTLE_MS * 1000 * 1000};
        nanosleep(&pause, NULL); // polling with a bound
        long long next = s_version(path);
        same = next == version ? same + 1 : 1;
        version = next;
    }
    return version;
}

static bool
s_matches(authz_expect_t expect, int status)
{
    bool success = status >= 200 && status < 300;
    return expect == AUTHZ_OK || expect == AUTHZ_HOLE ? success
                                                      : status == (int)expect;
}

static void
s_expect_text(authz_expect_t expect, char *text, size_t size)
{
    bool success = expect == AUTHZ_OK || expect == AUTHZ_HOLE;
    snprintf(text, size, success ? "2xx" : "%d", (int)expect);
}

// One cell: persona p of row on the current fixture instance.
static void
s_cell(s_run_t *run, const authz_row_t *row, const authz_op_t *op, int p)
{
    char path[AUTHZ_TEXT_MAX], body[AUTHZ_TEXT_MAX];
    if (!s_path(run, row, op, path, sizeof path)
        || !s_expand(run, row->body, body, sizeof body, row->line)) {
        return;
    }
    json_t *out = NULL;
    size_t n = strlen(op->path);
    bool stream = n > 7 && strcmp(op->path + n - 7, "/stream") == 0;
    int status = stream ? e2e_stream_status(s_who(run, s_codes[p]), path)
                        : s_request(s_who(run, s_codes[p]), op->method, path,
                                    body[0] ? body : NULL, &out);
    run->cells++;
    run->holes += row->expect[p] == AUTHZ_HOLE;
    if (!s_matches(row->expect[p], status)) {
        char *text = out ? json_dumps(out, JSON_COMPACT) : NULL, want[8];
        s_expect_text(row->expect[p], want, sizeof want);
        s_differ(run, "%s:%d %s %s as %s (%s): want %s, got %d %.200s",
                 run->table->file, row->line, row->operation, path, s_codes[p],
                 row->in, want, status, text ? text : "");
        free(text);
    }
    json_decref(out);
}

// The refused (or read-only) cells of a row on one shared instance; for a
// write, its document must be unchanged afterwards.
static void
s_shared_cells(s_run_t *run, const authz_row_t *row, const authz_op_t *op,
               bool write)
{
    if (!s_fixture(run, row->fixture)) {
        return;
    }
    char path[AUTHZ_TEXT_MAX], read[AUTHZ_TEXT_MAX];
    bool have_path = s_path(run, row, op, path, sizeof path);
    s_read_path(op->method, path, read, sizeof read);
    bool document = strcmp(row->fixture, "-") != 0; // not a create
    long long before = write && have_path && document && read[0]
                           ? s_settled_version(read)
                           : -1;
    for (int p = 0; p < AUTHZ_PERSONAS; p++) {
        if (!write
            || (row->expect[p] != AUTHZ_OK && row->expect[p] != AUTHZ_HOLE)) {
            s_cell(run, row, op, p);
        }
    }
    long long after = before >= 0 ? s_version(read) : -1;
    if (before >= 0 && after != before) {
        s_differ(run,
                 "%s:%d %s: refused cells changed %s (version %lld -> "
                 "%lld)",
                 run->table->file, row->line, row->operation, read, before,
                 after);
    }
}

static void
s_row(s_run_t *run, const authz_row_t *row)
{
    const authz_op_t *op = authz_spec_find(run->spec, row->operation);
    if (!op) {
        s_differ(run, "%s:%d: %s is not an operation of docs/openapi.yaml",
                 run->table->file, row->line, row->operation);
        return;
    }
    run->in = row->in;
    run->out = s_out_of(row->in);
    bool write = strcmp(op->method, "GET") != 0;
    s_shared_cells(run, row, op, write);
    for (int p = 0; write && p < AUTHZ_PERSONAS; p++) {
        bool success =
            row->expect[p] == AUTHZ_OK || row->expect[p] == AUTHZ_HOLE;
        if (success && s_fixture(run, row->fixture)) {
            s_cell(run, row, op, p); // a fresh document for every success
        }
    }
}

int
authz_table_run(const authz_table_t *table, const authz_spec_t *spec,
                char *report, size_t size, int *cells)
{
    s_run_t run = {
        .table = table, .spec = spec, .report = report, .report_size = size};
    report[0] = '\0';
    if (s_once(&run)) {
        for (size_t i = 0; i < table->row_count; i++) {
            s_row(&run, &table->rows[i]);
        }
    }
    *cells = run.cells;
    if (run.holes > 0) {
        size_t used = strlen(report);
        snprintf(report + used, size - used,
                 "%s: %d cells are known holes (\"hole\": 2xx where the "
                 "rules say 403)\n",
                 table->file, run.holes);
    }
    return run.differences;
}
