#include "scrap.h"

#include <stdio.h>
#include <string.h>

#include "assets.h"
#include "cm_action.h"
#include "cm_approval.h"
#include "cm_call.h"
#include "cm_list.h"
#include "cm_org.h"
#include "cm_problem.h"
#include "cm_status.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "equipment.h"
#include "events/assets.h"

#define S_DOCUMENT "scrap_request"
#define S_APPLIERS                                                             \
    "station_head deputy_head dept_head cs_agent technician logistics "        \
    "finance safety_officer"
#define S_DETAIL    160
#define S_NOT_SCRAP "in_service faulty under_repair awaiting_acceptance idle"

// ---- the process

static json_t *
s_move(cm_action_t *a, const char *from, const char *to)
{
    equipment_move_t move = {.id = cm_doc_text(a->doc, "equipment"),
                             .from = from,
                             .to = to,
                             .action = a->name,
                             .note = cm_doc_string(a->body, "note")};
    char state[CM_VALIDATE_NAME_MAX] = "";
    int rc = equipment_move(a->ctx, a->store, a->commit, &move, a->actor, NULL,
                            a->now_ms, state);
    if (rc == CM_ECONFLICT) {
        char detail[S_DETAIL];
        snprintf(detail, sizeof detail, "The equipment is %s.", state);
        return cm_action_refuse(a, 409, "equipment_state", detail);
    }
    return rc == 0
               ? NULL
               : cm_problem_from_status(rc == CM_ENOTFOUND ? CM_EINTERNAL : rc,
                                        "the equipment could not be read");
}

// A step of the chain recording what it found under `member`.
static json_t *
s_step(cm_action_t *a, const char *member, const char *pending)
{
    json_t *problem = cm_approval_approve(a, pending, "approved");
    if (problem) {
        return problem;
    }
    json_t *found = json_deep_copy(a->body);
    json_object_del(found, "note");
    char at[CM_TIME_TEXT_MAX];
    cm_time_format(a->now_ms, at);
    json_object_set_new(found, "by", json_string(cm_doc_text(a->actor, "id")));
    json_object_set_new(found, "at", json_string(at));
    json_object_set_new(a->doc, member, found);
    return NULL;
}

static json_t *
s_appraise(cm_action_t *a)
{
    return s_step(a, "appraisal", "appraised");
}

static json_t *
s_review(cm_action_t *a)
{
    return s_step(a, "finance_review", "reviewed");
}

static json_t *
s_approve(cm_action_t *a)
{
    return cm_approval_approve(a, "reviewed", "approved");
}

static json_t *
s_reject(cm_action_t *a)
{
    json_t *problem = cm_approval_reject(a, "rejected");
    return problem
               ? problem
               : s_move(a, "scrapping", cm_doc_text(a->doc, "equipment_was"));
}

static json_t *
s_dispose(cm_action_t *a)
{
    const char *method = cm_doc_text(a->body, "method");
    int64_t proceeds = cm_doc_integer(a->body, "proceeds");
    json_t *problem = NULL;
    if (strcmp(method, "sale") == 0 && proceeds <= 0) {
        cm_validate_fail(&problem, "proceeds", "is required for a sale");
    } else if (strcmp(method, "sale") != 0 && proceeds > 0) {
        cm_validate_fail(&problem, "proceeds", "only a sale has proceeds");
    }
    if (strcmp(method, "donation") == 0
        && !cm_doc_string(a->body, "recipient")) {
        cm_validate_fail(&problem, "recipient", "is required for a donation");
    } else if (strcmp(method, "donation") != 0
               && cm_doc_string(a->body, "recipient")) {
        cm_validate_fail(&problem, "recipient", "only a donation has one");
    }
    problem = problem ? problem : s_move(a, "scrapping", "scrapped");
    if (problem) {
        return problem;
    }
    char at[CM_TIME_TEXT_MAX];
    cm_time_format(a->now_ms, at);
    json_object_set_new(a->doc, "disposal",
                        json_pack("{s:s, s:I, s:O?, s:s, s:s}", "method",
                                  method, "proceeds", (json_int_t)proceeds,
                                  "recipient",
                                  json_object_get(a->body, "recipient"), "by",
                                  cm_doc_text(a->actor, "id"), "at", at));
    // What finance posts (services/finance/finance_events.c).
    json_object_set_new(a->event_data, "proceeds",
                        json_integer((json_int_t)proceeds));
    json_object_set_new(a->event_data, "request",
                        json_string(cm_doc_text(a->doc, "id")));
    return NULL;
}

