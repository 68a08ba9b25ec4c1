#include "queue.h"

#include <assert.h>
#include <stdio.h>

#include "cm_problem.h"
#include "dispatch_doc.h"
#include "roster.h"
#include "workorder_http.h"

#define S_INDEX_NAME_MAX 160
#define S_QUEUES_MAX     200 // departments listed

static int
s_queue_entry(cm_store_t *store, const char *dept, json_t *items)
{
    char name[S_INDEX_NAME_MAX];
    snprintf(name, sizeof name, "wo_open:%s", dept);
    int64_t unfinished = dispatch_index_size(store, name);
    snprintf(name, sizeof name, "wo_unassigned:%s", dept);
    int64_t unassigned = dispatch_index_size(store, name);
    if (unfinished < 0 || unassigned < 0) {
        return (int)(unfinished < 0 ? unfinished : unassigned);
    }
    json_t *entry =
        json_pack("{s:s, s:I, s:I}", "department", dept, "unfinished",
                  (json_int_t)unfinished, "unassigned", (json_int_t)unassigned);
    assert(entry);
    json_array_append_new(items, entry);
    return 0;
}

void
queue_http_list(cm_ctx_t *ctx)
{
    if (!dispatch_require_reader(ctx)) {
        return;
    }
    cm_store_t *store = cm_ctx_store(ctx);
    char key[CM_STORE_KEY_MAX];
    cm_page_t page;
    int rc = cm_store_list(store, dispatch_key(key, "idx", "wo_queues"), NULL,
                           S_QUEUES_MAX, false, &page);
    json_t *items = json_array();
    assert(items);
    for (size_t i = 0; rc == 0 && i < page.count; i++) {
        rc = s_queue_entry(store, page.members[i], items);
    }
    cm_page_clear(&page);
    if (rc != 0) {
        json_decref(items);
        dispatch_fail_rc(ctx, rc, NULL);
        return;
    }
    cm_ctx_reply(ctx, 200, json_pack("{s:o}", "items", items));
}

void
queue_http_get(cm_ctx_t *ctx)
{
    if (!dispatch_require_reader(ctx)) {
        return;
    }
    const char *dept = cm_ctx_param(ctx, "department");
    if (!roster_name_is_valid(dept)) {
        cm_ctx_fail(ctx, cm_problem_new(404, "not_found", "no such queue"));
        return;
    }
    char name[S_INDEX_NAME_MAX];
    snprintf(name, sizeof name, "wo_open:%s", dept);
    workorder_http_page(ctx, name, NULL, NULL, NULL);
}
