#include "sanction.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "access.h"
#include "cm_action.h"
#include "cm_approval.h"
#include "cm_field.h"
#include "cm_id.h"
#include "cm_list.h"
#include "cm_problem.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "events/personnel.h"
#include "notice.h"
#include "org.h"
#include "personnel.h"
#include "staff.h"

#define S_WITH_AMOUNT "bonus fine raise"
#define S_WITH_ROLE   "promotion demotion"
#define S_DETAIL_MAX  256
#define S_REF_MAX     200

// ---- the body (pure)

static bool
s_check_staff(const json_t *value, const char *field, json_t **problem)
{
    return cm_id_parse(json_string_value(value), STAFF_ID_PREFIX, NULL)
           || cm_validate_fail(problem, field,
                               "must be a staff id such as ST-7");
}

static bool
s_check_evidence(const json_t *value, const char *field, json_t **problem)
{
    static const cm_field_t one = {"evidence", CM_FIELD_STRING,
                                   CM_FIELD_REQUIRED, .max = S_REF_MAX};
    if (!json_is_string(value)) {
        return cm_validate_fail(problem, field,
                                "must be a reference (a document id, a "
                                "file name)");
    }
    return cm_field_check_value(&one, value, field, problem);
}

static const cm_field_t s_create_fields[] = {
    {"staff", CM_FIELD_ANY, CM_FIELD_REQUIRED, .check = s_check_staff},
    {"kind", CM_FIELD_ENUM, CM_FIELD_REQUIRED, .values = SANCTION_KINDS},
    {"reason", CM_FIELD_TEXT, CM_FIELD_REQUIRED, .max = SANCTION_REASON_MAX},
    {"evidence", CM_FIELD_ARRAY, 0, .max = SANCTION_EVIDENCE_MAX,
     .check = s_check_evidence},
    {"amount", CM_FIELD_MONEY, 0},
    {"role", CM_FIELD_ENUM, 0, .values = PERSONNEL_ROLES},
    CM_FIELD_END,
};

int
sanction_role_rank(const char *role)
{
    const char *ranks[] = {"station_head", "deputy_head", "dept_head"};
    for (int i = 0; role && i < 3; i++) {
        if (strcmp(role, ranks[i]) == 0) {
            return 3 - i;
        }
    }
    return 0;
}

json_t *
sanction_validate_create(const json_t *body)
{
    json_t *problem = NULL;
    if (!json_is_object(body)) {
        cm_validate_fail(&problem, "body", "must be a JSON object");
        return problem;
    }
    if (!cm_field_check(s_create_fields, body, &problem)) {
        return problem;
    }
    const char *kind = cm_doc_text(body, "kind");
    bool amount = json_is_integer(json_object_get(body, "amount"));
    const char *role = cm_doc_string(body, "role");
    if (cm_validate_name_in(S_WITH_AMOUNT, kind) && !amount) {
        cm_validate_fail(&problem, "amount",
                         "is required for a bonus, fine or raise (fen)");
    } else if (!cm_validate_name_in(S_WITH_AMOUNT, kind) && amount) {
        cm_validate_fail(&problem, "amount",
                         "is only for a bonus, fine or raise");
    }
    if (cm_validate_name_in(S_WITH_ROLE, kind) && !role) {
        cm_validate_fail(&problem, "role",
                         "is required for a promotion or demotion (the new "
                         "role)");
    } else if (!cm_validate_name_in(S_WITH_ROLE, kind) && role) {
        cm_validate_fail(&problem, "role",
                         "is only for a promotion or demotion");
    } else if (role
               && (strcmp(role, PERSONNEL_TOP_ROLE) == 0
                   || strcmp(role, "system") == 0)) {
        cm_validate_fail(&problem, "role",
                         "cannot be station_head or system (there is one "
                         "station head; system accounts are not people)");
    }
    return problem;
}

// ---- who

// Row guard: the proposer (the station head passes as superuser).
static bool
s_is_proposer(const json_t *actor, const json_t *doc)
{
    const char *id = cm_doc_text(actor, "id");
    return *id && strcmp(id, cm_doc_text(doc, "requested_by")) == 0;
}

