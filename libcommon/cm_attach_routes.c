#include "cm_attach_routes.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_id.h"
#include "cm_log.h"
#include "cm_problem.h"
#include "cm_status.h"
#include "cm_time.h"
#include "cm_validate.h"

// ---- the routes

static bool
s_has_role(const char *roles, const char *role)
{
    return roles && cm_validate_name_in(roles, role);
}

static bool
s_allow(cm_ctx_t *ctx, const char *roles)
{
    if (s_has_role(roles, cm_ctx_actor_role(ctx))) {
        return true;
    }
    char detail[160];
    snprintf(detail, sizeof detail, "The role \"%.40s\" may not do this.",
             cm_ctx_actor_role(ctx));
    cm_ctx_fail(ctx, cm_problem_new(403, "forbidden", detail));
    return false;
}

// The document of the path when the caller may read it: NULL after
// answering (404 also when need-to-know refuses: existence does not leak).
static json_t *
s_load_doc(cm_ctx_t *ctx, const cm_attach_route_t *route, int64_t *version)
{
    const char *id = cm_ctx_param(ctx, "id");
    json_t *doc = cm_doc_load(ctx, route->type, id, version);
    if (doc && route->type->may_read && !route->type->may_read(ctx, doc)) {
        json_decref(doc);
        cm_doc_fail(ctx, CM_ENOTFOUND, route->type, id);
        return NULL;
    }
    return doc;
}

// The attachment {aid} of the document when stored: NULL after answering.
static json_t *
s_load_meta(cm_ctx_t *ctx, const cm_attach_route_t *route, const char *doc_id,
            int64_t *version)
{
    const char *aid = cm_ctx_param(ctx, "aid");
    json_t *meta = NULL;
    int rc = cm_attach_read_meta(cm_ctx_store(ctx), route->type->owner, aid,
                                 &meta, version);
    if (rc == 0
        && (strcmp(cm_doc_text(meta, "of"), doc_id) != 0
            || strcmp(cm_doc_text(meta, "state"), "stored") != 0)) {
        json_decref(meta);
        meta = NULL;
        rc = CM_ENOTFOUND;
    }
    if (rc == CM_ENOTFOUND) {
        char detail[128];
        snprintf(detail, sizeof detail, "No attachment %.40s on this %.40s.",
                 aid, route->type->what);
        cm_ctx_fail(ctx, cm_problem_new(404, "not_found", detail));
    } else if (rc) {
        cm_ctx_fail_status(ctx, rc, "the attachment is unreadable");
    }
    return meta;
}

// The history data of an attachment (its id, name, type, size, digest).
static json_t *
s_history_data(const json_t *meta)
{
    return json_pack("{s:O, s:O, s:O, s:O, s:O}", "attachment",
                     json_object_get(meta, "id"), "filename",
                     json_object_get(meta, "filename"), "content_type",
                     json_object_get(meta, "content_type"), "size",
                     json_object_get(meta, "size"), "sha256",
                     json_object_get(meta, "sha256"));
}

// The document and the attachment in one commit, answering status with
// meta (taken). True when committed.
static bool
s_commit(cm_ctx_t *ctx, const cm_attach_route_t *route, const json_t *old,
         json_t *doc, int64_t version, json_t *meta, int64_t meta_version,
         int status, int64_t now)
{
    cm_commit_t *commit = cm_commit_new(route->type->owner);
    if (cm_doc_commit(commit, route->type, old, doc, version, now) != 0) {
        cm_commit_destroy(&commit);
        json_decref(meta);
        cm_ctx_fail_status(ctx, CM_EINTERNAL, "the document is too large");
        return false;
    }
    cm_attach_commit(commit, route->type->owner, meta, meta_version, now);
    if (status == 201) {
        char location[CM_ATTACH_PATH_MAX];
        snprintf(location, sizeof location, "%s/%s/attachments/%s",
                 route->type->path ? route->type->path : "",
                 cm_doc_text(doc, "id"), cm_doc_text(meta, "id"));
        cm_ctx_header(ctx, "Location", location);
    }
    int outcome = cm_ctx_commit(ctx, commit, status, meta);
    cm_commit_destroy(&commit);
    return outcome == CM_COMMIT_OK;
}

