#include "dispatch_events.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "calendar_http.h"
#include "case_record.h"
#include "case_workorder.h"
#include "clock.h"
#include "cm_log.h"
#include "cm_org.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "dispatch.h"
#include "events/intake.h"
#include "work_request.h"

// ---- clocks

static int
s_read_terms_calendar(dispatch_reaction_t *r, sla_terms_t *terms,
                      calendar_t *calendar)
{
    const char *kind = cm_doc_text(r->data, "kind");
    const char *severity = cm_doc_string(r->data, "severity");
    int rc = sla_policy_terms_of(kind, r->policy, severity, terms);
    if (rc != 0) {
        return rc;
    }
    if (!terms->business_time) {
        calendar_always_open(calendar);
        return 0;
    }
    rc = strcmp(terms->calendar, "default") == 0
             ? calendar_of("default", r->default_calendar, calendar)
             : calendar_load(r->store, terms->calendar, calendar);
    if (rc == CM_ENOTFOUND) {
        calendar_default(calendar);
        rc = 0;
    }
    return rc;
}

// The SLA terms of the case and their calendar, read once per reaction
// (every clock a reaction starts counts in the same ones).
static int
s_terms_calendar(dispatch_reaction_t *r, sla_terms_t *terms,
                 calendar_t *calendar)
{
    if (!r->terms_read) {
        r->terms_rc = s_read_terms_calendar(r, &r->terms, &r->calendar);
        r->terms_read = true;
    }
    *terms = r->terms;
    *calendar = r->calendar;
    return r->terms_rc;
}

// Start clock `target` at start_ms. One that is there stays, unless
// restart is asked and it was started by an earlier case version: a
// redelivered event never restarts the clock it started.
static int
s_start_clock(dispatch_reaction_t *r, sla_target_t target, bool restart,
              int64_t start_ms)
{
    const json_t *there = r->clocks.docs[target];
    if (there
        && (!restart
            || (r->version > 0
                && cm_doc_integer(there, "case_version") >= r->version))) {
        return 0;
    }
    sla_terms_t terms;
    calendar_t calendar;
    int rc = s_terms_calendar(r, &terms, &calendar);
    if (rc == CM_ENOTFOUND) {
        cm_log_warn("clock.no_policy", "case", r->case_id, "kind",
                    cm_doc_text(r->data, "kind"));
        return 0;
    }
    if (rc != 0) {
        return rc;
    }
    json_t *clock = clock_new(r->data, target, &terms, &calendar,
                              r->state->default_department, start_ms);
    json_object_set_new(clock, "case_version", json_integer(r->version));
    const char *workorder = cm_doc_string(r->record, "workorder_id");
    if (workorder) {
        cm_doc_set_string(clock, "workorder_id", workorder);
    }
    cm_log_info("clock.started", "case", r->case_id, "target",
                sla_target_name(target), "deadline",
                cm_doc_text(clock, "deadline"));
    clock_set_put(&r->clocks, target, clock);
    return 0;
}

static void
s_stop_clock(dispatch_reaction_t *r, sla_target_t target, const char *state)
{
    json_t *clock = r->clocks.docs[target];
    if (clock && clock_stop(clock, state, r->now)) {
        r->clocks.dirty[target] = true;
        cm_log_info("clock.stopped", "case", r->case_id, "target",
                    sla_target_name(target), "state", state);
    }
}

static void
s_stop_all(dispatch_reaction_t *r, const char *state)
{
    for (int t = 0; t < SLA_TARGET_COUNT; t++) {
        s_stop_clock(r, t, state);
    }
}

// awaiting_customer true pauses resolution, false resumes it.
static int
s_sync_pause(dispatch_reaction_t *r)
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
    if (awaiting || strcmp(cm_doc_state(clock), "paused") != 0) {
        return 0;
    }
    calendar_t calendar;
    int rc = clock_calendar(r->store, clock, &calendar);
    if (rc == 0 && clock_resume(clock, &calendar, r->now)) {
        r->clocks.dirty[SLA_RESOLUTION] = true;
        cm_log_info("clock.resumed", "case", r->case_id, "target", "resolution",
                    "deadline", cm_doc_text(clock, "deadline"));
    }
    return rc;
}

// When the case was created: the record's (the event's own data, or the
// time of intake.case.created).
static int64_t
s_created_ms(const dispatch_reaction_t *r)
{
    return case_record_created_ms(r->record, r->event_ms);
}

// ---- reactions per event type

static int
s_on_created(dispatch_reaction_t *r)
{
    int rc = s_start_clock(r, SLA_FIRST_RESPONSE, false, s_created_ms(r));
    return rc ? rc : s_start_clock(r, SLA_RESOLUTION, false, s_created_ms(r));
}

