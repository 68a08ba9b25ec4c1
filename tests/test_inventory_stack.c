#include "test_inventory_stack.h"

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cm_outbox.h"
#include "cm_redis.h"
#include "cm_time.h"
#include "http_client.h"

// An item's body: name, category, more members (",\"x\":1" or "").
#define INV_ITEM                                                               \
    "{\"name\":\"%s\",\"unit\":\"piece\",\"category\":\"%s\",\"location\":"    \
    "\"main-store\"%s}"

inv_stack_t inv_stack;

static const struct {
    const char *name, *role, *department;
} s_people[INV_PEOPLE] = {
    {"Station head", "station_head", "management"},
    {"Logistics head", "dept_head", "logistics"},
    {"Keeper One", "logistics", "logistics"},
    {"Keeper Away", "logistics", "tech"},
    {"Tech head", "dept_head", "tech"},
    {"Tech One", "technician", "tech"},
    {"Auditor One", "auditor", "management"},
    {"Clerk One", "finance", "finance"},
    {"Finance head", "dept_head", "finance"},
    {"Deputy One", "deputy_head", "management"},
};

static void
s_env(inv_stack_t *s)
{
    int n = 0;
    snprintf(s->env[n++], 128, "SM_REDIS__PORT=%d", s->redis.port);
    snprintf(s->env[n++], 128, "SM_BROKER__PORT=%d", harness_free_port());
    snprintf(s->env[n++], 128, "SM_HUB__PUB_PORT=%d", harness_free_port());
    snprintf(s->env[n++], 128, "SM_HUB__SUB_PORT=%d", harness_free_port());
    snprintf(s->env[n++], 128, "SM_HUB__DISCOVER_MS=100");
    snprintf(s->env[n++], 128, "SM_GATEWAY__PORT=%d", s->http_port);
    snprintf(s->env[n++], 128, "SM_GATEWAY__DEADLINE_MS=8000");
    snprintf(s->env[n++], 128, "SM_GATEWAY__RATE_PER_S=100000");
    snprintf(s->env[n++], 128, "SM_GATEWAY__BURST=100000");
    snprintf(s->env[n++], 128, "SM_PERSONNEL__BOOTSTRAP_TOKEN=%s",
             INV_BOOT_TOKEN);
    snprintf(s->env[n++], 128, "SM_SERVICE__WORKERS=2");
    for (int i = 0; i < n; i++) {
        s->envp[i] = s->env[i];
    }
    s->envp[n] = NULL;
}

int
inv_http(inv_who_t who, const char *method, const char *path, const char *body,
         const char *extra, json_t **out)
{
    char headers[512];
    snprintf(headers, sizeof headers,
             "Authorization: Bearer %s\r\nContent-Type: application/json\r\n%s",
             inv_stack.tokens[who], extra ? extra : "");
    http_client_response_t *response = malloc(sizeof *response);
    ck_assert_ptr_nonnull(response);
    int rc = http_client_request(inv_stack.http_port, method, path, headers,
                                 body, response);
    int status = rc == 0 ? response->status : 0;
    if (out) {
        *out = rc == 0 && response->body_size
                   ? json_loads(response->body, JSON_DECODE_ANY, NULL)
                   : NULL;
    }
    free(response);
    return status;
}

json_t *
inv_expect(int status, inv_who_t who, const char *method, const char *path,
           const char *body)
{
    json_t *out = NULL;
    int got = inv_http(who, method, path, body, NULL, &out);
    if (got != status) {
        char *text = out ? json_dumps(out, JSON_COMPACT) : NULL;
        ck_abort_msg("%s %s as %s: want %d, got %d: %.900s", method, path,
                     s_people[who].name, status, got, text ? text : "");
    }
    return out;
}

void
inv_item(const char *body, char *id)
{
    json_t *doc = inv_expect(201, INV_KEEPER, "POST", "/v1/items", body);
    snprintf(id, 48, "%s", inv_str(doc, "id"));
    json_decref(doc);
}

int
inv_move(const char *item, const char *kind, long quantity)
{
    char body[256];
    snprintf(body, sizeof body,
             "{\"item\":\"%s\",\"kind\":\"%s\",\"quantity\":%ld%s}", item, kind,
             quantity,
             strcmp(kind, "adjustment") == 0 || strcmp(kind, "scrap") == 0
                 ? ",\"reason\":\"test\""
                 : "");
    return inv_http(INV_KEEPER, "POST", "/v1/stock/movements", body, NULL,
                    NULL);
}

long long
inv_on_hand(const char *item)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/stock?item=%s", item);
    json_t *stock = inv_expect(200, INV_KEEPER, "GET", path, NULL);
    long long value = inv_int(stock, "on_hand");
    json_decref(stock);
    return value;
}

const char *
inv_str(const json_t *object, const char *member)
{
    const char *text = json_string_value(json_object_get(object, member));
    return text ? text : "";
}