// renew: a draft procurement plan of one line in inventory (its
// /internal/procurement-plans over the broker, keyed by the request so a
// retry finds the same plan), recorded on the request once.
static json_t *
s_renew(cm_action_t *a)
{
    if (json_object_get(a->doc, "renewal")) {
        return cm_action_refuse(a, 409, "renewed_already",
                                "This request was turned into a plan "
                                "already.");
    }
    char title[S_DETAIL], key[CM_CALL_KEY_MAX];
    snprintf(title, sizeof title, "Renewal of %.40s %.80s",
             cm_doc_text(a->doc, "tag"), cm_doc_text(a->doc, "name"));
    json_t *line = json_pack(
        "{s:O, s:I, s:O}", "item", json_object_get(a->body, "item"), "quantity",
        (json_int_t)(cm_doc_integer(a->body, "quantity")
                         ? cm_doc_integer(a->body, "quantity")
                         : 1),
        "needed_by", json_object_get(a->body, "needed_by"));
    json_t *body = json_pack("{s:s, s:[o], s:{s:s, s:O}}", "title", title,
                             "lines", line, "source", "type", "scrap_request",
                             "id", json_object_get(a->doc, "id"));
    cm_call_key(key, sizeof key, "scrap_request", cm_doc_text(a->doc, "id"),
                "renew", 1);
    cm_call_t call = {.service = "inventory",
                      .method = "POST",
                      .path = "/internal/procurement-plans",
                      .body = body,
                      .idempotency_key = key};
    cm_call_result_t result = {0};
    json_t *problem = NULL;
    if (cm_ctx_call(a->ctx, &call, &result) != 0) {
        problem = cm_problem_new(503, "inventory_unavailable",
                                 "inventory did not answer; nothing was "
                                 "written; retry with the same "
                                 "Idempotency-Key");
    } else if (result.status >= 300) {
        problem = result.error
                      ? json_incref(result.error)
                      : cm_problem_new(result.status, "inventory_refused",
                                       "inventory refused the plan");
    } else {
        char at[CM_TIME_TEXT_MAX];
        cm_time_format(a->now_ms, at);
        json_t *renewal = json_pack(
            "{s:O, s:O, s:s, s:s}", "plan", json_object_get(result.body, "id"),
            "line", json_array_get(json_object_get(body, "lines"), 0), "by",
            cm_doc_text(a->actor, "id"), "at", at);
        json_object_set_new(a->doc, "renewal", renewal);
        json_object_set(a->event_data, "plan",
                        json_object_get(result.body, "id"));
        cm_call_result_clear(&result);
    }
    if (problem && result.status) {
        cm_call_result_clear(&result);
    }
    json_decref(body);
    return problem;
}

