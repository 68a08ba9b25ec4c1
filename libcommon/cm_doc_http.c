// cm_doc's handlers: GET …/<id> and GET …/<id>/history, a page of the
// history stream the document's commits append to (cm_doc.h).
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "cm_doc.h"
#include "cm_status.h"
#include "cm_stream.h"
#include "cm_validate.h"

#define S_HISTORY_LIMIT 50  // default page of GET …/history
#define S_HISTORY_MAX   200 // largest page of GET …/history
// Bytes of entries one history page may carry: a reply is at most 64 KiB
// (the same bound as a list page, cm_list.h).
#define S_HISTORY_BYTES_MAX ((size_t)56 * 1024)

void
cm_doc_get(cm_ctx_t *ctx, const cm_doc_type_t *type)
{
    assert(ctx && type);
    int64_t version = 0;
    const char *id = cm_ctx_param(ctx, "id");
    json_t *doc = cm_doc_load(ctx, type, id, &version);
    if (!doc) {
        return;
    }
    if (type->may_read && !type->may_read(ctx, doc)) {
        cm_doc_fail(ctx, CM_ENOTFOUND, type, id);
    } else {
        cm_doc_etag(ctx, version);
        cm_ctx_reply(ctx, 200, cm_doc_view(ctx, type, doc, version));
    }
    json_decref(doc);
}

// The limit and cursor of a page request: 0, or -1 after answering 400.
static int
s_page_query(cm_ctx_t *ctx, size_t *limit, const char **cursor)
{
    json_t *query = cm_ctx_query_object(ctx);
    json_t *problem = NULL;
    const char *key = NULL;
    json_t *value = NULL;
    json_object_foreach(query, key, value)
    {
        if (strcmp(key, "cursor") != 0 && strcmp(key, "limit") != 0) {
            cm_validate_fail(&problem, key, "is not allowed");
        }
    }
    *limit = S_HISTORY_LIMIT;
    const char *text = cm_ctx_query(ctx, "limit");
    char *end = NULL;
    long n = text ? strtol(text, &end, 10) : 0;
    if (text && (!*text || *end || n < 1 || n > S_HISTORY_MAX)) {
        cm_validate_fail(&problem, "limit", "must be an integer 1..200");
    } else if (text) {
        *limit = (size_t)n;
    }
    *cursor = cm_ctx_query(ctx, "cursor");
    if (*cursor && !cm_stream_id_is_valid(*cursor)) {
        cm_validate_fail(&problem, "cursor", "is not a cursor of this list");
    }
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return -1;
    }
    return 0;
}

// The reply body of a history page: its entries up to the byte bound
// (at least one), and the cursor after the last one given when the page
// ended early or the stream goes on. Caller owns the result.
static json_t *
s_history_page(const cm_stream_page_t *page)
{
    json_t *items = json_array();
    size_t bytes = 0;
    size_t i = 0;
    for (; i < page->count; i++) {
        json_t *entry = json_array_get(page->entries, i);
        char *text = json_dumps(entry, JSON_COMPACT);
        size_t size = text ? strlen(text) + 1 : 0;
        free(text);
        if (i > 0 && bytes + size > S_HISTORY_BYTES_MAX) {
            break;
        }
        bytes += size;
        json_array_append(items, entry);
    }
    const char *next = i < page->count ? page->ids[i - 1] : page->next_cursor;
    json_t *body =
        json_pack("{s:o, s:s?}", "items", items, "next_cursor", next);
    assert(body);
    if (!next) {
        json_object_set_new(body, "next_cursor", json_null());
    }
    return body;
}

void
cm_doc_history(cm_ctx_t *ctx, const cm_doc_type_t *type)
{
    assert(ctx && type);
    size_t limit = 0;
    const char *cursor = NULL;
    int64_t version = 0;
    const char *id = cm_ctx_param(ctx, "id");
    if (s_page_query(ctx, &limit, &cursor) != 0) {
        return;
    }
    json_t *doc = cm_doc_load(ctx, type, id, &version);
    if (doc && type->may_read && !type->may_read(ctx, doc)) {
        cm_doc_fail(ctx, CM_ENOTFOUND, type, id);
        json_decref(doc);
        return;
    }
    char key[CM_STORE_KEY_MAX];
    cm_stream_page_t page;
    int rc = doc && cm_doc_history_key(type, id, key, sizeof key)
                 ? cm_stream_read(cm_ctx_store(ctx), key, cursor, NULL, NULL,
                                  limit, false, &page)
                 : -1;
    if (rc == 0) {
        cm_ctx_reply(ctx, 200, s_history_page(&page));
        cm_stream_page_clear(&page);
    } else if (doc) {
        cm_doc_fail(ctx, rc == CM_EINVAL ? CM_EINTERNAL : rc, type, id);
    }
    json_decref(doc);
}