// Why an upload to doc is refused now (409, 422, 503), or NULL.
static json_t *
s_refuse_upload(const cm_attach_route_t *route, const json_t *doc,
                int64_t count)
{
    if (route->accepts && !route->accepts(doc)) {
        char detail[128];
        snprintf(detail, sizeof detail,
                 "A %.40s in state \"%.40s\" takes no attachments.",
                 route->type->what, cm_doc_state(doc));
        json_t *problem = cm_problem_new(409, "invalid_state", detail);
        json_object_set_new(problem, "state", json_string(cm_doc_state(doc)));
        return problem;
    }
    if (count < 0) {
        return cm_problem_new(503, "unavailable", "Redis is unavailable");
    }
    if ((size_t)count >= route->per_doc_max) {
        char detail[96];
        snprintf(detail, sizeof detail,
                 "A %.40s holds at most %zu attachments.", route->type->what,
                 route->per_doc_max);
        return cm_problem_new(422, "too_many_attachments", detail);
    }
    return NULL;
}

void
cm_attach_upload_handler(cm_ctx_t *ctx, const cm_attach_route_t *route)
{
    assert(ctx && route && route->type);
    if (!s_allow(ctx, route->write_roles)) {
        return;
    }
    int64_t version = 0;
    json_t *old = s_load_doc(ctx, route, &version);
    if (!old) {
        return;
    }
    const char *owner = route->type->owner;
    const char *doc_id = cm_doc_text(old, "id");
    int64_t count = cm_attach_count(cm_ctx_store(ctx), owner, doc_id);
    cm_attach_upload_t upload;
    json_t *problem =
        route->may_write && !route->may_write(ctx, old)
            ? cm_problem_new(403, "forbidden",
                             "You may not attach files to this document.")
            : s_refuse_upload(route, old, count);
    if (!problem) {
        problem = cm_attach_read(ctx, &route->config, &upload);
    }
    if (problem) {
        json_decref(old);
        cm_ctx_fail(ctx, problem);
        return;
    }
    int64_t number = 0;
    char aid[CM_ID_MAX];
    int rc = cm_store_next_id(cm_ctx_store(ctx), owner, "attachment", &number);
    if (rc == 0) {
        cm_id_format(CM_ATTACH_ID_PREFIX, number, aid);
        rc = cm_attach_write_tmp(&route->config, doc_id, aid, &upload) == 0
                 ? 0
                 : CM_EINTERNAL;
    }
    if (rc) {
        cm_attach_upload_clear(&upload);
        json_decref(old);
        cm_ctx_fail_status(ctx, rc, "the file could not be stored");
        return;
    }
    int64_t now = cm_time_now_ms();
    json_t *meta = cm_attach_meta(aid, doc_id, &upload, cm_ctx_actor(ctx), now);
    json_t *doc = json_deep_copy(old);
    json_object_set_new(doc, "attachment_count", json_integer(count + 1));
    cm_doc_history_add(doc, cm_ctx_actor(ctx), "attach", NULL, NULL,
                       upload.filename, s_history_data(meta), now);
    bool committed =
        s_commit(ctx, route, old, doc, version, meta, CM_VERSION_NEW, 201, now);
    cm_attach_settle(&route->config, doc_id, aid, committed);
    if (committed) {
        cm_log_info("attachment.stored", "doc", doc_id, "attachment", aid,
                    "sha256", upload.sha256);
    }
    cm_attach_upload_clear(&upload);
    json_decref(doc);
    json_decref(old);
}

