// Integration tests of the desk's full-text case search and the volume
// report: GET /v1/cases?q= finds a case by every word of its subject and
// description (case folded, CJK characters one by one), not when only one
// word matches; combines with the list filters and pages with a cursor;
// follows a PATCH of the text; keeps need-to-know; refuses bad queries
// (400 naming the parameter). GET /v1/reports/volume counts cases opened,
// closed and open per day, per kind and department, as JSON and as CSV
// read back with libcsv; reports are for the desk, heads and auditors.
// Suite: intake_search_suite.
#include <check.h>
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cm_redis.h"
#include "cm_time.h"
#include "suites.h"
#include "test_intake_stack.h"

static json_t *s_agent;   // cs_agent at the desk
static json_t *s_tech;    // technician of the technical department
static json_t *s_fin;     // dept_head of finance
static json_t *s_auditor; // reads every case

static void
s_setup(void)
{
    intake_stack_setup();
    intake_org_event("personnel.department.updated",
                     "{\"code\":\"finance\",\"head\":\"ST-12\"}");
    s_agent = harness_mdp_actor("ST-2", "cs_agent", "customer_service");
    s_tech = harness_mdp_actor("ST-4", "technician", "technical");
    s_fin = harness_mdp_actor("ST-12", "dept_head", "finance");
    s_auditor = harness_mdp_actor("ST-9", "auditor", "audit");
}

static void
s_teardown(void)
{
    json_decref(s_agent);
    json_decref(s_tech);
    json_decref(s_fin);
    json_decref(s_auditor);
    s_agent = s_tech = s_fin = s_auditor = NULL;
    intake_stack_teardown();
}

static const char *
s_text(const json_t *doc, const char *member)
{
    return json_string_value(json_object_get(doc, member));
}

static char *
s_create(const char *kind, const char *subject, const char *description)
{
    json_t *body = json_pack("{s:s, s:s, s:{s:s, s:s}, s:s, s:s}", "kind", kind,
                             "channel", "phone", "customer", "name", "Li Wei",
                             "phone", "+86 555 0199", "subject", subject,
                             "description", description);
    json_t *doc = intake_expect(201, s_agent, "POST", "/v1/cases", body);
    json_decref(body);
    char *id = strdup(s_text(doc, "id"));
    json_decref(doc);
    return id;
}

// GET path with query (taken) as actor, optionally as CSV: the reply.
static json_t *
s_get(const json_t *actor, const char *path, json_t *query, const char *accept)
{
    cm_envelope_request_t fields = {.actor = actor,
                                    .method = "GET",
                                    .path = path,
                                    .query = query,
                                    .accept = accept};
    json_t *reply = intake_call_with(&fields);
    ck_assert_ptr_nonnull(reply);
    json_decref(query);
    return reply;
}

// Search as actor with query (taken, q and more): the ids found, in order,
// space-separated (free); next cursor copied to next (may be NULL).
static char *
s_search(const json_t *actor, json_t *query, char *next, size_t next_size)
{
    json_t *reply = s_get(actor, "/v1/cases", query, NULL);
    char *text = json_dumps(reply, JSON_COMPACT);
    ck_assert_msg(harness_mdp_status(reply) == 200, "search: %.600s", text);
    free(text);
    const json_t *body = json_object_get(reply, "body");
    const json_t *items = json_object_get(body, "items");
    char *ids = calloc(1, 1024);
    for (size_t i = 0; i < json_array_size(items); i++) {
        const json_t *item = json_array_get(items, i);
        ck_assert(json_is_integer(json_object_get(item, "version")));
        strncat(ids, i ? " " : "", 1023 - strlen(ids));
        strncat(ids, s_text(item, "id"), 1023 - strlen(ids));
    }
    if (next) {
        const char *cursor = s_text(body, "next_cursor");
        snprintf(next, next_size, "%s", cursor ? cursor : "");
    }
    json_decref(reply);
    return ids;
}

