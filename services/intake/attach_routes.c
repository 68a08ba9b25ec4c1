#include "attach_routes.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "case.h"
#include "cm_attach.h"
#include "cm_doc.h"
#include "cm_id.h"
#include "cm_log.h"
#include "cm_problem.h"
#include "cm_status.h"
#include "cm_time.h"
#include "cm_validate.h"

static cm_attach_config_t
s_config(const intake_t *self)
{
    cm_attach_config_t config = {.dir = self->attach_dir,
                                 .owner = CASE_OWNER,
                                 .max_bytes = self->attach_max_bytes,
                                 .types = self->attach_types};
    return config;
}

// The case of the path when the caller may read it: NULL after answering
// (404 also when need-to-know refuses, so existence does not leak).
static json_t *
s_load_case(cm_ctx_t *ctx, int64_t *version)
{
    const char *id = cm_ctx_param(ctx, "id");
    json_t *doc = cm_doc_load(ctx, &case_type, id, version);
    if (doc && !access_may_read_case(ctx, doc)) {
        json_decref(doc);
        cm_doc_fail(ctx, CM_ENOTFOUND, &case_type, id);
        return NULL;
    }
    return doc;
}

// The attachment {aid} of the case when stored: NULL after answering 404.
static json_t *
s_load_meta(cm_ctx_t *ctx, const char *case_id, int64_t *version)
{
    const char *aid = cm_ctx_param(ctx, "aid");
    json_t *meta = NULL;
    int rc =
        cm_attach_read_meta(cm_ctx_store(ctx), CASE_OWNER, aid, &meta, version);
    if (rc == 0
        && (strcmp(cm_doc_text(meta, "of"), case_id) != 0
            || strcmp(cm_doc_text(meta, "state"), "stored") != 0)) {
        json_decref(meta);
        meta = NULL;
        rc = CM_ENOTFOUND;
    }
    if (rc == CM_ENOTFOUND) {
        char detail[96];
        snprintf(detail, sizeof detail, "No attachment %.40s on this case.",
                 aid);
        cm_ctx_fail(ctx, cm_problem_new(404, "not_found", detail));
    } else if (rc) {
        cm_ctx_fail_status(ctx, rc, "the attachment is unreadable");
    }
    return meta;
}

static bool
s_is_open(const json_t *doc)
{
    const char *state = cm_doc_state(doc);
    return strcmp(state, "closed") != 0 && strcmp(state, "cancelled") != 0;
}

// The history data of an attachment (its id, name, size and digest).
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

// The case and the attachment in one commit; 201/200 with meta. Returns
// true when committed.
static bool
s_commit(cm_ctx_t *ctx, const json_t *old, json_t *doc, int64_t version,
         json_t *meta, int64_t meta_version, int status, int64_t now)
{
    cm_commit_t *commit = cm_commit_new(CASE_OWNER);
    int rc = cm_doc_commit(commit, &case_type, old, doc, version, now);
    if (rc) {
        cm_commit_destroy(&commit);
        json_decref(meta);
        cm_ctx_fail_status(ctx, CM_EINTERNAL, "the case is too large");
        return false;
    }
    cm_attach_commit(commit, CASE_OWNER, meta, meta_version, now);
    if (status == 201) {
        char location[160];
        snprintf(location, sizeof location, "/v1/cases/%s/attachments/%s",
                 cm_doc_text(doc, "id"), cm_doc_text(meta, "id"));
        cm_ctx_header(ctx, "Location", location);
    }
    int outcome = cm_ctx_commit(ctx, commit, status, meta);
    cm_commit_destroy(&commit);
    return outcome == CM_COMMIT_OK;
}

