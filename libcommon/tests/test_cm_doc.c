// cm_doc and cm_list bounds that the kit suite does not cover: documents
// whose history entries are long keep fewer of them inline instead of
// being refused, history pages end before a reply would pass 64 KiB, and a
// list scope may waive the per-item need-to-know check; the first pages of
// several indexes come in one round trip. A "note" document
// type driven through cm_service_handle against a private redis-server.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_action.h"
#include "cm_envelope.h"
#include "cm_list.h"
#include "cm_log.h"
#include "cm_redis.h"
#include "cm_service.h"
#include "cm_time.h"
#include "suites.h"
#include "test_redis.h"

#define OWNER "doctest"

static test_redis_t redis_server; // per TCase: unchecked fixture
static cm_store_t *store;         // per test
static cm_config_t *config;       // per test
static cm_service_t *service;     // per test

static const cm_field_t s_note_fields[] = {
    {"note", CM_FIELD_TEXT, CM_FIELD_REQUIRED},
    CM_FIELD_END,
};

static const cm_workflow_row_t s_rows[] = {
    {"open", "note", "technician", 0, NULL, CM_WORKFLOW_STAY, NULL,
     s_note_fields},
};

static const cm_workflow_t s_flow = {
    .name = "note",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "closed",
};

static const cm_filter_t s_filters[] = {{"department"}, {NULL}};

// Need-to-know: a document only for its department.
static bool
s_may_read(cm_ctx_t *ctx, const json_t *doc)
{
    return strcmp(cm_doc_text(doc, "department"), cm_ctx_actor_department(ctx))
           == 0;
}

static const cm_doc_type_t s_note = {
    .owner = OWNER,
    .kind = "note",
    .what = "note",
    .id_prefix = "NT",
    .path = "/v1/notes",
    .filters = s_filters,
    .workflow = &s_flow,
    .may_read = s_may_read,
};

static void
s_create(cm_ctx_t *ctx)
{
    char id[CM_ID_MAX];
    if (cm_doc_next_id(ctx, &s_note, id) != 0) {
        return;
    }
    int64_t now = cm_time_now_ms();
    json_t *doc = cm_doc_new(id, "open", cm_ctx_actor(ctx), now);
    json_object_update(doc, cm_ctx_body(ctx));
    cm_commit_t *commit = cm_commit_new(OWNER);
    ck_assert_int_eq(
        cm_doc_commit(commit, &s_note, NULL, doc, CM_VERSION_NEW, now), 0);
    cm_doc_reply_commit(ctx, commit, &s_note, 201, doc, 1);
    cm_commit_destroy(&commit);
    json_decref(doc);
}

// Auditors read every note: the scope waives may_read for them.
static json_t *
s_scope(cm_ctx_t *ctx, const cm_doc_type_t *type, cm_list_query_t *query)
{
    (void)type; // one type
    query->may_read_all = strcmp(cm_ctx_actor_role(ctx), "auditor") == 0;
    return NULL;
}

static void
s_list(cm_ctx_t *ctx)
{
    cm_list_run(ctx, &s_note, s_scope);
}

static void
s_get(cm_ctx_t *ctx)
{
    cm_doc_get(ctx, &s_note);
}

static void
s_act(cm_ctx_t *ctx)
{
    cm_action_run(ctx, &s_note);
}

static void
s_history(cm_ctx_t *ctx)
{
    cm_doc_history(ctx, &s_note);
}

static const cm_route_t s_routes[] = {
    {"POST", "/v1/notes", s_create},
    {"GET", "/v1/notes", s_list},
    {"GET", "/v1/notes/{id}", s_get},
    {"GET", "/v1/notes/{id}/history", s_history},
    {"POST", "/v1/notes/{id}/{action}", s_act},
    {NULL, NULL, NULL},
};

static const cm_service_def_t s_def = {.name = OWNER, .routes = s_routes};

static void
server_start(void)
{
    ck_assert_int_eq(test_redis_start(&redis_server), 0);
}

static void
server_stop(void)
{
    test_redis_stop(&redis_server);
}

static void
setup(void)
{
    char port[16], error[256];
    snprintf(port, sizeof port, "%d", redis_server.port);
    setenv("SM_REDIS__PORT", port, 1);
    char *argv[] = {OWNER, NULL};
    config = cm_config_load(OWNER, NULL, 1, argv, error, sizeof error);
    ck_assert_msg(config != NULL, "%s", error);
    store = cm_store_new_from_config(config);
    redisReply *reply = cm_redis_cmd(cm_store_redis(store), "FLUSHALL", NULL);
    ck_assert_ptr_nonnull(reply);
    freeReplyObject(reply);
    service = cm_service_new(&s_def, config);
    cm_log_set_level(CM_LOG_ERROR);
}