// Need-to-know before publication (notices are public): the person, the
// proposer, their managers, the auditor.
static bool
s_may_read(cm_ctx_t *ctx, const json_t *doc)
{
    const json_t *actor = cm_ctx_actor(ctx);
    const char *id = cm_doc_text(actor, "id");
    return strcmp(cm_doc_text(actor, "role"), "auditor") == 0
           || strcmp(id, cm_doc_text(doc, "staff")) == 0
           || s_is_proposer(actor, doc)
           || access_manages(actor, cm_doc_text(doc, "department"));
}

// ---- effects

static const cm_field_t s_note_only[] = {CM_FIELD_NOTE, CM_FIELD_END};

static const cm_field_t s_respond_fields[] = {
    {"response", CM_FIELD_TEXT, CM_FIELD_REQUIRED, .max = SANCTION_REASON_MAX},
    CM_FIELD_END,
};

static const cm_field_t s_publish_fields[] = {CM_FIELD_NOTE, CM_FIELD_END};

// The decision is complete: who took it and when.
static void
s_decided(cm_action_t *a)
{
    char at[CM_TIME_TEXT_MAX];
    json_object_set(a->doc, "decided_by", json_object_get(a->actor, "id"));
    json_object_set_new(a->doc, "decided_at",
                        json_string(cm_time_format(a->now_ms, at)));
    cm_action_event(a, PERSONNEL_EVENT_SANCTION_APPROVED, NULL);
}

static json_t *
s_submit(cm_action_t *a)
{
    if (access_is_top(a->actor) && s_is_proposer(a->actor, a->doc)) {
        // The station head's own proposal is their decision.
        a->next_state = "approved";
        s_decided(a);
        return NULL;
    }
    json_t *problem = cm_approval_submit(
        a, "sanction", cm_doc_text(a->doc, "department"),
        cm_doc_integer(a->doc, "amount"), NULL, "pending", "approved");
    if (!problem && strcmp(a->next_state, "approved") == 0) {
        s_decided(a);
    }
    return problem;
}

static json_t *
s_approve(cm_action_t *a)
{
    json_t *problem = cm_approval_approve(a, "pending", "approved");
    if (!problem && cm_approval_is_complete(a->doc)) {
        s_decided(a);
    }
    return problem;
}

static json_t *
s_reject(cm_action_t *a)
{
    return cm_approval_reject(a, "returned");
}

static json_t *
s_resubmit(cm_action_t *a)
{
    json_t *problem = cm_approval_resubmit(a, cm_doc_integer(a->doc, "amount"),
                                           "pending", "approved");
    if (!problem && strcmp(a->next_state, "approved") == 0) {
        s_decided(a);
    }
    return problem;
}

static json_t *
s_respond(cm_action_t *a)
{
    char at[CM_TIME_TEXT_MAX];
    json_object_set_new(a->doc, "response",
                        json_pack("{s:O, s:s}", "text",
                                  json_object_get(a->body, "response"), "at",
                                  cm_time_format(a->now_ms, at)));
    return NULL;
}

// The staff record changed by a promotion, demotion or dismissal: written
// in the action's commit with its history entry and event.
static json_t *
s_change_staff(cm_action_t *a, const json_t *old, json_t *staff,
               int64_t version, const char *action, const char *event_type)
{
    char note[S_DETAIL_MAX];
    snprintf(note, sizeof note, "sanction %s (%s)", cm_doc_text(a->doc, "id"),
             cm_doc_text(a->doc, "kind"));
    cm_doc_history_add(
        staff, a->actor, action, cm_doc_state(old), cm_doc_state(staff), note,
        json_pack("{s:O, s:O}", "sanction", json_object_get(a->doc, "id"),
                  "reason", json_object_get(a->doc, "reason")),
        a->now_ms);
    json_t *problem = org_release_posts(a->ctx, a->commit, staff, a->now_ms);
    if (problem) {
        return problem;
    }
    json_t *extra = json_pack("{s:O, s:O, s:O}", "reason",
                              json_object_get(a->doc, "reason"), "sanction",
                              json_object_get(a->doc, "id"), "previous_role",
                              json_object_get(old, "role"));
    if (cm_doc_commit(a->commit, &staff_type, old, staff, version, a->now_ms)
            != 0
        || cm_doc_event(a->ctx, a->commit, &staff_type, event_type, staff,
                        version + 1, extra)
               != 0) {
        return cm_problem_new(422, "document_too_large",
                              "the staff member would pass its size limit");
    }
    return NULL;
}