void
cm_attach_list_handler(cm_ctx_t *ctx, const cm_attach_route_t *route)
{
    assert(ctx && route && route->type);
    int64_t version = 0;
    json_t *doc = s_load_doc(ctx, route, &version);
    if (!doc) {
        return;
    }
    json_t *items = NULL;
    int rc = cm_attach_list(cm_ctx_store(ctx), route->type->owner,
                            cm_doc_text(doc, "id"), route->per_doc_max, &items);
    json_decref(doc);
    if (rc) {
        cm_ctx_fail_status(ctx, rc, "the attachments are unreadable");
        return;
    }
    cm_ctx_reply(ctx, 200, json_pack("{s:o}", "items", items));
}

void
cm_attach_download_handler(cm_ctx_t *ctx, const cm_attach_route_t *route)
{
    assert(ctx && route && route->type);
    int64_t version = 0;
    json_t *doc = s_load_doc(ctx, route, &version);
    if (!doc) {
        return;
    }
    int64_t meta_version = 0;
    json_t *meta =
        s_load_meta(ctx, route, cm_doc_text(doc, "id"), &meta_version);
    if (!meta) {
        json_decref(doc);
        return;
    }
    unsigned char *data = NULL;
    size_t size = 0;
    if (cm_attach_load(&route->config, cm_doc_text(doc, "id"),
                       cm_doc_text(meta, "id"), &data, &size)
        != 0) {
        cm_ctx_fail_status(ctx, CM_EINTERNAL, "the file is missing");
    } else {
        cm_attach_reply(ctx, meta, data, size);
    }
    free(data);
    json_decref(meta);
    json_decref(doc);
}

void
cm_attach_delete_handler(cm_ctx_t *ctx, const cm_attach_route_t *route)
{
    assert(ctx && route && route->type);
    if (!s_allow(ctx, route->write_roles)) {
        return;
    }
    int64_t version = 0;
    json_t *old = s_load_doc(ctx, route, &version);
    if (!old) {
        return;
    }
    char doc_id[CM_ID_MAX];
    snprintf(doc_id, sizeof doc_id, "%s", cm_doc_text(old, "id"));
    int64_t meta_version = 0;
    json_t *meta = s_load_meta(ctx, route, doc_id, &meta_version);
    if (!meta) {
        json_decref(old);
        return;
    }
    if (strcmp(cm_doc_text(meta, "created_by"), cm_ctx_actor_id(ctx)) != 0
        && !(route->may_delete && route->may_delete(ctx, old))) {
        json_decref(meta);
        json_decref(old);
        cm_ctx_fail(ctx, cm_problem_new(403, "forbidden",
                                        "Only whoever attached the file (or "
                                        "who answers for the document) "
                                        "deletes it."));
        return;
    }
    int64_t now = cm_time_now_ms();
    char at[CM_TIME_TEXT_MAX];
    cm_time_format(now, at);
    json_object_set_new(meta, "state", json_string("deleted"));
    json_object_set_new(meta, "deleted_at", json_string(at));
    json_object_set_new(meta, "deleted_by", json_string(cm_ctx_actor_id(ctx)));
    json_t *doc = json_deep_copy(old);
    int64_t count = cm_doc_integer(old, "attachment_count");
    json_object_set_new(doc, "attachment_count",
                        json_integer(count > 0 ? count - 1 : 0));
    cm_doc_history_add(doc, cm_ctx_actor(ctx), "detach", NULL, NULL,
                       cm_doc_text(meta, "filename"), s_history_data(meta),
                       now);
    char aid[CM_ID_MAX];
    snprintf(aid, sizeof aid, "%s", cm_doc_text(meta, "id"));
    if (s_commit(ctx, route, old, doc, version, meta, meta_version, 200, now)) {
        cm_attach_unlink(&route->config, doc_id, aid);
        cm_log_info("attachment.deleted", "doc", doc_id, "attachment", aid);
    }
    json_decref(doc);
    json_decref(old);
}
