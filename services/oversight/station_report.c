#include "station_report.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cm_call.h"
#include "cm_csv.h"
#include "cm_doc.h"
#include "cm_log.h"
#include "cm_org.h"
#include "cm_problem.h"
#include "cm_status.h"
#include "cm_summary.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "oversight.h"

#define S_SERVICES       6
#define S_DATE_MAX       16
#define S_CALL_MIN_MS    100
#define S_DEPARTMENT_MAX 64

// The sections of the report in order and the service holding each.
static const struct {
    const char *section;
    const char *service;
} s_sections[] = {
    {"cases", "intake"},
    {"sla", "dispatch"},
    {"satisfaction", "intake"},
    {"work_orders", "dispatch"},
    {"stock", "inventory"},
    {"budget", "finance"},
    {"hazards", "safety-audit"},
    {"training", "safety-audit"},
    {"staff_training", "personnel"},
    {NULL, NULL},
};

static const char *const s_services[S_SERVICES] = {
    "intake", "dispatch", "inventory", "finance", "safety-audit", "personnel"};

static void
s_date(int64_t ms, char *buf)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, S_DATE_MAX, "%Y-%m-%d", &tm);
}

// Who may read which department: false after answering 403.
static bool
s_allowed(cm_ctx_t *ctx, const char *department)
{
    const char *role = cm_ctx_actor_role(ctx);
    if (strcmp(role, "station_head") == 0) {
        return true;
    }
    if (strcmp(role, "deputy_head") == 0 && department
        && cm_org_oversees(cm_ctx_actor(ctx), department)) {
        return true;
    }
    json_t *problem = cm_problem_new(
        403, "forbidden",
        strcmp(role, "deputy_head") == 0
            ? "A deputy head reads the station report of a department they "
              "oversee: name it in department."
            : "The station report is for the station head and the deputy "
              "heads.");
    if (strcmp(role, "deputy_head") == 0) {
        cm_problem_add_error(problem, "department",
                             department ? "is not a department you oversee"
                                        : "is required for a deputy head");
    }
    cm_ctx_fail(ctx, problem);
    return false;
}

// The query: from, to, department. False after answering 400.
static bool
s_query(cm_ctx_t *ctx, int64_t *from, int64_t *to)
{
    json_t *problem = NULL;
    json_t *query = cm_ctx_query_object(ctx);
    if (query) {
        cm_validate_keys(query, "from to department", &problem);
    }
    const char *from_text = cm_ctx_query(ctx, "from");
    const char *to_text = cm_ctx_query(ctx, "to");
    bool dates = true;
    if (!from_text) {
        dates = cm_validate_fail(&problem, "from", "is required");
    } else if (cm_summary_parse_date(from_text, from) != 0) {
        dates = cm_validate_fail(&problem, "from", "must be a date YYYY-MM-DD");
    }
    if (!to_text) {
        dates = cm_validate_fail(&problem, "to", "is required");
    } else if (cm_summary_parse_date(to_text, to) != 0) {
        dates = cm_validate_fail(&problem, "to", "must be a date YYYY-MM-DD");
    }
    int64_t today = cm_time_now_ms() / CM_SUMMARY_DAY_MS * CM_SUMMARY_DAY_MS;
    if (dates && *from >= *to) {
        cm_validate_fail(&problem, "to", "must be after from");
    } else if (dates
               && *to - *from > STATION_REPORT_SPAN_DAYS * CM_SUMMARY_DAY_MS) {
        cm_validate_fail(&problem, "to", "must be at most 366 days after from");
    } else if (dates
               && today - *from
                      > STATION_REPORT_HISTORY_DAYS * CM_SUMMARY_DAY_MS) {
        cm_validate_fail(&problem, "from", "must be within ten years");
    }
    const char *department = cm_ctx_query(ctx, "department");
    if (department
        && (!*department || strlen(department) > S_DEPARTMENT_MAX
            || strspn(department, "abcdefghijklmnopqrstuvwxyz0123456789_-")
                   != strlen(department))) {
        cm_validate_fail(&problem, "department", "must be a department code");
    }
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return false;
    }
    return true;
}

// Ask service for the summary of [from, to): its body (caller owns), or
// NULL when it did not answer 200 in time. calls_left shares the room.
static json_t *
s_ask(cm_ctx_t *ctx, const char *service, int64_t from, int64_t to,
      const char *department, int calls_left)
{
    char from_text[S_DATE_MAX], to_text[S_DATE_MAX];
    s_date(from, from_text);
    s_date(to, to_text);
    json_t *query = json_pack("{s:s, s:s}", "from", from_text, "to", to_text);
    if (department) {
        json_object_set_new(query, "department", json_string(department));
    }
    int64_t room = cm_ctx_deadline(ctx) - CM_CALL_MARGIN_MS - cm_time_now_ms();
    int64_t share = calls_left > 0 ? room / calls_left : room;
    cm_call_t call = {.service = service,
                      .method = "GET",
                      .path = CM_SUMMARY_PATH,
                      .query = query,
                      .timeout_ms =
                          (int)(share > S_CALL_MIN_MS ? share : S_CALL_MIN_MS)};
    cm_call_result_t result;
    int rc = cm_ctx_call(ctx, &call, &result);
    json_decref(query);
    json_t *body = NULL;
    if (rc == 0 && result.status == 200 && json_is_object(result.body)) {
        body = json_incref(result.body);
    } else {
        cm_log_warn("station_report.section_unavailable", "service", service,
                    "#status", CM_LOG_INT(rc == 0 ? result.status : 0));
    }
    cm_call_result_clear(&result);
    return body;
}