// Apply what the sanction changes on the staff record (promotion,
// demotion, dismissal). NULL or a problem.
static json_t *
s_apply_to_staff(cm_action_t *a)
{
    const char *kind = cm_doc_text(a->doc, "kind");
    bool role = cm_validate_name_in(S_WITH_ROLE, kind);
    if (!role && strcmp(kind, "dismissal") != 0) {
        return NULL;
    }
    json_t *old = NULL;
    int64_t version = 0;
    int rc = cm_doc_read(a->store, &staff_type, cm_doc_text(a->doc, "staff"),
                         &old, &version);
    if (rc != 0) {
        return cm_problem_from_status(rc, NULL);
    }
    json_t *problem = NULL;
    json_t *staff = json_deep_copy(old);
    if (strcmp(cm_doc_text(old, "status"), "left") == 0) {
        problem = cm_action_refuse(a, 409, "staff_left",
                                   "the person has left the station");
    } else if (role
               && strcmp(cm_doc_text(old, "role"),
                         cm_doc_text(a->doc, "previous_role"))
                      != 0) {
        problem = cm_action_refuse(a, 409, "staff_changed",
                                   "the person's role changed since the "
                                   "proposal; propose again");
    } else if (role) {
        json_object_set(staff, "role", json_object_get(a->doc, "role"));
        problem = s_change_staff(a, old, staff, version, "change-role",
                                 PERSONNEL_EVENT_STAFF_ROLE_CHANGED);
    } else {
        json_object_set_new(staff, "status", json_string("left"));
        json_object_set_new(staff, "state", json_string("left"));
        problem = s_change_staff(a, old, staff, version, "leave",
                                 PERSONNEL_EVENT_STAFF_LEFT);
    }
    json_decref(staff);
    json_decref(old);
    return problem;
}

static json_t *
s_publish(cm_action_t *a)
{
    json_t *problem = s_apply_to_staff(a);
    char id[CM_ID_MAX];
    problem = problem ? problem : notice_publish(a, id);
    if (!problem) {
        json_object_set_new(a->doc, "notice", json_string(id));
    }
    return problem;
}

// ---- the process

#define S_PROPOSERS "deputy_head dept_head"
#define S_ALL       PERSONNEL_ROLES
#define S_PERSON    (CM_WORKFLOW_ASSIGNEE | CM_WORKFLOW_STRICT)

static const cm_workflow_row_t s_rows[] = {
    // state(s), action, roles, guards, required, next, event, fields,
    // effect, guard
    {"draft", "submit", S_PROPOSERS, 0, NULL, CM_WORKFLOW_BY_CODE,
     PERSONNEL_EVENT_SANCTION_SUBMITTED, s_note_only, s_submit, s_is_proposer},
    {"pending", "approve", "*", CM_WORKFLOW_APPROVER, NULL, CM_WORKFLOW_BY_CODE,
     PERSONNEL_EVENT_SANCTION_STEP_APPROVED, cm_approval_approve_fields,
     s_approve, NULL},
    {"pending", "reject", "*", CM_WORKFLOW_APPROVER, NULL, CM_WORKFLOW_BY_CODE,
     PERSONNEL_EVENT_SANCTION_REJECTED, cm_approval_reject_fields, s_reject,
     NULL},
    {"returned", "resubmit", S_PROPOSERS, 0, NULL, CM_WORKFLOW_BY_CODE,
     PERSONNEL_EVENT_SANCTION_RESUBMITTED, s_note_only, s_resubmit,
     s_is_proposer},
    {"draft returned", "withdraw", S_PROPOSERS, 0, NULL, "withdrawn",
     PERSONNEL_EVENT_SANCTION_WITHDRAWN, s_note_only, NULL, s_is_proposer},
    {"draft pending returned", "respond", S_ALL, S_PERSON, NULL,
     CM_WORKFLOW_STAY, PERSONNEL_EVENT_SANCTION_RESPONDED, s_respond_fields,
     s_respond, NULL},
    {"approved", "publish", "deputy_head", CM_WORKFLOW_OVERSEES, NULL,
     "published", PERSONNEL_EVENT_SANCTION_PUBLISHED, s_publish_fields,
     s_publish, NULL},
};