static void
s_expect_found(const char *q, const char *ids)
{
    char *found = s_search(s_agent, json_pack("{s:s}", "q", q), NULL, 0);
    ck_assert_msg(strcmp(found, ids) == 0, "q=%s: want [%s], got [%s]", q, ids,
                  found);
    free(found);
}

// A 400 naming field for query (taken).
static void
s_expect_bad(json_t *query, const char *field)
{
    json_t *reply = s_get(s_agent, "/v1/cases", query, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 400);
    const json_t *errors =
        json_object_get(json_object_get(reply, "error"), "errors");
    ck_assert_str_eq(s_text(json_array_get(errors, 0), "field"), field);
    json_decref(reply);
}

START_TEST(test_intake_search_words)
{
    char *a = s_create("inquiry", "Water pressure low",
                       "The pump room on floor 3 is noisy");
    char *b = s_create("complaint", "Water meter broken",
                       "Meter leaks near the PUMP");
    char *c = s_create("complaint", "热水器故障", "三楼的热水器没有热水");
    char want[64];
    // Two words: both must be in the case (subject or description).
    s_expect_found("pressure pump", a);
    s_expect_found("Pressure+PUMP", a);
    s_expect_found("pressure meter", "");
    s_expect_found("nothing-like-this", "");
    // Newest recorded first.
    snprintf(want, sizeof want, "%s %s", b, a);
    s_expect_found("water pump", want);
    // CJK: every character is a word.
    s_expect_found("热水", c);
    s_expect_found("热水 三楼", c);
    s_expect_found("热水 冷", "");

    // Combined with the list filters.
    char *found = s_search(
        s_agent, json_pack("{s:s, s:s}", "q", "water", "kind", "complaint"),
        NULL, 0);
    ck_assert_str_eq(found, b);
    free(found);
    found = s_search(s_agent,
                     json_pack("{s:s, s:s}", "q", "water", "state", "closed"),
                     NULL, 0);
    ck_assert_str_eq(found, "");
    free(found);

    // A page at a time.
    char next[256];
    found =
        s_search(s_agent, json_pack("{s:s, s:s}", "q", "water", "limit", "1"),
                 next, sizeof next);
    ck_assert_str_eq(found, b);
    ck_assert_str_ne(next, "");
    free(found);
    found = s_search(s_agent,
                     json_pack("{s:s, s:s, s:s}", "q", "water", "limit", "1",
                               "cursor", next),
                     next, sizeof next);
    ck_assert_str_eq(found, a);
    free(found);
    free(a);
    free(b);
    free(c);
}
END_TEST

#define S_WORDS_BUCKET 8192 // case numbers in one bucket (case_words.h)

// Case numbers under no stored case: the counter moves on by 2 * count
// (later cases are numbered above), and the word index of `odd` gets the
// odd numbers of the gap and that of `even` the even ones, written straight
// to Redis: entries a search meets that never match both words.
static void
s_index_padding(const char *odd, const char *even, int count)
{
    cm_redis_t *redis = cm_store_redis(intake_stack.store);
    char span[24];
    snprintf(span, sizeof span, "%d", 2 * count);
    redisReply *reply =
        cm_redis_cmd(redis, "INCRBY", "sm:{intake}:counter:case", span);
    ck_assert_ptr_nonnull(reply);
    ck_assert_int_eq(reply->type, REDIS_REPLY_INTEGER);
    long long top = reply->integer;
    freeReplyObject(reply);
    for (long long n = top - 2 * count + 1; n <= top; n++) {
        char key[CM_STORE_KEY_MAX];
        char member[24];
        snprintf(member, sizeof member, "%lld", n);
        char suffix[64];
        snprintf(suffix, sizeof suffix, "case_word:%s:%lld", n % 2 ? odd : even,
                 n / S_WORDS_BUCKET);
        ck_assert_ptr_nonnull(
            cm_store_key(key, sizeof key, "intake", "idx", suffix));
        reply = cm_redis_cmd(redis, "SADD", key, member);
        ck_assert_ptr_nonnull(reply);
        ck_assert_int_eq(reply->type, REDIS_REPLY_INTEGER);
        freeReplyObject(reply);
    }
}

