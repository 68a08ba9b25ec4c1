#include "workorder_due.h"

#include <assert.h>
#include <string.h>

#include "cm_doc.h"
#include "cm_log.h"
#include "cm_org.h"
#include "cm_status.h"
#include "cm_time.h"
#include "workorder.h"

#define S_LEVEL_MAX 3 // the station head

static const char *
s_key(char *key)
{
    return cm_store_key(key, CM_STORE_KEY_MAX, DISPATCH_OWNER, "timers",
                        WORKORDER_DUE_TIMERS);
}

int64_t
workorder_due_next(const json_t *doc, int64_t step_ms)
{
    int64_t due = cm_doc_time(doc, "due_at", 0);
    int64_t level = cm_doc_integer(doc, "escalation_level");
    if (due <= 0 || level >= S_LEVEL_MAX
        || !workorder_is_unfinished(cm_doc_state(doc))) {
        return 0;
    }
    int64_t step = step_ms;
    if (step <= 0) {
        step = due - cm_doc_time(doc, "created_at", due);
    }
    if (step < WORKORDER_DUE_STEP_MIN_MS) {
        step = WORKORDER_DUE_STEP_MIN_MS;
    }
    return due + level * step;
}

void
workorder_due_index(cm_commit_t *commit, const json_t *doc)
{
    char key[CM_STORE_KEY_MAX];
    const char *built = s_key(key);
    assert(built);
    const char *id = cm_doc_text(doc, "id");
    int64_t next = workorder_due_next(doc, 0);
    if (next > 0) {
        cm_commit_index_add(commit, key, id, next);
    } else {
        cm_commit_index_remove(commit, key, id);
    }
}

// Escalate one work order one level, or settle its timer when there is
// nothing to do.
static void
s_handle(const dispatch_t *state, cm_store_t *store, const char *id,
         int64_t now_ms, int64_t lease_until)
{
    char key[CM_STORE_KEY_MAX];
    s_key(key);
    json_t *old = NULL;
    int64_t version = 0;
    int rc = cm_doc_read(store, &workorder_type, id, &old, &version);
    if (rc != 0) {
        if (rc == CM_ENOTFOUND) {
            (void)cm_store_timer_settle(store, key, id, lease_until, 0);
        }
        return; // Redis trouble: the lease falls due again
    }
    int64_t next = workorder_due_next(old, state->escalation_step_ms);
    if (next == 0 || next > now_ms) {
        // Finished, or moved after we read the set: as the document says.
        (void)cm_store_timer_settle(store, key, id, lease_until, next);
        json_decref(old);
        return;
    }
    int level = (int)cm_doc_integer(old, "escalation_level") + 1;
    char to[CM_ORG_ID_MAX];
    cm_org_escalation_target(store, DISPATCH_OWNER,
                             cm_doc_text(old, "department"), level, to,
                             sizeof to);
    json_t *body = json_pack("{s:i, s:s}", "level", level, "note",
                             "the work order passed its due date");
    if (*to) {
        json_object_set_new(body, "escalated_to", json_string(to));
    }
    json_t *doc = json_deep_copy(old);
    json_t *events = json_array();
    cm_commit_t *commit = cm_commit_new(DISPATCH_OWNER);
    json_t *problem = workorder_apply_own(store, commit, doc, version,
                                          "escalate", body, now_ms, events);
    bool built =
        !problem
        && workorder_commit_own(commit, old, doc, version, events, NULL, now_ms)
               == 0;
    cm_commit_result_t result;
    memset(&result, 0, sizeof result);
    rc = built ? cm_store_commit(store, commit, &result) : CM_EINVAL;
    bool ok = rc == 0 && result.outcome == CM_COMMIT_OK;
    cm_commit_result_clear(&result);
    if (ok) {
        cm_log_notice("workorder.overdue", "workorder", id, "#level",
                      CM_LOG_INT(level), "to", to);
    } else if (rc == 0 || problem) {
        // Changed meanwhile (due again next tick) or refused (settled as the
        // document says next time round).
        (void)cm_store_timer_settle(store, key, id, lease_until,
                                    problem ? 0 : now_ms);
    }
    json_decref(problem);
    cm_commit_destroy(&commit);
    json_decref(events);
    json_decref(doc);
    json_decref(body);
    json_decref(old);
}

void
workorder_due_tick(const dispatch_t *state, cm_store_t *store)
{
    assert(state && store);
    char key[CM_STORE_KEY_MAX];
    s_key(key);
    int64_t now = cm_time_now_ms();
    char **members = NULL;
    size_t count = 0;
    if (cm_store_timer_claim(store, key, now, DISPATCH_TIMER_LEASE_MS,
                             DISPATCH_TIMER_BATCH, &members, &count)
        != 0) {
        return; // Redis down: the timers stay for a later tick
    }
    for (size_t i = 0; i < count; i++) {
        s_handle(state, store, members[i], now, now + DISPATCH_TIMER_LEASE_MS);
    }
    cm_store_strings_free(&members, count);
}
