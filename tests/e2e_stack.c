#include "e2e_stack.h"

#include <assert.h>
#include <check.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cm_time.h"
#include "http_client.h"

// What the contract proxy answers instead of a response that breaks the
// contract, and what it logs for it (CONTRACT_SURVEY=1: only the latter).
#define S_VIOLATION     "stoplight.io/prism/errors"
#define S_VIOLATION_LOG "Request terminated with error"
#define S_SURVEY_LOG    "error     Violation:"
#define S_POLL_MS       100

e2e_stack_t e2e_stack;

static void s_stop(e2e_stack_t *s);

// Fail the running test. A failure while the unchecked fixture sets the
// station up stops the stack first: Check runs no teardown after a failed
// setup, and the processes would outlive the run.
static void s_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
s_fail(const char *fmt, ...)
{
    char message[2048];
    va_list args;
    va_start(args, fmt);
    vsnprintf(message, sizeof message, fmt, args);
    va_end(args);
    if (e2e_stack.in_setup) {
        e2e_stack.in_setup = false;
        s_stop(&e2e_stack);
    }
    // Also on stderr: a failure that ends in an unchecked fixture's
    // teardown ends the run before Check prints its messages.
    fprintf(stderr, "e2e: %s\n", message);
    ck_abort_msg("%s", message);
}

static const char *const s_depts[E2E_DEPTS] = {"customer_service", "technical",
                                               "logistics", "finance"};
static const char *const s_roles[E2E_ROLES] = {
    "dept_head", "cs_agent",       "technician", "logistics",
    "finance",   "safety_officer", "auditor",    "system"};

static int
s_index(const char *const *names, int count, const char *name)
{
    for (int i = 0; i < count; i++) {
        if (strcmp(names[i], name) == 0) {
            return i;
        }
    }
    return -1;
}

e2e_who_t
e2e_person(const char *role, const char *department)
{
    if (strcmp(role, "station_head") == 0) {
        return E2E_HEAD;
    }
    int d = s_index(s_depts, E2E_DEPTS, department);
    int r = s_index(s_roles, E2E_ROLES, role);
    if (d < 0 || r < 0) {
        s_fail("nobody is %s in %s", role, department);
    }
    return (e2e_who_t)(E2E_GRID + d * E2E_ROLES + r);
}

e2e_who_t
e2e_deputy_of(const char *department)
{
    bool a = strcmp(department, "customer_service") == 0
             || strcmp(department, "technical") == 0;
    return a ? E2E_DEPUTY_A : E2E_DEPUTY_B;
}

const char *
e2e_str(const json_t *object, const char *member)
{
    const char *text = json_string_value(json_object_get(object, member));
    return text ? text : "";
}

long long
e2e_int(const json_t *object, const char *member)
{
    const json_t *value = json_object_get(object, member);
    return json_is_integer(value) ? (long long)json_integer_value(value) : 0;
}

bool
e2e_wait(bool (*fn)(void *arg), void *arg, int timeout_ms)
{
    int64_t until = cm_time_mono_ms() + timeout_ms;
    for (;;) {
        if (fn(arg)) {
            return true;
        }
        if (cm_time_mono_ms() >= until) {
            return false;
        }
        struct timespec pause = {0, S_POLL_MS * 1000 * 1000};
        nanosleep(&pause, NULL); // polling with a bound, not synchronising
    }
}

// ---- requests

static void
s_headers(char *headers, size_t size, int who, const char *method,
          const char *body, const char *extra)
{
    int n = 0;
    if (who >= 0) {
        n += snprintf(headers + n, size - (size_t)n,
                      "Authorization: Bearer %s\r\n", e2e_stack.tokens[who]);
    }
    if (body) {
        n += snprintf(headers + n, size - (size_t)n,
                      "Content-Type: application/json\r\n");
    }
    if (strcmp(method, "POST") == 0) {
        static unsigned long serial; // a fresh key for every POST
        n += snprintf(headers + n, size - (size_t)n,
                      "Idempotency-Key: e2e-%d-%lu\r\n", (int)getpid(),
                      ++serial);
    }
    snprintf(headers + n, size - (size_t)n, "%s", extra ? extra : "");
}

int
e2e_http(int who, const char *method, const char *path, const char *body,
         const char *extra, json_t **out)
{
    char headers[1024];
    s_headers(headers, sizeof headers, who, method, body, extra);
    http_client_response_t *response = malloc(sizeof *response);
    assert(response);
    response->body[0] = '\0';
    int rc = http_client_request(e2e_stack.proxy_port, method, path, headers,
                                 body, response);
    int status = rc == 0 ? response->status : 0;
    // The contract check: the proxy answers a violation with its own problem.
    if (strstr(response->body, S_VIOLATION)) {
        s_fail("contract violation: %s %s (body %.300s) -> %.1500s", method,
               path, body ? body : "-", response->body);
    }
    if (out) {
        *out = response->body_size
                   ? json_loads(response->body, JSON_DECODE_ANY, NULL)
                   : NULL;
    }
    free(response);
    return status;
}