void
attach_routes_upload(cm_ctx_t *ctx)
{
    if (!intake_allow(ctx, ATTACH_ROLES_WRITE)) {
        return;
    }
    int64_t version = 0;
    json_t *old = s_load_case(ctx, &version);
    if (!old) {
        return;
    }
    const intake_t *self = cm_ctx_state(ctx);
    cm_attach_config_t config = s_config(self);
    const char *case_id = cm_doc_text(old, "id");
    int64_t count = cm_attach_count(cm_ctx_store(ctx), CASE_OWNER, case_id);
    cm_attach_upload_t upload;
    json_t *problem = NULL;
    if (!s_is_open(old)) {
        problem = cm_problem_new(409, "invalid_state",
                                 "A closed or cancelled case takes no "
                                 "attachments.");
        json_object_set_new(problem, "state", json_string(cm_doc_state(old)));
    } else if (count < 0) {
        problem = cm_problem_new(503, "unavailable", "Redis is unavailable");
    } else if (count >= ATTACH_PER_CASE_MAX) {
        problem = cm_problem_new(422, "too_many_attachments",
                                 "A case holds at most 50 attachments.");
    } else {
        problem = cm_attach_read(ctx, &config, &upload);
    }
    if (problem) {
        json_decref(old);
        cm_ctx_fail(ctx, problem);
        return;
    }
    int64_t number = 0;
    char aid[CM_ID_MAX];
    int rc =
        cm_store_next_id(cm_ctx_store(ctx), CASE_OWNER, "attachment", &number);
    if (rc == 0) {
        cm_id_format(CM_ATTACH_ID_PREFIX, number, aid);
        rc = cm_attach_write_tmp(&config, case_id, aid, &upload) == 0
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
    json_t *meta =
        cm_attach_meta(aid, case_id, &upload, cm_ctx_actor(ctx), now);
    json_t *doc = json_deep_copy(old);
    json_object_set_new(doc, "attachment_count", json_integer(count + 1));
    cm_doc_history_add(doc, cm_ctx_actor(ctx), "attach", NULL, NULL,
                       upload.filename, s_history_data(meta), now);
    bool committed =
        s_commit(ctx, old, doc, version, meta, CM_VERSION_NEW, 201, now);
    cm_attach_settle(&config, case_id, aid, committed);
    if (committed) {
        cm_log_info("attachment.stored", "case", case_id, "attachment", aid,
                    "sha256", upload.sha256);
    }
    cm_attach_upload_clear(&upload);
    json_decref(doc);
    json_decref(old);
}

void
attach_routes_list(cm_ctx_t *ctx)
{
    if (!intake_allow(ctx, INTAKE_ROLES_READ)) {
        return;
    }
    int64_t version = 0;
    json_t *doc = s_load_case(ctx, &version);
    if (!doc) {
        return;
    }
    json_t *items = NULL;
    int rc =
        cm_attach_list(cm_ctx_store(ctx), CASE_OWNER, cm_doc_text(doc, "id"),
                       ATTACH_PER_CASE_MAX, &items);
    json_decref(doc);
    if (rc) {
        cm_ctx_fail_status(ctx, rc, "the attachments are unreadable");
        return;
    }
    cm_ctx_reply(ctx, 200, json_pack("{s:o}", "items", items));
}

void
attach_routes_download(cm_ctx_t *ctx)
{
    if (!intake_allow(ctx, INTAKE_ROLES_READ)) {
        return;
    }
    int64_t version = 0;
    json_t *doc = s_load_case(ctx, &version);
    if (!doc) {
        return;
    }
    int64_t meta_version = 0;
    json_t *meta = s_load_meta(ctx, cm_doc_text(doc, "id"), &meta_version);
    if (!meta) {
        json_decref(doc);
        return;
    }
    const intake_t *self = cm_ctx_state(ctx);
    cm_attach_config_t config = s_config(self);
    unsigned char *data = NULL;
    size_t size = 0;
    if (cm_attach_load(&config, cm_doc_text(doc, "id"), cm_doc_text(meta, "id"),
                       &data, &size)
        != 0) {
        cm_ctx_fail_status(ctx, CM_EINTERNAL, "the file is missing");
    } else {
        cm_attach_reply(ctx, meta, data, size);
    }
    free(data);
    json_decref(meta);
    json_decref(doc);
}

// The uploader, the desk and the station head delete.
static bool
s_may_delete(cm_ctx_t *ctx, const json_t *meta)
{
    const json_t *actor = cm_ctx_actor(ctx);
    return strcmp(cm_ctx_actor_role(ctx), "station_head") == 0
           || json_is_true(json_object_get(actor, "desk"))
           || strcmp(cm_doc_text(meta, "created_by"), cm_ctx_actor_id(ctx))
                  == 0;
}

void
attach_routes_delete(cm_ctx_t *ctx)
{
    if (!intake_allow(ctx, ATTACH_ROLES_WRITE)) {
        return;
    }
    int64_t version = 0;
    json_t *old = s_load_case(ctx, &version);
    if (!old) {
        return;
    }
    const char *case_id = cm_doc_text(old, "id");
    int64_t meta_version = 0;
    json_t *meta = s_load_meta(ctx, case_id, &meta_version);
    if (!meta) {
        json_decref(old);
        return;
    }
    if (!s_may_delete(ctx, meta)) {
        json_decref(meta);
        json_decref(old);
        cm_ctx_fail(ctx, cm_problem_new(403, "forbidden",
                                        "The uploader, the desk or the "
                                        "station head deletes an "
                                        "attachment."));
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
    const intake_t *self = cm_ctx_state(ctx);
    cm_attach_config_t config = s_config(self);
    if (s_commit(ctx, old, doc, version, meta, meta_version, 200, now)) {
        cm_attach_unlink(&config, case_id, aid);
        cm_log_info("attachment.deleted", "case", case_id, "attachment", aid);
    }
    json_decref(doc);
    json_decref(old);
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
