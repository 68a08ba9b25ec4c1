#include "summary.h"

#include <string.h>

#include "cm_doc.h"
#include "cm_status.h"
#include "cm_summary.h"
#include "staff.h"
#include "training.h"

// Members of type's filter index param=value, of department (its filter
// index) when not NULL, changed in [from_ms, to_ms) when from_ms >= 0.
static int
s_count(cm_store_t *store, const cm_doc_type_t *type, const char *param,
        const char *value, const char *department, int64_t from_ms,
        int64_t to_ms, int64_t *count)
{
    char index[CM_STORE_KEY_MAX], also[CM_STORE_KEY_MAX];
    if (!cm_doc_index_key(type, param, value, index, sizeof index)
        || (department
            && !cm_doc_index_key(type, "department", department, also,
                                 sizeof also))) {
        return CM_EINVAL;
    }
    return cm_summary_count(store, index, department ? also : NULL, from_ms,
                            to_ms, count);
}

static int
s_training(cm_store_t *store, cm_summary_t *s)
{
    static const char *const kinds[] = {"business_knowledge", "skills",
                                        "management", TRAINING_KIND_SELF_STUDY,
                                        NULL};
    int64_t records = 0, staff = 0;
    int rc = 0;
    for (int k = 0; rc == 0 && kinds[k]; k++) {
        int64_t n = 0;
        rc = s_count(store, &training_type, "kind", kinds[k], s->department,
                     s->from_ms, s->to_ms, &n);
        cm_summary_period(s, "staff_training", kinds[k], json_integer(n));
        records += n;
    }
    rc = rc == 0 ? s_count(store, &staff_type, "status", "active",
                           s->department, -1, 0, &staff)
                 : rc;
    cm_summary_period(s, "staff_training", "records", json_integer(records));
    cm_summary_now(s, "staff_training", "staff", json_integer(staff));
    return rc;
}

void
summary_get(cm_ctx_t *ctx)
{
    cm_summary_t s;
    if (!cm_summary_begin(ctx, &s)) {
        return;
    }
    cm_summary_reply(ctx, &s, s_training(cm_ctx_store(ctx), &s));
}
