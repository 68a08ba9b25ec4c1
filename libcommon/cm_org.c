#include "cm_org.h"
#include "cm_org_impl.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_id.h"
#include "cm_log.h"
#include "cm_problem.h"
#include "cm_redis.h"
#include "cm_status.h"
#include "cm_time.h"
#include "events/personnel.h"
#include "events/safety.h"

#define S_NAME_MAX 160

int
cm_org_id_compare(const char *a, const char *b)
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
cm_org_is_active(const json_t *staff)
{
    const char *status = json_string_value(json_object_get(staff, "status"));
    return staff && (!status || strcmp(status, "active") == 0);
}

const char *
cm_org_text(const json_t *doc, const char *member)
{
    const char *text = json_string_value(json_object_get(doc, member));
    return text ? text : "";
}

// True when type starts with prefix (an event type family).
static bool
s_has_prefix(const char *type, const char *prefix)
{
    return strncmp(type, prefix, strlen(prefix)) == 0;
}

bool
cm_org_id_ok(const char *id)
{
    return id && *id && strlen(id) < CM_ORG_ID_MAX;
}

// sm:{owner}:org:<kind>:<id> into key (CM_STORE_KEY_MAX bytes).
const char *
cm_org_key(char *key, const char *owner, const char *kind, const char *id)
{
    char name[S_NAME_MAX];
    snprintf(name, sizeof name, "org:%s", kind);
    return cm_store_key(key, CM_STORE_KEY_MAX, owner, name, id);
}

// sm:{owner}:idx:org_<kind>:<value> into key.
static const char *
s_index(char *key, const char *owner, const char *kind, const char *value)
{
    char name[S_NAME_MAX];
    snprintf(name, sizeof name, "org_%s:%s", kind, value);
    return cm_store_key(key, CM_STORE_KEY_MAX, owner, "idx", name);
}

static json_t *
s_read(cm_store_t *store, const char *owner, const char *kind, const char *id)
{
    char key[CM_STORE_KEY_MAX];
    if (!cm_org_id_ok(id) || !cm_org_key(key, owner, kind, id)) {
        return NULL;
    }
    cm_doc_t stored;
    if (cm_store_get(store, key, &stored) != 0) {
        return NULL;
    }
    json_t *doc = json_loads(stored.json, 0, NULL);
    cm_doc_clear(&stored);
    if (!json_is_object(doc)) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}

static void
s_put(cm_commit_t *commit, const char *kind, const char *id, const json_t *data,
      const char *state)
{
    char key[CM_STORE_KEY_MAX];
    const char *built = cm_org_key(key, cm_commit_owner(commit), kind, id);
    assert(built);
    char *text = json_dumps(data, JSON_COMPACT);
    assert(text);
    // Last writer wins: personnel's documents are complete snapshots.
    cm_commit_doc(commit, key, CM_VERSION_ANY, text);
    if (state) {
        cm_commit_field(commit, "state", state);
    }
    free(text);
}

static void
s_index_move(cm_commit_t *commit, const char *kind, const char *before,
             const char *after, const char *member, bool keep)
{
    char key[CM_STORE_KEY_MAX];
    const char *owner = cm_commit_owner(commit);
    if (*before && (strcmp(before, after) != 0 || !keep)
        && s_index(key, owner, kind, before)) {
        cm_commit_index_remove(commit, key, member);
    }
    if (keep && *after && s_index(key, owner, kind, after)) {
        cm_commit_index_add(commit, key, member, cm_time_now_ms());
    }
}

// ---- applying events

static int
s_apply_staff(cm_store_t *store, const json_t *data, cm_commit_t *commit)
{
    const char *id = cm_org_text(data, "id");
    if (!cm_org_id_ok(id)) {
        cm_log_warn("org.staff.malformed", "reason", "no usable id");
        return 0; // nothing to keep; acknowledge
    }
    json_t *old = s_read(store, cm_commit_owner(commit), "staff", id);
    bool active = cm_org_is_active(data);
    s_put(commit, "staff", id, data, active ? "active" : "inactive");
    s_index_move(commit, "role", cm_org_text(old, "role"),
                 cm_org_text(data, "role"), id, active);
    s_index_move(commit, "dept", cm_org_text(old, "department"),
                 cm_org_text(data, "department"), id, active);
    json_decref(old);
    return 0;
}

