#include "review.h"

#include <stdio.h>
#include <string.h>

#include "cm_action.h"
#include "cm_list.h"
#include "cm_log.h"
#include "cm_org.h"
#include "cm_problem.h"
#include "cm_status.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "events/oversight.h"
#include "oversight.h"

#define S_LEASE_MS  30000
#define S_RETRY_MS  5000 // an escalation not written: tried again then
#define S_TITLE_MAX 201
#define S_KEY_MAX   120
#define S_PATH_MAX  64
// Who writes reviews: the station head, and deputy heads for the
// departments they oversee (regulations 二(二)1–2).
#define S_REVIEWERS "station_head deputy_head"
// Who lists reviews (each sees what may_read lets them).
#define S_LISTERS "station_head deputy_head dept_head auditor"
// Everyone who may own a measure and so mark it done.
#define S_STAFF                                                                \
    "station_head deputy_head dept_head cs_agent technician logistics "        \
    "finance safety_officer"

// The level-2 delay: written once at start, read-only afterwards.
static int64_t s_escalate_after_ms = 7LL * 86400000;

void
review_configure(int64_t escalate_after_ms)
{
    s_escalate_after_ms = escalate_after_ms;
}

static const char *
s_timer_key(char *buf)
{
    return oversight_key(buf, "timers", REVIEW_TIMERS);
}

// ---- small predicates

static bool
s_listed(const json_t *list, const char *value)
{
    for (size_t i = 0; value && i < json_array_size(list); i++) {
        const char *item = json_string_value(json_array_get(list, i));
        if (item && strcmp(item, value) == 0) {
            return true;
        }
    }
    return false;
}

static bool
s_is(const json_t *actor, const char *role)
{
    return strcmp(cm_doc_text(actor, "role"), role) == 0;
}

// True when actor (the org view's) may write a review of `departments`
// (empty: the station): the station head any; a deputy head only
// departments they all oversee.
static bool
s_may_review(const json_t *actor, const json_t *departments)
{
    if (s_is(actor, "station_head")) {
        return true;
    }
    if (!s_is(actor, "deputy_head") || json_array_size(departments) == 0) {
        return false;
    }
    for (size_t i = 0; i < json_array_size(departments); i++) {
        const char *code = json_string_value(json_array_get(departments, i));
        if (!cm_org_oversees(actor, code)) {
            return false;
        }
    }
    return true;
}

// Row guard: the review's own reviewer, still allowed its scope.
static bool
s_reviewer_guard(const json_t *actor, const json_t *doc)
{
    return strcmp(cm_doc_text(actor, "id"), cm_doc_text(doc, "reviewer")) == 0
           && s_may_review(actor, json_object_get(doc, "departments"));
}

// Row guard of measure_done: the reviewer or a measure's owner (which
// measure, and whether it is still open, is the effect's).
static bool
s_done_guard(const json_t *actor, const json_t *doc)
{
    const char *id = cm_doc_text(actor, "id");
    if (strcmp(id, cm_doc_text(doc, "reviewer")) == 0) {
        return true;
    }
    const json_t *measures = json_object_get(doc, "measures");
    for (size_t i = 0; i < json_array_size(measures); i++) {
        const json_t *m = json_array_get(measures, i);
        if (strcmp(cm_doc_text(m, "owner"), id) == 0) {
            return true;
        }
    }
    return false;
}

// ---- the document's derived members

// The time (epoch ms) measure m escalates next, 0 when never.
static int64_t
s_measure_next(const json_t *m)
{
    if (strcmp(cm_doc_state(m), "open") != 0) {
        return 0;
    }
    int64_t level = cm_doc_integer(m, "escalation_level");
    if (level == 0) {
        return cm_doc_time(m, "due_at", 0);
    }
    int64_t at = cm_doc_time(m, "escalated_at", 0);
    return level == 1 && at > 0 ? at + s_escalate_after_ms : 0;
}

