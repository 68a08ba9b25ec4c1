#include "workorder_attach.h"

#include <string.h>

#include "cm_attach_routes.h"
#include "cm_log.h"
#include "workorder.h"

static bool
s_listed(const json_t *array, const char *text)
{
    for (size_t i = 0; i < json_array_size(array); i++) {
        const char *item = json_string_value(json_array_get(array, i));
        if (item && strcmp(item, text) == 0) {
            return true;
        }
    }
    return false;
}

// The head of the work order's department or the deputy overseeing it, or
// the station head.
static bool
s_answers_for(cm_ctx_t *ctx, const json_t *doc)
{
    const json_t *actor = cm_ctx_actor(ctx);
    const char *dept = cm_doc_text(doc, "department");
    return strcmp(cm_ctx_actor_role(ctx), "station_head") == 0
           || s_listed(json_object_get(actor, "heads"), dept)
           || s_listed(json_object_get(actor, "oversees"), dept);
}

static bool
s_may_write(cm_ctx_t *ctx, const json_t *doc)
{
    const char *assignee = cm_doc_string(doc, "assignee");
    return s_answers_for(ctx, doc)
           || strcmp(cm_ctx_actor_department(ctx),
                     cm_doc_text(doc, "department"))
                  == 0
           || (assignee && strcmp(assignee, cm_ctx_actor_id(ctx)) == 0);
}

static bool
s_accepts(const json_t *doc)
{
    return strcmp(cm_doc_state(doc), "closed") != 0;
}

static cm_attach_config_t
s_config(const dispatch_t *self)
{
    cm_attach_config_t config = {.dir = self->attach_dir,
                                 .owner = DISPATCH_OWNER,
                                 .max_bytes = self->attach_max_bytes,
                                 .types = self->attach_types};
    return config;
}

static cm_attach_route_t
s_route(cm_ctx_t *ctx)
{
    cm_attach_route_t route = {.type = &workorder_type,
                               .config = s_config(cm_ctx_state(ctx)),
                               .write_roles = WORKORDER_ATTACH_ROLES,
                               .per_doc_max = WORKORDER_ATTACH_MAX,
                               .accepts = s_accepts,
                               .may_write = s_may_write,
                               .may_delete = s_answers_for};
    return route;
}

void
workorder_attach_upload(cm_ctx_t *ctx)
{
    cm_attach_route_t route = s_route(ctx);
    cm_attach_upload_handler(ctx, &route);
}

void
workorder_attach_list(cm_ctx_t *ctx)
{
    cm_attach_route_t route = s_route(ctx);
    cm_attach_list_handler(ctx, &route);
}

void
workorder_attach_download(cm_ctx_t *ctx)
{
    cm_attach_route_t route = s_route(ctx);
    cm_attach_download_handler(ctx, &route);
}

void
workorder_attach_delete(cm_ctx_t *ctx)
{
    cm_attach_route_t route = s_route(ctx);
    cm_attach_delete_handler(ctx, &route);
}

void
workorder_attach_sweep(const dispatch_t *self, cm_store_t *store)
{
    cm_attach_config_t config = s_config(self);
    int settled = cm_attach_sweep(store, &config, WORKORDER_ATTACH_SWEEP_MS);
    if (settled > 0) {
        cm_log_notice("attachment.sweep", "#settled", CM_LOG_INT(settled));
    }
}