static int
s_apply_department(cm_store_t *store, const json_t *data, cm_commit_t *commit)
{
    const char *code = cm_org_text(data, "code");
    code = *code ? code : cm_org_text(data, "id");
    if (!cm_org_id_ok(code)) {
        return 0;
    }
    json_t *old = s_read(store, cm_commit_owner(commit), "department", code);
    s_put(commit, "department", code, data, NULL);
    // org_head:<staff> and org_deputy:<staff> hold department codes.
    const char *head = cm_org_text(data, "head");
    const char *old_head = cm_org_text(old, "head");
    if (*old_head && strcmp(old_head, head) != 0) {
        s_index_move(commit, "head", old_head, "", code, false);
    }
    s_index_move(commit, "head", "", head, code, true);
    const char *deputy = cm_org_text(data, "deputy");
    const char *old_deputy = cm_org_text(old, "deputy");
    if (*old_deputy && strcmp(old_deputy, deputy) != 0) {
        s_index_move(commit, "deputy", old_deputy, "", code, false);
    }
    s_index_move(commit, "deputy", "", deputy, code, true);
    json_decref(old);
    return 0;
}

static int
s_apply_delegation(const json_t *data, cm_commit_t *commit)
{
    const char *id = cm_org_text(data, "id");
    const char *to = cm_org_text(data, "to");
    if (!cm_org_id_ok(id) || !cm_org_id_ok(to)) {
        return 0;
    }
    const char *state = cm_org_text(data, "state");
    bool active = strcmp(state, "active") == 0;
    s_put(commit, "delegation", id, data, state);
    s_index_move(commit, "delegate", to, to, id, active);
    return 0;
}

static int
s_apply_training(const json_t *data, cm_commit_t *commit)
{
    const char *staff = cm_org_text(data, "staff");
    if (!cm_org_id_ok(staff)) {
        return 0;
    }
    s_put(commit, "training", staff, data,
          json_is_true(json_object_get(data, "complete")) ? "complete"
                                                          : "incomplete");
    return 0;
}

int
cm_org_apply(cm_store_t *store, const char *type, const json_t *data,
             cm_commit_t *commit)
{
    assert(store && type && commit);
    if (!json_is_object(data)) {
        return 0;
    }
    int rc = 0;
    if (s_has_prefix(type, PERSONNEL_EVENT_STAFF_PREFIX)) {
        rc = s_apply_staff(store, data, commit);
    } else if (s_has_prefix(type, PERSONNEL_EVENT_DEPARTMENT_PREFIX)) {
        rc = s_apply_department(store, data, commit);
    } else if (s_has_prefix(type, PERSONNEL_EVENT_DELEGATION_PREFIX)) {
        rc = s_apply_delegation(data, commit);
    } else if (s_has_prefix(type, SAFETY_EVENT_ONBOARDING_PREFIX)) {
        rc = s_apply_training(data, commit);
    } else {
        return 0;
    }
    if (rc == 0 && !cm_commit_is_empty(commit)) {
        // Every change of the view gives it a new generation (a random
        // UUID, so a view rebuilt from nothing never repeats one), in the
        // same commit: actors cached at another generation are stale.
        char key[CM_STORE_KEY_MAX];
        const char *built =
            cm_org_key(key, cm_commit_owner(commit), "generation", NULL);
        assert(built);
        char uuid[CM_UUID_MAX];
        char text[CM_UUID_MAX + 2];
        snprintf(text, sizeof text, "\"%s\"", cm_uuid(uuid));
        cm_commit_doc(commit, key, CM_VERSION_ANY, text);
    }
    return rc;
}