const cm_workflow_t sanction_workflow = {
    .name = "sanction",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "published withdrawn",
    .superuser_role = PERSONNEL_TOP_ROLE,
    .assignee_field = "staff",
    .requester_field = "requested_by",
};

static json_t *
s_event_data(const json_t *doc)
{
    json_t *data = json_object();
    const char *members[] = {"id",     "state",       "staff",  "department",
                             "kind",   "category",    "amount", "role",
                             "notice", "requested_by"};
    for (size_t i = 0; i < sizeof members / sizeof members[0]; i++) {
        json_t *value = json_object_get(doc, members[i]);
        json_object_set_new(data, members[i],
                            value ? json_deep_copy(value) : json_null());
    }
    return data;
}

static const cm_filter_t s_filters[] = {
    {"staff"},
    {"state", NULL, SANCTION_STATES},
    {"kind", NULL, SANCTION_KINDS},
    {"department"},
    {NULL},
};

const cm_doc_type_t sanction_type = {
    .owner = PERSONNEL_OWNER,
    .kind = "sanction",
    .what = "sanction",
    .id_prefix = "SAN",
    .path = "/v1/sanctions",
    .filters = s_filters,
    .workflow = &sanction_workflow,
    .event_data = s_event_data,
    .may_read = s_may_read,
};

// ---- handlers

// 422 naming field.
static json_t *
s_unusable(const char *code, const char *field, const char *message,
           const char *detail)
{
    json_t *problem = cm_problem_new(422, code, detail);
    cm_problem_add_error(problem, field, message);
    return problem;
}

// The person and the proposer's right to propose: NULL or a problem.
static json_t *
s_check_person(cm_ctx_t *ctx, const json_t *body, const json_t *staff)
{
    const json_t *actor = cm_ctx_actor(ctx);
    const char *department = cm_doc_text(staff, "department");
    if (strcmp(cm_doc_text(staff, "status"), "left") == 0) {
        return s_unusable("staff_left", "staff", "has left the station",
                          "The person has left the station.");
    }
    if (strcmp(cm_doc_text(actor, "id"), cm_doc_text(staff, "id")) == 0) {
        return access_forbidden("propose a reward or punishment for "
                                "yourself");
    }
    if (access_is_top(staff)) {
        return access_forbidden("propose a reward or punishment for the "
                                "station head");
    }
    if (!access_manages(actor, department)) {
        return access_forbidden("propose a reward or punishment for someone "
                                "outside the departments you head or "
                                "oversee");
    }
    const char *kind = cm_doc_text(body, "kind");
    if (!cm_validate_name_in(S_WITH_ROLE, kind)) {
        return NULL;
    }
    int from = sanction_role_rank(cm_doc_text(staff, "role"));
    int to = sanction_role_rank(cm_doc_text(body, "role"));
    bool up = strcmp(kind, "promotion") == 0;
    if ((up && to <= from) || (!up && to >= from)) {
        return s_unusable("invalid_role", "role",
                          up ? "must rank above the person's role"
                             : "must rank below the person's role",
                          "Ranks: station head, deputy head, department "
                          "head, everyone else.");
    }
    return NULL;
}

