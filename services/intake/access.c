#include "access.h"

#include <assert.h>
#include <string.h>

#include "cm_org.h"
#include "cm_problem.h"
#include "cm_validate.h"

#define S_READS_ALL      "station_head auditor"
#define S_READS_CONTACTS "station_head auditor deputy_head"

static const char *
s_text(const json_t *doc, const char *member)
{
    const char *text = json_string_value(json_object_get(doc, member));
    return text ? text : "";
}

static bool
s_at_desk(const json_t *actor)
{
    return json_is_true(json_object_get(actor, "desk"));
}

bool
access_reads_all_cases(const json_t *actor)
{
    return cm_validate_name_in(S_READS_ALL, s_text(actor, "role"))
           || s_at_desk(actor);
}

bool
access_reads_contacts(const json_t *actor)
{
    return cm_validate_name_in(S_READS_CONTACTS, s_text(actor, "role"))
           || s_at_desk(actor);
}

static bool
s_listed(const json_t *list, const char *text)
{
    for (size_t i = 0; i < json_array_size(list); i++) {
        const char *item = json_string_value(json_array_get(list, i));
        if (item && strcmp(item, text) == 0) {
            return true;
        }
    }
    return false;
}

bool
access_in_departments(const json_t *actor, const char *dept)
{
    if (!dept || !*dept) {
        return false;
    }
    return strcmp(s_text(actor, "department"), dept) == 0
           || cm_org_heads(actor, dept) || cm_org_oversees(actor, dept);
}

json_t *
access_departments(const json_t *actor)
{
    json_t *out = json_array();
    assert(out);
    const char *own = s_text(actor, "department");
    if (*own) {
        json_array_append_new(out, json_string(own));
    }
    const char *lists[] = {"heads", "oversees"};
    for (size_t l = 0; l < 2; l++) {
        const json_t *list = json_object_get(actor, lists[l]);
        for (size_t i = 0; i < json_array_size(list); i++) {
            const char *dept = json_string_value(json_array_get(list, i));
            if (dept && !s_listed(out, dept)) {
                json_array_append_new(out, json_string(dept));
            }
        }
    }
    return out;
}

bool
access_may_read_case(cm_ctx_t *ctx, const json_t *doc)
{
    const json_t *actor = cm_ctx_actor(ctx);
    if (access_reads_all_cases(actor)) {
        return true;
    }
    const char *assignee = cm_doc_string(doc, "assignee");
    if (assignee && strcmp(assignee, cm_ctx_actor_id(ctx)) == 0) {
        return true;
    }
    return access_in_departments(actor, cm_doc_string(doc, "department"));
}

void
access_decorate_case(cm_ctx_t *ctx, const json_t *doc, json_t *view)
{
    if (access_reads_contacts(cm_ctx_actor(ctx))) {
        return;
    }
    const json_t *customer = json_object_get(doc, "customer");
    json_t *named =
        json_pack("{s:O?, s:O?}", "id", json_object_get(customer, "id"), "name",
                  json_object_get(customer, "name"));
    assert(named);
    json_object_set_new(view, "customer", named);
}

void
access_decorate_customer(cm_ctx_t *ctx, const json_t *doc, json_t *view)
{
    (void)doc; // the view holds what is left out
    if (access_reads_contacts(cm_ctx_actor(ctx))) {
        const char *contacts[] = {"phone", "email", "notes"};
        for (size_t i = 0; i < 3; i++) {
            if (json_is_null(json_object_get(view, contacts[i]))) {
                json_object_del(view, contacts[i]); // stored before: absent
            }
        }
        return;
    }
    static const char kept[] =
        "id name state created_at updated_at version actions";
    const char *key = NULL;
    json_t *value = NULL;
    void *tmp = NULL;
    json_object_foreach_safe(view, tmp, key, value)
    {
        if (!cm_validate_name_in(kept, key)) {
            json_object_del(view, key);
        }
    }
}

static int
s_filter_at(const cm_doc_type_t *type, const char *param)
{
    for (int i = 0; type->filters && type->filters[i].param; i++) {
        if (strcmp(type->filters[i].param, param) == 0) {
            return i;
        }
    }
    return -1;
}

json_t *
access_case_scope(cm_ctx_t *ctx, const cm_doc_type_t *type,
                  cm_list_query_t *query)
{
    const json_t *actor = cm_ctx_actor(ctx);
    int dept = s_filter_at(type, "department");
    int assignee = s_filter_at(type, "assignee");
    assert(dept >= 0 && assignee >= 0);
    const char *mine = query->values[assignee];
    const char *wanted = query->values[dept];
    if (access_reads_all_cases(actor)
        || (mine && strcmp(mine, cm_ctx_actor_id(ctx)) == 0)
        || (wanted && access_in_departments(actor, wanted))) {
        query->may_read_all = true;
        return NULL;
    }
    json_t *departments = access_departments(actor);
    if (!wanted && json_array_size(departments) == 1
        && *cm_ctx_actor_department(ctx)) {
        // Borrowed from the actor, which lives as long as the request.
        query->values[dept] = cm_ctx_actor_department(ctx);
        query->may_read_all = true;
    }
    json_decref(departments);
    return NULL;
}

// Need-to-know: the station head, auditors and the desk read every
// report; a department or deputy head only their departments' (the
// department defaults to their own); others nothing. NULL, or a 403
// problem (caller owns it); *department may be set.
json_t *
access_report_scope(cm_ctx_t *ctx, const char **department)
{
    const json_t *actor = cm_ctx_actor(ctx);
    const char *role = cm_ctx_actor_role(ctx);
    if (access_reads_all_cases(actor)) {
        return NULL;
    }
    if (!cm_validate_name_in("dept_head deputy_head", role)) {
        return cm_problem_new(403, "forbidden",
                              "Reports are for the desk, heads and "
                              "auditors.");
    }
    if (!*department && *cm_ctx_actor_department(ctx)) {
        *department = cm_ctx_actor_department(ctx);
    }
    if (!access_in_departments(actor, *department)) {
        return cm_problem_new(403, "forbidden",
                              "You may read the reports of your own "
                              "departments only.");
    }
    return NULL;
}
