// cm_list with a caller's view of items (cm_doc_type_t.item_view): a
// "ticket" type whose list items get a member computed per request, served
// through cm_service_handle against a private redis-server.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_doc.h"
#include "cm_envelope.h"
#include "cm_list.h"
#include "cm_log.h"
#include "cm_redis.h"
#include "cm_service.h"
#include "cm_time.h"
#include "suites.h"
#include "test_redis.h"

#define OWNER "listkit"

static test_redis_t redis_server; // per TCase: unchecked fixture
static cm_store_t *store;         // per test
static cm_config_t *config;       // per test
static cm_service_t *service;     // per test

// The caller's view: who looks, and whether the ticket is overdue now.
static void
s_item_view(cm_ctx_t *ctx, json_t *item)
{
    json_object_set_new(item, "viewer", json_string(cm_ctx_actor_id(ctx)));
    bool overdue = cm_doc_time(item, "due_at", INT64_MAX) <= cm_time_now_ms();
    json_object_set_new(item, "overdue", json_boolean(overdue));
}

static const cm_filter_t s_filters[] = {{"team"}, {NULL}};

static const cm_doc_type_t s_ticket = {
    .owner = OWNER,
    .kind = "ticket",
    .what = "ticket",
    .id_prefix = "TK",
    .filters = s_filters,
    .item_view = s_item_view,
};

static const cm_doc_type_t s_plain = {
    .owner = OWNER,
    .kind = "ticket",
    .what = "ticket",
    .id_prefix = "TK",
    .filters = s_filters,
};

// A list filter (CM_FILTER_LIST) first, then a plain one.
static const cm_filter_t s_tag_filters[] = {
    {"tag", "tags", NULL, CM_FILTER_LIST}, {"team"}, {NULL}};

static const cm_doc_type_t s_tagged = {
    .owner = OWNER,
    .kind = "tagged",
    .what = "tagged ticket",
    .id_prefix = "TT",
    .filters = s_tag_filters,
};

static void
s_list_tagged(cm_ctx_t *ctx)
{
    cm_list_run(ctx, &s_tagged, NULL);
}

static void
s_list(cm_ctx_t *ctx)
{
    cm_list_run(ctx, &s_ticket, NULL);
}

static void
s_list_plain(cm_ctx_t *ctx)
{
    cm_list_run(ctx, &s_plain, NULL);
}