int
e2e_http_text(int who, const char *method, const char *path, const char *extra,
              char *text, size_t size, char *type)
{
    char headers[1024];
    s_headers(headers, sizeof headers, who, method, NULL, extra);
    http_client_response_t *response = malloc(sizeof *response);
    assert(response);
    response->body[0] = '\0';
    int rc = http_client_request(e2e_stack.proxy_port, method, path, headers,
                                 NULL, response);
    int status = rc == 0 ? response->status : 0;
    if (strstr(response->body, S_VIOLATION)) {
        s_fail("contract violation: %s %s -> %.1500s", method, path,
               response->body);
    }
    snprintf(text, size, "%s", response->body);
    type[0] = '\0';
    http_client_header(response, "Content-Type", type, 64);
    free(response);
    return status;
}

int
e2e_stream_status(int who, const char *path)
{
    char headers[1024], head[512] = "";
    s_headers(headers, sizeof headers, who, "GET", NULL, NULL);
    int fd = http_client_connect(e2e_stack.gateway_port);
    if (fd < 0) {
        return 0;
    }
    http_client_send(fd, "GET", path, headers, NULL, 0);
    size_t n = 0;
    while (n + 1 < sizeof head && !strstr(head, "\r\n")) {
        ssize_t got = read(fd, head + n, sizeof head - n - 1);
        if (got <= 0) {
            break;
        }
        n += (size_t)got;
        head[n] = '\0';
    }
    close(fd);
    int status = 0;
    return sscanf(head, "HTTP/1.%*d %d", &status) == 1 ? status : 0;
}

json_t *
e2e_expect(int status, int who, const char *method, const char *path,
           const char *body)
{
    json_t *out = NULL;
    int got = e2e_http(who, method, path, body, NULL, &out);
    if (got != status) {
        char *text = out ? json_dumps(out, JSON_COMPACT) : NULL;
        s_fail("%s %s as %s: want %d, got %d: %.900s", method, path,
               who >= 0 ? e2e_stack.ids[who] : "nobody", status, got,
               text ? text : "");
    }
    return out;
}

json_t *
e2e_act(int who, const char *collection, const char *id, const char *action,
        const char *body, int status)
{
    char path[192];
    snprintf(path, sizeof path, "/v1/%s/%s/%s", collection, id, action);
    return e2e_expect(status, who, "POST", path, body ? body : "{}");
}

// ---- the station

static void
s_department(const char *code)
{
    char body[160];
    snprintf(body, sizeof body, "{\"code\":\"%s\",\"name\":\"%s\"}", code,
             code);
    json_decref(e2e_expect(201, E2E_HEAD, "POST", "/v1/departments", body));
}

static void
s_staff(e2e_who_t who, const char *name, const char *role, const char *dept)
{
    char body[256];
    snprintf(body, sizeof body,
             "{\"name\":\"%s\",\"role\":\"%s\",\"department\":\"%s\"}", name,
             role, dept);
    json_t *staff = e2e_expect(201, E2E_HEAD, "POST", "/v1/staff", body);
    snprintf(e2e_stack.ids[who], E2E_ID_MAX, "%s", e2e_str(staff, "id"));
    json_decref(staff);
}

static void
s_token(e2e_who_t who)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/staff/%s/tokens", e2e_stack.ids[who]);
    json_t *token =
        e2e_expect(201, E2E_HEAD, "POST", path, "{\"name\":\"e2e\"}");
    snprintf(e2e_stack.tokens[who], E2E_TOKEN_MAX, "%s",
             e2e_str(token, "token"));
    json_decref(token);
}

// Name the head and the deputy of department d.
static void
s_posts(int d)
{
    char path[96], body[160];
    snprintf(path, sizeof path, "/v1/departments/%s", s_depts[d]);
    snprintf(body, sizeof body, "{\"head\":\"%s\",\"deputy\":\"%s\"}",
             e2e_stack.ids[e2e_person("dept_head", s_depts[d])],
             e2e_stack.ids[e2e_deputy_of(s_depts[d])]);
    json_decref(e2e_expect(200, E2E_HEAD, "PATCH", path, body));
}

// Every service's org view has the last post: deputy B over finance (the
// satisfaction report of a department is theirs to read; so is its roster).
static bool
s_views_ready(void *arg)
{
    (void)arg; // nothing to pass
    return e2e_http(E2E_DEPUTY_B, "GET",
                    "/v1/reports/satisfaction?department=finance", NULL, NULL,
                    NULL)
               == 200
           && e2e_http(E2E_DEPUTY_B, "PUT", "/v1/rosters/finance",
                       "{\"on_duty\":[]}", NULL, NULL)
                  == 200;
}