// The review's next escalation time, 0 when none (drafts, closed).
static int64_t
s_next(const json_t *doc)
{
    if (strcmp(cm_doc_state(doc), "published") != 0) {
        return 0;
    }
    int64_t next = 0;
    const json_t *measures = json_object_get(doc, "measures");
    for (size_t i = 0; i < json_array_size(measures); i++) {
        int64_t at = s_measure_next(json_array_get(measures, i));
        if (at > 0 && (next == 0 || at < next)) {
            next = at;
        }
    }
    return next;
}

// Scope, period key, the departments the review concerns and the
// measures' summary (open count, state, overdue), from doc itself.
static void
s_summarise(json_t *doc)
{
    const json_t *departments = json_object_get(doc, "departments");
    json_object_set_new(
        doc, "scope",
        json_string(json_array_size(departments) ? "departments" : "station"));
    char key[S_TITLE_MAX];
    const json_t *period = json_object_get(doc, "period");
    snprintf(key, sizeof key, "%s..%s", cm_doc_text(period, "from"),
             cm_doc_text(period, "to"));
    json_object_set_new(doc, "period_key", json_string(key));
    json_t *concerns = json_deep_copy(departments);
    const json_t *measures = json_object_get(doc, "measures");
    int64_t open = 0;
    bool overdue = false;
    for (size_t i = 0; i < json_array_size(measures); i++) {
        const json_t *m = json_array_get(measures, i);
        const char *dept = cm_doc_text(m, "department");
        if (*dept && !s_listed(concerns, dept)) {
            json_array_append_new(concerns, json_string(dept));
        }
        if (strcmp(cm_doc_state(m), "open") == 0) {
            open++;
            overdue = overdue || cm_doc_integer(m, "escalation_level") > 0;
        }
    }
    json_object_set_new(doc, "concerns", concerns);
    json_object_set_new(doc, "open_measures", json_integer(open));
    json_object_set_new(doc, "measure_state",
                        json_string(open                        ? "open"
                                    : json_array_size(measures) ? "done"
                                                                : "none"));
    json_object_set_new(doc, "overdue", json_boolean(overdue));
}

// Check doc's departments and measures against the org view and complete
// the measures (ids, the owner's department, state). NULL, or the problem
// (422 naming the field). Store read errors answer 503.
static json_t *
s_complete(cm_store_t *store, json_t *doc)
{
    json_t *departments = json_object_get(doc, "departments");
    if (!json_is_array(departments)) {
        json_object_set_new(doc, "departments", json_array());
        departments = json_object_get(doc, "departments");
    }
    json_t *problem = NULL;
    char path[S_PATH_MAX];
    for (size_t i = 0; i < json_array_size(departments); i++) {
        const char *code = json_string_value(json_array_get(departments, i));
        int rc = cm_org_department_open(store, OVERSIGHT_OWNER, code);
        if (rc == CM_EUNAVAILABLE) {
            json_decref(problem);
            return cm_problem_from_status(rc, NULL);
        }
        snprintf(path, sizeof path, "departments[%zu]", i);
        if (rc != 0) {
            problem = problem ? problem
                              : cm_problem_new(422, "validation_failed",
                                               "a department is unknown");
            cm_validate_fail(&problem, path,
                             "is not a department of the station");
        }
    }
    json_t *measures = json_object_get(doc, "measures");
    if (!json_is_array(measures)) {
        json_object_set_new(doc, "measures", json_array());
        measures = json_object_get(doc, "measures");
    }
    for (size_t i = 0; i < json_array_size(measures); i++) {
        json_t *m = json_array_get(measures, i);
        snprintf(path, sizeof path, "measures[%zu].owner", i);
        json_t *staff =
            cm_org_staff(store, OVERSIGHT_OWNER, cm_doc_text(m, "owner"));
        const char *dept = cm_doc_text(staff, "department");
        const char *reason = NULL;
        if (!staff || !cm_org_is_active(staff)) {
            reason = "is not an active member of staff";
        } else if (!*dept) {
            reason = "belongs to no department";
        } else if (json_array_size(departments)
                   && !s_listed(departments, dept)) {
            reason = "works outside the review's departments";
        }
        if (reason) {
            problem = problem ? problem
                              : cm_problem_new(422, "validation_failed",
                                               "a measure's owner cannot "
                                               "take it");
            cm_validate_fail(&problem, path, reason);
        } else {
            char id[24];
            snprintf(id, sizeof id, "M%zu", i + 1);
            json_object_set_new(m, "id", json_string(id));
            json_object_set_new(m, "department", json_string(dept));
            json_object_set_new(m, "state", json_string("open"));
            json_object_set_new(m, "escalation_level", json_integer(0));
            json_object_set_new(m, "escalations", json_array());
        }
        json_decref(staff);
    }
    if (!problem) {
        s_summarise(doc);
    }
    return problem;
}

