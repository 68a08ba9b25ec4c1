#include "assign.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_status.h"
#include "dispatch_doc.h"
#include "org.h"
#include "roster.h"

#define S_CANDIDATES_MAX ROSTER_SIZE_MAX
#define S_INDEX_NAME_MAX 160

int
assign_least_loaded(const char *const *ids, const int64_t *loads, size_t n)
{
    int best = -1;
    for (size_t i = 0; i < n; i++) {
        if (best < 0 || loads[i] < loads[best]
            || (loads[i] == loads[best]
                && org_id_compare(ids[i], ids[best]) < 0)) {
            best = (int)i;
        }
    }
    return best;
}

bool
assign_is_eligible(const json_t *staff, const json_t *workorder)
{
    (void)workorder; // TODO(#4): trained-only filter reads the staff's
                     // safety training status once safety-audit publishes it
    return org_staff_is_active(staff);
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
        json_t *staff = org_staff(store, id);
        if (staff && assign_is_eligible(staff, workorder)) {
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
        char name[S_INDEX_NAME_MAX];
        snprintf(name, sizeof name, "wo_load:%s", ids[i]);
        loads[i] = dispatch_index_size(store, name);
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
    const char *dept = dispatch_string(workorder, "department");
    json_t *on_duty = roster_on_duty(store, dept, now_ms);
    json_t *members = on_duty ? org_department_staff(store, dept) : NULL;
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
