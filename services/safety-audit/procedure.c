#include "procedure.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_action.h"
#include "cm_list.h"
#include "cm_log.h"
#include "cm_org.h"
#include "cm_problem.h"
#include "cm_status.h"
#include "cm_stream.h"
#include "cm_time.h"
#include "cm_validate.h"
#include "events/safety.h"
#include "safety.h"

#define S_DAY_MS        (24LL * 3600 * 1000)
#define S_TIMERS        "procedure_review"
#define S_DUE_INDEX     "procedure_review_due"
#define S_AUTHORS       "safety_officer station_head"
#define S_TICK_BATCH    20
#define S_CURSOR_MAX    64
#define S_OVERDUE_QUERY "review limit cursor"

static const char *
s_key(char *buf, const char *kind, const char *id)
{
    return cm_store_key(buf, CM_STORE_KEY_MAX, SAFETY_OWNER, kind, id);
}

// review_due = now + the interval; a new due date is announced again.
static void
s_restart_review(json_t *doc, int64_t now_ms)
{
    int64_t days = cm_doc_integer(doc, "review_interval_days");
    cm_doc_set_time(doc, "review_due", now_ms + days * S_DAY_MS);
    json_object_set_new(doc, "overdue_notified_for", json_null());
}

// Append the document's current content to its versions ledger.
static void
s_keep_version(cm_commit_t *commit, const json_t *doc, const json_t *actor,
               const char *note, int64_t now_ms)
{
    char key[CM_STORE_KEY_MAX], ledger[CM_STORE_KEY_MAX + 32], at[40];
    snprintf(ledger, sizeof ledger, "procedure_versions:%s",
             cm_doc_text(doc, "id"));
    cm_time_format(now_ms, at);
    json_t *entry = json_pack("{s:O, s:O, s:O, s:O?, s:O?, s:s, s:s, s:s?}",
                              "revision", json_object_get(doc, "revision"),
                              "title", json_object_get(doc, "title"), "scope",
                              json_object_get(doc, "scope"), "text",
                              json_object_get(doc, "text"), "document",
                              json_object_get(doc, "document"), "by",
                              cm_doc_text(actor, "id"), "at", at, "note", note);
    char *text = json_dumps(entry, JSON_COMPACT);
    cm_commit_ledger(commit, s_key(key, "ledger", ledger), text);
    free(text);
    json_decref(entry);
}

static json_t *
s_revise(cm_action_t *a)
{
    static const char *const members[] = {"title", "scope", "text", "document"};
    bool changed = false;
    for (size_t i = 0; i < 4; i++) {
        changed = changed || json_object_get(a->body, members[i]);
    }
    if (!changed) {
        json_t *problem = NULL;
        cm_validate_fail(&problem, "text",
                         "a revision changes title, scope, text or document");
        return problem;
    }
    json_object_set_new(a->doc, "revision",
                        json_integer(cm_doc_integer(a->doc, "revision") + 1));
    s_restart_review(a->doc, a->now_ms);
    s_keep_version(a->commit, a->doc, a->actor, cm_doc_string(a->body, "note"),
                   a->now_ms);
    return NULL;
}

static json_t *
s_review(cm_action_t *a)
{
    cm_doc_set_time(a->doc, "last_reviewed_at", a->now_ms);
    s_restart_review(a->doc, a->now_ms);
    return NULL;
}

static const cm_field_t s_revise_fields[] = {
    {"title", CM_FIELD_STRING, 0, .to = "title"},
    {"scope", CM_FIELD_TEXT, 0, .max = 1000, .to = "scope"},
    {"text", CM_FIELD_TEXT, 0, .to = "text"},
    {"document", CM_FIELD_STRING, 0, .to = "document"},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};
static const cm_field_t s_note[] = {CM_FIELD_NOTE, CM_FIELD_END};
static const cm_field_t s_retire_fields[] = {
    {"reason", CM_FIELD_TEXT, CM_FIELD_REQUIRED},
    CM_FIELD_END,
};

#define S_OWNER CM_WORKFLOW_ASSIGNEE

static const cm_workflow_row_t s_rows[] = {
    {"active", "revise", SAFETY_OFFICER, 0, NULL, CM_WORKFLOW_STAY,
     SAFETY_EVENT_PROCEDURE_REVISED, s_revise_fields, s_revise},
    {"active", "revise", SAFETY_STAFF_ROLES, S_OWNER, NULL, CM_WORKFLOW_STAY,
     SAFETY_EVENT_PROCEDURE_REVISED, s_revise_fields, s_revise},
    {"active", "review", SAFETY_OFFICER, 0, NULL, CM_WORKFLOW_STAY,
     SAFETY_EVENT_PROCEDURE_REVIEWED, s_note, s_review},
    {"active", "review", SAFETY_STAFF_ROLES, S_OWNER, NULL, CM_WORKFLOW_STAY,
     SAFETY_EVENT_PROCEDURE_REVIEWED, s_note, s_review},
    {"active", "retire", SAFETY_OFFICER, 0, NULL, "retired",
     SAFETY_EVENT_PROCEDURE_RETIRED, s_retire_fields, NULL},
};