// ---- the process

static const cm_field_t s_note_fields[] = {CM_FIELD_NOTE, CM_FIELD_END};
static const cm_field_t s_done_fields[] = {
    {"result", CM_FIELD_TEXT, CM_FIELD_REQUIRED, .max = REVIEW_TEXT_MAX},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static json_t *
s_update(cm_action_t *a)
{
    static const char *const required[] = {"period", "analysis"};
    for (size_t i = 0; i < 2; i++) {
        if (json_is_null(json_object_get(a->doc, required[i]))) {
            json_t *problem = NULL;
            cm_validate_fail(&problem, required[i], "may not be cleared");
            return problem;
        }
    }
    if (!s_may_review(a->actor, json_object_get(a->doc, "departments"))) {
        json_t *problem = cm_problem_new(403, "forbidden",
                                         "a deputy head reviews only the "
                                         "departments they oversee");
        cm_problem_add_error(problem, "departments",
                             "includes a department you do not oversee");
        return problem;
    }
    if (json_is_null(json_object_get(a->doc, "problems"))) {
        json_object_set_new(a->doc, "problems", json_array());
    }
    return s_complete(a->store, a->doc);
}

// The dispatch work request of measure m of review doc ({"request": …}).
static json_t *
s_work_request(const json_t *doc, const json_t *m)
{
    char title[S_TITLE_MAX], key[S_KEY_MAX];
    snprintf(title, sizeof title, "Improvement measure %s/%s: %.150s",
             cm_doc_text(doc, "id"), cm_doc_text(m, "id"),
             cm_doc_text(m, "text"));
    snprintf(key, sizeof key, "%s/%s", cm_doc_text(doc, "id"),
             cm_doc_text(m, "id"));
    return json_pack("{s:{s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:s, s:s, s:s}, "
                     "s:s}",
                     "request", "key", key, "department",
                     cm_doc_text(m, "department"), "title", title, "kind",
                     "measure", "source", "type", "review", "id",
                     cm_doc_text(doc, "id"), "priority", "normal", "due_at",
                     cm_doc_text(m, "due_at"), "assignee",
                     cm_doc_text(m, "owner"), "measure", cm_doc_text(m, "id"));
}

// publish: the owners are checked again (one may have left since the
// draft), then every measure goes to dispatch as work.
static json_t *
s_publish(cm_action_t *a)
{
    json_t *problem = s_complete(a->store, a->doc);
    if (problem) {
        return problem;
    }
    cm_doc_set_time(a->doc, "published_at", a->now_ms);
    const json_t *measures = json_object_get(a->doc, "measures");
    for (size_t i = 0; i < json_array_size(measures); i++) {
        cm_action_event(a, OVERSIGHT_EVENT_REVIEW_WORK_REQUESTED,
                        s_work_request(a->doc, json_array_get(measures, i)));
    }
    return NULL;
}

// The measure `mid` of doc, or NULL. Borrowed.
static json_t *
s_measure(json_t *doc, const char *mid)
{
    json_t *measures = json_object_get(doc, "measures");
    for (size_t i = 0; mid && i < json_array_size(measures); i++) {
        json_t *m = json_array_get(measures, i);
        if (strcmp(cm_doc_text(m, "id"), mid) == 0) {
            return m;
        }
    }
    return NULL;
}

static json_t *
s_measure_done(cm_action_t *a)
{
    const char *mid = a->ctx ? cm_ctx_param(a->ctx, "mid") : NULL;
    json_t *m = s_measure(a->doc, mid);
    if (!m) {
        json_t *problem =
            cm_problem_new(404, "not_found", "the review has no such measure");
        cm_problem_add_error(problem, "mid", "names no measure of the review");
        return problem;
    }
    const char *actor = cm_doc_text(a->actor, "id");
    if (strcmp(actor, cm_doc_text(m, "owner")) != 0
        && strcmp(actor, cm_doc_text(a->doc, "reviewer")) != 0
        && !s_is(a->actor, "station_head")) {
        return cm_action_refuse(a, 403, "forbidden",
                                "A measure is marked done by its owner or "
                                "the reviewer.");
    }
    if (strcmp(cm_doc_state(m), "open") != 0) {
        return cm_action_refuse(a, 409, "measure_done",
                                "The measure is done already.");
    }
    json_object_set_new(m, "state", json_string("done"));
    json_object_set(m, "result", json_object_get(a->body, "result"));
    json_object_set_new(m, "done_by", json_string(actor));
    cm_doc_set_time(m, "done_at", a->now_ms);
    s_summarise(a->doc);
    json_object_set_new(a->event_data, "measure", json_deep_copy(m));
    char key[S_KEY_MAX];
    snprintf(key, sizeof key, "%s/%s", cm_doc_text(a->doc, "id"), mid);
    cm_action_event(a, OVERSIGHT_EVENT_REVIEW_WORK_CANCELLED,
                    json_pack("{s:{s:s}}", "request", "key", key));
    return NULL;
}

static json_t *
s_close(cm_action_t *a)
{
    if (cm_doc_integer(a->doc, "open_measures") > 0) {
        return cm_action_refuse(a, 409, "measures_open",
                                "Every measure must be done before the "
                                "review closes.");
    }
    cm_doc_set_time(a->doc, "closed_at", a->now_ms);
    return NULL;
}

// clang-format off
static const cm_workflow_row_t s_rows[] = {
    // state(s), action, roles, guards, required, next, event, body, effect
    {"draft", "update", S_REVIEWERS, 0, NULL, CM_WORKFLOW_STAY,
     OVERSIGHT_EVENT_REVIEW_UPDATED, review_update_fields, s_update,
     s_reviewer_guard},
    {"draft", "publish", S_REVIEWERS, 0, NULL, "published",
     OVERSIGHT_EVENT_REVIEW_PUBLISHED, s_note_fields, s_publish,
     s_reviewer_guard},
    {"published", "measure_done", S_STAFF, 0, NULL, CM_WORKFLOW_STAY,
     OVERSIGHT_EVENT_MEASURE_DONE, s_done_fields, s_measure_done,
     s_done_guard},
    {"published", "close", S_REVIEWERS, 0, NULL, "closed",
     OVERSIGHT_EVENT_REVIEW_CLOSED, s_note_fields, s_close,
     s_reviewer_guard},
};
// clang-format on

const cm_workflow_t review_workflow = {
    .name = "review",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "closed",
    .superuser_role = "station_head",
};

// ---- the type

// The escalation timer follows the review's next escalation time.
static void
s_indexes(cm_commit_t *commit, const json_t *old, const json_t *doc,
          int64_t now_ms)
{
    (void)old;    // the timer is keyed by the review alone
    (void)now_ms; // the score is the escalation time
    char key[CM_STORE_KEY_MAX];
    s_timer_key(key);
    cm_commit_timer(commit, key, cm_doc_text(doc, "id"), s_next(doc));
}

// Need-to-know: the station head and auditors read every review; the
// reviewer theirs; drafts nobody else. Published: deputy heads the
// station's reviews and those concerning a department they oversee,
// department heads those concerning their department, a measure's owner
// the review of their measure.
static bool
s_may_read(cm_ctx_t *ctx, const json_t *doc)
{
    const json_t *actor = cm_ctx_actor(ctx);
    const char *id = cm_doc_text(actor, "id");
    if (s_is(actor, "station_head") || s_is(actor, "auditor")
        || strcmp(id, cm_doc_text(doc, "reviewer")) == 0) {
        return true;
    }
    if (strcmp(cm_doc_state(doc), "draft") == 0) {
        return false;
    }
    if (s_is(actor, "deputy_head")
        && strcmp(cm_doc_text(doc, "scope"), "station") == 0) {
        return true;
    }
    const json_t *concerns = json_object_get(doc, "concerns");
    for (size_t i = 0; i < json_array_size(concerns); i++) {
        const char *code = json_string_value(json_array_get(concerns, i));
        if ((s_is(actor, "deputy_head") && cm_org_oversees(actor, code))
            || (s_is(actor, "dept_head") && cm_org_heads(actor, code))) {
            return true;
        }
    }
    const json_t *measures = json_object_get(doc, "measures");
    for (size_t i = 0; i < json_array_size(measures); i++) {
        if (strcmp(cm_doc_text(json_array_get(measures, i), "owner"), id)
            == 0) {
            return true;
        }
    }
    return false;
}

static const cm_filter_t s_filters[] = {
    {"department", "concerns", NULL, CM_FILTER_ARRAY},
    {"period", "period_key"},
    {"reviewer"},
    {"measure_state", NULL, "open done none"},
    {"overdue", NULL, NULL, CM_FILTER_BOOLEAN},
    {"state", NULL, REVIEW_STATES},
    {NULL},
};

const cm_doc_type_t review_type = {
    .owner = OVERSIGHT_OWNER,
    .kind = "review",
    .what = "review",
    .id_prefix = "RV",
    .path = "/v1/reviews",
    .filters = s_filters,
    .workflow = &review_workflow,
    .list_omits = "analysis",
    .may_read = s_may_read,
    .patch_if_match_required = true,
    .indexes = s_indexes,
};

// ---- handlers

void
review_create(cm_ctx_t *ctx)
{
    const json_t *actor = cm_ctx_actor(ctx);
    if (!cm_validate_name_in(S_REVIEWERS, cm_ctx_actor_role(ctx))) {
        cm_ctx_fail_status(ctx, CM_EFORBIDDEN,
                           "the station head and deputy heads review");
        return;
    }
    const json_t *body = cm_ctx_body(ctx);
    json_t *problem = NULL;
    if (!cm_field_check(review_create_fields, body, &problem)) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    if (!s_may_review(actor, json_object_get(body, "departments"))) {
        problem = cm_problem_new(403, "forbidden",
                                 "a deputy head reviews only the departments "
                                 "they oversee");
        cm_problem_add_error(
            problem, "departments",
            json_array_size(json_object_get(body, "departments"))
                ? "includes a department you do not oversee"
                : "is required of a deputy head");
        cm_ctx_fail(ctx, problem);
        return;
    }
    int64_t now = cm_time_now_ms();
    json_t *doc = cm_doc_new("", "draft", actor, now);
    json_object_update(doc, (json_t *)body);
    json_object_del(doc, "note");
    if (!json_object_get(doc, "problems")) {
        json_object_set_new(doc, "problems", json_array());
    }
    json_object_set_new(doc, "reviewer", json_string(cm_doc_text(actor, "id")));
    json_object_set_new(doc, "reviewer_role",
                        json_string(cm_doc_text(actor, "role")));
    problem = s_complete(cm_ctx_store(ctx), doc);
    char id[CM_ID_MAX];
    if (problem || cm_doc_next_id(ctx, &review_type, id) != 0) {
        if (problem) {
            cm_ctx_fail(ctx, problem);
        }
        json_decref(doc);
        return;
    }
    json_object_set_new(doc, "id", json_string(id));
    cm_commit_t *commit = cm_commit_new(OVERSIGHT_OWNER);
    cm_doc_commit(commit, &review_type, NULL, doc, CM_VERSION_NEW, now);
    cm_doc_event(ctx, commit, &review_type, OVERSIGHT_EVENT_REVIEW_CREATED, doc,
                 1, NULL);
    cm_doc_reply_commit(ctx, commit, &review_type, 201, doc, 1);
    cm_commit_destroy(&commit);
    json_decref(doc);
}

// Lists are the heads' and auditors'; a measure's owner of another role
// reads the review of their measure by id (and their work order).
void
review_list(cm_ctx_t *ctx)
{
    if (!cm_validate_name_in(S_LISTERS, cm_ctx_actor_role(ctx))) {
        cm_ctx_fail_status(ctx, CM_EFORBIDDEN,
                           "reviews are read by the heads and auditors");
        return;
    }
    cm_list_run(ctx, &review_type, NULL);
}

void
review_get(cm_ctx_t *ctx)
{
    cm_doc_get(ctx, &review_type);
}

void
review_patch(cm_ctx_t *ctx)
{
    cm_action_patch(ctx, &review_type);
}

void
review_history(cm_ctx_t *ctx)
{
    cm_doc_history(ctx, &review_type);
}

void
review_act(cm_ctx_t *ctx)
{
    const char *action = cm_ctx_param(ctx, "action");
    if (action && strcmp(action, "measure_done") == 0) {
        // Only through …/measures/{mid}/done, which names the measure.
        cm_ctx_fail(ctx,
                    cm_problem_new(404, "unknown_action",
                                   "mark a measure done at "
                                   "/v1/reviews/{id}/measures/{mid}/done"));
        return;
    }
    cm_action_run(ctx, &review_type);
}

void
review_measure_get(cm_ctx_t *ctx)
{
    const char *id = cm_ctx_param(ctx, "id");
    int64_t version = 0;
    json_t *doc = cm_doc_load(ctx, &review_type, id, &version);
    if (!doc) {
        return;
    }
    const json_t *m =
        s_may_read(ctx, doc) ? s_measure(doc, cm_ctx_param(ctx, "mid")) : NULL;
    if (!m) {
        cm_doc_fail(ctx, CM_ENOTFOUND, &review_type, id);
        json_decref(doc);
        return;
    }
    // The measure, with the review's state and version (the ETag: a
    // measure is written with its review).
    json_t *view = json_deep_copy(m);
    json_object_set_new(view, "review", json_string(id));
    json_object_set(view, "review_state", json_object_get(doc, "state"));
    json_object_set_new(view, "version", json_integer(version));
    cm_doc_etag(ctx, version);
    cm_ctx_reply(ctx, 200, view);
    json_decref(doc);
}

void
review_measure_done(cm_ctx_t *ctx)
{
    cm_action_run_named(ctx, &review_type, cm_ctx_param(ctx, "id"),
                        "measure_done");
}

// ---- overdue measures (the tick)

// Who escalation `level` of measure m of doc goes to, into out.
static void
s_target(cm_store_t *store, const json_t *doc, const json_t *m, int level,
         char *out, size_t size)
{
    out[0] = '\0';
    if (level == 1) {
        (void)cm_org_head_of(store, OVERSIGHT_OWNER,
                             cm_doc_text(m, "department"), out, size);
        return;
    }
    const char *reviewer = cm_doc_text(doc, "reviewer");
    if (cm_org_id_is_active(store, OVERSIGHT_OWNER, reviewer)) {
        snprintf(out, size, "%s", reviewer);
    } else {
        (void)cm_org_station_head(store, OVERSIGHT_OWNER, out, size);
    }
}

// Escalate the due measures of one leased review in one version-checked
// commit. Returns the timer's next due time (0: none; soon again when
// nothing could be written).
static int64_t
s_handle(cm_store_t *store, const char *id, int64_t now_ms)
{
    json_t *doc = NULL;
    int64_t version = 0;
    int read = cm_doc_read(store, &review_type, id, &doc, &version);
    if (read != 0) {
        return read == CM_ENOTFOUND ? 0 : now_ms + S_RETRY_MS;
    }
    json_t *old = json_deep_copy(doc);
    json_t *actor =
        json_pack("{s:s, s:s}", "id", OVERSIGHT_OWNER, "role", OVERSIGHT_OWNER);
    json_t *events = json_array();
    json_t *measures = json_object_get(doc, "measures");
    for (size_t i = 0; s_next(doc) > 0 && i < json_array_size(measures); i++) {
        json_t *m = json_array_get(measures, i);
        int64_t at = s_measure_next(m);
        if (at <= 0 || at > now_ms) {
            continue;
        }
        int level = (int)cm_doc_integer(m, "escalation_level") + 1;
        char to[CM_ORG_ID_MAX], when[CM_TIME_TEXT_MAX];
        s_target(store, doc, m, level, to, sizeof to);
        cm_time_format(now_ms, when);
        json_object_set_new(m, "escalation_level", json_integer(level));
        json_object_set_new(m, "escalated_at", json_string(when));
        json_t *entry = json_pack("{s:i, s:s, s:s?}", "level", level, "at",
                                  when, "to", *to ? to : NULL);
        json_array_append(json_object_get(m, "escalations"), entry);
        json_array_append_new(events,
                              json_pack("{s:O, s:i, s:s?, s:s}", "measure", m,
                                        "level", level, "to", *to ? to : NULL,
                                        "due_at", cm_doc_text(m, "due_at")));
        cm_doc_history_add(doc, actor, "escalate", NULL, NULL, NULL, entry,
                           now_ms);
    }
    int64_t next = 0;
    if (json_array_size(events) > 0) {
        s_summarise(doc);
        cm_commit_t *commit = cm_commit_new(OVERSIGHT_OWNER);
        int rc = cm_doc_commit(commit, &review_type, old, doc, version, now_ms);
        for (size_t i = 0; rc == 0 && i < json_array_size(events); i++) {
            rc = cm_doc_event_add(commit, &review_type,
                                  OVERSIGHT_EVENT_MEASURE_OVERDUE, doc,
                                  version + 1, actor, NULL,
                                  json_incref(json_array_get(events, i)));
        }
        cm_commit_result_t result;
        memset(&result, 0, sizeof result);
        next = now_ms + S_RETRY_MS;
        if (rc == 0 && cm_store_commit(store, commit, &result) == 0) {
            if (result.outcome == CM_COMMIT_OK) {
                for (size_t i = 0; i < json_array_size(events); i++) {
                    const json_t *e = json_array_get(events, i);
                    cm_log_notice(
                        "review.measure_escalated", "review", id, "measure",
                        cm_doc_text(json_object_get(e, "measure"), "id"),
                        "#level", CM_LOG_INT(cm_doc_integer(e, "level")), "to",
                        cm_doc_text(e, "to"));
                }
                next = s_next(doc);
            }
            cm_commit_result_clear(&result);
        }
        cm_commit_destroy(&commit);
    } else {
        next = s_next(doc);
    }
    json_decref(events);
    json_decref(actor);
    json_decref(old);
    json_decref(doc);
    return next;
}

size_t
review_tick(cm_store_t *store, int64_t now_ms, size_t limit)
{
    char key[CM_STORE_KEY_MAX];
    char **due = NULL;
    size_t count = 0;
    if (cm_store_timer_claim(store, s_timer_key(key), now_ms, S_LEASE_MS, limit,
                             &due, &count)
        != 0) {
        return 0;
    }
    for (size_t i = 0; i < count; i++) {
        int64_t next = s_handle(store, due[i], now_ms);
        // A commit that moved the timer since the claim keeps it as it is.
        cm_store_timer_settle(store, key, due[i], now_ms + S_LEASE_MS, next);
    }
    cm_store_strings_free(&due, count);
    return count;
}
