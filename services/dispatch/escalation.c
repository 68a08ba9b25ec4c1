#include "escalation.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "cm_log.h"
#include "cm_org.h"
#include "cm_outbox.h"
#include "cm_status.h"
#include "cm_time.h"
#include "events/dispatch.h"
#include "workorder.h"

#define S_SUBJECT_MAX 96

int64_t
escalation_next_due(const json_t *clock, const calendar_t *calendar,
                    int64_t step_ms, int64_t due_ms)
{
    int64_t step = step_ms > 0 ? step_ms
                               : (int64_t)json_integer_value(
                                   json_object_get(clock, "duration_ms"));
    return calendar_add(calendar, due_ms, step);
}

// Record the step on the clock: level, who, when, the next due time.
static void
s_record_step(json_t *clock, int level, const char *to, int64_t next_due,
              int64_t now_ms)
{
    json_t *step =
        json_pack("{s:i, s:s?}", "level", level, "to", *to ? to : NULL);
    assert(step);
    cm_doc_set_time(step, "at", now_ms);
    if (!json_object_get(step, "to")) {
        json_object_set_new(step, "to", json_null());
    }
    json_array_append_new(json_object_get(clock, "escalations"), step);
    json_object_set_new(clock, "level", json_integer(level));
    json_object_set_new(clock, "next_escalation_ms",
                        next_due > 0 ? json_integer(next_due) : json_null());
    if (level == 1) {
        cm_doc_set_time(clock, "breached_at", now_ms);
    }
    cm_doc_set_time(clock, "updated_at", now_ms);
}

static json_t *
s_breach_data(const json_t *clock, int level, const char *to)
{
    json_t *data = json_pack("{s:O, s:O, s:O, s:i, s:s?, s:O}", "case_id",
                             json_object_get(clock, "case_id"), "workorder_id",
                             json_object_get(clock, "workorder_id"), "target",
                             json_object_get(clock, "target"), "level", level,
                             "escalated_to", *to ? to : NULL, "deadline",
                             json_object_get(clock, "deadline"));
    assert(data);
    if (!json_object_get(data, "escalated_to")) {
        json_object_set_new(data, "escalated_to", json_null());
    }
    return data;
}

// Escalate the clock's work order too (row "escalate", dispatch's own).
static int
s_escalate_workorder(cm_store_t *store, cm_commit_t *commit,
                     const json_t *clock, int level, const char *to,
                     int64_t now_ms)
{
    const char *id = cm_doc_text(clock, "workorder_id");
    json_t *old = NULL;
    int64_t version = 0;
    if (!*id || cm_doc_read(store, &workorder_type, id, &old, &version) != 0) {
        return 0; // no work order (yet): the breach event still goes out
    }
    json_t *doc = json_deep_copy(old);
    json_t *events = json_array();
    json_t *body =
        json_pack("{s:i, s:s?, s:O}", "level", level, "escalated_to",
                  *to ? to : NULL, "target", json_object_get(clock, "target"));
    json_t *problem = workorder_apply_own(store, commit, doc, version,
                                          "escalate", body, now_ms, events);
    int rc = problem ? 0
                     : workorder_commit_own(commit, old, doc, version, events,
                                            NULL, now_ms);
    json_decref(problem); // a finished work order is not escalated
    json_decref(body);
    json_decref(events);
    json_decref(doc);
    json_decref(old);
    return rc;
}

// Build the commit of one step. 0 or -1.
static int
s_build_step(cm_store_t *store, cm_commit_t *commit, json_t *clock,
             int64_t version, int level, const char *to, int64_t now_ms)
{
    json_t *actor = dispatch_self_actor();
    char subject[S_SUBJECT_MAX];
    snprintf(subject, sizeof subject, "case/%s", cm_doc_text(clock, "case_id"));
    clock_commit(commit, clock, version);
    json_t *data = s_breach_data(clock, level, to);
    cm_envelope_event_t fields = {
        .type = DISPATCH_EVENT_SLA_BREACHED,
        .source = DISPATCH_OWNER,
        .subject = subject,
        .version = version + 1,
        .actor = actor,
        .data = data,
    };
    int rc = cm_outbox_append(commit, &fields);
    json_decref(data);
    if (rc == 0) {
        rc = s_escalate_workorder(store, commit, clock, level, to, now_ms);
    }
    json_decref(actor);
    return rc;
}

// One leased timer: while we work on it, its score is the lease end.
typedef struct {
    const char *id;   // borrowed: the clock id, the timer's member
    int64_t now_ms;   // when it was claimed
    int64_t until_ms; // the lease end
} s_lease_t;

