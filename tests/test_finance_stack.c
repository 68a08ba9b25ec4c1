#include "test_finance_stack.h"

#include <check.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cm_envelope.h"
#include "cm_mdp_client.h"
#include "cm_outbox.h"
#include "cm_store.h"
#include "cm_time.h"
#include "harness_mdp.h"
#include "http_client.h"

fin_stack_t fin_stack;

// Lines of this year's budget (L1..L6), each used by its own tests.
#define S_LINES                                                                \
    "[{\"category\":\"travel\",\"department\":\"tech\",\"amount\":10000000},"  \
    "{\"category\":\"office\",\"department\":\"tech\",\"amount\":1000000},"    \
    "{\"category\":\"repair\",\"department\":\"tech\",\"amount\":500000,"      \
    "\"control\":\"warn\",\"threshold_pct\":50,\"period\":\"monthly\"},"       \
    "{\"category\":\"training\",\"department\":\"tech\",\"amount\":2000000,"   \
    "\"period\":\"quarterly\"},"                                               \
    "{\"category\":\"equipment\",\"department\":\"tech\","                     \
    "\"amount\":50000000},"                                                    \
    "{\"category\":\"travel\",\"department\":\"finance\",\"amount\":1000000}]"

static const struct {
    const char *name, *role, *department;
} s_people[FIN_PEOPLE] = {
    {"Station head", "station_head", "management"},
    {"Finance head", "dept_head", "finance"},
    {"Clerk One", "finance", "finance"},
    {"Clerk Two", "finance", "finance"},
    {"Tech head", "dept_head", "tech"},
    {"Tech One", "technician", "tech"},
    {"Tech Two", "technician", "tech"},
    {"Inventory service", "system", "logistics"},
};

static void
s_env(fin_stack_t *s)
{
    int n = 0;
    snprintf(s->env[n++], 128, "SM_REDIS__PORT=%d", s->redis.port);
    snprintf(s->env[n++], 128, "SM_BROKER__PORT=%d", harness_free_port());
    snprintf(s->env[n++], 128, "SM_HUB__PUB_PORT=%d", harness_free_port());
    snprintf(s->env[n++], 128, "SM_HUB__SUB_PORT=%d", harness_free_port());
    snprintf(s->env[n++], 128, "SM_HUB__DISCOVER_MS=100");
    snprintf(s->env[n++], 128, "SM_GATEWAY__PORT=%d", s->http_port);
    snprintf(s->env[n++], 128, "SM_GATEWAY__DEADLINE_MS=8000");
    snprintf(s->env[n++], 128, "SM_PERSONNEL__BOOTSTRAP_TOKEN=%s",
             FIN_BOOT_TOKEN);
    snprintf(s->env[n++], 128, "SM_FINANCE__MAJOR_EXPENDITURE_FEN=%d",
             FIN_MAJOR_FEN);
    snprintf(s->env[n++], 128, "SM_FINANCE__RESERVATION_TTL_MS=%d", FIN_TTL_MS);
    snprintf(s->env[n++], 128, "SM_SERVICE__WORKERS=2");
    for (int i = 0; i < n; i++) {
        s->envp[i] = s->env[i];
    }
    s->envp[n] = NULL;
    snprintf(s->endpoint, sizeof s->endpoint, "tcp://127.0.0.1:%s",
             strchr(s->env[1], '=') + 1);
}

int
fin_http(fin_who_t who, const char *method, const char *path, const char *body,
         const char *extra, json_t **out)
{
    char headers[512];
    snprintf(headers, sizeof headers,
             "Authorization: Bearer %s\r\nContent-Type: application/json\r\n%s",
             fin_stack.tokens[who], extra ? extra : "");
    http_client_response_t *response = malloc(sizeof *response);
    ck_assert_ptr_nonnull(response);
    int rc = http_client_request(fin_stack.http_port, method, path, headers,
                                 body, response);
    int status = rc == 0 ? response->status : 0;
    if (out) {
        *out = response->body_size
                   ? json_loads(response->body, JSON_DECODE_ANY, NULL)
                   : NULL;
    }
    free(response);
    return status;
}

json_t *
fin_expect(int status, fin_who_t who, const char *method, const char *path,
           const char *body)
{
    json_t *out = NULL;
    int got = fin_http(who, method, path, body, NULL, &out);
    if (got != status) {
        char *text = out ? json_dumps(out, JSON_COMPACT) : NULL;
        ck_abort_msg("%s %s as %s: want %d, got %d: %.900s", method, path,
                     s_people[who].name, status, got, text ? text : "");
    }
    return out;
}

