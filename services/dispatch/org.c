#include "org.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_log.h"
#include "cm_time.h"
#include "dispatch_doc.h"

#define S_INDEX_NAME_MAX 160

int
org_id_compare(const char *a, const char *b)
{
    const char *da = strrchr(a, '-'), *db = strrchr(b, '-');
    if (da && db && (da - a) == (db - b)
        && strncmp(a, b, (size_t)(da - a)) == 0) {
        long long na = atoll(da + 1), nb = atoll(db + 1);
        if (na != nb) {
            return na < nb ? -1 : 1;
        }
    }
    return strcmp(a, b);
}

bool
org_staff_is_active(const json_t *staff)
{
    const char *status = json_string_value(json_object_get(staff, "status"));
    return staff && (!status || strcmp(status, "active") == 0);
}

static void
s_index(char *key, const char *kind, const char *value)
{
    char name[S_INDEX_NAME_MAX];
    snprintf(name, sizeof name, "%s:%s", kind, value);
    dispatch_key(key, "idx", name);
}

// Remove the old copy's index entries, add the new one's.
static void
s_staff_indexes(cm_commit_t *commit, const json_t *old, const json_t *staff,
                const char *id)
{
    char key[CM_STORE_KEY_MAX];
    const char *old_role = dispatch_string(old, "role");
    const char *old_dept = dispatch_string(old, "department");
    if (old && *old_role) {
        s_index(key, "org_role", old_role);
        cm_commit_index_remove(commit, key, id);
    }
    if (old && *old_dept) {
        s_index(key, "org_dept", old_dept);
        cm_commit_index_remove(commit, key, id);
    }
    if (!org_staff_is_active(staff)) {
        return;
    }
    int64_t now = cm_time_now_ms();
    const char *role = dispatch_string(staff, "role");
    const char *dept = dispatch_string(staff, "department");
    if (*role) {
        s_index(key, "org_role", role);
        cm_commit_index_add(commit, key, id, now);
    }
    if (*dept) {
        s_index(key, "org_dept", dept);
        cm_commit_index_add(commit, key, id, now);
    }
}

static int
s_apply_staff(cm_store_t *store, const json_t *data, cm_commit_t *commit)
{
    const char *id = dispatch_string(data, "id");
    if (!*id || strlen(id) >= ORG_ID_MAX) {
        cm_log_warn("org.staff.malformed", "reason", "no usable id");
        return 0; // nothing to keep; acknowledge
    }
    json_t *old = NULL;
    int rc = dispatch_doc_load(store, "org:staff", id, &old, NULL);
    if (rc != 0 && rc != CM_ENOTFOUND) {
        return rc;
    }
    // Last writer wins: personnel's documents are complete snapshots.
    dispatch_doc_put(commit, "org:staff", id, CM_VERSION_ANY, data,
                     org_staff_is_active(data) ? "active" : "inactive");
    s_staff_indexes(commit, old, data, id);
    json_decref(old);
    cm_log_info("org.staff.copied", "id", id, "role",
                dispatch_string(data, "role"), "department",
                dispatch_string(data, "department"));
    return 0;
}

int
org_apply_event(cm_store_t *store, const char *type, const json_t *data,
                cm_commit_t *commit)
{
    assert(store && type && commit);
    if (!json_is_object(data)) {
        return 0;
    }
    if (strncmp(type, "personnel.staff.", 16) == 0) {
        return s_apply_staff(store, data, commit);
    }
    if (strncmp(type, "personnel.department.", 21) == 0) {
        const char *id = dispatch_string(data, "id");
        if (*id && strlen(id) < ORG_ID_MAX) {
            dispatch_doc_put(commit, "org:department", id, CM_VERSION_ANY, data,
                             NULL);
            cm_log_info("org.department.copied", "id", id);
        }
    }
    return 0;
}

json_t *
org_staff(cm_store_t *store, const char *id)
{
    json_t *doc = NULL;
    if (!id || !*id || strlen(id) >= ORG_ID_MAX) {
        return NULL;
    }
    return dispatch_doc_load(store, "org:staff", id, &doc, NULL) == 0 ? doc
                                                                      : NULL;
}

json_t *
org_department(cm_store_t *store, const char *id)
{
    json_t *doc = NULL;
    if (!id || !*id || strlen(id) >= ORG_ID_MAX) {
        return NULL;
    }
    return dispatch_doc_load(store, "org:department", id, &doc, NULL) == 0
               ? doc
               : NULL;
}

bool
org_staff_id_is_active(cm_store_t *store, const char *id)
{
    json_t *staff = org_staff(store, id);
    bool active = staff && org_staff_is_active(staff);
    json_decref(staff);
    return active;
}

static int
s_compare_json_ids(const void *a, const void *b)
{
    return org_id_compare(json_string_value(*(json_t *const *)a),
                          json_string_value(*(json_t *const *)b));
}

// Members of an index, sorted by id. NULL when unavailable.
static json_t *
s_index_members(cm_store_t *store, const char *kind, const char *value)
{
    char key[CM_STORE_KEY_MAX];
    s_index(key, kind, value);
    cm_page_t page;
    if (cm_store_list(store, key, NULL, ORG_MEMBERS_MAX, false, &page) != 0) {
        return NULL;
    }
    json_t **items = calloc(page.count + 1, sizeof *items);
    assert(items);
    for (size_t i = 0; i < page.count; i++) {
        items[i] = json_string(page.members[i]);
    }
    qsort(items, page.count, sizeof *items, s_compare_json_ids);
    json_t *array = json_array();
    assert(array);
    for (size_t i = 0; i < page.count; i++) {
        json_array_append_new(array, items[i]);
    }
    free(items);
    cm_page_clear(&page);
    return array;
}

json_t *
org_department_staff(cm_store_t *store, const char *dept)
{
    return s_index_members(store, "org_dept", dept);
}

// The first active member of a role index, or "".
static void
s_first_with_role(cm_store_t *store, const char *role, char *out, size_t size)
{
    json_t *ids = s_index_members(store, "org_role", role);
    const char *first = json_string_value(json_array_get(ids, 0));
    snprintf(out, size, "%s", first ? first : "");
    json_decref(ids);
}

// The department member `field` (head, deputy) when that staff is active.
static bool
s_department_member(cm_store_t *store, const json_t *dept, const char *field,
                    char *out, size_t size)
{
    const char *id = json_string_value(json_object_get(dept, field));
    if (id && org_staff_id_is_active(store, id)) {
        snprintf(out, size, "%s", id);
        return true;
    }
    return false;
}

void
org_escalation_target(cm_store_t *store, const char *dept, int level, char *out,
                      size_t size)
{
    assert(store && out && size);
    out[0] = '\0';
    json_t *department = org_department(store, dept);
    if (level <= 1) {
        (void)s_department_member(store, department, "head", out, size);
    } else if (level == 2) {
        if (!s_department_member(store, department, "deputy", out, size)) {
            s_first_with_role(store, "deputy_head", out, size);
        }
    } else {
        s_first_with_role(store, "station_head", out, size);
    }
    json_decref(department);
}
