// oversight_station: the station report (GET /v1/reports/station) over the
// gateway with real tokens and the services it asks (intake, dispatch,
// inventory, finance, safety-audit, personnel): every figure equals what the
// services' own lists and reports count for the period, the previous
// period and the change, CSV read back with libcsv, who may read which
// department, refusals naming the field, and a service that does not
// answer marked unavailable.
#include <check.h>
#include <csv.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cm_time.h"
#include "http_client.h"
#include "http_stack.h"
#include "suites.h"

#define S_BOOT_TOKEN "smt_oversight_station_bootstrap_token_0123456789abcd"

enum {
    S_HEAD,     // station head
    S_AGENT,    // cs_agent, customer_service
    S_DEPUTY,   // deputy head over technical
    S_TECH_HD,  // head of technical
    S_TECH,     // technician, technical
    S_AUDITOR,  // auditor
    S_DEPUTY_B, // deputy head over customer_service
    S_DESK_HD,  // head of customer_service
    S_PEOPLE
};

static const http_stack_person_t s_people[S_PEOPLE] = {
    {"Station head", "station_head", "management"},
    {"Agent One", "cs_agent", "customer_service"},
    {"Deputy Tech", "deputy_head", "management"},
    {"Tech head", "dept_head", "technical"},
    {"Tech One", "technician", "technical"},
    {"Auditor One", "auditor", "management"},
    {"Deputy Desk", "deputy_head", "management"},
    {"Desk head", "dept_head", "customer_service"},
};

static http_stack_t s_stack;
static char s_today[16], s_tomorrow[16], s_yesterday[16];

static void
s_date(int64_t ms, char *buf)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, 16, "%Y-%m-%d", &tm);
}

static json_t *
s_expect(int status, int who, const char *method, const char *path,
         const char *body)
{
    return http_stack_expect(&s_stack, status, who, method, path, body);
}

// The oversight org view knows both deputies' departments.
static bool
s_org_ready(void *arg)
{
    (void)arg; // nothing to pass
    char *tech =
        harness_redis_cmd(&s_stack.redis, "HGET",
                          "sm:{oversight}:org:department:technical", "doc");
    bool ready = tech && strstr(tech, s_stack.ids[S_DEPUTY]);
    free(tech);
    char *desk = harness_redis_cmd(
        &s_stack.redis, "HGET",
        "sm:{oversight}:org:department:customer_service", "doc");
    ready = ready && desk && strstr(desk, s_stack.ids[S_DEPUTY_B]);
    free(desk);
    return ready;
}

static bool
s_routed(void *arg)
{
    (void)arg; // nothing to pass
    char path[128];
    snprintf(path, sizeof path, "/v1/reports/station?from=%s&to=%s", s_today,
             s_tomorrow);
    json_t *report = NULL;
    bool complete =
        http_stack_call(&s_stack, S_HEAD, "GET", path, NULL, NULL, &report)
            == 200
        && json_is_true(json_object_get(report, "complete"));
    json_decref(report);
    return complete;
}

// A POST retried until it answers 201 (the services' org views catch up
// with the people); the created document's id into id (48).
typedef struct {
    int who;
    const char *path, *body;
    char *id;
} s_post_t;

static bool
s_post_once(void *arg)
{
    s_post_t *p = arg;
    json_t *doc = NULL;
    int status =
        http_stack_call(&s_stack, p->who, "POST", p->path, p->body, NULL, &doc);
    if (status == 201) {
        snprintf(p->id, 48, "%s", http_stack_text(doc, "id"));
    }
    json_decref(doc);
    return status == 201;
}

static void
s_post(int who, const char *path, const char *body, char *id)
{
    s_post_t p = {who, path, body, id};
    http_stack_require(&s_stack, http_stack_wait(s_post_once, &p, 30000), path);
}

static void
s_case(const char *kind)
{
    char body[512], id[48];
    snprintf(body, sizeof body,
             "{\"kind\":\"%s\",\"channel\":\"phone\",\"subject\":\"Report "
             "%s\",\"description\":\"Told at the counter\",\"customer\":"
             "{\"name\":\"Li Wei\",\"phone\":\"+86 555 0100\"}}",
             kind, kind);
    s_post(S_AGENT, "/v1/cases", body, id);
}

