#include "queue.h"

#include <assert.h>

#include "cm_list.h"
#include "dispatch.h"
#include "roster.h"
#include "workorder.h"

#define S_QUEUES_MAX 200 // departments listed

static int
s_queue_entry(cm_store_t *store, const char *dept, json_t *items)
{
    int64_t unfinished = 0, unassigned = 0;
    int rc = workorder_queue_counts(store, dept, &unfinished, &unassigned);
    if (rc != 0) {
        return rc;
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
    if (!dispatch_query_none(ctx)) {
        return;
    }
    cm_store_t *store = cm_ctx_store(ctx);
    cm_page_t page;
    int rc = workorder_departments(store, S_QUEUES_MAX, &page);
    json_t *items = json_array();
    assert(items);
    for (size_t i = 0; rc == 0 && i < page.count; i++) {
        rc = s_queue_entry(store, page.members[i], items);
    }
    cm_page_clear(&page);
    if (rc != 0) {
        json_decref(items);
        cm_doc_fail(ctx, rc, &workorder_type, NULL);
        return;
    }
    cm_ctx_reply(ctx, 200, json_pack("{s:o}", "items", items));
}

void
queue_http_get(cm_ctx_t *ctx)
{
    const char *dept = cm_ctx_param(ctx, "department");
    cm_list_query_t query;
    json_t *problem =
        cm_list_parse(&workorder_type, cm_ctx_query_object(ctx), NULL, &query);
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    if (roster_department_exists(ctx, dept)) {
        query.values[WORKORDER_OPEN_IN] = dept;
        cm_list_reply(ctx, &workorder_type, &query);
    }
}