static json_t *
s_change(const json_t *value, const json_t *previous)
{
    if (json_is_integer(value) && json_is_integer(previous)) {
        return json_integer(json_integer_value(value)
                            - json_integer_value(previous));
    }
    if (json_is_number(value) && json_is_number(previous)) {
        double change = json_number_value(value) - json_number_value(previous);
        return json_real(round(change * 100.0) / 100.0);
    }
    return json_null();
}

// The section's figures from the two summaries (now: borrowed).
static json_t *
s_figures(const char *section, const json_t *current, const json_t *previous)
{
    json_t *figures = json_object();
    const json_t *period =
        json_object_get(json_object_get(current, "period"), section);
    const json_t *before =
        json_object_get(json_object_get(previous, "period"), section);
    const char *name;
    json_t *value;
    json_object_foreach((json_t *)period, name, value)
    {
        const json_t *old = json_object_get(before, name);
        json_object_set_new(figures, name,
                            json_pack("{s:O, s:O, s:o, s:s}", "value", value,
                                      "previous", old ? old : json_null(),
                                      "change", s_change(value, old), "as_of",
                                      "period"));
    }
    const json_t *now =
        json_object_get(json_object_get(current, "now"), section);
    json_object_foreach((json_t *)now, name, value)
    {
        json_object_set_new(figures, name,
                            json_pack("{s:O, s:n, s:n, s:s}", "value", value,
                                      "previous", "change", "as_of", "now"));
    }
    return figures;
}

static json_t *
s_period(int64_t from, int64_t to)
{
    char from_text[S_DATE_MAX], to_text[S_DATE_MAX];
    s_date(from, from_text);
    s_date(to, to_text);
    return json_pack("{s:s, s:s}", "from", from_text, "to", to_text);
}

static void
s_reply_csv(cm_ctx_t *ctx, const json_t *report)
{
    static const char *const columns[] = {"section",  "service", "available",
                                          "figure",   "as_of",   "value",
                                          "previous", "change",  NULL};
    json_t *rows = json_array();
    const json_t *sections = json_object_get(report, "sections");
    for (size_t i = 0; s_sections[i].section; i++) {
        const json_t *section =
            json_object_get(sections, s_sections[i].section);
        json_t *base =
            json_pack("{s:s, s:s, s:O}", "section", s_sections[i].section,
                      "service", s_sections[i].service, "available",
                      json_object_get(section, "available"));
        const json_t *figures = json_object_get(section, "figures");
        if (json_object_size(figures) == 0) {
            json_array_append(rows, base);
        }
        const char *name;
        json_t *figure;
        json_object_foreach((json_t *)figures, name, figure)
        {
            json_t *row = json_deep_copy(base);
            json_object_set_new(row, "figure", json_string(name));
            json_object_update(row, figure);
            json_array_append_new(rows, row);
        }
        json_decref(base);
    }
    char *csv = cm_csv_rows(columns, rows);
    json_decref(rows);
    if (csv) {
        cm_ctx_reply_media(ctx, 200, CM_CSV_MEDIA_TYPE, csv);
    } else {
        cm_ctx_fail_status(ctx, CM_EINTERNAL, "the report has no CSV");
    }
}

void
station_report_get(cm_ctx_t *ctx)
{
    int64_t from = 0, to = 0;
    const char *department = cm_ctx_query(ctx, "department");
    if (!s_allowed(ctx, department) || !s_query(ctx, &from, &to)) {
        return;
    }
    int64_t before = from - (to - from);
    json_t *current[S_SERVICES] = {NULL};
    json_t *previous[S_SERVICES] = {NULL};
    for (int i = 0; i < S_SERVICES; i++) {
        int left = 2 * (S_SERVICES - i);
        current[i] = s_ask(ctx, s_services[i], from, to, department, left);
        // A service that did not answer for the period is not asked again.
        previous[i] = current[i] ? s_ask(ctx, s_services[i], before, from,
                                         department, left - 1)
                                 : NULL;
    }
    json_t *sections = json_object();
    bool complete = true;
    for (size_t s = 0; s_sections[s].section; s++) {
        int i = 0;
        while (strcmp(s_services[i], s_sections[s].service) != 0) {
            i++;
        }
        bool available = current[i] && previous[i];
        complete = complete && available;
        json_object_set_new(
            sections, s_sections[s].section,
            json_pack("{s:s, s:b, s:o}", "service", s_services[i], "available",
                      available, "figures",
                      available ? s_figures(s_sections[s].section, current[i],
                                            previous[i])
                                : json_object()));
    }
    for (int i = 0; i < S_SERVICES; i++) {
        json_decref(current[i]);
        json_decref(previous[i]);
    }
    json_t *report =
        json_pack("{s:o, s:o, s:s?, s:b, s:o}", "period", s_period(from, to),
                  "previous_period", s_period(before, from), "department",
                  department, "complete", complete, "sections", sections);
    if (!department) {
        json_object_set_new(report, "department", json_null());
    }
    cm_log_info("station_report.read", "actor", cm_ctx_actor_id(ctx),
                "department", department ? department : "", "complete",
                complete ? "true" : "false");
    if (cm_ctx_accepts(ctx, "text/csv")) {
        s_reply_csv(ctx, report);
        json_decref(report);
    } else {
        cm_ctx_reply(ctx, 200, report);
    }
}