static void
s_setup(void)
{
    s_date(cm_time_now_ms(), s_today);
    s_date(cm_time_now_ms() + 86400000LL, s_tomorrow);
    s_date(cm_time_now_ms() - 86400000LL, s_yesterday);
    static const char *const services[] = {
        "intake",       "dispatch",  "inventory", "finance",
        "safety-audit", "oversight", NULL};
    static const char *const env[] = {"SM_GATEWAY__RATE_PER_S=100000",
                                      "SM_GATEWAY__BURST=100000", NULL};
    const http_stack_def_t def = {.boot_token = S_BOOT_TOKEN,
                                  .services = services,
                                  .env = env,
                                  .people = s_people,
                                  .people_count = S_PEOPLE};
    http_stack_start(&s_stack, &def);
    http_stack_require(&s_stack, http_stack_wait(s_routed, NULL, 60000),
                       "the station report never answered in full");
    http_stack_department(&s_stack, "customer_service");
    http_stack_department(&s_stack, "technical");
    for (int who = S_AGENT; who < S_PEOPLE; who++) {
        http_stack_person(&s_stack, who, NULL, NULL, NULL);
    }
    http_stack_set_head(&s_stack, "technical", S_TECH_HD, S_DEPUTY);
    http_stack_set_head(&s_stack, "customer_service", S_DESK_HD, S_DEPUTY_B);
    http_stack_require(&s_stack, http_stack_wait(s_org_ready, NULL, 30000),
                       "oversight never saw the org chart");
    // What the period holds: cases of three kinds, a hazard, a work order.
    s_case("complaint");
    s_case("complaint");
    s_case("inquiry");
    s_case("suggestion");
    char id[48];
    s_post(S_TECH, "/v1/hazards",
           "{\"title\":\"Loose cable\",\"description\":\"Panel 2\","
           "\"location\":\"Plant room\",\"department\":\"technical\","
           "\"severity\":\"low\"}",
           id);
    s_post(S_TECH_HD, "/v1/work-orders",
           "{\"title\":\"Check the boiler\",\"department\":\"technical\"}", id);
    // A training record of a technician (personnel).
    char body[384];
    snprintf(body, sizeof body,
             "{\"staff\":\"%s\",\"course\":\"Boiler safety\",\"kind\":"
             "\"skills\",\"delivery\":\"internal\",\"hours\":4,\"result\":"
             "\"passed\",\"date\":\"%s\"}",
             s_stack.ids[S_TECH], s_today);
    s_post(S_TECH_HD, "/v1/trainings", body, id);
}

static void
s_teardown(void)
{
    http_stack_stop(&s_stack);
}

// ---- reading the report

static json_t *
s_report(int who, const char *department, int status)
{
    char path[192];
    snprintf(path, sizeof path, "/v1/reports/station?from=%s&to=%s%s%s",
             s_today, s_tomorrow, department ? "&department=" : "",
             department ? department : "");
    return s_expect(status, who, "GET", path, NULL);
}

static const json_t *
s_figure(const json_t *report, const char *section, const char *name)
{
    const json_t *s =
        json_object_get(json_object_get(report, "sections"), section);
    ck_assert_msg(json_is_true(json_object_get(s, "available")),
                  "section %s unavailable", section);
    const json_t *f = json_object_get(json_object_get(s, "figures"), name);
    ck_assert_msg(f != NULL, "no figure %s.%s", section, name);
    return f;
}

static long long
s_value(const json_t *report, const char *section, const char *name)
{
    const json_t *value =
        json_object_get(s_figure(report, section, name), "value");
    ck_assert_msg(json_is_integer(value), "%s.%s is not an integer", section,
                  name);
    return (long long)json_integer_value(value);
}