const cm_workflow_t procedure_workflow = {
    .name = "procedure",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "retired",
    .superuser_role = "station_head",
    .assignee_field = "owner",
};

// The review index and the announcement timer follow the due date.
static void
s_indexes(cm_commit_t *commit, const json_t *old, const json_t *doc,
          int64_t now_ms)
{
    (void)now_ms; // the due date is the score
    char due_key[CM_STORE_KEY_MAX], timer_key[CM_STORE_KEY_MAX];
    s_key(due_key, "idx", S_DUE_INDEX);
    s_key(timer_key, "timers", S_TIMERS);
    const char *id = cm_doc_text(doc, "id");
    if (strcmp(cm_doc_state(doc), "active") != 0) {
        cm_commit_index_remove(commit, due_key, id);
        cm_commit_index_remove(commit, timer_key, id);
        return;
    }
    int64_t due = cm_doc_time(doc, "review_due", 0);
    cm_commit_index_add(commit, due_key, id, due);
    if (!old || cm_doc_time(old, "review_due", 0) != due) {
        cm_commit_index_add(commit, timer_key, id, due);
    }
}

static const cm_filter_t s_filters[] = {
    {"state", NULL, "active retired"},
    {"owner"},
    {NULL},
};

const cm_doc_type_t procedure_type = {
    .owner = SAFETY_OWNER,
    .kind = "procedure",
    .what = "procedure",
    .id_prefix = "PR",
    .path = "/v1/procedures",
    .filters = s_filters,
    .workflow = &procedure_workflow,
    .indexes = s_indexes,
};

// ---- handlers

static const cm_field_t s_create_fields[] = {
    {"title", CM_FIELD_STRING, CM_FIELD_REQUIRED},
    {"scope", CM_FIELD_TEXT, CM_FIELD_REQUIRED, .max = 1000},
    {"text", CM_FIELD_TEXT, 0},
    {"document", CM_FIELD_STRING, 0},
    {"owner", CM_FIELD_CODE, 0},
    {"review_interval_days", CM_FIELD_INTEGER, 0, .min = 1, .max = 3650},
    // A procedure already in force: its last review (the next is due one
    // interval later).
    {"last_reviewed_at", CM_FIELD_TIME, 0},
    CM_FIELD_END,
};

// Body checks beyond the table: text or document; an active owner.
static json_t *
s_check_create(cm_ctx_t *ctx, const json_t *body, const char *owner)
{
    json_t *problem = NULL;
    if (!cm_field_check(s_create_fields, body, &problem)) {
        return problem;
    }
    if (!cm_validate_has_value(body, "text")
        && !cm_validate_has_value(body, "document")) {
        cm_validate_fail(&problem, "text",
                         "is required (or a document reference)");
        return problem;
    }
    if (cm_doc_time(body, "last_reviewed_at", 0) > cm_time_now_ms()) {
        cm_validate_fail(&problem, "last_reviewed_at",
                         "must not be in the future");
        return problem;
    }
    json_t *staff = cm_org_staff(cm_ctx_store(ctx), SAFETY_OWNER, owner);
    bool active = staff && cm_org_is_active(staff);
    json_decref(staff);
    if (!active) {
        problem = cm_problem_new(422, "validation_failed",
                                 "the owner must be active staff");
        cm_validate_fail(&problem, "owner", "must be active staff");
    }
    return problem;
}

