#include "access.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

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

bool
access_may_touch_role(cm_ctx_t *ctx, const char *target_role)
{
    assert(ctx);
    if (!target_role || strcmp(target_role, PERSONNEL_TOP_ROLE) != 0
        || strcmp(cm_ctx_actor_role(ctx), PERSONNEL_TOP_ROLE) == 0) {
        return true;
    }
    cm_ctx_fail(ctx, cm_problem_new(403, "forbidden",
                                    "only the station head may act on a "
                                    "station head or grant that role"));
    return false;
}

bool
access_may_read_private(const char *actor_id, const char *actor_role,
                        const char *staff_id)
{
    if (!actor_id || !actor_role || !staff_id || !actor_id[0]) {
        return false;
    }
    return strcmp(actor_id, staff_id) == 0 || access_role_is_manager(actor_role)
           || strcmp(actor_role, "auditor") == 0;
}