// ---- three-level safety training of the technicians (field work)

static bool
s_onboarding_exists(void *arg)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/onboarding/%s", (const char *)arg);
    return e2e_http(E2E_HEAD, "GET", path, NULL, NULL, NULL) == 200;
}

// The three levels of who (of department dept), each by its owner.
static void
s_train(e2e_who_t who, const char *dept)
{
    if (!e2e_wait(s_onboarding_exists, e2e_stack.ids[who], E2E_UP_MS)) {
        s_fail("no onboarding record for %s", e2e_stack.ids[who]);
    }
    static const char *const levels[] = {"station", "department", "team"};
    e2e_who_t by[] = {e2e_person("safety_officer", "technical"),
                      e2e_person("dept_head", dept),
                      e2e_person("dept_head", dept)};
    for (size_t i = 0; i < 3; i++) {
        char body[64];
        snprintf(body, sizeof body, "{\"level\":\"%s\"}", levels[i]);
        json_decref(e2e_act(by[i], "onboarding", e2e_stack.ids[who], "sign-off",
                            body, 200));
    }
}

// Dispatch's org view has the training: a field work order may go to the
// second technician (409 training_incomplete until then).
static bool
s_training_seen(void *arg)
{
    char path[96], body[96];
    snprintf(path, sizeof path, "/v1/work-orders/%s/assign", (char *)arg);
    snprintf(body, sizeof body, "{\"assignee\":\"%s\"}",
             e2e_stack.ids[E2E_TECH2]);
    return e2e_http(E2E_HEAD, "POST", path, body, NULL, NULL) == 200;
}

// Train every technician, wait until dispatch knows, and take the probe
// work order through to verified so nobody's load changes.
static void
s_training(void)
{
    s_train(E2E_TECH2, "technical");
    for (int d = 0; d < E2E_DEPTS; d++) {
        s_train(e2e_person("technician", s_depts[d]), s_depts[d]);
    }
    json_t *wo = e2e_expect(201, E2E_HEAD, "POST", "/v1/work-orders",
                            "{\"title\":\"Training check\",\"department\":"
                            "\"technical\",\"field_work\":true}");
    char id[E2E_ID_MAX];
    snprintf(id, sizeof id, "%s", e2e_str(wo, "id"));
    json_decref(wo);
    if (!e2e_wait(s_training_seen, id, E2E_UP_MS)) {
        s_fail("dispatch never saw the technicians' training");
    }
    static const char *const steps[] = {"accept", "start", "complete"};
    for (size_t i = 0; i < 3; i++) {
        json_decref(e2e_act(E2E_TECH2, "work-orders", id, steps[i], "{}", 200));
    }
    json_decref(e2e_act(e2e_person("dept_head", "technical"), "work-orders", id,
                        "verify", "{}", 200));
}

static void
s_station(void)
{
    for (int d = 0; d < E2E_DEPTS; d++) {
        s_department(s_depts[d]);
    }
    s_staff(E2E_DEPUTY_A, "Deputy A", "deputy_head", "management");
    s_staff(E2E_DEPUTY_B, "Deputy B", "deputy_head", "management");
    s_staff(E2E_TECH2, "Second technician", "technician", "technical");
    for (int d = 0; d < E2E_DEPTS; d++) {
        for (int r = 0; r < E2E_ROLES; r++) {
            char name[96];
            snprintf(name, sizeof name, "%s of %s", s_roles[r], s_depts[d]);
            s_staff(e2e_person(s_roles[r], s_depts[d]), name, s_roles[r],
                    s_depts[d]);
        }
    }
    for (int who = E2E_DEPUTY_A; who < E2E_PEOPLE; who++) {
        s_token((e2e_who_t)who);
    }
    for (int d = 0; d < E2E_DEPTS; d++) {
        s_posts(d);
    }
    if (!e2e_wait(s_views_ready, NULL, E2E_UP_MS)) {
        s_fail("the services never saw the org chart");
    }
    s_training();
}

// ---- processes

