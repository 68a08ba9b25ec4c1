#include "access.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "cm_doc.h"
#include "cm_org.h"
#include "cm_problem.h"
#include "cm_validate.h"
#include "personnel.h"

#define S_DETAIL_MAX 256

bool
access_role_is_manager(const char *role)
{
    return cm_validate_name_in(PERSONNEL_MANAGERS, role);
}

bool
access_is_top(const json_t *actor)
{
    return strcmp(cm_doc_text(actor, "role"), PERSONNEL_TOP_ROLE) == 0;
}

bool
access_oversees(const json_t *actor, const char *department)
{
    if (access_is_top(actor)) {
        return true;
    }
    if (!department || strcmp(cm_doc_text(actor, "role"), "deputy_head") != 0) {
        return false;
    }
    if (cm_org_oversees(actor, department)) {
        return true;
    }
    return false;
}

bool
access_may_manage(const json_t *actor, const json_t *staff)
{
    if (access_is_top(actor)) {
        return true;
    }
    return !access_is_top(staff)
           && access_oversees(actor, cm_doc_string(staff, "department"));
}

bool
access_manages(const json_t *actor, const char *department)
{
    if (access_oversees(actor, department)) {
        return true;
    }
    return cm_org_heads(actor, department);
}

bool
access_may_read_private(const json_t *actor, const json_t *staff)
{
    const char *id = cm_doc_text(actor, "id");
    if (!*id) {
        return false;
    }
    return strcmp(id, cm_doc_text(staff, "id")) == 0
           || strcmp(cm_doc_text(actor, "role"), "auditor") == 0
           || access_may_manage(actor, staff);
}

bool
access_may_grant(const json_t *actor, const char *role)
{
    return !cm_validate_name_in(PERSONNEL_MANAGERS, role)
           || access_is_top(actor);
}

bool
access_authenticated(cm_ctx_t *ctx)
{
    assert(ctx);
    const char *id = cm_ctx_actor_id(ctx);
    const char *role = cm_ctx_actor_role(ctx);
    if (id[0] && cm_validate_name_in(PERSONNEL_ROLES, role)) {
        return true;
    }
    cm_ctx_fail(ctx, cm_problem_new(401, "unauthenticated",
                                    "the request carries no known actor"));
    return false;
}

json_t *
access_forbidden(const char *what)
{
    char detail[S_DETAIL_MAX];
    snprintf(detail, sizeof detail, "You may not %s.", what);
    return cm_problem_new(403, "forbidden", detail);
}

bool
access_manager(cm_ctx_t *ctx, const char *what)
{
    assert(ctx && what);
    if (!access_authenticated(ctx)) {
        return false;
    }
    if (access_role_is_manager(cm_ctx_actor_role(ctx))) {
        return true;
    }
    char detail[S_DETAIL_MAX];
    snprintf(detail, sizeof detail,
             "only the station head and deputy heads may %s", what);
    cm_ctx_fail(ctx, cm_problem_new(403, "forbidden", detail));
    return false;
}