int
cm_org_consume(cm_store_t *store, const cm_event_t *event, cm_commit_t *commit,
               void *arg)
{
    (void)arg; // the view needs no service state
    assert(store && event && commit);
    json_t *envelope = json_loads(event->envelope, 0, NULL);
    int rc = cm_org_apply(store, event->type, json_object_get(envelope, "data"),
                          commit);
    json_decref(envelope);
    return rc;
}

// ---- reading the view

json_t *
cm_org_staff(cm_store_t *store, const char *owner, const char *id)
{
    assert(store && owner);
    return s_read(store, owner, "staff", id);
}

json_t *
cm_org_department(cm_store_t *store, const char *owner, const char *code)
{
    assert(store && owner);
    return s_read(store, owner, "department", code);
}

int
cm_org_department_open(cm_store_t *store, const char *owner, const char *code)
{
    assert(store && owner);
    char key[CM_STORE_KEY_MAX];
    if (!cm_org_id_ok(code) || !cm_org_key(key, owner, "department", code)) {
        return CM_ENOTFOUND;
    }
    cm_doc_t stored;
    int rc = cm_store_get(store, key, &stored);
    if (rc != 0) {
        return rc == CM_ENOTFOUND ? CM_ENOTFOUND : CM_EUNAVAILABLE;
    }
    // The view keeps personnel's document as it was published: its own
    // `state` member says whether the department was dissolved.
    json_t *doc = json_loads(stored.json, 0, NULL);
    cm_doc_clear(&stored);
    const char *state = cm_org_text(doc, "state");
    bool dissolved = state && strcmp(state, "dissolved") == 0;
    json_decref(doc);
    return dissolved ? CM_ENOTFOUND : 0;
}

bool
cm_org_id_is_active(cm_store_t *store, const char *owner, const char *id)
{
    json_t *staff = cm_org_staff(store, owner, id);
    bool active = staff && cm_org_is_active(staff);
    json_decref(staff);
    return active;
}

static int
s_compare_json_ids(const void *a, const void *b)
{
    return cm_org_id_compare(json_string_value(*(json_t *const *)a),
                             json_string_value(*(json_t *const *)b));
}

// The members of a page as a JSON array sorted by id. Caller owns it.
static json_t *
s_sorted(const cm_page_t *page)
{
    json_t **items = calloc(page->count + 1, sizeof(json_t *));
    assert(items);
    for (size_t i = 0; i < page->count; i++) {
        items[i] = json_string(page->members[i]);
    }
    qsort(items, page->count, sizeof(json_t *), s_compare_json_ids);
    json_t *array = json_array();
    assert(array);
    for (size_t i = 0; i < page->count; i++) {
        json_array_append_new(array, items[i]);
    }
    free(items);
    return array;
}

// Members of an index, sorted by id. NULL when unavailable.
static json_t *
s_members(cm_store_t *store, const char *owner, const char *kind,
          const char *value)
{
    char key[CM_STORE_KEY_MAX];
    cm_page_t page;
    if (!cm_org_id_ok(value) || !s_index(key, owner, kind, value)) {
        return json_array();
    }
    if (cm_store_list(store, key, NULL, CM_ORG_MEMBERS_MAX, false, &page)
        != 0) {
        return NULL;
    }
    json_t *array = s_sorted(&page);
    cm_page_clear(&page);
    return array;
}

json_t *
cm_org_department_staff(cm_store_t *store, const char *owner, const char *code)
{
    return s_members(store, owner, "dept", code);
}

json_t *
cm_org_role_staff(cm_store_t *store, const char *owner, const char *role)
{
    return s_members(store, owner, "role", role);
}

// The department member `field` (head, deputy) into out when that staff is
// active.
static int
s_department_member(cm_store_t *store, const char *owner, const char *code,
                    const char *field, char *out, size_t size)
{
    assert(out && size);
    out[0] = '\0';
    if (cm_store_ping(store) != 0) {
        return CM_EUNAVAILABLE;
    }
    json_t *department = cm_org_department(store, owner, code);
    const char *id = cm_org_text(department, field);
    if (*id && cm_org_id_is_active(store, owner, id)) {
        snprintf(out, size, "%s", id);
    }
    json_decref(department);
    return 0;
}