// Severity judged or corrected, or the kind changed (triage, PATCH,
// reclassify): clocks still at level 0 follow the policy row of the
// case's kind and severity, counted from their start plus the business
// time they spent paused.
static int
s_on_terms_changed(dispatch_reaction_t *r)
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
            || cm_doc_integer(clock, "level") > 0
            || json_is_true(json_object_get(clock, "promised"))) {
            continue;
        }
        int64_t paused = 0;
        size_t i;
        const json_t *pause;
        json_array_foreach(json_object_get(clock, "pauses"), i, pause)
        {
            paused += cm_doc_integer(pause, "duration_ms");
        }
        int64_t start = cm_doc_time(clock, "started_at", r->now);
        int64_t deadline =
            calendar_add(&calendar, start, terms.duration_ms[t] + paused);
        json_object_set(clock, "severity",
                        json_object_get(r->data, "severity"));
        json_object_set_new(clock, "duration_ms",
                            json_integer(terms.duration_ms[t]));
        json_object_set_new(clock, "deadline_ms", json_integer(deadline));
        cm_doc_set_time(clock, "deadline", deadline);
        r->clocks.dirty[t] = true;
    }
    return 0;
}

static int
s_on_forwarded(dispatch_reaction_t *r)
{
    int rc = s_start_clock(r, SLA_FIRST_RESPONSE, false, s_created_ms(r));
    rc = rc ? rc : s_start_clock(r, SLA_RESOLUTION, false, s_created_ms(r));
    rc = rc ? rc : s_start_clock(r, SLA_DEPARTMENT_REPLY, true, r->event_ms);
    if (rc != 0) {
        return rc;
    }
    int64_t promised = cm_doc_time(r->data, "promised_reply_at", 0);
    json_t *first = r->clocks.docs[SLA_FIRST_RESPONSE];
    if (promised > 0 && first && clock_set_deadline(first, promised, r->now)) {
        r->clocks.dirty[SLA_FIRST_RESPONSE] = true;
    }
    return case_workorder_touch(r, true, NULL, NULL);
}

static int
s_on_assigned(dispatch_reaction_t *r)
{
    const char *assignee = cm_doc_text(r->data, "assignee");
    if (!*assignee) {
        return 0;
    }
    json_t *body = json_pack("{s:s, s:s}", "assignee", assignee, "note",
                             "assigned on the case");
    int rc = case_workorder_touch(r, true, "assign", body);
    json_decref(body);
    return rc;
}

static int
s_on_responded(dispatch_reaction_t *r)
{
    s_stop_clock(r, SLA_FIRST_RESPONSE, "stopped");
    s_stop_clock(r, SLA_DEPARTMENT_REPLY, "stopped");
    return 0;
}

static int
s_on_closed(dispatch_reaction_t *r)
{
    s_stop_all(r, "stopped");
    json_t *body = json_pack("{s:s}", "note", "case closed");
    int rc = case_workorder_touch(r, false, "complete", body);
    json_decref(body);
    return rc;
}

static int
s_on_cancelled(dispatch_reaction_t *r)
{
    s_stop_all(r, "cancelled");
    json_t *body = json_pack("{s:s}", "note", "case cancelled");
    int rc = case_workorder_touch(r, false, "close", body);
    json_decref(body);
    return rc;
}

static int
s_on_reopened(dispatch_reaction_t *r)
{
    return s_start_clock(r, SLA_RESOLUTION, true, r->event_ms);
}

typedef int(s_reaction_fn)(dispatch_reaction_t *r);

