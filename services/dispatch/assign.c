#include "assign.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "cm_log.h"
#include "cm_org.h"
#include "cm_status.h"
#include "roster.h"
#include "workorder.h"

#define S_CANDIDATES_MAX ROSTER_SIZE_MAX

int
assign_least_loaded(const char *const *ids, const int64_t *loads, size_t n)
{
    int best = -1;
    for (size_t i = 0; i < n; i++) {
        if (best < 0 || loads[i] < loads[best]
            || (loads[i] == loads[best]
                && cm_org_id_compare(ids[i], ids[best]) < 0)) {
            best = (int)i;
        }
    }
    return best;
}

bool
assign_is_eligible(cm_store_t *store, const json_t *staff,
                   const json_t *workorder)
{
    if (!cm_org_is_active(staff)) {
        return false;
    }
    return !workorder_is_field_work(workorder)
           || cm_org_is_trained(store, DISPATCH_OWNER,
                                cm_doc_text(staff, "id"));
}

int
assign_training_missing(cm_store_t *store, const char *id, json_t **missing)
{
    *missing = NULL;
    char key[CM_STORE_KEY_MAX];
    if (!cm_store_key(key, sizeof key, DISPATCH_OWNER, "org:training", id)) {
        *missing = json_pack("[s, s, s]", "station", "department", "team");
        return 0;
    }
    cm_doc_t record = {0};
    int rc = cm_store_get(store, key, &record);
    json_t *training = rc == 0 ? json_loads(record.json, 0, NULL) : NULL;
    cm_doc_clear(&record);
    if (rc != 0 && rc != CM_ENOTFOUND) {
        return CM_EUNAVAILABLE;
    }
    const json_t *listed = json_object_get(training, "missing");
    if (json_is_true(json_object_get(training, "complete"))) {
        *missing = json_array();
    } else if (json_is_array(listed) && json_array_size(listed) > 0) {
        *missing = json_deep_copy(listed);
    } else {
        *missing = json_pack("[s, s, s]", "station", "department", "team");
    }
    json_decref(training);
    return 0;
}

static bool
s_contains(const json_t *array, const char *id)
{
    size_t i;
    const json_t *item;
    json_array_foreach(array, i, item)
    {
        if (json_is_string(item) && strcmp(json_string_value(item), id) == 0) {
            return true;
        }
    }
    return false;
}

bool
assign_has_skill(const json_t *staff, const json_t *workorder)
{
    const char *skill = cm_doc_string(workorder, "skill");
    return !skill || s_contains(json_object_get(staff, "skills"), skill);
}

// On duty, in the department, active and eligible: ids into `ids` (borrowed
// from members). Returns the count.
static size_t
s_candidates(cm_store_t *store, const json_t *on_duty, const json_t *members,
             const json_t *workorder, const char **ids)
{
    size_t n = 0;
    size_t i;
    const json_t *item;
    json_array_foreach(members, i, item)
    {
        const char *id = json_string_value(item);
        if (!id || !s_contains(on_duty, id) || n == S_CANDIDATES_MAX) {
            continue;
        }
        json_t *staff = cm_org_staff(store, DISPATCH_OWNER, id);
        if (staff && assign_is_eligible(store, staff, workorder)
            && assign_has_skill(staff, workorder)) {
            ids[n++] = id;
        }
        json_decref(staff);
    }
    return n;
}

static int
s_least_loaded(cm_store_t *store, const char **ids, size_t n, char *out,
               size_t size)
{
    int64_t loads[S_CANDIDATES_MAX];
    for (size_t i = 0; i < n; i++) {
        loads[i] = workorder_load_of(store, ids[i]);
        if (loads[i] < 0) {
            return (int)loads[i];
        }
    }
    int best = assign_least_loaded(ids, loads, n);
    snprintf(out, size, "%s", best >= 0 ? ids[best] : "");
    return 0;
}

int
assign_pick(cm_store_t *store, const char *policy, const json_t *workorder,
            int64_t now_ms, char *out, size_t size)
{
    assert(store && policy && workorder && out && size);
    out[0] = '\0';
    assert(strcmp(policy, "least_loaded") == 0); // validated at start
    const char *dept = cm_doc_text(workorder, "department");
    json_t *on_duty = roster_on_duty(store, dept, now_ms);
    json_t *members =
        on_duty ? cm_org_department_staff(store, DISPATCH_OWNER, dept) : NULL;
    if (!members) {
        json_decref(on_duty);
        return CM_EUNAVAILABLE;
    }
    const char *ids[S_CANDIDATES_MAX];
    size_t n = s_candidates(store, on_duty, members, workorder, ids);
    int rc = s_least_loaded(store, ids, n, out, size);
    json_decref(members);
    json_decref(on_duty);
    return rc;
}

int
assign_auto(const dispatch_t *state, cm_store_t *store, json_t *doc,
            int64_t version, int64_t now_ms, json_t *events)
{
    assert(state && store && doc && events);
    if (!state->auto_assign || strcmp(cm_doc_state(doc), "open") != 0) {
        return 0;
    }
    char assignee[CM_ORG_ID_MAX];
    int rc = assign_pick(store, state->assign_policy, doc, now_ms, assignee,
                         sizeof assignee);
    if (rc != 0) {
        return rc;
    }
    if (!assignee[0]) {
        cm_log_info("workorder.unassigned", "id", cm_doc_text(doc, "id"),
                    "department", cm_doc_text(doc, "department"), "reason",
                    cm_doc_string(doc, "skill") ? "nobody on duty has the skill"
                                                : "nobody on duty");
        return 0;
    }
    json_t *body = json_pack("{s:s, s:s}", "assignee", assignee, "note",
                             "automatic assignment (least_loaded)");
    json_t *problem = workorder_apply_own(store, NULL, doc, version, "assign",
                                          body, now_ms, events);
    json_decref(body);
    if (problem) {
        bool unavailable = cm_doc_integer(problem, "status") == 503;
        if (!unavailable) {
            cm_log_error("workorder.auto_assign_refused", "id",
                         cm_doc_text(doc, "id"), "code",
                         cm_doc_text(problem, "code"));
        }
        json_decref(problem);
        return unavailable ? CM_EUNAVAILABLE : 0;
    }
    cm_log_info("workorder.auto_assigned", "id", cm_doc_text(doc, "id"),
                "assignee", assignee);
    return 1;
}