void
procedure_create(cm_ctx_t *ctx)
{
    if (!cm_validate_name_in(S_AUTHORS, cm_ctx_actor_role(ctx))) {
        cm_ctx_fail_status(ctx, CM_EFORBIDDEN,
                           "safety officers and the station head write "
                           "procedures");
        return;
    }
    const json_t *body = cm_ctx_body(ctx);
    const char *owner = cm_doc_string(body, "owner");
    owner = owner ? owner : cm_ctx_actor_id(ctx);
    json_t *problem = s_check_create(ctx, body, owner);
    char id[CM_ID_MAX];
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    if (cm_doc_next_id(ctx, &procedure_type, id) != 0) {
        return;
    }
    int64_t now = cm_time_now_ms();
    json_t *doc = cm_doc_new(id, "active", cm_ctx_actor(ctx), now);
    json_object_update(doc, (json_t *)body);
    cm_doc_set_string(doc, "owner", owner);
    if (!json_object_get(body, "review_interval_days")) {
        json_object_set_new(doc, "review_interval_days", json_integer(365));
    }
    json_object_set_new(doc, "revision", json_integer(1));
    int64_t reviewed = cm_doc_time(body, "last_reviewed_at", 0);
    s_restart_review(doc, reviewed ? reviewed : now);
    if (reviewed) {
        cm_doc_set_time(doc, "last_reviewed_at", reviewed);
    } else {
        json_object_set_new(doc, "last_reviewed_at", json_null());
    }
    cm_commit_t *commit = cm_commit_new(SAFETY_OWNER);
    s_keep_version(commit, doc, cm_ctx_actor(ctx), NULL, now);
    cm_doc_commit(commit, &procedure_type, NULL, doc, CM_VERSION_NEW, now);
    cm_doc_event(ctx, commit, &procedure_type, SAFETY_EVENT_PROCEDURE_CREATED,
                 doc, 1, NULL);
    cm_doc_reply_commit(ctx, commit, &procedure_type, 201, doc, 1);
    cm_commit_destroy(&commit);
    json_decref(doc);
}

// Query of ?review=overdue: NULL or the problem (400).
static json_t *
s_overdue_query(cm_ctx_t *ctx, size_t *limit, const char **cursor)
{
    json_t *problem = NULL;
    const char *name;
    json_t *value;
    json_object_foreach(cm_ctx_query_object(ctx), name, value)
    {
        if (!cm_validate_name_in(S_OVERDUE_QUERY, name)) {
            cm_validate_fail(&problem, name, "is not allowed with review");
        }
    }
    if (strcmp(cm_ctx_query(ctx, "review"), "overdue") != 0) {
        cm_validate_fail(&problem, "review", "must be overdue");
    }
    const char *text = cm_ctx_query(ctx, "limit");
    long long n = text ? atoll(text) : CM_LIST_LIMIT_DEFAULT;
    if (n < 1 || n > CM_LIST_LIMIT_MAX
        || (text && strspn(text, "0123456789") != strlen(text))) {
        cm_validate_fail(&problem, "limit", "must be an integer 1..200");
    }
    *limit = (size_t)n;
    *cursor = cm_ctx_query(ctx, "cursor");
    if (*cursor && (strlen(*cursor) >= S_CURSOR_MAX || !strchr(*cursor, ':'))) {
        cm_validate_fail(&problem, "cursor", "is not a cursor of this list");
    }
    return problem;
}

// The page of the due index below now: the list items, most overdue last.
static int
s_overdue_page(cm_ctx_t *ctx, size_t limit, const char *cursor, json_t *items,
               char **next)
{
    char key[CM_STORE_KEY_MAX], start[S_CURSOR_MAX];
    snprintf(start, sizeof start, "%lld:", (long long)cm_time_now_ms());
    cm_page_t page;
    int rc = cm_store_list(cm_ctx_store(ctx), s_key(key, "idx", S_DUE_INDEX),
                           cursor ? cursor : start, limit, false, &page);
    if (rc != 0) {
        return rc;
    }
    json_t **docs = calloc(page.count + 1, sizeof *docs);
    int64_t *versions = calloc(page.count + 1, sizeof *versions);
    rc = cm_doc_read_many(cm_ctx_store(ctx), &procedure_type,
                          (const char *const *)page.members, page.count, docs,
                          versions);
    for (size_t i = 0; rc == 0 && i < page.count; i++) {
        if (docs[i]) {
            json_t *item = cm_doc_list_item(&procedure_type, docs[i]);
            json_object_set_new(item, "version", json_integer(versions[i]));
            json_array_append_new(items, item);
            json_decref(docs[i]);
        }
    }
    *next = page.next_cursor ? strdup(page.next_cursor) : NULL;
    free(docs);
    free(versions);
    cm_page_clear(&page);
    return rc;
}

void
procedure_list(cm_ctx_t *ctx)
{
    if (!cm_ctx_query(ctx, "review")) {
        cm_list_run(ctx, &procedure_type, NULL);
        return;
    }
    size_t limit = 0;
    const char *cursor = NULL;
    json_t *problem = s_overdue_query(ctx, &limit, &cursor);
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    json_t *items = json_array();
    char *next = NULL;
    int rc = s_overdue_page(ctx, limit, cursor, items, &next);
    if (rc != 0) {
        json_decref(items);
        if (rc == CM_EINVAL) {
            cm_validate_fail(&problem, "cursor",
                             "is not a cursor of this list");
        }
        cm_ctx_fail(ctx, problem ? problem : cm_problem_from_status(rc, NULL));
        return;
    }
    cm_ctx_reply(ctx, 200,
                 json_pack("{s:o, s:s?}", "items", items, "next_cursor", next));
    free(next);
}