int
cm_org_head_of(cm_store_t *store, const char *owner, const char *code,
               char *out, size_t size)
{
    return s_department_member(store, owner, code, "head", out, size);
}

int
cm_org_deputy_over(cm_store_t *store, const char *owner, const char *code,
                   char *out, size_t size)
{
    return s_department_member(store, owner, code, "deputy", out, size);
}

// The first active member with a role into out ("" when none).
static int
s_first_with_role(cm_store_t *store, const char *owner, const char *role,
                  char *out, size_t size)
{
    json_t *ids = cm_org_role_staff(store, owner, role);
    const char *first = json_string_value(json_array_get(ids, 0));
    snprintf(out, size, "%s", first ? first : "");
    int rc = ids ? 0 : CM_EUNAVAILABLE;
    json_decref(ids);
    return rc;
}

int
cm_org_station_head(cm_store_t *store, const char *owner, char *out,
                    size_t size)
{
    return s_first_with_role(store, owner, "station_head", out, size);
}

void
cm_org_escalation_target(cm_store_t *store, const char *owner, const char *code,
                         int level, char *out, size_t size)
{
    assert(store && owner && out && size);
    out[0] = '\0';
    if (level <= 1) {
        (void)cm_org_head_of(store, owner, code, out, size); // "" on failure
    } else if (level == 2) {
        (void)cm_org_deputy_over(store, owner, code, out, size);
        if (!out[0]) {
            (void)s_first_with_role(store, owner, "deputy_head", out, size);
        }
    } else {
        (void)cm_org_station_head(store, owner, out, size);
    }
}

bool
cm_org_is_trained(cm_store_t *store, const char *owner, const char *id)
{
    json_t *training = s_read(store, owner, "training", id);
    bool complete = json_is_true(json_object_get(training, "complete"));
    json_decref(training);
    return complete;
}

// ---- the actor as the view knows them

// The departments id heads and oversees and the delegations to id, sorted
// by id, read in one round trip into lists[0..2]. 0, or -1 when Redis is
// unavailable (lists NULL).
static int
s_person_lists(cm_store_t *store, const char *owner, const char *id,
               json_t *lists[3])
{
    static const char *const kinds[] = {"head", "deputy", "delegate"};
    char keys[3][CM_STORE_KEY_MAX];
    const char *key_list[3];
    bool named = cm_org_id_ok(id);
    for (size_t i = 0; i < 3; i++) {
        key_list[i] = keys[i];
        named = named && s_index(keys[i], owner, kinds[i], id);
    }
    if (!named) { // nobody the view could know: no lists
        for (size_t i = 0; i < 3; i++) {
            lists[i] = json_array();
        }
        return 0;
    }
    cm_page_t pages[3];
    if (cm_store_list_many(store, key_list, 3, CM_ORG_MEMBERS_MAX, pages)
        != 0) {
        return -1;
    }
    for (size_t i = 0; i < 3; i++) {
        lists[i] = s_sorted(&pages[i]);
        cm_page_clear(&pages[i]);
    }
    return 0;
}

// What the view says about person id: role, department and status (when
// the view knows them), heads and oversees; *delegations (when not NULL)
// the ids of the delegations to them. NULL when Redis is unavailable.
json_t *
cm_org_facts(cm_store_t *store, const char *owner, const char *id,
             json_t **delegations)
{
    json_t *facts = json_object();
    json_t *staff = cm_org_staff(store, owner, id);
    if (staff) {
        json_object_set(facts, "role", json_object_get(staff, "role"));
        json_object_set(facts, "department",
                        json_object_get(staff, "department"));
        json_object_set_new(
            facts, "status",
            json_string(cm_org_is_active(staff) ? "active" : "inactive"));
    }
    json_decref(staff);
    json_t *lists[3];
    if (s_person_lists(store, owner, id, lists) != 0) {
        json_decref(facts);
        return NULL;
    }
    json_object_set_new(facts, "heads", lists[0]);
    json_object_set_new(facts, "oversees", lists[1]);
    if (delegations) {
        *delegations = lists[2];
    } else {
        json_decref(lists[2]);
    }
    return facts;
}