long long
inv_int(const json_t *object, const char *member)
{
    const json_t *value = json_object_get(object, member);
    return json_is_integer(value) ? (long long)json_integer_value(value) : 0;
}

const char *
inv_error_for(const json_t *problem, const char *field)
{
    const json_t *errors = json_object_get(problem, "errors");
    for (size_t i = 0; i < json_array_size(errors); i++) {
        const json_t *e = json_array_get(errors, i);
        if (strcmp(inv_str(e, "field"), field) == 0) {
            return inv_str(e, "message");
        }
    }
    return NULL;
}

bool
inv_wait(bool (*fn)(void *arg), void *arg, int timeout_ms)
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

static void
s_people_create(void)
{
    const char *departments[] = {"logistics", "tech", "finance"};
    for (size_t i = 0; i < 3; i++) {
        char body[128];
        snprintf(body, sizeof body, "{\"code\":\"%s\",\"name\":\"%s\"}",
                 departments[i], departments[i]);
        json_decref(inv_expect(201, INV_HEAD, "POST", "/v1/departments", body));
    }
    for (int who = INV_LOG_HEAD; who < INV_PEOPLE; who++) {
        char body[256], path[96];
        snprintf(body, sizeof body,
                 "{\"name\":\"%s\",\"role\":\"%s\",\"department\":\"%s\"}",
                 s_people[who].name, s_people[who].role,
                 s_people[who].department);
        json_t *staff = inv_expect(201, INV_HEAD, "POST", "/v1/staff", body);
        snprintf(inv_stack.ids[who], 48, "%s", inv_str(staff, "id"));
        json_decref(staff);
        snprintf(path, sizeof path, "/v1/staff/%s/tokens", inv_stack.ids[who]);
        json_t *token = inv_expect(201, INV_HEAD, "POST", path, "{}");
        snprintf(inv_stack.tokens[who], 96, "%s", inv_str(token, "token"));
        json_decref(token);
    }
    char body[160];
    snprintf(body, sizeof body, "{\"head\":\"%s\"}",
             inv_stack.ids[INV_LOG_HEAD]);
    json_decref(
        inv_expect(200, INV_HEAD, "PATCH", "/v1/departments/logistics", body));
    snprintf(body, sizeof body, "{\"head\":\"%s\",\"deputy\":\"%s\"}",
             inv_stack.ids[INV_TECH_HEAD], inv_stack.ids[INV_DEPUTY]);
    json_decref(
        inv_expect(200, INV_HEAD, "PATCH", "/v1/departments/tech", body));
    snprintf(body, sizeof body, "{\"head\":\"%s\"}",
             inv_stack.ids[INV_FIN_HEAD]);
    json_decref(
        inv_expect(200, INV_HEAD, "PATCH", "/v1/departments/finance", body));
}

// This year's budget with a materials line for logistics, approved.
static void
s_budget(void)
{
    char body[512], path[96], at[40];
    cm_time_format(cm_time_now_ms(), at);
    snprintf(body, sizeof body,
             "{\"year\":%d,\"title\":\"Budget\",\"lines\":[{\"category\":"
             "\"materials\",\"department\":\"logistics\",\"amount\":"
             "5000000}]}",
             atoi(at));
    json_t *doc = inv_expect(201, INV_FINANCE, "POST", "/v1/budgets", body);
    snprintf(inv_stack.budget, sizeof inv_stack.budget, "%s",
             inv_str(doc, "id"));
    json_decref(doc);
    const struct {
        inv_who_t who;
        const char *action;
    } steps[] = {{INV_FINANCE, "submit"},
                 {INV_FIN_HEAD, "approve"},
                 {INV_HEAD, "approve"}};
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "/v1/budgets/%s/%s", inv_stack.budget,
                 steps[i].action);
        json_decref(inv_expect(200, steps[i].who, "POST", path, "{}"));
    }
    snprintf(inv_stack.line, sizeof inv_stack.line, "%s/L1", inv_stack.budget);
}

// inventory's org view knows the logistics head and the last person.
static bool
s_org_ready(void *arg)
{
    (void)arg; // nothing to pass
    char *text =
        harness_redis_cmd(&inv_stack.redis, "HGET",
                          "sm:{inventory}:org:department:logistics", "doc");
    bool ready = text && strstr(text, inv_stack.ids[INV_LOG_HEAD]);
    free(text);
    char key[96];
    snprintf(key, sizeof key, "sm:{inventory}:org:staff:%s",
             inv_stack.ids[INV_FIN_HEAD]);
    char *staff = harness_redis_cmd(&inv_stack.redis, "HGET", key, "doc");
    ready = ready && staff;
    free(staff);
    char *finance =
        harness_redis_cmd(&inv_stack.redis, "HGET",
                          "sm:{inventory}:org:department:finance", "doc");
    ready = ready && finance && strstr(finance, inv_stack.ids[INV_FIN_HEAD]);
    free(finance);
    char *books = harness_redis_cmd(
        &inv_stack.redis, "HGET", "sm:{finance}:org:department:finance", "doc");
    ready = ready && books && strstr(books, inv_stack.ids[INV_FIN_HEAD]);
    free(books);
    return ready;
}