void
procedure_get(cm_ctx_t *ctx)
{
    cm_doc_get(ctx, &procedure_type);
}

void
procedure_history(cm_ctx_t *ctx)
{
    cm_doc_history(ctx, &procedure_type);
}

void
procedure_act(cm_ctx_t *ctx)
{
    cm_action_run(ctx, &procedure_type);
}

void
procedure_versions(cm_ctx_t *ctx)
{
    int64_t version = 0;
    json_t *doc =
        cm_doc_load(ctx, &procedure_type, cm_ctx_param(ctx, "id"), &version);
    if (!doc) {
        return;
    }
    json_decref(doc);
    json_t *problem = NULL;
    const char *cursor = cm_ctx_query(ctx, "cursor");
    const char *text = cm_ctx_query(ctx, "limit");
    long long limit = text ? atoll(text) : CM_LIST_LIMIT_DEFAULT;
    if (limit < 1 || limit > CM_LIST_LIMIT_MAX
        || (text && strspn(text, "0123456789") != strlen(text))) {
        cm_validate_fail(&problem, "limit", "must be an integer 1..200");
    }
    if (cursor && !cm_stream_id_is_valid(cursor)) {
        cm_validate_fail(&problem, "cursor", "is not a cursor of this list");
    }
    if (problem) {
        cm_ctx_fail(ctx, problem);
        return;
    }
    char key[CM_STORE_KEY_MAX], ledger[CM_STORE_KEY_MAX];
    snprintf(ledger, sizeof ledger, "procedure_versions:%s",
             cm_ctx_param(ctx, "id"));
    cm_stream_page_t page;
    int rc = cm_stream_read(cm_ctx_store(ctx), s_key(key, "ledger", ledger),
                            cursor, NULL, NULL, (size_t)limit, false, &page);
    if (rc != 0) {
        cm_ctx_fail_status(ctx, rc, NULL);
        return;
    }
    cm_ctx_reply(ctx, 200,
                 json_pack("{s:O, s:s?}", "items", page.entries, "next_cursor",
                           page.next_cursor));
    cm_stream_page_clear(&page);
}

// ---- the tick: overdue reviews announced once per due date

static void
s_announce(cm_store_t *store, const char *id, int64_t due, int64_t now_ms)
{
    json_t *doc = NULL;
    int64_t version = 0;
    if (cm_doc_read(store, &procedure_type, id, &doc, &version) != 0) {
        return;
    }
    char key[CM_STORE_KEY_MAX], at[40];
    cm_time_format(due, at);
    cm_commit_t *commit = cm_commit_new(SAFETY_OWNER);
    bool current = strcmp(cm_doc_state(doc), "active") == 0
                   && cm_doc_time(doc, "review_due", 0) == due;
    cm_commit_index_remove(commit, s_key(key, "timers", S_TIMERS), id);
    if (current) {
        json_t *old = json_deep_copy(doc);
        json_t *actor =
            json_pack("{s:s, s:s}", "id", SAFETY_OWNER, "role", SAFETY_OWNER);
        cm_doc_set_string(doc, "overdue_notified_for", at);
        cm_doc_history_add(doc, actor, "review_overdue", NULL, NULL, NULL,
                           json_pack("{s:s}", "review_due", at), now_ms);
        cm_doc_commit(commit, &procedure_type, old, doc, version, now_ms);
        cm_doc_event_add(commit, &procedure_type,
                         SAFETY_EVENT_PROCEDURE_REVIEW_OVERDUE, doc,
                         version + 1, actor, NULL, NULL);
        json_decref(actor);
        json_decref(old);
    }
    cm_commit_result_t result;
    memset(&result, 0, sizeof result);
    if (cm_store_commit(store, commit, &result) == 0
        && result.outcome == CM_COMMIT_OK && current) {
        cm_log_notice("procedure.review_overdue", "id", id, "review_due", at);
    }
    cm_commit_result_clear(&result);
    cm_commit_destroy(&commit);
    json_decref(doc);
}

void
procedure_tick(cm_store_t *store, int64_t now_ms)
{
    char key[CM_STORE_KEY_MAX], cursor[S_CURSOR_MAX];
    snprintf(cursor, sizeof cursor, "%lld:", (long long)now_ms + 1);
    cm_page_t page;
    if (cm_store_list(store, s_key(key, "timers", S_TIMERS), cursor,
                      S_TICK_BATCH, false, &page)
        != 0) {
        return;
    }
    for (size_t i = 0; i < page.count; i++) {
        s_announce(store, page.members[i], page.scores[i], now_ms);
    }
    cm_page_clear(&page);
}