static void
teardown(void)
{
    cm_service_destroy(&service);
    cm_store_destroy(&store);
    cm_config_destroy(&config);
    unsetenv("SM_REDIS__PORT");
}

// One request as actor (role, department); the reply envelope.
static json_t *
s_call(const char *role, const char *method, const char *path,
       const json_t *body, const char *query_text)
{
    json_t *actor = json_pack("{s:s, s:s, s:s}", "id", "ST-3", "role", role,
                              "department", "tech");
    json_t *query = query_text ? json_loads(query_text, 0, NULL) : NULL;
    cm_envelope_request_t fields = {
        .type = "doctest",
        .source = "test",
        .deadline_ms = cm_time_now_ms() + 5000,
        .actor = actor,
        .method = method,
        .path = path,
        .query = query,
        .body = body,
    };
    json_t *request = cm_envelope_request_new(&fields);
    char *text = cm_envelope_encode(request);
    char *reply_text = cm_service_handle(service, store, text, strlen(text));
    ck_assert_ptr_nonnull(reply_text);
    json_t *reply = cm_envelope_parse(reply_text, strlen(reply_text),
                                      CM_ENVELOPE_REPLY, NULL, 0);
    ck_assert_ptr_nonnull(reply);
    free(reply_text);
    free(text);
    json_decref(request);
    json_decref(query);
    json_decref(actor);
    return reply;
}

static const json_t *
s_body(const json_t *reply)
{
    return cm_envelope_member(reply, "body");
}

// A note of `count` code points of a three-byte character.
static char *
s_long_note(size_t count)
{
    static const char han[] = "\xe4\xb8\xad"; // U+4E2D
    char *text = malloc(count * 3 + 1);
    ck_assert_ptr_nonnull(text);
    for (size_t i = 0; i < count; i++) {
        memcpy(text + i * 3, han, 3);
    }
    text[count * 3] = '\0';
    return text;
}

START_TEST(test_cm_doc_long_history_stays_inline_bounded)
{
    json_t *body = json_pack("{s:s}", "department", "tech");
    json_decref(s_call("technician", "POST", "/v1/notes", body, NULL));
    json_decref(body);
    char *note = s_long_note(CM_FIELD_TEXT_MAX);
    body = json_pack("{s:s}", "note", note);
    for (int i = 0; i < 10; i++) { // 10 x 12 KB of history: past 48 KiB
        json_t *reply =
            s_call("technician", "POST", "/v1/notes/NT-1/note", body, NULL);
        ck_assert_int_eq(cm_envelope_status(reply), 200);
        json_decref(reply);
    }
    json_decref(body);
    free(note);
    json_t *reply = s_call("technician", "GET", "/v1/notes/NT-1", NULL, NULL);
    ck_assert_int_eq(cm_envelope_status(reply), 200);
    size_t inline_count =
        json_array_size(json_object_get(s_body(reply), "history"));
    ck_assert_uint_gt(inline_count, 0);
    ck_assert_uint_lt(inline_count, 11);
    ck_assert_int_eq(cm_doc_integer(s_body(reply), "history_count"), 11);
    json_decref(reply);
    // Pages end before 56 KiB; the walk still sees every entry once.
    size_t seen = 0, pages = 0;
    char query[128] = "{\"limit\":\"200\"}";
    for (; pages < 20; pages++) {
        reply =
            s_call("technician", "GET", "/v1/notes/NT-1/history", NULL, query);
        ck_assert_int_eq(cm_envelope_status(reply), 200);
        size_t n = json_array_size(json_object_get(s_body(reply), "items"));
        ck_assert_uint_gt(n, 0);
        ck_assert_uint_lt(n, 11);
        seen += n;
        const char *next = cm_doc_string(s_body(reply), "next_cursor");
        if (next) {
            snprintf(query, sizeof query,
                     "{\"limit\":\"200\",\"cursor\":\"%s\"}", next);
        }
        json_decref(reply);
        if (!next) {
            break;
        }
    }
    ck_assert_uint_eq(seen, 11);
    ck_assert_uint_gt(pages, 0);
}
END_TEST