// Items a list answers for path (one page of up to 200), as who.
static long long
s_count(int who, const char *path)
{
    json_t *page = s_expect(200, who, "GET", path, NULL);
    const json_t *items = json_object_get(page, "items");
    ck_assert_msg(json_object_get(page, "next_cursor") == NULL
                      || json_is_null(json_object_get(page, "next_cursor")),
                  "%s has more than one page", path);
    long long n = (long long)json_array_size(items);
    json_decref(page);
    return n;
}

START_TEST(test_station_report_figures_equal_the_lists)
{
    json_t *report = s_report(S_HEAD, NULL, 200);
    ck_assert(json_is_true(json_object_get(report, "complete")));
    ck_assert_str_eq(http_stack_text(json_object_get(report, "period"), "from"),
                     s_today);
    ck_assert_str_eq(
        http_stack_text(json_object_get(report, "previous_period"), "from"),
        s_yesterday);
    ck_assert_str_eq(
        http_stack_text(json_object_get(report, "previous_period"), "to"),
        s_today);
    // Cases: each kind's count is what GET /v1/cases?kind= lists (every
    // case of this stack was recorded today).
    const char *kinds[] = {"complaint", "inquiry", "suggestion",
                           "tech_support"};
    long long all = 0;
    for (int k = 0; k < 4; k++) {
        char path[96], name[48];
        snprintf(path, sizeof path, "/v1/cases?kind=%s&limit=200", kinds[k]);
        long long listed = s_count(S_HEAD, path);
        snprintf(name, sizeof name, "%s_opened", kinds[k]);
        ck_assert_int_eq(s_value(report, "cases", name), listed);
        const json_t *f = s_figure(report, "cases", name);
        ck_assert_int_eq(json_integer_value(json_object_get(f, "previous")), 0);
        ck_assert_int_eq(json_integer_value(json_object_get(f, "change")),
                         listed);
        ck_assert_str_eq(http_stack_text(f, "as_of"), "period");
        all += listed;
    }
    ck_assert_int_eq(s_value(report, "cases", "complaint_opened"), 2);
    ck_assert_int_eq(s_value(report, "cases", "opened"), all);
    ck_assert_int_eq(s_value(report, "cases", "backlog"),
                     s_count(S_HEAD, "/v1/cases?limit=200"));
    ck_assert_int_eq(s_value(report, "cases", "closed"), 0);
    // Hazards: open now is what GET /v1/hazards lists (none closed).
    ck_assert_int_eq(s_value(report, "hazards", "open"),
                     s_count(S_HEAD, "/v1/hazards?limit=200"));
    ck_assert_int_eq(s_value(report, "hazards", "open"), 1);
    ck_assert_int_eq(s_value(report, "hazards", "closed"), 0);
    ck_assert_int_eq(s_value(report, "hazards", "overdue"), 0);
    const json_t *open = s_figure(report, "hazards", "open");
    ck_assert_str_eq(http_stack_text(open, "as_of"), "now");
    ck_assert(json_is_null(json_object_get(open, "previous")));
    // Work orders: unfinished now per state as GET /v1/work-orders?state=.
    const char *states[] = {"open", "assigned", "accepted", "in_progress"};
    long long unfinished = 0;
    for (int i = 0; i < 4; i++) {
        char path[96];
        snprintf(path, sizeof path, "/v1/work-orders?state=%s&limit=200",
                 states[i]);
        long long listed = s_count(S_HEAD, path);
        ck_assert_int_eq(s_value(report, "work_orders", states[i]), listed);
        unfinished += listed;
    }
    ck_assert_int_ge(unfinished, 1);
    ck_assert_int_eq(s_value(report, "work_orders", "unfinished"), unfinished);
    ck_assert_int_eq(s_value(report, "work_orders", "closed"),
                     s_count(S_HEAD, "/v1/work-orders?state=closed&limit=200"));
    // Safety training: sessions as GET /v1/safety-trainings?state= lists.
    ck_assert_int_eq(
        s_value(report, "training", "planned"),
        s_count(S_HEAD, "/v1/safety-trainings?state=planned&limit=200"));
    ck_assert_int_eq(
        s_value(report, "training", "held"),
        s_count(S_HEAD, "/v1/safety-trainings?state=held&limit=200"));
    // Staff training: records as GET /v1/trainings?kind= lists them (all
    // entered today), and the active staff now.
    const char *training_kinds[] = {"business_knowledge", "skills",
                                    "management", "self_study"};
    long long records = 0;
    for (int k = 0; k < 4; k++) {
        char path[96];
        snprintf(path, sizeof path, "/v1/trainings?kind=%s&limit=200",
                 training_kinds[k]);
        long long listed = s_count(S_HEAD, path);
        ck_assert_int_eq(s_value(report, "staff_training", training_kinds[k]),
                         listed);
        records += listed;
    }
    ck_assert_int_eq(records, 1);
    ck_assert_int_eq(s_value(report, "staff_training", "records"), records);
    ck_assert_int_eq(s_value(report, "staff_training", "staff"),
                     s_count(S_HEAD, "/v1/staff?status=active&limit=200"));
    // SLA and satisfaction: what their own reports count for the period.
    char path[256];
    snprintf(path, sizeof path,
             "/v1/reports/sla?from=%sT00:00:00Z&to=%sT00:00:00Z", s_today,
             s_tomorrow);
    json_t *sla = s_expect(200, S_HEAD, "GET", path, NULL);
    long long stopped = 0;
    for (size_t i = 0; i < json_array_size(json_object_get(sla, "targets"));
         i++) {
        stopped += json_integer_value(json_object_get(
            json_array_get(json_object_get(sla, "targets"), i), "count"));
    }
    json_decref(sla);
    ck_assert_int_eq(s_value(report, "sla", "stopped"), stopped);
    snprintf(path, sizeof path,
             "/v1/reports/satisfaction?from=%sT00:00:00Z&to=%sT00:00:00Z",
             s_today, s_tomorrow);
    json_t *satisfaction = s_expect(200, S_HEAD, "GET", path, NULL);
    ck_assert_int_eq(
        s_value(report, "satisfaction", "confirms"),
        json_integer_value(json_object_get(satisfaction, "count")));
    json_decref(satisfaction);
    // Stock: shortages as the stock report lists them; this stack records
    // no stored-goods check, so no write-off (test_e2e_oversight_report
    // counts one).
    json_t *stock = s_expect(200, S_AUDITOR, "GET", "/v1/reports/stock", NULL);
    ck_assert_int_eq(
        s_value(report, "stock", "shortages"),
        (long long)json_array_size(json_object_get(stock, "shortages")));
    json_decref(stock);
    ck_assert_int_eq(s_value(report, "stock", "write_offs"), 0);
    // Budget: no approved budget this year, so its figures are null.
    const json_t *amount = s_figure(report, "budget", "amount");
    ck_assert(json_is_null(json_object_get(amount, "value")));
    ck_assert(json_is_null(json_object_get(amount, "change")));
    json_decref(report);
}
END_TEST