static const cm_route_t s_routes[] = {
    {"GET", "/v1/tickets", s_list},
    {"GET", "/v1/plain-tickets", s_list_plain},
    {"GET", "/v1/tagged", s_list_tagged},
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

// Store ticket id of team, due at due_ms.
static void
s_put(const char *id, const char *team, int64_t due_ms)
{
    int64_t now = cm_time_now_ms();
    json_t *doc = cm_doc_new(id, "open", NULL, now);
    cm_doc_set_string(doc, "team", team);
    cm_doc_set_time(doc, "due_at", due_ms);
    cm_commit_t *commit = cm_commit_new(OWNER);
    ck_assert_int_eq(
        cm_doc_commit(commit, &s_ticket, NULL, doc, CM_VERSION_NEW, now), 0);
    cm_commit_result_t result;
    ck_assert_int_eq(cm_store_commit(store, commit, &result), 0);
    ck_assert_int_eq(result.outcome, CM_COMMIT_OK);
    cm_commit_result_clear(&result);
    cm_commit_destroy(&commit);
    json_decref(doc);
}

// GET path as actor id with query (JSON text or NULL): the reply body's
// items. Caller owns the result.
static json_t *
s_items(const char *path, const char *actor_id, const char *query_text)
{
    json_t *actor = json_pack("{s:s, s:s}", "id", actor_id, "role", "auditor");
    json_t *query = query_text ? json_loads(query_text, 0, NULL) : NULL;
    cm_envelope_request_t fields = {
        .type = "listkit.test",
        .source = "test",
        .deadline_ms = cm_time_now_ms() + 5000,
        .actor = actor,
        .method = "GET",
        .path = path,
        .query = query,
    };
    json_t *request = cm_envelope_request_new(&fields);
    char *text = cm_envelope_encode(request);
    char *reply_text = cm_service_handle(service, store, text, strlen(text));
    json_t *reply = cm_envelope_parse(reply_text, strlen(reply_text),
                                      CM_ENVELOPE_REPLY, NULL, 0);
    ck_assert_ptr_nonnull(reply);
    ck_assert_int_eq(cm_envelope_status(reply), 200);
    json_t *items = json_incref(
        json_object_get(cm_envelope_member(reply, "body"), "items"));
    json_decref(reply);
    free(reply_text);
    free(text);
    json_decref(request);
    json_decref(query);
    json_decref(actor);
    return items;
}

// Store tagged ticket id of team with tags (JSON array text), replacing
// old (NULL: new) at version.
static json_t *
s_put_tagged(const char *id, const char *team, const char *tags, json_t *old,
             int64_t version)
{
    int64_t now = cm_time_now_ms();
    json_t *doc = old ? json_deep_copy(old) : cm_doc_new(id, "open", NULL, now);
    cm_doc_set_string(doc, "team", team);
    json_object_set_new(doc, "tags", json_loads(tags, 0, NULL));
    cm_commit_t *commit = cm_commit_new(OWNER);
    ck_assert_int_eq(cm_doc_commit(commit, &s_tagged, old, doc,
                                   old ? version : CM_VERSION_NEW, now),
                     0);
    cm_commit_result_t result;
    ck_assert_int_eq(cm_store_commit(store, commit, &result), 0);
    ck_assert_int_eq(result.outcome, CM_COMMIT_OK);
    cm_commit_result_clear(&result);
    cm_commit_destroy(&commit);
    return doc;
}

static size_t
s_count(const char *query)
{
    json_t *items = s_items("/v1/tagged", "ST-4", query);
    size_t n = json_array_size(items);
    json_decref(items);
    return n;
}

START_TEST(test_cm_list_filter_list)
{
    json_t *one = s_put_tagged("TT-1", "red", "[\"a\",\"b\"]", NULL, 0);
    json_decref(s_put_tagged("TT-2", "blue", "[\"b\"]", NULL, 0));
    json_decref(s_put_tagged("TT-3", "red", "[]", NULL, 0));
    ck_assert_int_eq(s_count("{\"tag\":\"a\"}"), 1);
    ck_assert_int_eq(s_count("{\"tag\":\"b\"}"), 2);
    ck_assert_int_eq(s_count("{\"tag\":\"c\"}"), 0);
    // Combined: the list filter's index is walked, the team checked.
    ck_assert_int_eq(s_count("{\"tag\":\"b\",\"team\":\"red\"}"), 1);
    ck_assert_int_eq(s_count("{\"team\":\"red\"}"), 2);
    // A value dropped from the array leaves its index; a new one joins.
    json_decref(s_put_tagged("TT-1", "red", "[\"c\"]", one, 1));
    ck_assert_int_eq(s_count("{\"tag\":\"a\"}"), 0);
    ck_assert_int_eq(s_count("{\"tag\":\"b\"}"), 1);
    ck_assert_int_eq(s_count("{\"tag\":\"c\"}"), 1);
    json_decref(one);
}
END_TEST

START_TEST(test_cm_list_item_view)
{
    int64_t now = cm_time_now_ms();
    s_put("TK-1", "red", now - 60000);
    s_put("TK-2", "blue", now + 3600000);
    s_put("TK-3", "red", now + 3600000);
    json_t *items = s_items("/v1/tickets", "ST-4", NULL);
    ck_assert_int_eq(json_array_size(items), 3);
    for (size_t i = 0; i < 3; i++) {
        const json_t *item = json_array_get(items, i);
        ck_assert_str_eq(cm_doc_text(item, "viewer"), "ST-4");
        bool late = strcmp(cm_doc_text(item, "id"), "TK-1") == 0;
        ck_assert(json_is_true(json_object_get(item, "overdue")) == late);
        ck_assert_int_eq(cm_doc_integer(item, "version"), 1);
    }
    json_decref(items);
    // Filtered and paged the same way; each caller gets their own view.
    items =
        s_items("/v1/tickets", "ST-5", "{\"team\":\"red\",\"limit\":\"1\"}");
    ck_assert_int_eq(json_array_size(items), 1);
    ck_assert_str_eq(cm_doc_text(json_array_get(items, 0), "viewer"), "ST-5");
    json_decref(items);
    // Without item_view the stored item is served as it is.
    items = s_items("/v1/plain-tickets", "ST-4", NULL);
    ck_assert_int_eq(json_array_size(items), 3);
    ck_assert_ptr_null(json_object_get(json_array_get(items, 0), "viewer"));
    json_decref(items);
}
END_TEST

Suite *
cm_list_suite(void)
{
    Suite *s = suite_create("cm_list");
    TCase *tc = tcase_create("item_view");
    tcase_add_unchecked_fixture(tc, server_start, server_stop);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_cm_list_item_view);
    tcase_add_test(tc, test_cm_list_filter_list);
    suite_add_tcase(s, tc);
    return s;
}
