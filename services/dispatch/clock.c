#include "clock.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "calendar_http.h"
#include "cm_doc.h"
#include "cm_log.h"
#include "cm_status.h"
#include "cm_time.h"
#include "dispatch.h"
#include "sla_report.h"

// Where clocks live (cm_doc keys and reads; a clock is dispatch's own
// record: no process, history or list).
const cm_doc_type_t clock_type = {
    .owner = DISPATCH_OWNER,
    .kind = "clock",
    .what = "SLA clock",
};

static json_t *
s_string_or_null(const json_t *summary, const char *field)
{
    const json_t *value = json_object_get(summary, field);
    return json_is_string(value) ? json_incref((json_t *)value) : json_null();
}

json_t *
clock_new(const json_t *summary, sla_target_t target, const sla_terms_t *terms,
          const calendar_t *calendar, const char *department_fallback,
          int64_t start_ms)
{
    assert(summary && terms && calendar);
    const char *case_id = cm_doc_text(summary, "id");
    char id[CLOCK_ID_MAX];
    clock_id(case_id, target, id, sizeof id);
    int64_t duration = terms->duration_ms[target];
    int64_t deadline = calendar_add(calendar, start_ms, duration);
    const char *dept = cm_doc_text(summary, "department");
    json_t *clock = json_pack(
        "{s:s, s:s, s:n, s:s, s:o, s:o, s:s, s:s, s:b, s:s, s:I, s:I, s:i, "
        "s:n, s:n, s:[], s:[]}",
        "id", id, "case_id", case_id, "workorder_id", "target",
        sla_target_name(target), "kind", s_string_or_null(summary, "kind"),
        "severity", s_string_or_null(summary, "severity"), "department",
        *dept ? dept : department_fallback, "state", "running", "business_time",
        terms->business_time, "calendar", terms->calendar, "duration_ms",
        (json_int_t)duration, "deadline_ms", (json_int_t)deadline, "level", 0,
        "next_escalation_ms", "paused_at", "pauses", "escalations");
    assert(clock);
    cm_doc_set_time(clock, "started_at", start_ms);
    cm_doc_set_time(clock, "deadline", deadline);
    cm_doc_set_time(clock, "updated_at", start_ms);
    return clock;
}

int
clock_calendar(cm_store_t *store, const json_t *clock, calendar_t *calendar)
{
    if (json_is_false(json_object_get(clock, "business_time"))) {
        calendar_always_open(calendar);
        return 0;
    }
    const char *name = cm_doc_text(clock, "calendar");
    int rc = calendar_load(store, *name ? name : "default", calendar);
    if (rc == CM_ENOTFOUND) {
        cm_log_warn("clock.calendar_missing", "clock", cm_doc_text(clock, "id"),
                    "calendar", name);
        calendar_default(calendar); // a deleted calendar must not stop SLAs
        rc = 0;
    }
    return rc;
}

static int64_t
s_int(const json_t *clock, const char *field)
{
    return (int64_t)json_integer_value(json_object_get(clock, field));
}

static bool
s_state_is(const json_t *clock, const char *state)
{
    return strcmp(cm_doc_text(clock, "state"), state) == 0;
}

int64_t
clock_due(const json_t *clock)
{
    if (!s_state_is(clock, "running")) {
        return 0;
    }
    if (s_int(clock, "level") == 0) {
        return s_int(clock, "deadline_ms");
    }
    const json_t *next = json_object_get(clock, "next_escalation_ms");
    return json_is_integer(next) ? (int64_t)json_integer_value(next) : 0;
}

static void
s_touch(json_t *clock, const char *state, int64_t now_ms)
{
    json_object_set_new(clock, "state", json_string(state));
    cm_doc_set_time(clock, "updated_at", now_ms);
}

bool
clock_pause(json_t *clock, int64_t now_ms)
{
    if (!s_state_is(clock, "running")) {
        return false;
    }
    cm_doc_set_time(clock, "paused_at", now_ms);
    s_touch(clock, "paused", now_ms);
    return true;
}

static void
s_set_deadline(json_t *clock, int64_t deadline_ms)
{
    json_object_set_new(clock, "deadline_ms", json_integer(deadline_ms));
    cm_doc_set_time(clock, "deadline", deadline_ms);
}