START_TEST(test_station_report_department_and_who)
{
    // A deputy head reads a department they oversee; its hazards only.
    json_t *report = s_report(S_DEPUTY, "technical", 200);
    ck_assert_str_eq(http_stack_text(report, "department"), "technical");
    ck_assert_int_eq(
        s_value(report, "hazards", "open"),
        s_count(S_HEAD, "/v1/hazards?department=technical&limit=200"));
    const char *states[] = {"open", "assigned", "accepted", "in_progress"};
    long long unfinished = 0;
    for (int i = 0; i < 4; i++) {
        char path[128];
        snprintf(path, sizeof path,
                 "/v1/work-orders?queue=technical&state=%s&limit=200",
                 states[i]);
        unfinished += s_count(S_HEAD, path);
    }
    ck_assert_int_eq(s_value(report, "work_orders", "unfinished"), unfinished);
    ck_assert_int_eq(s_value(report, "staff_training", "records"),
                     s_count(S_HEAD, "/v1/trainings?department=technical"
                                     "&limit=200"));
    ck_assert_int_eq(s_value(report, "staff_training", "skills"), 1);
    json_decref(report);
    report = s_report(S_DEPUTY_B, "customer_service", 200);
    ck_assert_int_eq(s_value(report, "staff_training", "records"), 0);
    ck_assert_int_eq(s_value(report, "hazards", "open"), 0);
    json_decref(report);
    report = s_report(S_HEAD, "technical", 200);
    json_decref(report);
    // Refused: a department the deputy does not oversee, none named, and
    // everyone but the heads.
    json_t *problem = s_report(S_DEPUTY, "customer_service", 403);
    ck_assert_str_eq(http_stack_text(problem, "code"), "forbidden");
    json_decref(problem);
    json_decref(s_report(S_DEPUTY, NULL, 403));
    json_decref(s_report(S_TECH_HD, "technical", 403));
    json_decref(s_report(S_AGENT, NULL, 403));
    json_decref(s_report(S_TECH, NULL, 403));
    json_decref(s_report(S_AUDITOR, NULL, 403));
}
END_TEST