// Two words each in more entries than a page (1,100 each), meeting in
// three cases only: the search intersects the sets and fills the page,
// pages on with the cursor, and keeps the filters.
START_TEST(test_intake_search_intersects)
{
    s_index_padding("zircon", "quartz", 1100);
    char *a = s_create("inquiry", "Zircon quartz", "first");
    char *b = s_create("complaint", "Zircon tiles", "quartz second");
    char *c = s_create("inquiry", "Quartz zircon", "third");
    char *d = s_create("inquiry", "Zircon only", "fourth");
    char want[96];
    snprintf(want, sizeof want, "%s %s %s", c, b, a);
    s_expect_found("zircon quartz", want);
    char next[256];
    char *found = s_search(
        s_agent, json_pack("{s:s, s:s}", "q", "quartz zircon", "limit", "2"),
        next, sizeof next);
    snprintf(want, sizeof want, "%s %s", c, b);
    ck_assert_str_eq(found, want);
    ck_assert_str_ne(next, "");
    free(found);
    found = s_search(s_agent,
                     json_pack("{s:s, s:s, s:s}", "q", "quartz zircon", "limit",
                               "2", "cursor", next),
                     next, sizeof next);
    ck_assert_str_eq(found, a);
    ck_assert_str_eq(next, "");
    free(found);
    found = s_search(
        s_agent,
        json_pack("{s:s, s:s}", "q", "zircon quartz", "kind", "complaint"),
        NULL, 0);
    ck_assert_str_eq(found, b);
    free(found);
    free(a);
    free(b);
    free(c);
    free(d);
}
END_TEST

START_TEST(test_intake_search_follows_patch)
{
    char *a = s_create("inquiry", "Broken lamp", "Corridor lamp flickers");
    s_expect_found("lamp corridor", a);
    char path[64];
    snprintf(path, sizeof path, "/v1/cases/%s", a);
    cm_envelope_request_t fields = {
        .actor = s_agent,
        .method = "PATCH",
        .path = path,
        .body = json_pack("{s:s, s:s}", "subject", "Broken heater",
                          "description", "Office heater cold"),
        .if_match = "\"1\"",
    };
    json_t *reply = intake_call_with(&fields);
    json_decref((json_t *)fields.body);
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    json_decref(reply);
    s_expect_found("lamp", "");
    s_expect_found("broken heater", a);
    // Other writes leave the words as they are.
    json_decref(intake_act(s_agent, a, "cancel",
                           json_pack("{s:s}", "reason", "duplicate"), 200));
    s_expect_found("heater office", a);
    char *found = s_search(
        s_agent, json_pack("{s:s, s:s}", "q", "heater", "state", "cancelled"),
        NULL, 0);
    ck_assert_str_eq(found, a);
    free(found);
    free(a);
}
END_TEST

START_TEST(test_intake_search_refusals_and_reach)
{
    char *a = s_create("inquiry", "Parking gate stuck", "Gate does not open");
    // Need-to-know: a technician sees the cases of their department only.
    char *found =
        s_search(s_tech, json_pack("{s:s}", "q", "parking gate"), NULL, 0);
    ck_assert_str_eq(found, "");
    free(found);
    found =
        s_search(s_auditor, json_pack("{s:s}", "q", "parking gate"), NULL, 0);
    ck_assert_str_eq(found, a);
    free(found);
    // Bad queries name the parameter.
    s_expect_bad(json_pack("{s:s}", "q", ""), "q");
    s_expect_bad(json_pack("{s:s}", "q", "!!! ---"), "q");
    s_expect_bad(json_pack("{s:s}", "q", "a b c d e f g h i"), "q");
    s_expect_bad(json_pack("{s:s, s:s}", "q", "gate", "with_total", "true"),
                 "with_total");
    s_expect_bad(json_pack("{s:s, s:s}", "q", "gate", "cursor", "nonsense"),
                 "cursor");
    s_expect_bad(json_pack("{s:s, s:s}", "q", "gate", "kind", "rumour"),
                 "kind");
    s_expect_bad(json_pack("{s:s, s:s}", "q", "gate", "colour", "red"),
                 "colour");
    free(a);
}
END_TEST