START_TEST(test_cm_doc_list_scope_may_read_all)
{
    const char *departments[] = {"tech", "ops", "ops"};
    for (size_t i = 0; i < 3; i++) {
        json_t *body = json_pack("{s:s}", "department", departments[i]);
        json_decref(s_call("technician", "POST", "/v1/notes", body, NULL));
        json_decref(body);
    }
    json_t *reply = s_call("technician", "GET", "/v1/notes", NULL, NULL);
    ck_assert_int_eq(json_array_size(json_object_get(s_body(reply), "items")),
                     1);
    json_decref(reply);
    reply = s_call("auditor", "GET", "/v1/notes", NULL, NULL);
    ck_assert_int_eq(json_array_size(json_object_get(s_body(reply), "items")),
                     3);
    json_decref(reply);
    reply = s_call("auditor", "GET", "/v1/notes", NULL, "{\"limit\":\"1\"}");
    ck_assert_int_eq(json_array_size(json_object_get(s_body(reply), "items")),
                     1);
    ck_assert_ptr_nonnull(cm_doc_string(s_body(reply), "next_cursor"));
    json_decref(reply);
}
END_TEST

// The first pages of several indexes in one round trip (the org view
// reads a person's heads, oversees and delegations this way).
START_TEST(test_cm_doc_store_list_many)
{
    cm_commit_t *commit = cm_commit_new(OWNER);
    cm_commit_index_add(commit, "sm:{doctest}:idx:a", "x", 1);
    cm_commit_index_add(commit, "sm:{doctest}:idx:a", "y", 2);
    cm_commit_index_add(commit, "sm:{doctest}:idx:c", "z", 3);
    cm_commit_result_t result;
    ck_assert_int_eq(cm_store_commit(store, commit, &result), 0);
    cm_commit_result_clear(&result);
    cm_commit_destroy(&commit);
    const char *keys[] = {"sm:{doctest}:idx:a", "sm:{doctest}:idx:b",
                          "sm:{doctest}:idx:c"};
    cm_page_t pages[3];
    ck_assert_int_eq(cm_store_list_many(store, keys, 3, 10, pages), 0);
    ck_assert_uint_eq(pages[0].count, 2);
    ck_assert_str_eq(pages[0].members[0], "y"); // newest first
    ck_assert_uint_eq(pages[1].count, 0);
    ck_assert_uint_eq(pages[2].count, 1);
    ck_assert_ptr_null(pages[2].next_cursor);
    for (size_t i = 0; i < 3; i++) {
        cm_page_clear(&pages[i]);
    }
    ck_assert_int_eq(cm_store_list_many(store, keys, 3, 1, pages), 0);
    ck_assert_uint_eq(pages[0].count, 1);
    ck_assert_ptr_nonnull(pages[0].next_cursor);
    for (size_t i = 0; i < 3; i++) {
        cm_page_clear(&pages[i]);
    }
    ck_assert_int_eq(cm_store_list_many(store, keys, 3, 0, pages), CM_EINVAL);
    ck_assert_int_eq(cm_store_list_many(store, keys, 0, 10, pages), 0);
}
END_TEST

START_TEST(test_cm_doc_oversized_document_is_refused)
{
    json_t *doc = cm_doc_new("NT-9", "open", NULL, cm_time_now_ms());
    char *big = malloc(CM_DOC_MAX_BYTES + 2);
    memset(big, 'b', CM_DOC_MAX_BYTES + 1);
    big[CM_DOC_MAX_BYTES + 1] = '\0';
    json_object_set_new(doc, "blob", json_string(big));
    free(big);
    cm_commit_t *commit = cm_commit_new(s_note.owner);
    ck_assert_int_eq(cm_doc_commit(commit, &s_note, NULL, doc, CM_VERSION_NEW,
                                   cm_time_now_ms()),
                     CM_EINVAL);
    ck_assert(cm_commit_is_empty(commit));
    cm_commit_destroy(&commit);
    json_decref(doc);
}
END_TEST

Suite *
cm_doc_suite(void)
{
    Suite *s = suite_create("cm_doc");
    TCase *tc = tcase_create("bounds");
    tcase_add_unchecked_fixture(tc, server_start, server_stop);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_cm_doc_long_history_stays_inline_bounded);
    tcase_add_test(tc, test_cm_doc_list_scope_may_read_all);
    tcase_add_test(tc, test_cm_doc_store_list_many);
    tcase_add_test(tc, test_cm_doc_oversized_document_is_refused);
    suite_add_tcase(s, tc);
    return s;
}