// A 400 naming field for the query.
static void
s_refused(const char *query, const char *field)
{
    char path[256];
    snprintf(path, sizeof path, "/v1/reports/station%s", query);
    json_t *problem = s_expect(400, S_HEAD, "GET", path, NULL);
    const json_t *errors = json_object_get(problem, "errors");
    bool named = false;
    for (size_t i = 0; i < json_array_size(errors); i++) {
        named = named
                || strcmp(http_stack_text(json_array_get(errors, i), "field"),
                          field)
                       == 0;
    }
    char *text = json_dumps(problem, JSON_COMPACT);
    ck_assert_msg(named, "%s: %s not named in %s", query, field, text);
    free(text);
    json_decref(problem);
}

START_TEST(test_station_report_refusals)
{
    s_refused("", "from");
    s_refused("?from=2026-01-01", "to");
    s_refused("?to=2026-01-01", "from");
    s_refused("?from=2026-13-01&to=2026-12-01", "from");
    s_refused("?from=2026-02-30&to=2026-12-01", "from");
    s_refused("?from=2026-01-01T00:00:00Z&to=2026-12-01", "from");
    s_refused("?from=2026-01-01&to=nope", "to");
    s_refused("?from=2026-03-01&to=2026-03-01", "to");
    s_refused("?from=2026-03-02&to=2026-03-01", "to");
    s_refused("?from=2024-01-01&to=2025-01-03", "to");
    s_refused("?from=2001-01-01&to=2001-02-01", "from");
    s_refused("?from=2026-01-01&to=2026-02-01&department=Bad%20Dept",
              "department");
    s_refused("?from=2026-01-01&to=2026-02-01&kind=complaint", "kind");
    // A year is allowed (a leap year's 366 days too).
    json_decref(s_expect(200, S_HEAD, "GET",
                         "/v1/reports/station?from=2024-01-01&to=2025-01-01",
                         NULL));
}
END_TEST

// ---- CSV

typedef struct {
    char cells[128][8][32];
    int rows, cell;
} s_csv_t;

static void
s_csv_field(void *data, size_t size, void *arg)
{
    s_csv_t *csv = arg;
    if (csv->rows < 128 && csv->cell < 8) {
        snprintf(csv->cells[csv->rows][csv->cell], 32, "%.*s", (int)size,
                 (const char *)data);
    }
    csv->cell++;
}

static void
s_csv_row(int end, void *arg)
{
    (void)end; // the row's terminator
    s_csv_t *csv = arg;
    csv->rows++;
    csv->cell = 0;
}

static int
s_column(const s_csv_t *csv, const char *name)
{
    for (int c = 0; c < 8; c++) {
        if (strcmp(csv->cells[0][c], name) == 0) {
            return c;
        }
    }
    ck_abort_msg("no column %s", name);
    return -1;
}

// The cell under column of the row of section and figure, or NULL.
static const char *
s_csv_cell(const s_csv_t *csv, const char *section, const char *figure,
           const char *column)
{
    int sc = s_column(csv, "section"), fc = s_column(csv, "figure");
    int cc = s_column(csv, column);
    for (int r = 1; r < csv->rows && r < 128; r++) {
        if (strcmp(csv->cells[r][sc], section) == 0
            && strcmp(csv->cells[r][fc], figure) == 0) {
            return csv->cells[r][cc];
        }
    }
    return NULL;
}

