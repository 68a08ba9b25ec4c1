#include "dispatch_events.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "calendar_http.h"
#include "clock.h"
#include "cm_log.h"
#include "cm_time.h"
#include "dispatch.h"
#include "dispatch_doc.h"
#include "org.h"
#include "workorder.h"
#include "workorder_flow.h"

#define S_TITLE_MAX  96
#define S_EVENTS_MAX 4

// One intake event being turned into one commit.
typedef struct {
    const dispatch_t *state;    // borrowed
    cm_store_t *store;          // borrowed: the background thread's
    cm_commit_t *commit;        // borrowed: holds the dedupe marker
    const json_t *data;         // borrowed: the case summary
    const char *case_id;        // borrowed from data
    const char *correlation_id; // borrowed from the envelope, may be NULL
    json_t *actor;              // the system actor (owned)
    clock_set_t clocks;         // the case's clocks (owned)
    int64_t now;                // when we react
} s_reaction_t;

typedef int(s_reaction_fn)(s_reaction_t *r);

// ---- clocks

static int
s_terms_calendar(s_reaction_t *r, sla_terms_t *terms, calendar_t *calendar)
{
    const char *kind = dispatch_string(r->data, "kind");
    const char *severity =
        json_string_value(json_object_get(r->data, "severity"));
    int rc = sla_policy_terms(r->store, kind, severity, terms);
    if (rc != 0) {
        return rc;
    }
    if (!terms->business_time) {
        calendar_always_open(calendar);
        return 0;
    }
    rc = calendar_load(r->store, terms->calendar, calendar);
    if (rc == CM_ENOTFOUND) {
        calendar_default(calendar);
        rc = 0;
    }
    return rc;
}

static const char *
s_known_workorder(const s_reaction_t *r)
{
    for (int t = 0; t < SLA_TARGET_COUNT; t++) {
        const char *id = dispatch_string(r->clocks.docs[t], "workorder_id");
        if (*id) {
            return id;
        }
    }
    return NULL;
}

// Start clock `target`, replacing one there only when restart is true.
static int
s_start_clock(s_reaction_t *r, sla_target_t target, bool restart)
{
    if (r->clocks.docs[target] && !restart) {
        return 0;
    }
    sla_terms_t terms;
    calendar_t calendar;
    int rc = s_terms_calendar(r, &terms, &calendar);
    if (rc == CM_ENOTFOUND) {
        cm_log_warn("clock.no_policy", "case", r->case_id, "kind",
                    dispatch_string(r->data, "kind"));
        return 0;
    }
    if (rc != 0) {
        return rc;
    }
    json_t *clock = clock_new(r->data, target, &terms, &calendar,
                              r->state->default_department, r->now);
    const char *workorder = s_known_workorder(r);
    if (workorder) {
        json_object_set_new(clock, "workorder_id", json_string(workorder));
    }
    cm_log_info("clock.started", "case", r->case_id, "target",
                sla_target_name(target), "deadline",
                dispatch_string(clock, "deadline"));
    clock_set_put(&r->clocks, target, clock);
    return 0;
}

static void
s_stop_clock(s_reaction_t *r, sla_target_t target, const char *state)
{
    json_t *clock = r->clocks.docs[target];
    if (clock && clock_stop(clock, state, r->now)) {
        r->clocks.dirty[target] = true;
        cm_log_info("clock.stopped", "case", r->case_id, "target",
                    sla_target_name(target), "state", state);
    }
}

static void
s_set_clock_member(s_reaction_t *r, const char *field, const char *value)
{
    for (int t = 0; t < SLA_TARGET_COUNT; t++) {
        json_t *clock = r->clocks.docs[t];
        if (clock && clock_set_member(clock, field, value)) {
            r->clocks.dirty[t] = true;
        }
    }
}

// awaiting_customer true pauses resolution, false resumes it.
static int
s_sync_pause(s_reaction_t *r)
{
    json_t *clock = r->clocks.docs[SLA_RESOLUTION];
    if (!clock) {
        return 0;
    }
    bool awaiting = json_is_true(json_object_get(r->data, "awaiting_customer"));
    if (awaiting && clock_pause(clock, r->now)) {
        r->clocks.dirty[SLA_RESOLUTION] = true;
        cm_log_info("clock.paused", "case", r->case_id, "target", "resolution");
        return 0;
    }
    if (awaiting || strcmp(dispatch_string(clock, "state"), "paused") != 0) {
        return 0;
    }
    calendar_t calendar;
    int rc = clock_calendar(r->store, clock, &calendar);
    if (rc == 0 && clock_resume(clock, &calendar, r->now)) {
        r->clocks.dirty[SLA_RESOLUTION] = true;
        cm_log_info("clock.resumed", "case", r->case_id, "target", "resolution",
                    "deadline", dispatch_string(clock, "deadline"));
    }
    return rc;
}