static void
s_env(e2e_stack_t *s)
{
    const char *bin = harness_bin_dir();
    int n = 0;
#define S_ENV(...) snprintf(s->env[n++], E2E_ENV_SIZE, __VA_ARGS__)
    S_ENV("VAR_DIR=%s", s->var);
    S_ENV("SM_BUILD_DIR=%.*s", (int)(strrchr(bin, '/') - bin), bin);
    S_ENV("SM_REDIS__PORT=%d", s->redis_port);
    S_ENV("SM_BROKER__PORT=%d", harness_free_port());
    S_ENV("SM_HUB__PUB_PORT=%d", harness_free_port());
    S_ENV("SM_HUB__SUB_PORT=%d", harness_free_port());
    S_ENV("SM_HUB__DISCOVER_MS=100");
    S_ENV("SM_GATEWAY__PORT=%d", s->gateway_port);
    S_ENV("SM_GATEWAY__DEADLINE_MS=8000");
    S_ENV("SM_PERSONNEL__BOOTSTRAP_TOKEN=%s", E2E_BOOT_TOKEN);
    S_ENV("SM_DISPATCH__ESCALATION_STEP_MS=300");
    S_ENV("SM_OVERSIGHT__ESCALATE_AFTER_MS=1000");
    // Webhooks reach the suites' receivers on loopback only.
    S_ENV("SM_WEBHOOKS__ALLOWED_HOSTS=127.0.0.1");
    S_ENV("LOG_LEVEL=notice");
    S_ENV("LOG_FORMAT=json");
    S_ENV("CONTRACT_PORT=%d", s->proxy_port);
    S_ENV("CONTRACT_UPSTREAM=http://127.0.0.1:%d", s->gateway_port);
#undef S_ENV
    for (int i = 0; i < n; i++) {
        s->envp[i] = s->env[i];
    }
    s->envp[n] = NULL;
}

static bool
s_ready(void *arg)
{
    (void)arg; // nothing to pass
    return harness_proc_is_alive(&e2e_stack.run)
           && e2e_http(E2E_ANONYMOUS, "GET", "/readyz", NULL, NULL, NULL)
                  == 200;
}

static void
s_today(e2e_stack_t *s)
{
    char at[40];
    cm_time_format(cm_time_now_ms(), at);
    snprintf(s->today, sizeof s->today, "%.10s", at);
    s->year = atoi(s->today);
}

void
e2e_stack_setup(void)
{
    e2e_stack_t *s = &e2e_stack;
    memset(s, 0, sizeof *s);
    s->started = cm_time_mono_ms();
    snprintf(s->var, sizeof s->var, "/tmp/sm-e2e-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(s->var));
    s->redis_port = harness_free_port();
    s->gateway_port = harness_free_port();
    s->proxy_port = harness_free_port();
    s_env(s);
    s_today(s);
    snprintf(s->ids[E2E_HEAD], E2E_ID_MAX, "ST-1");
    snprintf(s->tokens[E2E_HEAD], E2E_TOKEN_MAX, "%s", E2E_BOOT_TOKEN);
    bool started = harness_proc_start_path(&s->run, "run-local",
                                           "scripts/run-local", s->envp)
                       == 0
                   && harness_proc_start_path(&s->proxy, "contract-proxy",
                                              "scripts/contract-proxy", s->envp)
                          == 0
                   && e2e_wait(s_ready, NULL, E2E_UP_MS);
    s->in_setup = true;
    if (!started) {
        s_fail("the stack or the contract proxy did not come up");
    }
    s_station();
    s->in_setup = false;
}

// Lines of the proxy's log that record a contract violation.
static int
s_violations(const harness_proc_t *proxy, char *first, size_t size)
{
    FILE *log = fopen(proxy->log, "r");
    char line[HARNESS_LINE_MAX];
    int count = 0;
    while (log && fgets(line, sizeof line, log)) {
        bool violation =
            strstr(line, S_VIOLATION_LOG) || strstr(line, S_SURVEY_LOG);
        if (violation && count++ == 0) {
            snprintf(first, size, "%s", line);
        }
    }
    if (log) {
        fclose(log);
    }
    return count;
}

static void
s_stop(e2e_stack_t *s)
{
    harness_proc_kill(&s->proxy, SIGTERM, 5000);
    harness_proc_kill(&s->run, SIGTERM, 60000);
    // SM_TEST_KEEP_LOGS=1 keeps the logs (and VAR_DIR) for a post-mortem.
    if (!getenv("SM_TEST_KEEP_LOGS")) {
        harness_proc_cleanup(&s->proxy);
        harness_proc_cleanup(&s->run);
        char command[HARNESS_PATH_MAX + 16];
        snprintf(command, sizeof command, "rm -rf '%s'", s->var);
        if (system(command) != 0) {
            fprintf(stderr, "e2e: could not remove %s\n", s->var);
        }
    }
}

void
e2e_stack_teardown(void)
{
    e2e_stack_t *s = &e2e_stack;
    char first[HARNESS_LINE_MAX] = "";
    int violations = s_violations(&s->proxy, first, sizeof first);
    s_stop(s);
    if (violations) {
        // An unchecked fixture's failure ends the run before Check's
        // summary: say it on stderr too.
        fprintf(stderr,
                "e2e: the contract proxy logged %d violation(s); "
                "first: %s\n",
                violations, first);
    }
    ck_assert_msg(violations == 0,
                  "the contract proxy logged %d violation(s); first: %s",
                  violations, first);
}