START_TEST(test_station_report_csv)
{
    json_t *report = s_report(S_HEAD, NULL, 200);
    char path[192], headers[256];
    snprintf(path, sizeof path, "/v1/reports/station?from=%s&to=%s", s_today,
             s_tomorrow);
    snprintf(headers, sizeof headers,
             "Authorization: Bearer %s\r\nAccept: text/csv\r\n",
             s_stack.tokens[S_HEAD]);
    http_client_response_t *response = malloc(sizeof *response);
    ck_assert_ptr_nonnull(response);
    ck_assert_int_eq(http_client_request(s_stack.http_port, "GET", path,
                                         headers, NULL, response),
                     0);
    ck_assert_int_eq(response->status, 200);
    ck_assert_ptr_nonnull(strstr(response->head, "text/csv"));
    s_csv_t *csv = calloc(1, sizeof *csv);
    ck_assert_ptr_nonnull(csv);
    struct csv_parser parser;
    ck_assert_int_eq(csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI), 0);
    ck_assert_uint_eq(csv_parse(&parser, response->body, response->body_size,
                                s_csv_field, s_csv_row, csv),
                      response->body_size);
    ck_assert_int_eq(csv_fini(&parser, s_csv_field, s_csv_row, csv), 0);
    csv_free(&parser);
    free(response);
    ck_assert_str_eq(csv->cells[0][0], "section");
    char value[32];
    snprintf(value, sizeof value, "%lld",
             s_value(report, "cases", "complaint_opened"));
    ck_assert_str_eq(s_csv_cell(csv, "cases", "complaint_opened", "value"),
                     value);
    ck_assert_str_eq(s_csv_cell(csv, "cases", "complaint_opened", "previous"),
                     "0");
    ck_assert_str_eq(s_csv_cell(csv, "cases", "complaint_opened", "as_of"),
                     "period");
    ck_assert_str_eq(s_csv_cell(csv, "hazards", "open", "value"), "1");
    ck_assert_str_eq(s_csv_cell(csv, "hazards", "open", "previous"), "");
    ck_assert_str_eq(s_csv_cell(csv, "hazards", "open", "available"), "true");
    ck_assert_str_eq(s_csv_cell(csv, "budget", "amount", "value"), "");
    free(csv);
    json_decref(report);
}
END_TEST

// Last: finance stops answering; its section is marked, not left out.
START_TEST(test_station_report_service_unavailable)
{
    harness_proc_t *finance = http_stack_proc(&s_stack, "finance");
    ck_assert_ptr_nonnull(finance);
    harness_proc_kill(finance, SIGKILL, 5000);
    json_t *report = s_report(S_HEAD, NULL, 200);
    ck_assert(json_is_false(json_object_get(report, "complete")));
    const json_t *budget =
        json_object_get(json_object_get(report, "sections"), "budget");
    ck_assert_ptr_nonnull(budget);
    ck_assert(json_is_false(json_object_get(budget, "available")));
    ck_assert_str_eq(http_stack_text(budget, "service"), "finance");
    ck_assert_int_eq(json_object_size(json_object_get(budget, "figures")), 0);
    // The others still answer.
    ck_assert_int_eq(s_value(report, "cases", "complaint_opened"), 2);
    json_decref(report);
}
END_TEST

Suite *
oversight_station_suite(void)
{
    Suite *suite = suite_create("oversight_station");
    TCase *tc = tcase_create("station_report");
    tcase_add_unchecked_fixture(tc, s_setup, s_teardown);
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, test_station_report_figures_equal_the_lists);
    tcase_add_test(tc, test_station_report_department_and_who);
    tcase_add_test(tc, test_station_report_refusals);
    tcase_add_test(tc, test_station_report_csv);
    tcase_add_test(tc, test_station_report_service_unavailable);
    suite_add_tcase(suite, tc);
    return suite;
}