// ---- the volume report

typedef struct {
    char cells[4][20][32];
    int rows;
    int cell;
} s_csv_t;

static void
s_csv_field(void *data, size_t size, void *arg)
{
    s_csv_t *csv = arg;
    if (csv->rows < 4 && csv->cell < 20) {
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

// The cell of row under column name.
static const char *
s_cell(const s_csv_t *csv, int row, const char *name)
{
    for (int c = 0; c < 20; c++) {
        if (strcmp(csv->cells[0][c], name) == 0) {
            return csv->cells[row][c];
        }
    }
    ck_abort_msg("no column %s", name);
    return NULL;
}

static void
s_today(char *date)
{
    time_t now = (time_t)(cm_time_now_ms() / 1000);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, 16, "%Y-%m-%d", &tm);
}

// The volume report of today as actor (department may be NULL).
static json_t *
s_volume(const json_t *actor, const char *department, int status)
{
    char today[16];
    s_today(today);
    json_t *query = json_pack("{s:s, s:s}", "from", today, "to", today);
    if (department) {
        json_object_set_new(query, "department", json_string(department));
    }
    json_t *reply = s_get(actor, "/v1/reports/volume", query, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), status);
    json_t *body = json_incref(json_object_get(reply, "body"));
    json_decref(reply);
    return body;
}

static json_int_t
s_int(const json_t *doc, const char *member)
{
    return json_integer_value(json_object_get(doc, member));
}

static json_t *
s_forward(const char *department)
{
    char reply_by[CM_TIME_TEXT_MAX];
    cm_time_format(cm_time_now_ms() + 3600LL * 1000, reply_by);
    return json_pack("{s:s, s:s}", "department", department, "reply_by",
                     reply_by);
}