static json_t *
s_new_doc(cm_ctx_t *ctx, const json_t *body, const json_t *staff,
          const char *id, int64_t now)
{
    json_t *doc = cm_doc_new(id, "draft", cm_ctx_actor(ctx), now);
    const char *kind = cm_doc_text(body, "kind");
    const json_t *evidence = json_object_get(body, "evidence");
    const json_t *amount = json_object_get(body, "amount");
    const json_t *role = json_object_get(body, "role");
    json_t *members = json_pack(
        "{s:O, s:O, s:O, s:O, s:s, s:O, s:o, s:O, s:O, s:O, s:n, s:s, s:n, "
        "s:n, s:n, s:n}",
        "staff", json_object_get(staff, "id"), "staff_name",
        json_object_get(staff, "name"), "department",
        json_object_get(staff, "department"), "kind",
        json_object_get(body, "kind"), "category",
        cm_validate_name_in(SANCTION_REWARDS, kind) ? "reward" : "punishment",
        "reason", json_object_get(body, "reason"), "evidence",
        json_is_array(evidence) ? json_deep_copy(evidence) : json_array(),
        "amount", json_is_integer(amount) ? amount : json_null(), "role",
        json_is_string(role) ? role : json_null(), "previous_role",
        json_object_get(staff, "role"), "response", "requested_by",
        cm_ctx_actor_id(ctx), "approval", "decided_by", "decided_at", "notice");
    assert(members);
    json_object_update(doc, members);
    json_decref(members);
    return doc;
}

void
sanction_create(cm_ctx_t *ctx)
{
    if (!access_authenticated(ctx)) {
        return;
    }
    const json_t *body = cm_ctx_body(ctx);
    json_t *problem = sanction_validate_create(body);
    json_t *staff = NULL;
    int64_t version = 0;
    if (!problem) {
        int rc = cm_doc_read(cm_ctx_store(ctx), &staff_type,
                             cm_doc_text(body, "staff"), &staff, &version);
        if (rc == CM_ENOTFOUND) {
            problem =
                s_unusable("unknown_staff", "staff", "names no staff member",
                           "There is no such staff member.");
        } else if (rc != 0) {
            problem = cm_problem_from_status(rc, NULL);
        }
    }
    problem = problem ? problem : s_check_person(ctx, body, staff);
    char id[CM_ID_MAX];
    if (problem) {
        cm_ctx_fail(ctx, problem);
    } else if (cm_doc_next_id(ctx, &sanction_type, id) == 0) {
        int64_t now = cm_time_now_ms();
        json_t *doc = s_new_doc(ctx, body, staff, id, now);
        cm_commit_t *commit = cm_commit_new(PERSONNEL_OWNER);
        if (cm_doc_commit(commit, &sanction_type, NULL, doc, CM_VERSION_NEW,
                          now)
                != 0
            || cm_doc_event(ctx, commit, &sanction_type,
                            PERSONNEL_EVENT_SANCTION_CREATED, doc, 1, NULL)
                   != 0) {
            cm_ctx_fail(ctx, cm_problem_new(422, "document_too_large",
                                            "the sanction is too large"));
        } else {
            cm_doc_reply_commit(ctx, commit, &sanction_type, 201, doc, 1);
        }
        cm_commit_destroy(&commit);
        json_decref(doc);
    }
    json_decref(staff);
}

void
sanction_list(cm_ctx_t *ctx)
{
    if (access_authenticated(ctx)) {
        cm_list_run(ctx, &sanction_type, NULL);
    }
}

void
sanction_get(cm_ctx_t *ctx)
{
    if (access_authenticated(ctx)) {
        cm_doc_get(ctx, &sanction_type);
    }
}

void
sanction_history(cm_ctx_t *ctx)
{
    if (access_authenticated(ctx)) {
        cm_doc_history(ctx, &sanction_type);
    }
}

void
sanction_act(cm_ctx_t *ctx)
{
    if (access_authenticated(ctx)) {
        cm_action_run(ctx, &sanction_type);
    }
}