static bool
s_routed(void *arg)
{
    (void)arg; // nothing to pass
    int budgets = inv_http(INV_HEAD, "GET", "/v1/budgets", NULL, NULL, NULL);
    return inv_http(INV_HEAD, "GET", "/v1/items", NULL, NULL, NULL) == 200
           && budgets != 0 && budgets != 503; // finance has a worker too
}

static void
s_require(bool ok, const char *what)
{
    if (!ok) {
        inv_stack_teardown();
        ck_abort_msg("%s", what);
    }
}

static void
s_start(const char *name, harness_proc_t *proc)
{
    s_require(harness_proc_start(proc, name, inv_stack.envp) == 0, name);
}

void
inv_stack_setup(void)
{
    inv_stack_t *s = &inv_stack;
    memset(s, 0, sizeof *s);
    ck_assert_int_eq(harness_redis_start(&s->redis), 0);
    s->http_port = harness_free_port();
    s_env(s);
    s_start("broker", &s->broker);
    s_start("hub", &s->hub);
    s_start("personnel", &s->personnel);
    s_start("finance", &s->finance);
    s_start("inventory", &s->inventory);
    s_start("gateway", &s->gateway);
    snprintf(s->ids[INV_HEAD], 48, "ST-1");
    snprintf(s->tokens[INV_HEAD], 96, "%s", INV_BOOT_TOKEN);
    s_require(harness_proc_wait_event(&s->gateway, "gateway.started", 1,
                                      HARNESS_WAIT_MS),
              "the gateway did not start");
    s_require(inv_wait(s_routed, NULL, HARNESS_WAIT_MS),
              "inventory or finance not routed");
    s_people_create();
    s_require(inv_wait(s_org_ready, NULL, HARNESS_WAIT_MS),
              "inventory never saw the org chart");
    s_budget();
}

void
inv_stack_teardown(void)
{
    inv_stack_t *s = &inv_stack;
    harness_proc_t *procs[] = {&s->gateway,   &s->inventory, &s->finance,
                               &s->personnel, &s->hub,       &s->broker};
    bool keep = getenv("SM_TEST_KEEP_LOGS") != NULL;
    for (size_t i = 0; i < sizeof procs / sizeof procs[0]; i++) {
        harness_proc_kill(procs[i], SIGTERM, 5000);
        if (!keep) {
            harness_proc_cleanup(procs[i]);
        }
    }
    harness_redis_stop(&s->redis);
}

void
inv_new_item(const char *name, const char *category, const char *more, char *id)
{
    char body[512];
    snprintf(body, sizeof body, INV_ITEM, name, category, more ? more : "");
    inv_item(body, id);
}

// The item's ledger page (all of it: tests stay under 1000 entries).
json_t *
inv_ledger(inv_who_t who, const char *item, int status)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/items/%s/ledger?limit=1000", item);
    return inv_expect(status, who, "GET", path, NULL);
}

// A date days from today (UTC), YYYY-MM-DD, into buf (16 bytes).
const char *
inv_date(char *buf, int days)
{
    char at[CM_TIME_TEXT_MAX];
    cm_time_format(cm_time_now_ms() + (int64_t)days * 86400000, at);
    snprintf(buf, 16, "%.10s", at);
    return buf;
}

json_t *
inv_supplier_act(inv_who_t who, const char *id, const char *action,
                 const char *body, int status)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/suppliers/%s/%s", id, action);
    return inv_expect(status, who, "POST", path, body ? body : "{}");
}

// Counting the outbox entries of one type whose envelope names a subject.
typedef struct {
    const char *type;    // event type
    const char *subject; // "\"item/IT-3\"" as it appears in the envelope
    int n;
} s_count_t;

static int
s_count(const cm_event_t *event, void *arg)
{
    s_count_t *count = arg;
    count->n += strcmp(event->type, count->type) == 0
                && strstr(event->envelope, count->subject) != NULL;
    return 0;
}

int
inv_outbox_count(const char *type, const char *subject)
{
    cm_redis_t *redis =
        cm_redis_new("127.0.0.1", inv_stack.redis.port, "", 2000);
    ck_assert_ptr_nonnull(redis);
    s_count_t count = {type, subject, 0};
    ck_assert_int_ge(cm_outbox_range(redis, "sm:{inventory}:outbox", "0-0",
                                     100000, s_count, &count),
                     0);
    cm_redis_destroy(&redis);
    return count.n;
}
