#include "summary.h"

#include <stdlib.h>
#include <string.h>

#include "cm_doc.h"
#include "cm_status.h"
#include "cm_summary.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "hazard.h"
#include "training.h"

#define S_OPEN "reported assigned rectified verified"
#define S_PAGE 200

// Documents of type in state (changed in [from_ms, to_ms) when from_ms >=
// 0), of department (its filter index) when not NULL.
static int
s_count(cm_store_t *store, const cm_doc_type_t *type, const char *state,
        const char *department, int64_t from_ms, int64_t to_ms, int64_t *count)
{
    char index[CM_STORE_KEY_MAX], also[CM_STORE_KEY_MAX];
    if (!cm_doc_index_key(type, "state", state, index, sizeof index)
        || (department
            && !cm_doc_index_key(type, "department", department, also,
                                 sizeof also))) {
        return CM_EINVAL;
    }
    return cm_summary_count(store, index, department ? also : NULL, from_ms,
                            to_ms, count);
}

// Assigned hazards (of department) whose deadline passed by now_ms.
static int
s_overdue(cm_store_t *store, const char *department, int64_t now_ms,
          int64_t *overdue)
{
    char index[CM_STORE_KEY_MAX];
    cm_doc_index_key(&hazard_type, "state", "assigned", index, sizeof index);
    char *cursor = NULL;
    int rc = 0;
    do {
        cm_page_t page;
        rc = cm_store_list(store, index, cursor, S_PAGE, false, &page);
        free(cursor);
        cursor = NULL;
        if (rc != 0) {
            break;
        }
        json_t *docs[S_PAGE];
        int64_t versions[S_PAGE];
        rc = page.count ? cm_doc_read_many(store, &hazard_type,
                                           (const char *const *)page.members,
                                           page.count, docs, versions)
                        : 0;
        for (size_t i = 0; rc == 0 && i < page.count; i++) {
            const json_t *doc = docs[i];
            *overdue +=
                doc && strcmp(cm_doc_state(doc), "assigned") == 0
                && (!department
                    || strcmp(cm_doc_text(doc, "department"), department) == 0)
                && cm_doc_time(doc, "deadline", now_ms) < now_ms;
            json_decref(docs[i]);
        }
        if (rc == 0 && page.next_cursor) {
            cursor = strdup(page.next_cursor);
        }
        cm_page_clear(&page);
    } while (rc == 0 && cursor);
    free(cursor);
    return rc;
}

static int
s_hazards(cm_store_t *store, cm_summary_t *s)
{
    int64_t closed = 0, open = 0, assigned = 0, overdue = 0;
    int rc = s_count(store, &hazard_type, "closed", s->department, s->from_ms,
                     s->to_ms, &closed);
    char state[32];
    const char *names = S_OPEN;
    while (rc == 0
           && (names = cm_validate_next_name(names, state, sizeof state))) {
        int64_t n = 0;
        rc = s_count(store, &hazard_type, state, s->department, -1, 0, &n);
        open += n;
        assigned = strcmp(state, "assigned") == 0 ? n : assigned;
    }
    rc = rc == 0 ? s_overdue(store, s->department, cm_time_now_ms(), &overdue)
                 : rc;
    cm_summary_period(s, "hazards", "closed", json_integer(closed));
    cm_summary_now(s, "hazards", "open", json_integer(open));
    cm_summary_now(s, "hazards", "assigned", json_integer(assigned));
    cm_summary_now(s, "hazards", "overdue", json_integer(overdue));
    return rc;
}

static int
s_training(cm_store_t *store, cm_summary_t *s)
{
    int64_t held = 0, cancelled = 0, planned = 0;
    int rc = s_count(store, &training_type, "held", NULL, s->from_ms, s->to_ms,
                     &held);
    rc = rc == 0 ? s_count(store, &training_type, "cancelled", NULL, s->from_ms,
                           s->to_ms, &cancelled)
                 : rc;
    rc = rc == 0
             ? s_count(store, &training_type, "planned", NULL, -1, 0, &planned)
             : rc;
    cm_summary_period(s, "training", "held", json_integer(held));
    cm_summary_period(s, "training", "cancelled", json_integer(cancelled));
    cm_summary_now(s, "training", "planned", json_integer(planned));
    return rc;
}

void
summary_get(cm_ctx_t *ctx)
{
    cm_summary_t s;
    if (!cm_summary_begin(ctx, &s)) {
        return;
    }
    int rc = s_hazards(cm_ctx_store(ctx), &s);
    rc = rc == 0 ? s_training(cm_ctx_store(ctx), &s) : rc;
    cm_summary_reply(ctx, &s, rc);
}