json_t *
fin_act(fin_who_t who, const char *collection, const char *id,
        const char *action, const char *body, int status)
{
    char path[160];
    snprintf(path, sizeof path, "/v1/%s/%s/%s", collection, id, action);
    return fin_expect(status, who, "POST", path, body ? body : "{}");
}

long long
fin_int(const json_t *object, const char *member)
{
    const json_t *value = json_object_get(object, member);
    return json_is_integer(value) ? (long long)json_integer_value(value) : 0;
}

long long
fin_line(const char *ref, const char *member)
{
    char path[160];
    const char *slash = strchr(ref, '/');
    ck_assert_ptr_nonnull(slash);
    snprintf(path, sizeof path, "/v1/budgets/%.*s/lines/%s", (int)(slash - ref),
             ref, slash + 1);
    json_t *line = fin_expect(200, FIN_CLERK, "GET", path, NULL);
    long long value = fin_int(json_object_get(line, "execution"), member);
    json_decref(line);
    return value;
}

json_t *
fin_internal(const char *role, const char *path, const char *body,
             const char *key)
{
    cm_mdp_client_t *client = cm_mdp_client_new(fin_stack.endpoint);
    ck_assert_ptr_nonnull(client);
    json_t *actor = harness_mdp_actor("inventory", role, NULL);
    json_t *parsed = json_loads(body, 0, NULL);
    ck_assert_ptr_nonnull(parsed);
    cm_envelope_request_t fields = {.idempotency_key = key,
                                    .actor = actor,
                                    .method = "POST",
                                    .path = path,
                                    .body = parsed};
    json_t *reply = harness_mdp_call(client, "finance", &fields, FIN_CALL_MS);
    ck_assert_msg(reply != NULL, "no reply to %s", path);
    json_decref(parsed);
    json_decref(actor);
    cm_mdp_client_destroy(&client);
    return reply;
}

void
fin_publish(const char *producer, const char *type, const char *data_text)
{
    cm_store_t *store =
        cm_store_new("127.0.0.1", fin_stack.redis.port, "", 2000);
    json_t *data = json_loads(data_text, 0, NULL);
    ck_assert_ptr_nonnull(data);
    cm_commit_t *commit = cm_commit_new(producer);
    cm_envelope_event_t event = {.type = type,
                                 .source = producer,
                                 .subject = "test/1",
                                 .version = 1,
                                 .data = data};
    ck_assert_int_eq(cm_outbox_append(commit, &event), 0);
    cm_commit_result_t result;
    ck_assert_int_eq(cm_store_commit(store, commit, &result), 0);
    cm_commit_result_clear(&result);
    cm_commit_destroy(&commit);
    json_decref(data);
    cm_store_destroy(&store);
}