// ---- the work order of the case

static const char *
s_priority(const json_t *data)
{
    const char *severity = dispatch_string(data, "severity");
    static const char *const map[][2] = {{"low", "low"},
                                         {"medium", "normal"},
                                         {"high", "high"},
                                         {"critical", "urgent"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        if (strcmp(severity, map[i][0]) == 0) {
            return map[i][1];
        }
    }
    return "normal";
}

static const char *
s_department(const s_reaction_t *r)
{
    const char *dept = dispatch_string(r->data, "department");
    return *dept ? dept : r->state->default_department;
}

// The case's unfinished work order, or a new one when create is true.
// *doc NULL when there is none to act on.
static int
s_workorder_for_case(s_reaction_t *r, bool create, json_t **doc,
                     int64_t *version)
{
    char id[CM_STORE_KEY_MAX];
    *doc = NULL;
    *version = CM_VERSION_NEW;
    int rc = workorder_find_by_source(r->store, "case", r->case_id, id);
    if (rc == 0 && id[0]) {
        rc = workorder_load(r->store, id, doc, version);
        if (rc == 0
            && !workorder_state_is_unfinished(dispatch_string(*doc, "state"))) {
            json_decref(*doc);
            *doc = NULL;
            *version = CM_VERSION_NEW;
        }
    }
    if (rc != 0 || *doc || !create) {
        return rc == CM_ENOTFOUND ? 0 : rc;
    }
    rc = workorder_next_id(r->store, id);
    if (rc == 0) {
        char title[S_TITLE_MAX];
        snprintf(title, sizeof title, "%s %s", dispatch_string(r->data, "kind"),
                 r->case_id);
        json_t *source =
            json_pack("{s:s, s:s}", "type", "case", "id", r->case_id);
        *doc = workorder_new(id, title, s_department(r), source,
                             s_priority(r->data), DISPATCH_OWNER, r->now);
        json_decref(source);
    }
    return rc;
}

// Move an open work order to the case's department (forwarded elsewhere).
static bool
s_requeue(s_reaction_t *r, json_t *doc)
{
    const char *dept = dispatch_string(r->data, "department");
    if (!*dept || strcmp(dept, dispatch_string(doc, "department")) == 0) {
        return false;
    }
    json_t *entry =
        json_pack("{s:o, s:s, s:s, s:s, s:s}", "at", dispatch_time_json(r->now),
                  "actor", DISPATCH_OWNER, "action", "requeue", "from",
                  dispatch_string(doc, "department"), "to", dept);
    json_array_append_new(json_object_get(doc, "history"), entry);
    json_object_set_new(doc, "department", json_string(dept));
    return true;
}

// Apply action (may be NULL) and auto-assignment; collect event types.
static int
s_workorder_changes(s_reaction_t *r, json_t *doc, bool is_new,
                    const char *action, const json_t *body, const char **types,
                    size_t *count)
{
    bool moved = !is_new && s_requeue(r, doc);
    if (is_new) {
        types[(*count)++] = "dispatch.workorder.created";
    }
    if (action) {
        cm_workflow_step_t step;
        json_t *problem =
            workorder_transition(doc, action, r->actor, body, r->now, &step);
        if (!problem && step.event_type) {
            types[(*count)++] = step.event_type;
        }
        json_decref(problem); // e.g. already done: nothing to add
    }
    if (is_new || moved) {
        int rc = workorder_auto_assign(r->state, r->store, doc, r->now);
        if (rc < 0) {
            return rc;
        }
        if (rc == 1) {
            types[(*count)++] = "dispatch.workorder.assigned";
        }
    }
    if (moved && *count == 0) {
        types[(*count)++] = "dispatch.workorder.reassigned"; // new queue
    }
    return 0;
}

static int
s_touch_workorder(s_reaction_t *r, bool create, const char *action,
                  const json_t *body)
{
    json_t *doc = NULL;
    int64_t version = 0;
    int rc = s_workorder_for_case(r, create, &doc, &version);
    if (rc != 0 || !doc) {
        return rc;
    }
    bool is_new = version == CM_VERSION_NEW;
    workorder_keys_t old;
    workorder_keys(is_new ? NULL : doc, &old);
    const char *types[S_EVENTS_MAX];
    size_t count = 0;
    rc = s_workorder_changes(r, doc, is_new, action, body, types, &count);
    if (rc == 0 && count > 0) {
        workorder_commit(r->commit, doc, version, &old, r->now);
        for (size_t i = 0; rc == 0 && i < count; i++) {
            rc = workorder_event(r->commit, types[i], doc, version + 1,
                                 r->actor, r->correlation_id);
        }
    }
    s_set_clock_member(r, "workorder_id", dispatch_string(doc, "id"));
    json_decref(doc);
    return rc;
}

// ---- reactions per event type

static int
s_on_created(s_reaction_t *r)
{
    int rc = s_start_clock(r, SLA_FIRST_RESPONSE, false);
    return rc ? rc : s_start_clock(r, SLA_RESOLUTION, false);
}

// Severity judged: clocks still at level 0 follow the severity's row,
// counted from their start plus the business time they spent paused.
static int
s_on_triaged(s_reaction_t *r)
{
    sla_terms_t terms;
    calendar_t calendar;
    int rc = s_terms_calendar(r, &terms, &calendar);
    if (rc != 0) {
        return rc == CM_ENOTFOUND ? 0 : rc;
    }
    for (int t = 0; t < SLA_TARGET_COUNT; t++) {
        json_t *clock = r->clocks.docs[t];
        if (!clock || !clock_is_live(clock)
            || json_integer_value(json_object_get(clock, "level")) > 0
            || json_is_true(json_object_get(clock, "promised"))) {
            continue;
        }
        int64_t paused = 0;
        size_t i;
        const json_t *pause;
        json_array_foreach(json_object_get(clock, "pauses"), i, pause)
        {
            paused += json_integer_value(json_object_get(pause, "duration_ms"));
        }
        int64_t start = dispatch_time_member(clock, "started_at", r->now);
        int64_t deadline =
            calendar_add(&calendar, start, terms.duration_ms[t] + paused);
        json_object_set_new(clock, "severity",
                            json_incref(json_object_get(r->data, "severity")));
        json_object_set_new(clock, "duration_ms",
                            json_integer(terms.duration_ms[t]));
        json_object_set_new(clock, "deadline_ms", json_integer(deadline));
        json_object_set_new(clock, "deadline", dispatch_time_json(deadline));
        r->clocks.dirty[t] = true;
    }
    return 0;
}

static int
s_on_forwarded(s_reaction_t *r)
{
    int rc = s_start_clock(r, SLA_FIRST_RESPONSE, false);
    rc = rc ? rc : s_start_clock(r, SLA_RESOLUTION, false);
    rc = rc ? rc : s_start_clock(r, SLA_DEPARTMENT_REPLY, true);
    if (rc != 0) {
        return rc;
    }
    const char *promised =
        json_string_value(json_object_get(r->data, "promised_reply_at"));
    int64_t promised_ms = 0;
    json_t *first = r->clocks.docs[SLA_FIRST_RESPONSE];
    if (promised && cm_time_parse(promised, &promised_ms) == 0 && first
        && clock_set_deadline(first, promised_ms, r->now)) {
        r->clocks.dirty[SLA_FIRST_RESPONSE] = true;
    }
    return s_touch_workorder(r, true, NULL, NULL);
}

static int
s_on_assigned(s_reaction_t *r)
{
    const char *assignee = dispatch_string(r->data, "assignee");
    if (!*assignee) {
        return 0;
    }
    json_t *doc = NULL;
    int64_t version = 0;
    int rc = s_workorder_for_case(r, false, &doc, &version);
    if (rc != 0) {
        return rc;
    }
    const char *state = doc ? dispatch_string(doc, "state") : "open";
    bool same = doc && strcmp(dispatch_string(doc, "assignee"), assignee) == 0;
    const char *action = strcmp(state, "open") == 0 ? "assign" : "reassign";
    json_decref(doc);
    if (same) {
        return 0;
    }
    json_t *body = json_pack("{s:s, s:s}", "assignee", assignee, "note",
                             "assigned on the case");
    rc = s_touch_workorder(r, true, action, body);
    json_decref(body);
    return rc;
}

static int
s_on_responded(s_reaction_t *r)
{
    s_stop_clock(r, SLA_FIRST_RESPONSE, "stopped");
    s_stop_clock(r, SLA_DEPARTMENT_REPLY, "stopped");
    return 0;
}

static int
s_on_closed(s_reaction_t *r)
{
    for (int t = 0; t < SLA_TARGET_COUNT; t++) {
        s_stop_clock(r, t, "stopped");
    }
    json_t *body = json_pack("{s:s}", "note", "case closed");
    int rc = s_touch_workorder(r, false, "complete", body);
    json_decref(body);
    return rc;
}

static int
s_on_cancelled(s_reaction_t *r)
{
    for (int t = 0; t < SLA_TARGET_COUNT; t++) {
        s_stop_clock(r, t, "cancelled");
    }
    json_t *body = json_pack("{s:s}", "note", "case cancelled");
    int rc = s_touch_workorder(r, false, "close", body);
    json_decref(body);
    return rc;
}

static int
s_on_reopened(s_reaction_t *r)
{
    return s_start_clock(r, SLA_RESOLUTION, true);
}

static const struct {
    const char *type;
    s_reaction_fn *fn;
} s_reactions[] = {
    {"intake.case.created", s_on_created},
    {"intake.case.triaged", s_on_triaged},
    {"intake.case.forwarded", s_on_forwarded},
    {"intake.case.assigned", s_on_assigned},
    // The department (or, for answered, the agent on the spot) responded.
    {"intake.case.answered", s_on_responded},
    {"intake.case.replied", s_on_responded},
    {"intake.case.proposed", s_on_responded},
    {"intake.case.diagnosed", s_on_responded},
    {"intake.case.closed", s_on_closed},
    {"intake.case.cancelled", s_on_cancelled},
    {"intake.case.reopened", s_on_reopened},
};

static s_reaction_fn *
s_reaction_for(const char *type)
{
    for (size_t i = 0; i < sizeof s_reactions / sizeof s_reactions[0]; i++) {
        if (strcmp(s_reactions[i].type, type) == 0) {
            return s_reactions[i].fn;
        }
    }
    return NULL;
}

static int
s_react(s_reaction_t *r, const char *type)
{
    int rc = clock_set_load(r->store, r->case_id, &r->clocks);
    if (rc != 0) {
        return rc;
    }
    s_reaction_fn *fn = s_reaction_for(type);
    rc = fn ? fn(r) : 0;
    if (rc == 0) {
        s_set_clock_member(r, "department",
                           dispatch_string(r->data, "department"));
        rc = s_sync_pause(r);
    }
    if (rc == 0) {
        clock_set_flush(&r->clocks, r->commit);
    }
    clock_set_clear(&r->clocks);
    return rc;
}

int
dispatch_events_on_intake(cm_store_t *store, const cm_event_t *event,
                          cm_commit_t *commit, void *arg)
{
    assert(store && event && commit && arg);
    dispatch_t *state = arg;
    json_t *envelope = json_loads(event->envelope, 0, NULL);
    const json_t *data = json_object_get(envelope, "data");
    const char *case_id = json_string_value(json_object_get(data, "id"));
    if (!case_id || !*case_id || strlen(case_id) > ORG_ID_MAX) {
        cm_log_warn("intake.event.unusable", "type", event->type, "id",
                    event->id);
        json_decref(envelope);
        return 0; // a malformed event is acknowledged
    }
    s_reaction_t r = {
        .state = state,
        .store = store,
        .commit = commit,
        .data = data,
        .case_id = case_id,
        .correlation_id =
            json_string_value(json_object_get(envelope, "correlation_id")),
        .actor = dispatch_system_actor(),
        .now = cm_time_now_ms(),
    };
    int rc = s_react(&r, event->type);
    if (rc != 0) {
        cm_log_warn("intake.event.failed", "type", event->type, "case", case_id,
                    "#rc", CM_LOG_INT(rc));
    }
    json_decref(r.actor);
    json_decref(envelope);
    return rc;
}

int
dispatch_events_on_personnel(cm_store_t *store, const cm_event_t *event,
                             cm_commit_t *commit, void *arg)
{
    (void)arg; // the org copy needs no service state
    assert(store && event && commit);
    json_t *envelope = json_loads(event->envelope, 0, NULL);
    int rc = org_apply_event(store, event->type,
                             json_object_get(envelope, "data"), commit);
    json_decref(envelope);
    return rc;
}