static const struct {
    const char *type;
    s_reaction_fn *fn;
} s_reactions[] = {
    {INTAKE_EVENT_CASE_CREATED, s_on_created},
    {INTAKE_EVENT_CASE_TRIAGED, s_on_terms_changed},
    {INTAKE_EVENT_CASE_UPDATED, s_on_terms_changed},
    {INTAKE_EVENT_CASE_RECLASSIFIED, s_on_terms_changed},
    {INTAKE_EVENT_CASE_FORWARDED, s_on_forwarded},
    {INTAKE_EVENT_CASE_ASSIGNED, s_on_assigned},
    // The department (or, for answered, the agent on the spot) responded.
    {INTAKE_EVENT_CASE_ANSWERED, s_on_responded},
    {INTAKE_EVENT_CASE_REPLIED, s_on_responded},
    {INTAKE_EVENT_CASE_PROPOSED, s_on_responded},
    {INTAKE_EVENT_CASE_DIAGNOSED, s_on_responded},
    {INTAKE_EVENT_CASE_ACKNOWLEDGED, s_on_responded},
    {INTAKE_EVENT_CASE_ADOPTED, s_on_responded},
    {INTAKE_EVENT_CASE_DECLINED, s_on_responded},
    {INTAKE_EVENT_CASE_CLOSED, s_on_closed},
    {INTAKE_EVENT_CASE_CANCELLED, s_on_cancelled},
    {INTAKE_EVENT_CASE_REOPENED, s_on_reopened},
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

// The reaction to an event not applied before, with the record after it.
static int
s_react(dispatch_reaction_t *r)
{
    s_reaction_fn *fn = s_reaction_for(r->type);
    int rc = fn ? fn(r) : 0;
    if (rc == 0) {
        clock_set_member_all(&r->clocks, "department",
                             cm_doc_text(r->data, "department"));
        rc = s_sync_pause(r);
    }
    if (rc == 0) {
        clock_set_flush(&r->clocks, r->commit);
    }
    return rc;
}

// What a reaction reads, in one round trip: the case's record (*record,
// NULL when dispatch has heard nothing of it, and *version), its clocks
// (r->clocks), the policy of its kind and the default calendar (most
// policies count in it; another is read when a clock needs it).
static int
s_prefetch(dispatch_reaction_t *r, json_t **record, int64_t *version)
{
    enum {
        S_RECORD,
        S_CALENDAR,
        S_CLOCKS,
        S_POLICY = S_CLOCKS + SLA_TARGET_COUNT
    };
    const char *kind = cm_doc_text(r->data, "kind");
    bool known = cm_validate_name_in(SLA_KINDS, kind);
    char clock_ids[SLA_TARGET_COUNT][CLOCK_ID_MAX];
    cm_doc_ref_t refs[S_POLICY + 1] = {
        [S_RECORD] = {&case_record_type, r->case_id},
        [S_CALENDAR] = {&calendar_type, "default"},
        [S_POLICY] = {&sla_policy_type, kind},
    };
    for (int t = 0; t < SLA_TARGET_COUNT; t++) {
        clock_id(r->case_id, t, clock_ids[t], sizeof clock_ids[t]);
        refs[S_CLOCKS + t] = (cm_doc_ref_t){&clock_type, clock_ids[t]};
    }
    json_t *docs[S_POLICY + 1];
    int64_t versions[S_POLICY + 1];
    size_t n = known ? S_POLICY + 1 : S_POLICY; // no policy for no kind
    int rc = cm_doc_read_refs(r->store, refs, n, docs, versions);
    if (rc != 0) {
        return rc;
    }
    *record = docs[S_RECORD];
    *version = *record ? versions[S_RECORD] : CM_VERSION_NEW;
    r->default_calendar = docs[S_CALENDAR];
    clock_set_take(&r->clocks, docs + S_CLOCKS, versions + S_CLOCKS);
    r->policy = known ? docs[S_POLICY] : NULL;
    return 0;
}

// Load the record, skip what was applied, react, write the record.
static int
s_handle(dispatch_reaction_t *r)
{
    json_t *record = NULL;
    int64_t record_version = 0;
    int rc = s_prefetch(r, &record, &record_version);
    if (rc != 0) {
        return rc;
    }
    case_record_seen_t seen = case_record_seen(record, r->type, r->version);
    if (seen != CASE_RECORD_NEW) {
        cm_log_info("intake.event.replayed", "type", r->type, "case",
                    r->case_id, "#version", CM_LOG_INT(r->version), "reason",
                    seen == CASE_RECORD_STALE ? "a later version was applied"
                                              : "applied already");
    } else {
        r->record = case_record_next(record, r->type, r->version, r->data,
                                     r->event_ms, r->now);
        rc = s_react(r);
        if (rc == 0) {
            case_record_commit(r->commit, r->record, record_version);
        }
    }
    json_decref(record);
    json_decref(r->record);
    r->record = NULL;
    clock_set_clear(&r->clocks);
    json_decref(r->policy);
    json_decref(r->default_calendar);
    r->policy = r->default_calendar = NULL;
    return rc;
}

int
dispatch_events_on_intake(cm_store_t *store, const cm_event_t *event,
                          cm_commit_t *commit, void *arg)
{
    assert(store && event && commit && arg);
    if (work_request_is_type(event->type)) {
        return work_request_on_event(store, event, commit, arg); // visits
    }
    if (strncmp(event->type, INTAKE_EVENT_CASE_PREFIX,
                strlen(INTAKE_EVENT_CASE_PREFIX))
        != 0) {
        return 0; // customers and reports are not dispatch's business
    }
    json_t *envelope = json_loads(event->envelope, 0, NULL);
    const json_t *data = json_object_get(envelope, "data");
    const char *case_id = cm_doc_string(data, "id");
    if (!case_id || !*case_id || strlen(case_id) >= CM_ORG_ID_MAX) {
        cm_log_warn("intake.event.unusable", "type", event->type, "id",
                    event->id);
        json_decref(envelope);
        return 0; // a malformed event is acknowledged
    }
    int64_t now = cm_time_now_ms();
    dispatch_reaction_t r = {
        .state = arg,
        .store = store,
        .commit = commit,
        .type = event->type,
        .data = data,
        .case_id = case_id,
        .correlation_id = cm_doc_string(envelope, "correlation_id"),
        .version = cm_doc_integer(envelope, "version"),
        .event_ms = cm_doc_time(envelope, "time", now),
        .now = now,
    };
    int rc = s_handle(&r);
    if (rc != 0) {
        cm_log_warn("intake.event.failed", "type", event->type, "case", case_id,
                    "#rc", CM_LOG_INT(rc));
    }
    json_decref(envelope);
    return rc;
}

int
dispatch_events_on_safety(cm_store_t *store, const cm_event_t *event,
                          cm_commit_t *commit, void *arg)
{
    int rc = cm_org_consume(store, event, commit, arg);
    return rc == 0 ? work_request_on_event(store, event, commit, arg) : rc;
}