START_TEST(test_intake_search_volume_report)
{
    char *a = s_create("inquiry", "One", "first");
    char *b = s_create("complaint", "Two", "second");
    char *c = s_create("complaint", "Three", "third");
    json_decref(intake_act(s_agent, a, "cancel",
                           json_pack("{s:s}", "reason", "duplicate"), 200));
    json_decref(
        intake_act(s_agent, b, "triage",
                   json_pack("{s:s, s:s, s:s}", "nature", "service", "severity",
                             "low", "calming_note", "sorry"),
                   200));
    json_decref(intake_act(s_agent, b, "forward", s_forward("finance"), 200));

    json_t *report = s_volume(s_agent, NULL, 200);
    const json_t *day = json_array_get(json_object_get(report, "days"), 0);
    ck_assert_int_eq(json_array_size(json_object_get(report, "days")), 1);
    ck_assert_int_eq(s_int(day, "opened"), 3);
    ck_assert_int_eq(s_int(day, "closed"), 1);
    ck_assert_int_eq(s_int(day, "backlog"), 2);
    const json_t *kinds = json_object_get(day, "kinds");
    ck_assert_int_eq(s_int(json_object_get(kinds, "complaint"), "opened"), 2);
    ck_assert_int_eq(s_int(json_object_get(kinds, "complaint"), "backlog"), 2);
    ck_assert_int_eq(s_int(json_object_get(kinds, "inquiry"), "closed"), 1);
    ck_assert_int_eq(s_int(json_object_get(kinds, "inquiry"), "backlog"), 0);
    ck_assert_int_eq(s_int(json_object_get(report, "totals"), "opened"), 3);
    json_decref(report);

    // One department: what came to it (forwarded) and is open there.
    report = s_volume(s_fin, NULL, 200); // a head's defaults to their own
    day = json_array_get(json_object_get(report, "days"), 0);
    ck_assert_str_eq(s_text(report, "department"), "finance");
    ck_assert_int_eq(s_int(day, "opened"), 1);
    ck_assert_int_eq(s_int(day, "backlog"), 1);
    json_decref(report);
    // Closing it there: the backlog falls, the day counts the close.
    json_decref(intake_act(s_agent, b, "cancel",
                           json_pack("{s:s}", "reason", "withdrawn"), 200));
    report = s_volume(s_auditor, "finance", 200);
    day = json_array_get(json_object_get(report, "days"), 0);
    ck_assert_int_eq(s_int(day, "closed"), 1);
    ck_assert_int_eq(s_int(day, "backlog"), 0);
    json_decref(report);

    // As CSV, read back with libcsv: a header and one row of today.
    char today[16];
    s_today(today);
    json_t *reply =
        s_get(s_agent, "/v1/reports/volume",
              json_pack("{s:s, s:s}", "from", today, "to", today), "text/csv");
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    const char *text = json_string_value(json_object_get(reply, "body"));
    ck_assert_ptr_nonnull(text);
    s_csv_t csv = {0};
    struct csv_parser parser;
    ck_assert_int_eq(csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI), 0);
    size_t n = strlen(text);
    ck_assert_uint_eq(csv_parse(&parser, text, n, s_csv_field, s_csv_row, &csv),
                      n);
    ck_assert_int_eq(csv_fini(&parser, s_csv_field, s_csv_row, &csv), 0);
    csv_free(&parser);
    ck_assert_int_eq(csv.rows, 2);
    ck_assert_str_eq(s_cell(&csv, 1, "date"), today);
    ck_assert_str_eq(s_cell(&csv, 1, "opened"), "3");
    ck_assert_str_eq(s_cell(&csv, 1, "closed"), "2");
    ck_assert_str_eq(s_cell(&csv, 1, "backlog"), "1");
    ck_assert_str_eq(s_cell(&csv, 1, "complaint_opened"), "2");
    ck_assert_str_eq(s_cell(&csv, 1, "complaint_backlog"), "1");
    ck_assert_str_eq(s_cell(&csv, 1, "inquiry_closed"), "1");
    json_decref(reply);

    // Refusals: another department's report, a technician, bad dates.
    json_decref(s_volume(s_fin, "logistics", 403));
    json_decref(s_volume(s_tech, NULL, 403));
    const char *bad[][2] = {{"from", "2027-02-30"},
                            {"to", "yesterday"},
                            {"from", "2020-01-01"},
                            {"shape", "round"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        reply = s_get(s_agent, "/v1/reports/volume",
                      json_pack("{s:s, s:s}", bad[i][0], bad[i][1], "to",
                                strcmp(bad[i][0], "to") ? today : bad[i][1]),
                      NULL);
        ck_assert_msg(harness_mdp_status(reply) == 400, "%s=%s", bad[i][0],
                      bad[i][1]);
        json_decref(reply);
    }
    free(a);
    free(b);
    free(c);
}
END_TEST

Suite *
intake_search_suite(void)
{
    Suite *suite = suite_create("intake_search");
    TCase *tc = tcase_create("search");
    tcase_add_checked_fixture(tc, s_setup, s_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_intake_search_words);
    tcase_add_test(tc, test_intake_search_intersects);
    tcase_add_test(tc, test_intake_search_follows_patch);
    tcase_add_test(tc, test_intake_search_refusals_and_reach);
    tcase_add_test(tc, test_intake_search_volume_report);
    suite_add_tcase(suite, tc);
    return suite;
}