// End the lease: remove the timer (next_due_ms 0) or move it to
// next_due_ms, unless a commit moved it meanwhile.
static void
s_settle(cm_store_t *store, const s_lease_t *lease, int64_t next_due_ms)
{
    char key[CM_STORE_KEY_MAX];
    clock_timers_key(key);
    // On failure the lease stays and falls due again: nothing is lost.
    (void)cm_store_timer_settle(store, key, lease->id, lease->until_ms,
                                next_due_ms);
}

// Run the step's commit, which also moves or removes the timer (its
// version check keeps that consistent with the clock).
static void
s_commit_step(cm_store_t *store, cm_commit_t *commit, const json_t *clock,
              int level, const char *to, const s_lease_t *lease)
{
    cm_commit_result_t result;
    memset(&result, 0, sizeof result);
    int rc = cm_store_commit(store, commit, &result);
    bool ok = rc == 0 && result.outcome == CM_COMMIT_OK;
    cm_commit_result_clear(&result);
    if (!ok) {
        cm_log_warn("sla.escalation_retry", "clock", lease->id, "#rc",
                    CM_LOG_INT(rc));
        if (rc == 0) {
            // Changed meanwhile: due again on the next tick (unless that
            // change moved the timer itself). After a Redis failure the
            // lease falls due instead.
            s_settle(store, lease, lease->now_ms);
        }
        return;
    }
    cm_log_notice("sla.escalated", "case", cm_doc_text(clock, "case_id"),
                  "workorder", cm_doc_text(clock, "workorder_id"), "target",
                  cm_doc_text(clock, "target"), "#level", CM_LOG_INT(level),
                  "to", to);
}

// Escalate one level. Redis trouble leaves the lease to fall due again.
static void
s_escalate(const dispatch_t *state, cm_store_t *store, json_t *clock,
           int64_t version, int64_t due, const s_lease_t *lease)
{
    calendar_t calendar;
    if (clock_calendar(store, clock, &calendar) != 0) {
        return;
    }
    int level = (int)json_integer_value(json_object_get(clock, "level")) + 1;
    char to[CM_ORG_ID_MAX];
    const char *dept = cm_doc_text(clock, "department");
    cm_org_escalation_target(store, DISPATCH_OWNER,
                             *dept ? dept : state->default_department, level,
                             to, sizeof to);
    int64_t next = level < CLOCK_LEVEL_MAX ? escalation_next_due(
                       clock, &calendar, state->escalation_step_ms, due)
                                           : 0;
    s_record_step(clock, level, to, next, lease->now_ms);
    cm_commit_t *commit = cm_commit_new(DISPATCH_OWNER);
    if (s_build_step(store, commit, clock, version, level, to, lease->now_ms)
        == 0) {
        s_commit_step(store, commit, clock, level, to, lease);
    }
    cm_commit_destroy(&commit);
}

// One leased timer.
static void
s_handle_timer(const dispatch_t *state, cm_store_t *store,
               const s_lease_t *lease)
{
    json_t *clock = NULL;
    int64_t version = 0;
    int rc = clock_load(store, lease->id, &clock, &version);
    if (rc != 0) {
        if (rc == CM_ENOTFOUND) {
            s_settle(store, lease, 0); // no clock, no timer
        }
        return; // Redis trouble: the lease falls due again
    }
    int64_t due = clock_due(clock);
    if (due > lease->now_ms) {
        // Moved (resumed, re-targeted) after we read the set: put it back.
        s_settle(store, lease, due);
    } else if (due > 0
               && json_integer_value(json_object_get(clock, "level"))
                      < CLOCK_LEVEL_MAX) {
        s_escalate(state, store, clock, version, due, lease);
    } else {
        s_settle(store, lease, 0); // stopped, paused or fully escalated
    }
    json_decref(clock);
}

void
escalation_tick(const dispatch_t *state, cm_store_t *store)
{
    assert(state && store);
    char key[CM_STORE_KEY_MAX];
    clock_timers_key(key);
    int64_t now = cm_time_now_ms();
    char **members = NULL;
    size_t count = 0;
    if (cm_store_timer_claim(store, key, now, DISPATCH_TIMER_LEASE_MS,
                             DISPATCH_TIMER_BATCH, &members, &count)
        != 0) {
        return; // Redis down: the timers stay for a later tick
    }
    for (size_t i = 0; i < count; i++) {
        s_lease_t lease = {members[i], now, now + DISPATCH_TIMER_LEASE_MS};
        s_handle_timer(state, store, &lease);
    }
    cm_store_strings_free(&members, count);
}