bool
fin_wait(bool (*fn)(void *arg), void *arg, int timeout_ms)
{
    for (int waited = 0; waited <= timeout_ms; waited += 50) {
        if (fn(arg)) {
            return true;
        }
        struct timespec pause = {0, 50 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    return false;
}

// Create a department as the station head.
static void
s_department(const char *code)
{
    char body[128];
    snprintf(body, sizeof body, "{\"code\":\"%s\",\"name\":\"%s\"}", code,
             code);
    json_decref(fin_expect(201, FIN_HEAD, "POST", "/v1/departments", body));
}

static void
s_set_head(const char *code, fin_who_t head)
{
    char path[96], body[96];
    snprintf(path, sizeof path, "/v1/departments/%s", code);
    snprintf(body, sizeof body, "{\"head\":\"%s\"}", fin_stack.ids[head]);
    json_decref(fin_expect(200, FIN_HEAD, "PATCH", path, body));
}

// Staff and a token for every person but the station head (bootstrap).
static void
s_people_create(void)
{
    s_department("finance");
    s_department("tech");
    s_department("logistics");
    for (int who = FIN_FIN_HEAD; who < FIN_PEOPLE; who++) {
        char body[256], path[96];
        snprintf(body, sizeof body,
                 "{\"name\":\"%s\",\"role\":\"%s\",\"department\":\"%s\"}",
                 s_people[who].name, s_people[who].role,
                 s_people[who].department);
        json_t *staff = fin_expect(201, FIN_HEAD, "POST", "/v1/staff", body);
        snprintf(fin_stack.ids[who], 48, "%s",
                 json_string_value(json_object_get(staff, "id")));
        json_decref(staff);
        snprintf(path, sizeof path, "/v1/staff/%s/tokens", fin_stack.ids[who]);
        json_t *token = fin_expect(201, FIN_HEAD, "POST", path, "{}");
        snprintf(fin_stack.tokens[who], 96, "%s",
                 json_string_value(json_object_get(token, "token")));
        json_decref(token);
    }
    s_set_head("finance", FIN_FIN_HEAD);
    s_set_head("tech", FIN_TECH_HEAD);
}

// finance's org view knows the heads (personnel's events consumed).
static bool
s_org_ready(void *arg)
{
    (void)arg; // nothing to pass
    char *text = harness_redis_cmd(&fin_stack.redis, "HGET",
                                   "sm:{finance}:org:department:tech", "doc");
    bool ready = text && strstr(text, fin_stack.ids[FIN_TECH_HEAD]);
    free(text);
    char *finance = harness_redis_cmd(
        &fin_stack.redis, "HGET", "sm:{finance}:org:department:finance", "doc");
    ready = ready && finance && strstr(finance, fin_stack.ids[FIN_FIN_HEAD]);
    free(finance);
    return ready;
}

static bool
s_routed(void *arg)
{
    (void)arg; // nothing to pass
    return fin_http(FIN_HEAD, "GET", "/v1/accounts", NULL, NULL, NULL) == 200;
}

void
fin_approved_budget(int year, const char *lines, char *id)
{
    char body[2048];
    snprintf(body, sizeof body,
             "{\"year\":%d,\"title\":\"Budget %d\",\"lines\":%s}", year, year,
             lines);
    json_t *doc = fin_expect(201, FIN_CLERK, "POST", "/v1/budgets", body);
    snprintf(id, 48, "%s", json_string_value(json_object_get(doc, "id")));
    json_decref(doc);
    json_decref(fin_act(FIN_CLERK, "budgets", id, "submit", NULL, 200));
    json_decref(fin_act(FIN_FIN_HEAD, "budgets", id, "approve", NULL, 200));
    json_t *done = fin_act(FIN_HEAD, "budgets", id, "approve", NULL, 200);
    ck_assert_str_eq(json_string_value(json_object_get(done, "state")),
                     "approved");
    json_decref(done);
}

void
fin_claim(fin_who_t who, const char *body, char *id)
{
    json_t *doc = fin_expect(201, who, "POST", "/v1/expense-claims", body);
    snprintf(id, 48, "%s", json_string_value(json_object_get(doc, "id")));
    json_decref(doc);
}

// An unchecked fixture that fails leaves its teardown unrun: stop what was
// started before failing.
static void
s_require(bool ok, const char *what)
{
    if (!ok) {
        fin_stack_teardown();
        ck_abort_msg("%s", what);
    }
}

static void
s_start(const char *name, harness_proc_t *proc)
{
    s_require(harness_proc_start(proc, name, fin_stack.envp) == 0, name);
}

void
fin_stack_setup(void)
{
    fin_stack_t *s = &fin_stack;
    memset(s, 0, sizeof *s);
    ck_assert_int_eq(harness_redis_start(&s->redis), 0);
    s->http_port = harness_free_port();
    s_env(s);
    s_start("broker", &s->broker);
    s_start("hub", &s->hub);
    s_start("personnel", &s->personnel);
    s_start("finance", &s->finance);
    s_start("gateway", &s->gateway);
    snprintf(s->ids[FIN_HEAD], 48, "ST-1");
    snprintf(s->tokens[FIN_HEAD], 96, "%s", FIN_BOOT_TOKEN);
    s_require(harness_proc_wait_event(&s->gateway, "gateway.started", 1,
                                      HARNESS_WAIT_MS),
              "the gateway did not start");
    s_require(fin_wait(s_routed, NULL, HARNESS_WAIT_MS), "finance not routed");
    int64_t now = cm_time_now_ms();
    char at[40];
    cm_time_format(now, at);
    snprintf(s->today, sizeof s->today, "%.10s", at);
    s->year = atoi(s->today);
    s_people_create();
    s_require(fin_wait(s_org_ready, NULL, HARNESS_WAIT_MS),
              "finance never saw the org chart");
    fin_approved_budget(s->year, S_LINES, s->budget);
}

void
fin_stack_teardown(void)
{
    fin_stack_t *s = &fin_stack;
    harness_proc_t *procs[] = {&s->gateway, &s->finance, &s->personnel, &s->hub,
                               &s->broker};
    // SM_TEST_KEEP_LOGS=1 keeps the processes' logs for a post-mortem.
    bool keep = getenv("SM_TEST_KEEP_LOGS") != NULL;
    for (size_t i = 0; i < sizeof procs / sizeof procs[0]; i++) {
        harness_proc_kill(procs[i], SIGTERM, 5000);
        if (!keep) {
            harness_proc_cleanup(procs[i]);
        }
    }
    harness_redis_stop(&s->redis);
}