static const cm_field_t s_renew_fields[] = {
    {"item", CM_FIELD_CODE, CM_FIELD_REQUIRED},
    {"quantity", CM_FIELD_INTEGER, 0, .min = 1, .max = 1000000},
    {"needed_by", CM_FIELD_DATE, CM_FIELD_REQUIRED},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_appraise_fields[] = {
    {"report", CM_FIELD_TEXT, CM_FIELD_REQUIRED},
    {"recommendation", CM_FIELD_ENUM, CM_FIELD_REQUIRED,
     .values = "scrap repair keep"},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};
static const cm_field_t s_review_fields[] = {
    {"book_value", CM_FIELD_MONEY, CM_FIELD_REQUIRED | CM_FIELD_ZERO_OK},
    {"expected_proceeds", CM_FIELD_MONEY, CM_FIELD_REQUIRED | CM_FIELD_ZERO_OK},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};
static const cm_field_t s_dispose_fields[] = {
    {"method", CM_FIELD_ENUM, CM_FIELD_REQUIRED,
     .values = "sale donation scrap"},
    {"proceeds", CM_FIELD_MONEY, CM_FIELD_ZERO_OK},
    {"recipient", CM_FIELD_STRING, 0},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

#define S_CHAIN "applied appraised reviewed"

// clang-format off
static const cm_workflow_row_t s_rows[] = {
    // state(s), action, roles, guards, required, next, event, body, effect
    {"applied", "appraise", "*", CM_WORKFLOW_APPROVER, NULL,
     CM_WORKFLOW_BY_CODE, ASSETS_EVENT_SCRAP_APPRAISED, s_appraise_fields,
     s_appraise},
    {"appraised", "review", "*", CM_WORKFLOW_APPROVER, NULL,
     CM_WORKFLOW_BY_CODE, ASSETS_EVENT_SCRAP_REVIEWED, s_review_fields,
     s_review},
    {"reviewed", "approve", "*", CM_WORKFLOW_APPROVER, NULL,
     CM_WORKFLOW_BY_CODE, ASSETS_EVENT_SCRAP_APPROVED,
     cm_approval_approve_fields, s_approve},
    {S_CHAIN, "reject", "*", CM_WORKFLOW_APPROVER, NULL, CM_WORKFLOW_BY_CODE,
     ASSETS_EVENT_SCRAP_REJECTED, cm_approval_reject_fields, s_reject},
    {"approved", "dispose", ASSETS_KEEPERS, 0, NULL, "disposed",
     ASSETS_EVENT_SCRAP_DISPOSED, s_dispose_fields, s_dispose,
     assets_keeper_guard},
    {"approved disposed", "renew", ASSETS_KEEPERS, 0, NULL, CM_WORKFLOW_STAY,
     ASSETS_EVENT_SCRAP_RENEWED, s_renew_fields, s_renew,
     assets_keeper_guard},
    {"approved disposed", "renew", "dept_head", CM_WORKFLOW_HEAD, NULL,
     CM_WORKFLOW_STAY, ASSETS_EVENT_SCRAP_RENEWED, s_renew_fields, s_renew,
     NULL},
};
// clang-format on

const cm_workflow_t scrap_workflow = {
    .name = "scrap_request",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "disposed rejected",
    .superuser_role = "station_head",
};

static const cm_filter_t s_filters[] = {
    {"equipment"},
    {"state", NULL, SCRAP_STATES},
    {"department"},
    {NULL},
};

const cm_doc_type_t scrap_type = {
    .owner = ASSETS_OWNER,
    .kind = "scrap",
    .what = "scrap request",
    .id_prefix = "SR",
    .path = "/v1/scrap-requests",
    .filters = s_filters,
    .workflow = &scrap_workflow,
};

// ---- applying

static const cm_field_t s_apply_fields[] = {
    {"equipment", CM_FIELD_CODE, CM_FIELD_REQUIRED},
    {"reason", CM_FIELD_TEXT, CM_FIELD_REQUIRED},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

// The using department applies: its staff, its head, the deputy head over
// it, the station head.
static bool
s_may_apply(cm_ctx_t *ctx, const json_t *equipment)
{
    const json_t *actor = cm_ctx_actor(ctx);
    const char *dept = cm_doc_text(equipment, "department");
    return strcmp(cm_ctx_actor_role(ctx), "station_head") == 0
           || strcmp(cm_ctx_actor_department(ctx), dept) == 0
           || cm_org_heads(actor, dept) || cm_org_oversees(actor, dept);
}

// The equipment the body names, when the caller may apply for it; NULL
// after answering.
static json_t *
s_equipment(cm_ctx_t *ctx, const json_t *body)
{
    json_t *problem = NULL, *equipment = NULL;
    int64_t version = 0;
    int rc = cm_doc_read(cm_ctx_store(ctx), &equipment_type,
                         cm_doc_text(body, "equipment"), &equipment, &version);
    if (rc == CM_ENOTFOUND) {
        problem = cm_problem_new(422, "validation_failed", "no such equipment");
        cm_validate_fail(&problem, "equipment", "is not registered");
    } else if (rc != 0) {
        problem = cm_problem_from_status(rc, NULL);
    } else if (!s_may_apply(ctx, equipment)) {
        problem = cm_problem_from_status(CM_EFORBIDDEN,
                                         "the using department applies");
    } else if (!cm_validate_name_in(S_NOT_SCRAP, cm_doc_state(equipment))) {
        problem = cm_problem_new(409, "equipment_scrapped",
                                 "the equipment is scrapped or being "
                                 "scrapped");
        cm_problem_add_error(problem, "equipment", "is scrapped");
    }
    if (problem) {
        cm_ctx_fail(ctx, problem);
        json_decref(equipment);
        return NULL;
    }
    return equipment;
}

// The request (not stored): what the register says of the equipment, the
// reason, and the approval chain of the matrix. NULL after answering.
static json_t *
s_new(cm_ctx_t *ctx, const char *id, const json_t *equipment,
      const json_t *body, int64_t now)
{
    json_t *steps =
        cm_ctx_approvals(ctx)
            ? cm_approvals_chain(cm_ctx_approvals(ctx), S_DOCUMENT,
                                 cm_doc_integer(equipment, "cost"), NULL)
            : NULL;
    if (!steps) {
        cm_ctx_fail(ctx, cm_problem_new(422, "no_approval_rule",
                                        "the approval matrix has no rule for "
                                        "scrap requests; ask an operator"));
        return NULL;
    }
    json_t *doc = cm_doc_new(id, "applied", cm_ctx_actor(ctx), now);
    static const char *const copied[] = {
        "name", "specification", "model", "purchase_date", "tag", "department"};
    for (size_t i = 0; i < sizeof copied / sizeof copied[0]; i++) {
        json_t *value = json_object_get(equipment, copied[i]);
        if (value) {
            json_object_set(doc, copied[i], value);
        }
    }
    json_object_set(doc, "equipment", json_object_get(equipment, "id"));
    json_object_set(doc, "equipment_was", json_object_get(equipment, "state"));
    json_object_set(doc, "reason", json_object_get(body, "reason"));
    json_object_set_new(doc, "requested_by", json_string(cm_ctx_actor_id(ctx)));
    json_object_set_new(
        doc, "approval",
        json_pack("{s:s, s:O, s:s, s:I, s:i, s:i, s:b, s:o, s:[]}",
                  "document_type", S_DOCUMENT, "department",
                  json_object_get(equipment, "department"), "requester",
                  cm_ctx_actor_id(ctx), "amount",
                  (json_int_t)cm_doc_integer(equipment, "cost"), "round", 1,
                  "current", 0, "complete", 0, "steps", steps, "rounds"));
    return doc;
}

void
scrap_create(cm_ctx_t *ctx)
{
    const json_t *body = cm_ctx_body(ctx);
    json_t *problem = NULL;
    if (!cm_validate_name_in(S_APPLIERS, cm_ctx_actor_role(ctx))) {
        cm_ctx_fail_status(ctx, CM_EFORBIDDEN, "the using department applies");
        return;
    }
    if (!cm_field_check(s_apply_fields, body, &problem)) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    json_t *equipment = s_equipment(ctx, body);
    char id[CM_ID_MAX], state[CM_VALIDATE_NAME_MAX];
    int64_t now = cm_time_now_ms();
    json_t *doc = equipment && cm_doc_next_id(ctx, &scrap_type, id) == 0
                      ? s_new(ctx, id, equipment, body, now)
                      : NULL;
    if (!doc) {
        json_decref(equipment);
        return;
    }
    cm_commit_t *commit = cm_commit_new(ASSETS_OWNER);
    cm_doc_commit(commit, &scrap_type, NULL, doc, CM_VERSION_NEW, now);
    cm_doc_event(ctx, commit, &scrap_type, ASSETS_EVENT_SCRAP_APPLIED, doc, 1,
                 NULL);
    equipment_move_t move = {.id = id,
                             .from = S_NOT_SCRAP,
                             .to = "scrapping",
                             .action = "scrap-request"};
    move.id = cm_doc_text(equipment, "id");
    move.note = cm_doc_string(body, "reason");
    int rc = equipment_move(ctx, cm_ctx_store(ctx), commit, &move, NULL, NULL,
                            now, state);
    if (rc == 0) {
        cm_doc_reply_commit(ctx, commit, &scrap_type, 201, doc, 1);
    } else {
        cm_ctx_fail_status(ctx, rc, "the equipment changed meanwhile");
    }
    cm_commit_destroy(&commit);
    json_decref(doc);
    json_decref(equipment);
}

void
scrap_list(cm_ctx_t *ctx)
{
    cm_list_run(ctx, &scrap_type, NULL);
}

void
scrap_get(cm_ctx_t *ctx)
{
    cm_doc_get(ctx, &scrap_type);
}

void
scrap_history(cm_ctx_t *ctx)
{
    cm_doc_history(ctx, &scrap_type);
}

void
scrap_act(cm_ctx_t *ctx)
{
    cm_action_run(ctx, &scrap_type);
}
