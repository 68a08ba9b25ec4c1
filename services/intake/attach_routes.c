#include "attach_routes.h"

#include <string.h>

#include "access.h"
#include "case.h"
#include "cm_attach_routes.h"
#include "cm_log.h"

// A closed or cancelled case takes no attachments.
static bool
s_is_open(const json_t *doc)
{
    const char *state = cm_doc_state(doc);
    return strcmp(state, "closed") != 0 && strcmp(state, "cancelled") != 0;
}

// Besides the uploader: the desk and the station head.
static bool
s_may_delete(cm_ctx_t *ctx, const json_t *doc)
{
    (void)doc; // the same for every case
    return strcmp(cm_ctx_actor_role(ctx), "station_head") == 0
           || json_is_true(json_object_get(cm_ctx_actor(ctx), "desk"));
}

static cm_attach_config_t
s_config(const intake_t *self)
{
    cm_attach_config_t config = {.dir = self->attach_dir,
                                 .owner = CASE_OWNER,
                                 .max_bytes = self->attach_max_bytes,
                                 .types = self->attach_types};
    return config;
}

static cm_attach_route_t
s_route(cm_ctx_t *ctx)
{
    cm_attach_route_t route = {.type = &case_type,
                               .config = s_config(cm_ctx_state(ctx)),
                               .write_roles = ATTACH_ROLES_WRITE,
                               .per_doc_max = ATTACH_PER_CASE_MAX,
                               .accepts = s_is_open,
                               .may_delete = s_may_delete};
    return route;
}

void
attach_routes_upload(cm_ctx_t *ctx)
{
    cm_attach_route_t route = s_route(ctx);
    cm_attach_upload_handler(ctx, &route);
}

void
attach_routes_list(cm_ctx_t *ctx)
{
    if (intake_allow(ctx, INTAKE_ROLES_READ)) {
        cm_attach_route_t route = s_route(ctx);
        cm_attach_list_handler(ctx, &route);
    }
}

void
attach_routes_download(cm_ctx_t *ctx)
{
    if (intake_allow(ctx, INTAKE_ROLES_READ)) {
        cm_attach_route_t route = s_route(ctx);
        cm_attach_download_handler(ctx, &route);
    }
}

void
attach_routes_delete(cm_ctx_t *ctx)
{
    cm_attach_route_t route = s_route(ctx);
    cm_attach_delete_handler(ctx, &route);
}

void
attach_routes_sweep(const intake_t *self, cm_store_t *store)
{
    cm_attach_config_t config = s_config(self);
    int settled = cm_attach_sweep(store, &config, ATTACH_SWEEP_AGE_MS);
    if (settled > 0) {
        cm_log_notice("attachment.sweep", "#settled", CM_LOG_INT(settled));
    }
}