// A copy of actor with facts laid over it. Caller owns the result.
json_t *
cm_org_with_facts(const json_t *actor, const json_t *facts)
{
    json_t *person = json_deep_copy(actor);
    assert(person);
    json_object_update(person, (json_t *)facts);
    return person;
}

// The person's facts (s_facts) laid over a copy of actor.
static json_t *
s_person(cm_store_t *store, const char *owner, const json_t *actor,
         json_t **delegations)
{
    json_t *facts =
        cm_org_facts(store, owner, cm_org_text(actor, "id"), delegations);
    json_t *person = facts ? cm_org_with_facts(actor, facts) : NULL;
    json_decref(facts);
    return person;
}

// True when delegation d is active at now_ms.
static bool
s_delegation_current(const json_t *d, int64_t now_ms)
{
    int64_t from = 0, until = 0;
    const char *starts = cm_org_text(d, "starts_at");
    const char *ends = cm_org_text(d, "ends_at");
    return strcmp(cm_org_text(d, "state"), "active") == 0
           && cm_time_parse(starts, &from) == 0
           && cm_time_parse(ends, &until) == 0 && from <= now_ms
           && now_ms < until;
}

// The delegations of ids that count now, each with its delegator's facts.
json_t *
cm_org_delegations(cm_store_t *store, const char *owner, const json_t *ids)
{
    json_t *out = json_array();
    int64_t now = cm_time_now_ms();
    for (size_t i = 0; ids && i < json_array_size(ids); i++) {
        json_t *d = s_read(store, owner, "delegation",
                           json_string_value(json_array_get(ids, i)));
        json_t *from = json_pack("{s:s}", "id", cm_org_text(d, "from"));
        json_t *who = d && s_delegation_current(d, now)
                          ? s_person(store, owner, from, NULL)
                          : NULL;
        if (who && cm_org_is_active(who)) {
            json_array_append_new(
                out, json_pack("{s:O, s:o, s:O, s:O}", "id",
                               json_object_get(d, "id"), "from", who,
                               "document_types",
                               json_object_get(d, "document_types"), "until",
                               json_object_get(d, "ends_at")));
        } else {
            json_decref(who);
        }
        json_decref(from);
        json_decref(d);
    }
    return out;
}

json_t *
cm_org_actor(cm_store_t *store, const char *owner, const json_t *actor)
{
    assert(store && owner);
    json_t *ids = NULL;
    json_t *person = s_person(store, owner, actor, &ids);
    if (person) {
        json_object_set_new(person, "delegations",
                            cm_org_delegations(store, owner, ids));
    }
    json_decref(ids);
    return person;
}

// True when the string array at actor[member] holds department.
static bool
s_listed(const json_t *actor, const char *member, const char *department)
{
    const json_t *list = json_object_get(actor, member);
    for (size_t i = 0; department && i < json_array_size(list); i++) {
        const char *code = json_string_value(json_array_get(list, i));
        if (code && strcmp(code, department) == 0) {
            return true;
        }
    }
    return false;
}

bool
cm_org_heads(const json_t *actor, const char *department)
{
    return s_listed(actor, "heads", department);
}

bool
cm_org_oversees(const json_t *actor, const char *department)
{
    return s_listed(actor, "oversees", department);
}

bool
cm_org_keeps(const json_t *actor, const char *role, const char *department)
{
    const char *has = json_string_value(json_object_get(actor, "role"));
    const char *dept = json_string_value(json_object_get(actor, "department"));
    if (!has) {
        return false;
    }
    if (strcmp(has, "station_head") == 0) {
        return true;
    }
    if (strcmp(has, role) == 0) {
        return dept && department && strcmp(dept, department) == 0;
    }
    return strcmp(has, "dept_head") == 0 && cm_org_heads(actor, department);
}
