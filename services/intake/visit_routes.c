#include "visit_routes.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "case.h"
#include "cm_doc.h"
#include "cm_field.h"
#include "cm_problem.h"
#include "cm_status.h"
#include "cm_time.h"
#include "customer.h"
#include "events/intake.h"
#include "intake.h"

static bool
s_check_id(const json_t *value, const char *path, json_t **problem_p)
{
    static const cm_field_t id = {"customers", CM_FIELD_CODE,
                                  CM_FIELD_REQUIRED};
    return cm_field_check_value(&id, value, path, problem_p);
}

static const cm_field_t s_fields[] = {
    {"customers", CM_FIELD_ARRAY, CM_FIELD_REQUIRED, .max = VISIT_CUSTOMERS_MAX,
     .check = s_check_id},
    {"due_at", CM_FIELD_TIME, CM_FIELD_REQUIRED | CM_FIELD_FUTURE},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

// The work request of one customer's visit (taken by the event).
static json_t *
s_request(const intake_t *intake, const json_t *customer, const char *due,
          const char *note, char *key, size_t key_size)
{
    const char *id = cm_doc_text(customer, "id");
    snprintf(key, key_size, "customer-visit/%s/%.10s", id, due);
    char title[CUSTOMER_NAME_KEY_MAX + 32];
    snprintf(title, sizeof title, "Return visit: %.200s",
             cm_doc_text(customer, "name"));
    json_t *request = json_pack(
        "{s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:s}", "key", key, "department",
        intake->desk_department, "title", title, "kind", "return_visit",
        "source", "type", "customer", "id", id, "due_at", due);
    assert(request);
    if (note) {
        json_object_set_new(request, "note", json_string(note));
    }
    return request;
}

void
visit_routes_schedule(cm_ctx_t *ctx)
{
    if (!intake_allow_desk(ctx, INTAKE_ROLES_CUSTOMER)) {
        return;
    }
    const json_t *body = cm_ctx_body(ctx);
    json_t *problem = NULL;
    if (!json_is_object(body) || !cm_field_check(s_fields, body, &problem)) {
        cm_ctx_fail(ctx, problem ? problem
                                 : cm_problem_new(400, "validation_failed",
                                                  "the body must be an "
                                                  "object"));
        return;
    }
    const intake_t *intake = cm_ctx_state(ctx);
    const json_t *ids = json_object_get(body, "customers");
    if (json_array_size(ids) == 0) {
        problem = cm_problem_new(400, "validation_failed", "no customers");
        cm_problem_add_error(problem, "customers", "must name a customer");
        cm_ctx_fail(ctx, problem);
        return;
    }
    const char *due = cm_doc_text(body, "due_at");
    const char *note = cm_doc_string(body, "note");
    cm_commit_t *commit = cm_commit_new(CASE_OWNER);
    json_t *scheduled = json_array();
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < json_array_size(ids); i++) {
        const char *id = json_string_value(json_array_get(ids, i));
        json_t *customer = NULL;
        int64_t version = 0;
        rc = cm_doc_read(cm_ctx_store(ctx), &customer_type, id, &customer,
                         &version);
        if (rc == CM_ENOTFOUND) {
            char field[32];
            snprintf(field, sizeof field, "customers[%zu]", i);
            problem = cm_problem_new(422, "customer_not_found",
                                     "Every customer must exist.");
            cm_problem_add_error(problem, field, "no such customer");
            break;
        }
        if (rc != 0) {
            break;
        }
        char key[96];
        json_t *request =
            s_request(intake, customer, due, note, key, sizeof key);
        char subject[64];
        snprintf(subject, sizeof subject, "customer/%s", id);
        rc = cm_ctx_event(ctx, commit, INTAKE_EVENT_CUSTOMER_WORK_REQUESTED,
                          subject, version,
                          json_pack("{s:o}", "request", request));
        json_array_append_new(
            scheduled, json_pack("{s:s, s:s}", "customer", id, "key", key));
        json_decref(customer);
        if (rc != 0) {
            rc = CM_EINVAL;
        }
    }
    if (problem) {
        cm_ctx_fail(ctx, problem);
    } else if (rc != 0) {
        cm_ctx_fail_status(ctx, rc, "the visits could not be scheduled");
    } else {
        cm_ctx_commit(ctx, commit, 201,
                      json_pack("{s:O}", "scheduled", scheduled));
    }
    json_decref(scheduled);
    cm_commit_destroy(&commit);
}
