#include "notice.h"

#include <assert.h>

#include "access.h"
#include "cm_id.h"
#include "cm_list.h"
#include "cm_problem.h"
#include "cm_time.h"
#include "personnel.h"

static const cm_filter_t s_filters[] = {
    {"staff"},
    {"kind"},
    {"department"},
    {NULL},
};

const cm_doc_type_t notice_type = {
    .owner = PERSONNEL_OWNER,
    .kind = "notice",
    .what = "notice",
    .id_prefix = "NT",
    .path = "/v1/notices",
    .filters = s_filters,
};

json_t *
notice_publish(cm_action_t *a, char *id)
{
    assert(a && id);
    int64_t number = 0;
    if (cm_store_next_id(a->store, PERSONNEL_OWNER, notice_type.kind, &number)
        != 0) {
        return cm_problem_new(503, "store_unavailable",
                              "the store is unavailable; retry");
    }
    cm_id_format(notice_type.id_prefix, number, id);
    json_t *doc = cm_doc_new(id, "published", a->actor, a->now_ms);
    const char *copied[] = {"staff",         "staff_name", "department", "kind",
                            "category",      "reason",     "amount",     "role",
                            "previous_role", "response",   "decided_by"};
    for (size_t i = 0; i < sizeof copied / sizeof copied[0]; i++) {
        json_t *value = json_object_get(a->doc, copied[i]);
        json_object_set_new(doc, copied[i],
                            value ? json_deep_copy(value) : json_null());
    }
    char at[CM_TIME_TEXT_MAX];
    json_object_set(doc, "sanction", json_object_get(a->doc, "id"));
    json_object_set(doc, "published_by", json_object_get(a->actor, "id"));
    json_object_set_new(doc, "published_at",
                        json_string(cm_time_format(a->now_ms, at)));
    json_t *problem = NULL;
    if (cm_doc_commit(a->commit, &notice_type, NULL, doc, CM_VERSION_NEW,
                      a->now_ms)
        != 0) {
        problem = cm_problem_new(422, "document_too_large",
                                 "the notice is too large");
    }
    json_decref(doc);
    return problem;
}

void
notice_list(cm_ctx_t *ctx)
{
    if (access_authenticated(ctx)) {
        cm_list_run(ctx, &notice_type, NULL);
    }
}

void
notice_get(cm_ctx_t *ctx)
{
    if (access_authenticated(ctx)) {
        cm_doc_get(ctx, &notice_type);
    }
}
