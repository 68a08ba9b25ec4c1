#include "dispatch_doc.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_envelope.h"
#include "cm_log.h"
#include "cm_outbox.h"
#include "cm_problem.h"
#include "dispatch.h"

#define S_LIMIT_DEFAULT 50
#define S_LIMIT_MAX     200

const char *
dispatch_key(char *buf, const char *kind, const char *id)
{
    const char *key =
        cm_store_key(buf, CM_STORE_KEY_MAX, DISPATCH_OWNER, kind, id);
    assert(key);
    return key;
}

int
dispatch_doc_load(cm_store_t *store, const char *kind, const char *id,
                  json_t **doc, int64_t *version)
{
    assert(store && kind && id && doc);
    *doc = NULL;
    char key[CM_STORE_KEY_MAX];
    cm_doc_t raw;
    int rc = cm_store_get(store, dispatch_key(key, kind, id), &raw);
    if (rc != 0) {
        return rc;
    }
    json_error_t error;
    *doc = json_loads(raw.json, 0, &error);
    if (version) {
        *version = raw.version;
    }
    cm_doc_clear(&raw);
    if (!json_is_object(*doc)) {
        cm_log_error("doc.unreadable", "key", key, "error", error.text);
        json_decref(*doc);
        *doc = NULL;
        return CM_EINTERNAL;
    }
    return 0;
}

void
dispatch_doc_put(cm_commit_t *commit, const char *kind, const char *id,
                 int64_t expected, const json_t *doc, const char *state)
{
    assert(commit && kind && id && doc);
    char key[CM_STORE_KEY_MAX];
    char *text = json_dumps(doc, JSON_COMPACT);
    assert(text);
    cm_commit_doc(commit, dispatch_key(key, kind, id), expected, text);
    free(text);
    if (state) {
        cm_commit_field(commit, "state", state);
    }
}

int64_t
dispatch_index_size(cm_store_t *store, const char *name)
{
    char key[CM_STORE_KEY_MAX];
    cm_page_t page;
    int rc = cm_store_list(store, dispatch_key(key, "idx", name), NULL, 1, true,
                           &page);
    if (rc != 0) {
        return rc;
    }
    int64_t total = page.total;
    cm_page_clear(&page);
    return total;
}

int
dispatch_event_add(cm_commit_t *commit, const char *type, const char *subject,
                   int64_t version, json_t *data, const json_t *actor,
                   const char *correlation_id)
{
    assert(commit && type && subject);
    cm_envelope_event_t fields = {
        .type = type,
        .source = DISPATCH_OWNER,
        .subject = subject,
        .version = version,
        .correlation_id = correlation_id,
        .actor = actor,
        .data = data,
    };
    int rc = cm_outbox_append(commit, &fields);
    json_decref(data);
    return rc;
}

json_t *
dispatch_system_actor(void)
{
    json_t *actor =
        json_pack("{s:s, s:s}", "id", DISPATCH_OWNER, "role", "system");
    assert(actor);
    return actor;
}

json_t *
dispatch_time_json(int64_t ms)
{
    char text[CM_TIME_TEXT_MAX];
    json_t *value = json_string(cm_time_format(ms, text));
    assert(value);
    return value;
}

int64_t
dispatch_time_member(const json_t *doc, const char *field, int64_t fallback)
{
    const char *text = json_string_value(json_object_get(doc, field));
    int64_t ms = 0;
    return text && cm_time_parse(text, &ms) == 0 ? ms : fallback;
}

const char *
dispatch_string(const json_t *doc, const char *field)
{
    const char *value = json_string_value(json_object_get(doc, field));
    return value ? value : "";
}

bool
dispatch_require_reader(cm_ctx_t *ctx)
{
    if (cm_ctx_actor_role(ctx)[0]) {
        return true;
    }
    cm_ctx_fail(ctx, cm_problem_new(403, "forbidden",
                                    "an authenticated actor is required"));
    return false;
}

void
dispatch_fail_rc(cm_ctx_t *ctx, int rc, const char *detail)
{
    if (rc == CM_ENOTFOUND) {
        cm_ctx_fail(ctx, cm_problem_new(404, "not_found", detail));
        return;
    }
    if (rc == CM_EUNAVAILABLE) {
        cm_ctx_header(ctx, "Retry-After", "1");
    }
    cm_ctx_fail_status(ctx, (cm_status_t)rc, NULL);
}

void
dispatch_set_etag(cm_ctx_t *ctx, int64_t version)
{
    char etag[32];
    snprintf(etag, sizeof etag, "\"%" PRId64 "\"", version);
    cm_ctx_header(ctx, "ETag", etag);
}

void
dispatch_reply_doc(cm_ctx_t *ctx, int status, json_t *doc, int64_t version)
{
    dispatch_set_etag(ctx, version);
    cm_ctx_reply(ctx, status, doc);
}

int
dispatch_query_limit(cm_ctx_t *ctx)
{
    const char *text = cm_ctx_query(ctx, "limit");
    if (!text) {
        return S_LIMIT_DEFAULT;
    }
    char *end = NULL;
    long limit = strtol(text, &end, 10);
    if (!*text || *end || limit < 1 || limit > S_LIMIT_MAX) {
        json_t *problem =
            cm_problem_new(400, "validation_failed", "limit must be 1..200");
        cm_problem_add_error(problem, "limit", "must be an integer 1..200");
        cm_ctx_fail(ctx, problem);
        return -1;
    }
    return (int)limit;
}
