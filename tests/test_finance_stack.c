#include "test_finance_stack.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_envelope.h"
#include "cm_mdp_client.h"
#include "cm_outbox.h"
#include "cm_store.h"
#include "cm_time.h"
#include "harness_mdp.h"

fin_stack_t fin_stack;

#define FIN_STR_(x) #x
#define FIN_STR(x)  FIN_STR_(x)

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

static const http_stack_person_t s_people[FIN_PEOPLE] = {
    {"Station head", "station_head", "management"},
    {"Finance head", "dept_head", "finance"},
    {"Clerk One", "finance", "finance"},
    {"Clerk Two", "finance", "finance"},
    {"Tech head", "dept_head", "tech"},
    {"Tech One", "technician", "tech"},
    {"Tech Two", "technician", "tech"},
    {"Inventory service", "system", "logistics"},
};

static const char *const s_services[] = {"finance", NULL};

static const char *const s_env[] = {
    "SM_FINANCE__MAJOR_EXPENDITURE_FEN=" FIN_STR(FIN_MAJOR_FEN),
    "SM_FINANCE__RESERVATION_TTL_MS=" FIN_STR(FIN_TTL_MS),
    NULL,
};

int
fin_http(fin_who_t who, const char *method, const char *path, const char *body,
         const char *extra, json_t **out)
{
    return http_stack_call(&fin_stack.http, (int)who, method, path, body, extra,
                           out);
}

json_t *
fin_expect(int status, fin_who_t who, const char *method, const char *path,
           const char *body)
{
    return http_stack_expect(&fin_stack.http, status, (int)who, method, path,
                             body);
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
        cm_store_new("127.0.0.1", fin_stack.http.redis.port, "", 2000);
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
    return http_stack_wait(fn, arg, timeout_ms);
}

// Staff and a token for every person but the station head (bootstrap).
static void
s_people_create(void)
{
    http_stack_department(&fin_stack.http, "finance");
    http_stack_department(&fin_stack.http, "tech");
    http_stack_department(&fin_stack.http, "logistics");
    for (int who = FIN_FIN_HEAD; who < FIN_PEOPLE; who++) {
        http_stack_person(&fin_stack.http, who, NULL, NULL, NULL);
    }
    http_stack_set_head(&fin_stack.http, "finance", FIN_FIN_HEAD, -1);
    http_stack_set_head(&fin_stack.http, "tech", FIN_TECH_HEAD, -1);
}

// finance's org view knows the heads (personnel's events consumed).
static bool
s_org_ready(void *arg)
{
    (void)arg; // nothing to pass
    char *text = harness_redis_cmd(&fin_stack.http.redis, "HGET",
                                   "sm:{finance}:org:department:tech", "doc");
    bool ready = text && strstr(text, fin_stack.http.ids[FIN_TECH_HEAD]);
    free(text);
    char *finance =
        harness_redis_cmd(&fin_stack.http.redis, "HGET",
                          "sm:{finance}:org:department:finance", "doc");
    ready =
        ready && finance && strstr(finance, fin_stack.http.ids[FIN_FIN_HEAD]);
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

void
fin_stack_setup(void)
{
    fin_stack_t *s = &fin_stack;
    memset(s, 0, sizeof *s);
    http_stack_def_t def = {.boot_token = FIN_BOOT_TOKEN,
                            .services = s_services,
                            .env = s_env,
                            .people = s_people,
                            .people_count = FIN_PEOPLE};
    http_stack_start(&s->http, &def);
    http_stack_broker(&s->http, s->endpoint, sizeof s->endpoint);
    http_stack_require(&s->http, fin_wait(s_routed, NULL, HARNESS_WAIT_MS),
                       "finance not routed");
    int64_t now = cm_time_now_ms();
    char at[40];
    cm_time_format(now, at);
    snprintf(s->today, sizeof s->today, "%.10s", at);
    s->year = atoi(s->today);
    s_people_create();
    http_stack_require(&s->http, fin_wait(s_org_ready, NULL, HARNESS_WAIT_MS),
                       "finance never saw the org chart");
    fin_approved_budget(s->year, S_LINES, s->budget);
}

void
fin_stack_teardown(void)
{
    http_stack_stop(&fin_stack.http);
}
