// cm_list with a caller's view of items (cm_doc_type_t.item_view): a
// "ticket" type whose list items get a member computed per request, served
// through cm_service_handle against a private redis-server; and
// cm_doc_read_refs over those types.
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

// Cards carry labels (an array filter) beside their team.
static const cm_filter_t s_card_filters[] = {
    {"team"},
    {"label", "labels", NULL, CM_FILTER_ARRAY},
    {NULL},
};

static const cm_doc_type_t s_card = {
    .owner = OWNER,
    .kind = "card",
    .what = "card",
    .id_prefix = "CD",
    .filters = s_card_filters,
};

static void
s_list_cards(cm_ctx_t *ctx)
{
    cm_list_run(ctx, &s_card, NULL);
}

static const cm_route_t s_routes[] = {
    {"GET", "/v1/tickets", s_list},
    {"GET", "/v1/plain-tickets", s_list_plain},
    {"GET", "/v1/cards", s_list_cards},
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

// Store card id of team with labels (JSON array text), over old (NULL: a
// new card, else the card as stored at version 1).
static void
s_put_card(const char *id, const char *team, const char *labels,
           const json_t *old)
{
    int64_t now = cm_time_now_ms();
    json_t *doc = old ? json_deep_copy(old) : cm_doc_new(id, "open", NULL, now);
    cm_doc_set_string(doc, "team", team);
    json_object_set_new(doc, "labels", json_loads(labels, 0, NULL));
    cm_commit_t *commit = cm_commit_new(OWNER);
    ck_assert_int_eq(
        cm_doc_commit(commit, &s_card, old, doc, old ? 1 : CM_VERSION_NEW, now),
        0);
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

// The ids of items, space-separated, into buf.
static const char *
s_ids(const json_t *items, char *buf, size_t size)
{
    buf[0] = '\0';
    size_t i;
    const json_t *item;
    json_array_foreach(items, i, item)
    {
        size_t used = strlen(buf);
        snprintf(buf + used, size - used, "%s%s", used ? " " : "",
                 cm_doc_text(item, "id"));
    }
    return buf;
}

START_TEST(test_cm_list_array_filter)
{
    char ids[256];
    s_put_card("CD-1", "red", "[\"urgent\", \"hardware\"]", NULL);
    s_put_card("CD-2", "blue", "[\"urgent\"]", NULL);
    s_put_card("CD-3", "red", "[]", NULL);
    // One value of the array: its own index.
    json_t *items = s_items("/v1/cards", "ST-4", "{\"label\":\"urgent\"}");
    ck_assert_str_eq(s_ids(items, ids, sizeof ids), "CD-2 CD-1");
    json_decref(items);
    // With another filter: the team's index, each item's labels checked.
    items =
        s_items("/v1/cards", "ST-4", "{\"team\":\"red\",\"label\":\"urgent\"}");
    ck_assert_str_eq(s_ids(items, ids, sizeof ids), "CD-1");
    json_decref(items);
    items =
        s_items("/v1/cards", "ST-4", "{\"team\":\"red\",\"label\":\"none\"}");
    ck_assert_int_eq(json_array_size(items), 0);
    json_decref(items);
    // A value dropped from the array leaves its index; one added joins.
    json_t *old = NULL;
    int64_t version = 0;
    ck_assert_int_eq(cm_doc_read(store, &s_card, "CD-1", &old, &version), 0);
    s_put_card("CD-1", "red", "[\"hardware\", \"later\"]", old);
    json_decref(old);
    items = s_items("/v1/cards", "ST-4", "{\"label\":\"urgent\"}");
    ck_assert_str_eq(s_ids(items, ids, sizeof ids), "CD-2");
    json_decref(items);
    items = s_items("/v1/cards", "ST-4", "{\"label\":\"later\"}");
    ck_assert_str_eq(s_ids(items, ids, sizeof ids), "CD-1");
    json_decref(items);
    // cm_list_matches reads the array too.
    cm_list_query_t query;
    json_t *params = json_pack("{s:s}", "label", "hardware");
    json_t *problem = cm_list_parse(&s_card, params, NULL, &query);
    ck_assert_ptr_null(problem);
    json_t *doc = json_pack("{s:[s]}", "labels", "hardware");
    ck_assert(cm_list_matches(&s_card, &query, doc));
    json_object_set_new(doc, "labels", json_string("hardware"));
    ck_assert(!cm_list_matches(&s_card, &query, doc));
    json_decref(doc);
    json_decref(params);
}
END_TEST

// Documents of different types in one round trip, an absent one NULL.
START_TEST(test_cm_doc_read_refs_of_two_types)
{
    const struct {
        const cm_doc_type_t *type;
        const char *id, *doc, *version;
    } stored[] = {{&s_ticket, "TK-1", "{\"id\":\"TK-1\"}", "3"},
                  {&s_card, "CD-1", "{\"id\":\"CD-1\"}", "1"}};
    for (size_t i = 0; i < 2; i++) {
        char key[CM_STORE_KEY_MAX];
        ck_assert_ptr_nonnull(
            cm_doc_key(stored[i].type, stored[i].id, key, sizeof key));
        redisReply *reply =
            cm_redis_cmd(cm_store_redis(store), "HSET", key, "doc",
                         stored[i].doc, "version", stored[i].version, NULL);
        ck_assert_ptr_nonnull(reply);
        freeReplyObject(reply);
    }
    const cm_doc_ref_t refs[] = {
        {&s_card, "CD-1"}, {&s_ticket, "TK-9"}, {&s_ticket, "TK-1"}};
    json_t *docs[3];
    int64_t versions[3];
    ck_assert_int_eq(cm_doc_read_refs(store, refs, 3, docs, versions), 0);
    ck_assert_str_eq(cm_doc_text(docs[0], "id"), "CD-1");
    ck_assert_int_eq(versions[0], 1);
    ck_assert_ptr_null(docs[1]);
    ck_assert_str_eq(cm_doc_text(docs[2], "id"), "TK-1");
    ck_assert_int_eq(versions[2], 3);
    json_decref(docs[0]);
    json_decref(docs[2]);
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
    tcase_add_test(tc, test_cm_list_array_filter);
    tcase_add_test(tc, test_cm_doc_read_refs_of_two_types);
    suite_add_tcase(s, tc);
    return s;
}