bool
clock_resume(json_t *clock, const calendar_t *calendar, int64_t now_ms)
{
    if (!s_state_is(clock, "paused")) {
        return false;
    }
    int64_t start = cm_doc_time(clock, "paused_at", now_ms);
    int64_t paused = calendar_between(calendar, start, now_ms);
    json_t *pause = json_pack("{s:I}", "duration_ms", (json_int_t)paused);
    assert(pause);
    cm_doc_set_time(pause, "start", start);
    cm_doc_set_time(pause, "end", now_ms);
    json_array_append_new(json_object_get(clock, "pauses"), pause);
    int64_t deadline =
        calendar_add(calendar, s_int(clock, "deadline_ms"), paused);
    s_set_deadline(clock, deadline);
    json_t *next = json_object_get(clock, "next_escalation_ms");
    if (json_is_integer(next)) {
        int64_t moved =
            calendar_add(calendar, json_integer_value(next), paused);
        json_object_set_new(clock, "next_escalation_ms", json_integer(moved));
    }
    json_object_set_new(clock, "paused_at", json_null());
    s_touch(clock, "running", now_ms);
    return true;
}

bool
clock_is_live(const json_t *clock)
{
    return s_state_is(clock, "running") || s_state_is(clock, "paused");
}

bool
clock_stop(json_t *clock, const char *state, int64_t now_ms)
{
    if (!clock_is_live(clock)) {
        return false;
    }
    cm_doc_set_time(clock, "stopped_at", now_ms);
    s_touch(clock, state, now_ms);
    return true;
}

bool
clock_set_deadline(json_t *clock, int64_t deadline_ms, int64_t now_ms)
{
    if (!clock_is_live(clock) || s_int(clock, "level") > 0
        || s_int(clock, "deadline_ms") == deadline_ms) {
        return false;
    }
    s_set_deadline(clock, deadline_ms);
    json_object_set_new(clock, "promised", json_true());
    cm_doc_set_time(clock, "updated_at", now_ms);
    return true;
}

bool
clock_set_member(json_t *clock, const char *field, const char *value)
{
    if (!clock_is_live(clock) || !value || !*value
        || strcmp(cm_doc_text(clock, field), value) == 0) {
        return false;
    }
    json_object_set_new(clock, field, json_string(value));
    return true;
}

void
clock_id(const char *subject, sla_target_t target, char *buf, size_t size)
{
    snprintf(buf, size, "%s:%s", subject, sla_target_name(target));
}

void
clock_set_take(clock_set_t *set, json_t **docs, const int64_t *versions)
{
    memset(set, 0, sizeof *set);
    for (int t = 0; t < SLA_TARGET_COUNT; t++) {
        set->docs[t] = docs[t];
        set->versions[t] = docs[t] ? versions[t] : CM_VERSION_NEW;
        docs[t] = NULL;
    }
}

void
clock_set_put(clock_set_t *set, sla_target_t target, json_t *clock)
{
    json_decref(set->docs[target]);
    set->docs[target] = clock;
    set->dirty[target] = true;
}

void
clock_commit(cm_commit_t *commit, const json_t *clock, int64_t expected)
{
    const char *id = cm_doc_text(clock, "id");
    dispatch_record_put(commit, &clock_type, clock, expected);
    char key[CM_STORE_KEY_MAX];
    clock_timers_key(key);
    int64_t due = clock_due(clock);
    if (due > 0) {
        cm_commit_index_add(commit, key, id, due);
    } else {
        cm_commit_index_remove(commit, key, id);
    }
    // Stopped clocks by the time they stopped, for the SLA report.
    sla_report_done_key(key);
    if (strcmp(cm_doc_state(clock), "stopped") == 0) {
        cm_commit_index_add(commit, key, id,
                            cm_doc_time(clock, "stopped_at", 0));
    } else {
        cm_commit_index_remove(commit, key, id);
    }
}

const char *
clock_timers_key(char *key)
{
    const char *built = cm_store_key(key, CM_STORE_KEY_MAX, DISPATCH_OWNER,
                                     "timers", CLOCK_TIMERS);
    assert(built);
    return key;
}

int
clock_load(cm_store_t *store, const char *id, json_t **clock, int64_t *version)
{
    return cm_doc_read(store, &clock_type, id, clock, version);
}

void
clock_set_member_all(clock_set_t *set, const char *field, const char *value)
{
    for (int t = 0; t < SLA_TARGET_COUNT; t++) {
        if (set->docs[t] && clock_set_member(set->docs[t], field, value)) {
            set->dirty[t] = true;
        }
    }
}

void
clock_set_flush(const clock_set_t *set, cm_commit_t *commit)
{
    for (int t = 0; t < SLA_TARGET_COUNT; t++) {
        if (set->dirty[t] && set->docs[t]) {
            clock_commit(commit, set->docs[t], set->versions[t]);
        }
    }
}

void
clock_set_clear(clock_set_t *set)
{
    for (int t = 0; t < SLA_TARGET_COUNT; t++) {
        json_decref(set->docs[t]);
    }
    memset(set, 0, sizeof *set);
}
