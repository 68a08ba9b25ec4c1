#include "equipment.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assets.h"
#include "cm_action.h"
#include "cm_list.h"
#include "cm_log.h"
#include "cm_org.h"
#include "cm_problem.h"
#include "cm_status.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "events/assets.h"

#define S_DATE_MAX   11 // YYYY-MM-DD and NUL
#define S_DETAIL_MAX 160
#define S_TAG_MAX    64

// ---- body tables

static const cm_field_t s_procedure_fields[] = {
    {"document", CM_FIELD_STRING, CM_FIELD_REQUIRED},
    {"version", CM_FIELD_STRING, CM_FIELD_REQUIRED, .max = 40},
    CM_FIELD_END,
};

static bool
s_check_procedure(const json_t *value, const char *field, json_t **problem_p)
{
    return cm_field_check_object(s_procedure_fields, value, field, problem_p);
}

static const cm_field_t s_create_fields[] = {
    {"tag", CM_FIELD_CODE, CM_FIELD_REQUIRED},
    {"name", CM_FIELD_STRING, CM_FIELD_REQUIRED},
    {"specification", CM_FIELD_TEXT, 0, .max = 1000},
    {"model", CM_FIELD_STRING, 0},
    {"serial", CM_FIELD_CODE, 0},
    {"supplier", CM_FIELD_STRING, 0},
    {"purchase_date", CM_FIELD_DATE, 0},
    {"cost", CM_FIELD_MONEY, CM_FIELD_ZERO_OK},
    {"after_sales", CM_FIELD_TEXT, 0, .max = 1000},
    {"warranty_end", CM_FIELD_DATE, 0},
    {"location", CM_FIELD_STRING, CM_FIELD_REQUIRED},
    {"department", CM_FIELD_CODE, CM_FIELD_REQUIRED},
    {"custodian", CM_FIELD_CODE, 0},
    {"procedure", CM_FIELD_OBJECT, 0, .check = s_check_procedure},
    {"status", CM_FIELD_ENUM, 0, .values = "in_service idle"},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_update_fields[] = {
    {"name", CM_FIELD_STRING, 0, .to = "name"},
    {"specification", CM_FIELD_TEXT, 0, .max = 1000, .to = "specification"},
    {"model", CM_FIELD_STRING, 0, .to = "model"},
    {"supplier", CM_FIELD_STRING, 0, .to = "supplier"},
    {"purchase_date", CM_FIELD_DATE, 0, .to = "purchase_date"},
    {"cost", CM_FIELD_MONEY, CM_FIELD_ZERO_OK, .to = "cost"},
    {"after_sales", CM_FIELD_TEXT, 0, .max = 1000, .to = "after_sales"},
    {"warranty_end", CM_FIELD_DATE, 0, .to = "warranty_end"},
    {"location", CM_FIELD_STRING, 0, .to = "location"},
    {"department", CM_FIELD_CODE, 0, .to = "department"},
    {"custodian", CM_FIELD_CODE, 0, .to = "custodian"},
    {"procedure", CM_FIELD_OBJECT, 0, .check = s_check_procedure,
     .to = "procedure"},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_training_fields[] = {
    {"staff", CM_FIELD_CODE, CM_FIELD_REQUIRED},
    {"completed_on", CM_FIELD_DATE, CM_FIELD_REQUIRED},
    {"trainer", CM_FIELD_CODE, 0},
    {"course", CM_FIELD_STRING, 0},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_operator_fields[] = {
    {"staff", CM_FIELD_CODE, CM_FIELD_REQUIRED},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_field_t s_revoke_fields[] = {
    {"staff", CM_FIELD_CODE, CM_FIELD_REQUIRED},
    {"reason", CM_FIELD_TEXT, CM_FIELD_REQUIRED},
    CM_FIELD_END,
};

static const cm_field_t s_note_fields[] = {CM_FIELD_NOTE, CM_FIELD_END};

// ---- rules across members

static void
s_today(int64_t now_ms, char *date)
{
    char at[CM_TIME_TEXT_MAX];
    cm_time_format(now_ms, at);
    snprintf(date, S_DATE_MAX, "%.10s", at);
}

// Dates in order (400): the warranty does not end before the purchase,
// and nothing was bought in the future.
static void
s_check_dates(const json_t *doc, int64_t now_ms, json_t **problem_p)
{
    const char *bought = cm_doc_string(doc, "purchase_date");
    const char *warranty = cm_doc_string(doc, "warranty_end");
    char today[S_DATE_MAX];
    s_today(now_ms, today);
    if (bought && strcmp(bought, today) > 0) {
        cm_validate_fail(problem_p, "purchase_date",
                         "must not be in the future");
    }
    if (bought && warranty && strcmp(warranty, bought) < 0) {
        cm_validate_fail(problem_p, "warranty_end",
                         "must not be before purchase_date");
    }
}

// The department exists and the custodian is active staff (422).
static json_t *
s_check_people(cm_store_t *store, const json_t *doc)
{
    json_t *problem = NULL;
    json_t *dept =
        cm_org_department(store, ASSETS_OWNER, cm_doc_text(doc, "department"));
    if (!dept) {
        problem = cm_problem_new(422, "validation_failed",
                                 "the department or custodian is unknown");
        cm_validate_fail(&problem, "department", "is not a department");
    }
    json_decref(dept);
    const char *custodian = cm_doc_string(doc, "custodian");
    if (custodian && !cm_org_id_is_active(store, ASSETS_OWNER, custodian)) {
        if (!problem) {
            problem = cm_problem_new(422, "validation_failed",
                                     "the department or custodian is unknown");
        }
        cm_validate_fail(&problem, "custodian", "must be active staff");
    }
    return problem;
}

// ---- unique tag and serial

// The equipment holding tag or serial `value` (kind "tag" or "serial")
// into owner (CM_ID_MAX). 0 when taken, CM_ENOTFOUND when free, or a
// status.
static int
s_holder(cm_store_t *store, const char *kind, const char *value, char *owner)
{
    char key[CM_STORE_KEY_MAX];
    if (!assets_key(key, kind, value)) {
        return CM_EINVAL;
    }
    cm_doc_t found = {0};
    int rc = cm_store_get(store, key, &found);
    if (rc == 0) {
        json_t *record = json_loads(found.json ? found.json : "", 0, NULL);
        snprintf(owner, CM_ID_MAX, "%s", cm_doc_text(record, "equipment"));
        json_decref(record);
    }
    cm_doc_clear(&found);
    return rc;
}

static void
s_claim(cm_commit_t *commit, const char *kind, const char *value,
        const char *id)
{
    char key[CM_STORE_KEY_MAX];
    json_t *record = json_pack("{s:s}", "equipment", id);
    char *text = json_dumps(record, JSON_COMPACT);
    if (assets_key(key, kind, value)) {
        cm_commit_doc(commit, key, CM_VERSION_NEW, text);
    }
    free(text);
    json_decref(record);
}

// 409 naming the tag or serial already taken, NULL when both are free;
// *rc gets a store failure.
static json_t *
s_duplicate(cm_store_t *store, const json_t *body, int *rc)
{
    static const char *const kinds[] = {"tag", "serial"};
    json_t *problem = NULL;
    *rc = 0;
    for (size_t i = 0; i < 2 && *rc == 0; i++) {
        const char *value = cm_doc_string(body, kinds[i]);
        char owner[CM_ID_MAX] = "";
        int found =
            value ? s_holder(store, kinds[i], value, owner) : CM_ENOTFOUND;
        if (found == 0) {
            char detail[S_DETAIL_MAX];
            snprintf(detail, sizeof detail, "is taken by %s", owner);
            if (!problem) {
                problem = cm_problem_new(409, "duplicate",
                                         "the tag or serial is registered "
                                         "already");
            }
            cm_problem_add_error(problem, kinds[i], detail);
        } else if (found != CM_ENOTFOUND) {
            *rc = found;
        }
    }
    return problem;
}

// ---- the process

static json_t *
s_update(cm_action_t *a)
{
    static const char *const optional[] = {
        "specification", "model",        "supplier",  "purchase_date", "cost",
        "after_sales",   "warranty_end", "custodian", "procedure"};
    for (size_t i = 0; i < sizeof optional / sizeof optional[0]; i++) {
        if (json_is_null(json_object_get(a->doc, optional[i]))) {
            json_object_del(a->doc, optional[i]);
        }
    }
    const char *required[] = {"name", "location", "department"};
    json_t *problem = NULL;
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        if (!json_is_string(json_object_get(a->doc, required[i]))) {
            cm_validate_fail(&problem, required[i], "must not be cleared");
        }
    }
    s_check_dates(a->doc, a->now_ms, &problem);
    return problem ? problem : s_check_people(a->store, a->doc);
}

// The training records of `staff` on doc.
static bool
s_trained(const json_t *doc, const char *staff)
{
    const json_t *trainings = json_object_get(doc, "trainings");
    for (size_t i = 0; i < json_array_size(trainings); i++) {
        if (strcmp(cm_doc_text(json_array_get(trainings, i), "staff"), staff)
            == 0) {
            return true;
        }
    }
    return false;
}

// obj without its null members (optional ones json_pack left null).
static json_t *
s_strip_nulls(json_t *obj)
{
    const char *key;
    json_t *value;
    void *tmp;
    json_object_foreach_safe(obj, tmp, key, value)
    {
        if (json_is_null(value)) {
            json_object_del(obj, key);
        }
    }
    return obj;
}

static json_t *
s_staff_problem(const char *field, const char *message)
{
    json_t *problem = cm_problem_new(422, "validation_failed", message);
    cm_validate_fail(&problem, field, message);
    return problem;
}

static json_t *
s_record_training(cm_action_t *a)
{
    const char *staff = cm_doc_text(a->body, "staff");
    const char *trainer = cm_doc_string(a->body, "trainer");
    char today[S_DATE_MAX];
    s_today(a->now_ms, today);
    if (strcmp(cm_doc_text(a->body, "completed_on"), today) > 0) {
        json_t *problem = NULL;
        cm_validate_fail(&problem, "completed_on", "must not be in the future");
        return problem;
    }
    if (!cm_org_id_is_active(a->store, ASSETS_OWNER, staff)) {
        return s_staff_problem("staff", "must be active staff");
    }
    if (trainer && !cm_org_id_is_active(a->store, ASSETS_OWNER, trainer)) {
        return s_staff_problem("trainer", "must be active staff");
    }
    json_t *trainings = json_object_get(a->doc, "trainings");
    if (json_array_size(trainings) >= EQUIPMENT_LIST_MAX) {
        return cm_action_refuse(a, 409, "too_many_trainings",
                                "This equipment holds the most training "
                                "records it can keep.");
    }
    char at[CM_TIME_TEXT_MAX];
    cm_time_format(a->now_ms, at);
    json_array_append_new(
        trainings,
        s_strip_nulls(json_pack(
            "{s:s, s:O, s:s?, s:O?, s:s, s:s}", "staff", staff, "completed_on",
            json_object_get(a->body, "completed_on"), "trainer", trainer,
            "course", json_object_get(a->body, "course"), "recorded_by",
            cm_doc_text(a->actor, "id"), "at", at)));
    return NULL;
}

static json_t *
s_authorise(cm_action_t *a)
{
    const char *staff = cm_doc_text(a->body, "staff");
    if (!cm_org_id_is_active(a->store, ASSETS_OWNER, staff)) {
        return s_staff_problem("staff", "must be active staff");
    }
    if (!s_trained(a->doc, staff)) {
        return s_staff_problem("staff", "has no completed training recorded "
                                        "for this equipment");
    }
    json_t *operators = json_object_get(a->doc, "operators");
    if (assets_listed(a->doc, "operators", staff)) {
        return cm_action_refuse(a, 409, "already_authorised",
                                "This person is an authorised operator "
                                "already.");
    }
    if (json_array_size(operators) >= EQUIPMENT_LIST_MAX) {
        return cm_action_refuse(a, 409, "too_many_operators",
                                "This equipment has the most operators it "
                                "can keep.");
    }
    json_array_append_new(operators, json_string(staff));
    return NULL;
}

static json_t *
s_revoke(cm_action_t *a)
{
    const char *staff = cm_doc_text(a->body, "staff");
    json_t *operators = json_object_get(a->doc, "operators");
    for (size_t i = 0; i < json_array_size(operators); i++) {
        if (strcmp(json_string_value(json_array_get(operators, i)), staff)
            == 0) {
            json_array_remove(operators, i);
            return NULL;
        }
    }
    return s_staff_problem("staff", "is not an authorised operator");
}

#define S_KEEPERS ASSETS_KEEPERS
#define S_GUARD   assets_keeper_guard
#define S_HEAD    CM_WORKFLOW_HEAD

// clang-format off
static const cm_workflow_row_t s_rows[] = {
    // state(s), action, roles, guards, required, next, event, body, effect
    {"*", "update", S_KEEPERS, 0, NULL, CM_WORKFLOW_STAY,
     ASSETS_EVENT_EQUIPMENT_UPDATED, s_update_fields, s_update, S_GUARD},
    {"in_service", "lay-up", S_KEEPERS, 0, NULL, "idle",
     ASSETS_EVENT_EQUIPMENT_LAID_UP, s_note_fields, NULL, S_GUARD},
    {"idle", "put-in-service", S_KEEPERS, 0, NULL, "in_service",
     ASSETS_EVENT_EQUIPMENT_PUT_IN_SERVICE, s_note_fields, NULL, S_GUARD},
    {"*", "record-training", S_KEEPERS, 0, NULL, CM_WORKFLOW_STAY,
     ASSETS_EVENT_EQUIPMENT_TRAINING_RECORDED, s_training_fields,
     s_record_training, S_GUARD},
    {"*", "record-training", "safety_officer", 0, NULL, CM_WORKFLOW_STAY,
     ASSETS_EVENT_EQUIPMENT_TRAINING_RECORDED, s_training_fields,
     s_record_training, NULL},
    {"*", "authorise", S_KEEPERS, 0, NULL, CM_WORKFLOW_STAY,
     ASSETS_EVENT_EQUIPMENT_OPERATOR_AUTHORISED, s_operator_fields,
     s_authorise, S_GUARD},
    {"*", "authorise", "dept_head", S_HEAD, NULL, CM_WORKFLOW_STAY,
     ASSETS_EVENT_EQUIPMENT_OPERATOR_AUTHORISED, s_operator_fields,
     s_authorise, NULL},
    {"*", "revoke-operator", S_KEEPERS, 0, NULL, CM_WORKFLOW_STAY,
     ASSETS_EVENT_EQUIPMENT_OPERATOR_REVOKED, s_revoke_fields, s_revoke,
     S_GUARD},
    {"*", "revoke-operator", "dept_head", S_HEAD, NULL, CM_WORKFLOW_STAY,
     ASSETS_EVENT_EQUIPMENT_OPERATOR_REVOKED, s_revoke_fields, s_revoke,
     NULL},
};
// clang-format on

const cm_workflow_t equipment_workflow = {
    .name = "equipment",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "scrapped",
    .superuser_role = "station_head",
    .assignee_field = "custodian",
};

static const cm_filter_t s_filters[] = {
    {"tag"},        {"serial"},
    {"custodian"},  {"state", NULL, EQUIPMENT_STATES},
    {"department"}, {NULL},
};

const cm_doc_type_t equipment_type = {
    .owner = ASSETS_OWNER,
    .kind = "equipment",
    .what = "equipment",
    .id_prefix = "EQ",
    .path = "/v1/equipment",
    .filters = s_filters,
    .workflow = &equipment_workflow,
    .list_omits = "trainings",
};

// ---- registering

// A new equipment document (not stored) from the register's fields
// (copied), with empty trainings and operators. Caller owns the result.
static json_t *
s_new(const char *id, const char *state, const json_t *fields,
      const json_t *source, const json_t *actor, int64_t now_ms)
{
    json_t *doc = cm_doc_new(id, state, actor, now_ms);
    json_object_update(doc, (json_t *)fields);
    json_object_del(doc, "note");
    json_object_del(doc, "status");
    json_object_set(doc, "source", (json_t *)source);
    json_object_set_new(doc, "trainings", json_array());
    json_object_set_new(doc, "operators", json_array());
    return doc;
}

static void
s_commit_new(cm_ctx_t *ctx, json_t *doc, int64_t now)
{
    cm_commit_t *commit = cm_commit_new(ASSETS_OWNER);
    const char *id = cm_doc_text(doc, "id");
    s_claim(commit, "tag", cm_doc_text(doc, "tag"), id);
    if (cm_doc_string(doc, "serial")) {
        s_claim(commit, "serial", cm_doc_text(doc, "serial"), id);
    }
    cm_doc_commit(commit, &equipment_type, NULL, doc, CM_VERSION_NEW, now);
    cm_doc_event(ctx, commit, &equipment_type,
                 ASSETS_EVENT_EQUIPMENT_REGISTERED, doc, 1, NULL);
    int outcome =
        cm_doc_reply_commit(ctx, commit, &equipment_type, 201, doc, 1);
    if (outcome == CM_COMMIT_CONFLICT) {
        int rc = 0;
        json_t *problem = s_duplicate(cm_ctx_store(ctx), doc, &rc);
        if (problem) {
            cm_ctx_fail(ctx, problem); // a concurrent registration won
        }
    }
    cm_commit_destroy(&commit);
}

void
equipment_create(cm_ctx_t *ctx)
{
    if (!assets_keeper_guard(cm_ctx_actor(ctx), NULL)) {
        cm_ctx_fail_status(ctx, CM_EFORBIDDEN,
                           "the technical department keeps the equipment "
                           "register");
        return;
    }
    const json_t *body = cm_ctx_body(ctx);
    int64_t now = cm_time_now_ms();
    json_t *problem = NULL;
    if (cm_field_check(s_create_fields, body, &problem)) {
        s_check_dates(body, now, &problem);
    }
    int rc = 0;
    if (!problem) {
        problem = s_check_people(cm_ctx_store(ctx), body);
    }
    if (!problem) {
        problem = s_duplicate(cm_ctx_store(ctx), body, &rc);
    }
    if (problem || rc != 0) {
        if (problem) {
            cm_ctx_fail(ctx, problem);
        } else {
            cm_ctx_fail_status(ctx, rc, NULL);
        }
        return;
    }
    char id[CM_ID_MAX];
    if (cm_doc_next_id(ctx, &equipment_type, id) != 0) {
        return;
    }
    const char *status = cm_doc_string(body, "status");
    json_t *source = json_pack("{s:s}", "type", "manual");
    json_t *doc = s_new(id, status ? status : "in_service", body, source,
                        cm_ctx_actor(ctx), now);
    s_commit_new(ctx, doc, now);
    json_decref(source);
    json_decref(doc);
}

// The register's fields of a received equipment line.
static json_t *
s_received_fields(const json_t *data, const char *tag, const char *date)
{
    const json_t *line = json_object_get(data, "equipment");
    const char *spec = cm_doc_string(line, "specification");
    const char *place = cm_doc_string(data, "delivery_place");
    json_t *fields = json_pack(
        "{s:s, s:s, s:s?, s:O?, s:s, s:O?, s:O?, s:s, s:s, s:I}", "tag", tag,
        "name", spec ? spec : cm_doc_text(line, "item"), "specification", spec,
        "supplier", json_object_get(data, "supplier"), "purchase_date", date,
        "cost", json_object_get(line, "unit_price"), "after_sales",
        json_object_get(line, "after_sales"), "location",
        place ? place : "unplaced", "department",
        assets_config()->receiving_department, "quantity",
        (json_int_t)cm_doc_integer(line, "quantity"));
    return s_strip_nulls(fields);
}

int
equipment_on_received(cm_store_t *store, const json_t *envelope,
                      cm_commit_t *commit)
{
    const json_t *data = json_object_get(envelope, "data");
    const char *order = cm_doc_text(data, "id");
    const char *line = cm_doc_text(json_object_get(data, "equipment"), "line");
    char tag[S_TAG_MAX], owner[CM_ID_MAX] = "";
    snprintf(tag, sizeof tag, "%s-%s-v%lld", order, line,
             (long long)cm_doc_integer(envelope, "version"));
    if (!*order || !*line) {
        cm_log_warn("equipment.receipt_refused", "reason", "no order or line");
        return 0;
    }
    int rc = s_holder(store, "tag", tag, owner);
    if (rc != CM_ENOTFOUND) {
        return rc == CM_EINVAL ? 0 : rc; // 0: registered already
    }
    int64_t number = 0, now = cm_time_now_ms();
    rc = cm_store_next_id(store, ASSETS_OWNER, equipment_type.kind, &number);
    if (rc != 0) {
        return rc;
    }
    char id[CM_ID_MAX], today[S_DATE_MAX];
    cm_id_format(equipment_type.id_prefix, number, id);
    s_today(now, today);
    json_t *fields = s_received_fields(data, tag, today);
    json_t *source = json_pack("{s:s, s:s, s:s}", "type", "purchase_order",
                               "id", order, "line", line);
    json_t *actor =
        json_pack("{s:s, s:s}", "id", ASSETS_SELF, "role", ASSETS_SELF);
    json_t *doc = s_new(id, "idle", fields, source, actor, now);
    s_claim(commit, "tag", tag, id);
    rc = cm_doc_commit(commit, &equipment_type, NULL, doc, CM_VERSION_NEW, now);
    if (rc == 0) {
        rc = cm_doc_event_add(commit, &equipment_type,
                              ASSETS_EVENT_EQUIPMENT_REGISTERED, doc, 1, actor,
                              cm_doc_string(envelope, "correlation_id"), NULL);
    }
    if (rc == 0) {
        cm_log_info("equipment.registered_from_receipt", "id", id, "order",
                    order, "line", line);
    }
    json_decref(doc);
    json_decref(actor);
    json_decref(source);
    json_decref(fields);
    return rc == 0 ? 0 : CM_EINTERNAL;
}

// ---- faults and repairs move the status

int
equipment_find(cm_store_t *store, const char *ref, char *id)
{
    int rc = ref && *ref ? s_holder(store, "tag", ref, id) : CM_ENOTFOUND;
    if (rc == CM_ENOTFOUND && ref && *ref) {
        rc = s_holder(store, "serial", ref, id);
    }
    return rc == CM_EINVAL ? CM_ENOTFOUND : rc;
}

int
equipment_move(cm_ctx_t *ctx, cm_store_t *store, cm_commit_t *commit,
               const equipment_move_t *move, const json_t *actor,
               const char *correlation, int64_t now_ms, char *state)
{
    json_t *doc = NULL;
    int64_t version = 0;
    int rc = cm_doc_read(store, &equipment_type, move->id, &doc, &version);
    if (rc != 0) {
        return rc;
    }
    snprintf(state, CM_VALIDATE_NAME_MAX, "%s", cm_doc_state(doc));
    if (!cm_validate_name_in(move->from, state)) {
        json_decref(doc);
        return CM_ECONFLICT;
    }
    json_t *old = json_deep_copy(doc);
    json_object_set_new(doc, "state", json_string(move->to));
    if (move->fault && *move->fault) {
        json_object_set_new(doc, "open_fault", json_string(move->fault));
    } else if (move->fault) {
        json_object_del(doc, "open_fault");
    }
    json_t *data = json_pack(
        "{s:s, s:s, s:s?}", "from", state, "to", move->to, "fault",
        move->fault && *move->fault ? move->fault
                                    : cm_doc_string(old, "open_fault"));
    cm_doc_history_add(doc, ctx ? cm_ctx_actor(ctx) : actor, move->action,
                       state, move->to, move->note, json_deep_copy(data),
                       now_ms);
    rc = cm_doc_commit(commit, &equipment_type, old, doc, version, now_ms);
    if (rc == 0) {
        rc = ctx ? cm_doc_event(ctx, commit, &equipment_type,
                                ASSETS_EVENT_EQUIPMENT_STATUS_CHANGED, doc,
                                version + 1, json_incref(data))
                 : cm_doc_event_add(commit, &equipment_type,
                                    ASSETS_EVENT_EQUIPMENT_STATUS_CHANGED, doc,
                                    version + 1, actor, correlation,
                                    json_incref(data));
    }
    json_decref(data);
    json_decref(old);
    json_decref(doc);
    return rc == 0 ? 0 : CM_EINTERNAL;
}

// ---- handlers

void
equipment_list(cm_ctx_t *ctx)
{
    cm_list_run(ctx, &equipment_type, NULL);
}

void
equipment_get(cm_ctx_t *ctx)
{
    cm_doc_get(ctx, &equipment_type);
}

void
equipment_patch(cm_ctx_t *ctx)
{
    cm_action_patch(ctx, &equipment_type);
}

void
equipment_history(cm_ctx_t *ctx)
{
    cm_doc_history(ctx, &equipment_type);
}

void
equipment_act(cm_ctx_t *ctx)
{
    cm_action_run(ctx, &equipment_type);
}
