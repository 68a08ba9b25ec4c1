// The kit outside a request: cm_action_apply (a service's own action, as
// an event reaction takes it), cm_doc_event_add (its events) and a type's
// own index entries (cm_doc_type_t.indexes), against a private
// redis-server.
#include <stdio.h>
#include <string.h>

#include "cm_action.h"
#include "cm_doc.h"
#include "cm_outbox.h"
#include "cm_store.h"
#include "cm_time.h"
#include "suites.h"
#include "test_redis.h"

#define OWNER "own"
#define NOW   1790000000000LL

static test_redis_t redis_server; // per TCase: unchecked fixture
static cm_store_t *store;         // per test

static json_t *
s_hold(cm_action_t *a)
{
    if (strcmp(cm_doc_text(a->body, "who"), "nobody") == 0) {
        return cm_action_refuse(a, 422, "nobody", "nobody may hold it");
    }
    json_object_set_new(a->event_data, "checked", json_true());
    cm_action_event(a, "own.item.held_extra", json_pack("{s:i}", "n", 1));
    return NULL;
}

static const cm_field_t s_hold_fields[] = {
    {"who", CM_FIELD_CODE, CM_FIELD_REQUIRED, .to = "holder"},
    CM_FIELD_NOTE,
    CM_FIELD_END,
};

static const cm_workflow_row_t s_rows[] = {
    {"free", "hold", "robot", CM_WORKFLOW_STRICT, NULL, "held", "own.item.held",
     s_hold_fields, s_hold},
    {"held", "drop", "robot clerk", 0, NULL, "free", "own.item.dropped"},
};

static const cm_workflow_t s_flow = {
    .name = "item",
    .rows = s_rows,
    .row_count = CM_WORKFLOW_ROW_COUNT(s_rows),
    .final_states = "",
    .superuser_role = "boss",
};

// The type's own index: holder → item, kept beside the filters' indexes.
static void
s_indexes(cm_commit_t *commit, const json_t *old, const json_t *doc,
          int64_t now_ms)
{
    const char *before = cm_doc_text(old, "holder");
    const char *after = cm_doc_text(doc, "holder");
    char key[CM_STORE_KEY_MAX];
    if (*before
        && cm_store_key(key, sizeof key, OWNER, "idx:held_by", before)) {
        cm_commit_index_remove(commit, key, cm_doc_text(doc, "id"));
    }
    if (*after && cm_store_key(key, sizeof key, OWNER, "idx:held_by", after)) {
        cm_commit_index_add(commit, key, cm_doc_text(doc, "id"), now_ms);
    }
}

static const cm_doc_type_t s_item = {
    .owner = OWNER,
    .kind = "item",
    .what = "item",
    .id_prefix = "IT",
    .workflow = &s_flow,
    .indexes = s_indexes,
};

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
    store = cm_store_new("127.0.0.1", redis_server.port, NULL, 1000);
    ck_assert_ptr_nonnull(store);
}

static void
teardown(void)
{
    cm_store_destroy(&store);
}

static json_t *
s_robot(void)
{
    return json_pack("{s:s, s:s}", "id", "own", "role", "robot");
}

static json_t *
s_apply(json_t *doc, const char *action, const json_t *actor,
        const char *body_text, json_t *events)
{
    json_t *body = body_text ? json_loads(body_text, 0, NULL) : NULL;
    cm_action_own_t own = {.type = &s_item,
                           .action = action,
                           .actor = actor,
                           .body = body,
                           .store = store,
                           .version = 0,
                           .now_ms = NOW};
    json_t *problem = cm_action_apply(&own, doc, events);
    json_decref(body);
    return problem;
}

START_TEST(test_cm_action_apply_in_memory)
{
    json_t *doc = cm_doc_new("IT-1", "free", NULL, NOW);
    json_t *robot = s_robot();
    json_t *clerk = json_pack("{s:s, s:s}", "id", "ST-1", "role", "clerk");
    json_t *boss = json_pack("{s:s, s:s}", "id", "ST-9", "role", "boss");
    json_t *events = json_array();
    // The same refusals as the request pipeline, doc untouched.
    json_t *problem = s_apply(doc, "fly", robot, NULL, events);
    ck_assert_int_eq(json_integer_value(json_object_get(problem, "status")),
                     404);
    json_decref(problem);
    problem = s_apply(doc, "drop", robot, NULL, events);
    ck_assert_int_eq(json_integer_value(json_object_get(problem, "status")),
                     409);
    json_decref(problem);
    problem = s_apply(doc, "hold", boss, "{\"who\":\"x\"}", events);
    ck_assert_int_eq(json_integer_value(json_object_get(problem, "status")),
                     403); // strict row: no superuser
    json_decref(problem);
    problem = s_apply(doc, "hold", robot, "{\"bogus\":1}", events);
    ck_assert_int_eq(json_integer_value(json_object_get(problem, "status")),
                     400);
    json_decref(problem);
    // An effect refuses without a request: allowed_actions for the actor.
    problem = s_apply(doc, "hold", robot, "{\"who\":\"nobody\"}", events);
    ck_assert_int_eq(json_integer_value(json_object_get(problem, "status")),
                     422);
    ck_assert_int_eq(
        json_array_size(json_object_get(problem, "allowed_actions")), 1);
    json_decref(problem);
    ck_assert_str_eq(cm_doc_state(doc), "free");
    ck_assert_ptr_null(json_object_get(doc, "holder"));
    ck_assert_int_eq(json_array_size(events), 0);
    // Allowed: fields copied, state, history, the row's event and the extra.
    problem = s_apply(doc, "hold", robot, "{\"who\":\"ST-1\",\"note\":\"n\"}",
                      events);
    ck_assert_ptr_null(problem);
    ck_assert_str_eq(cm_doc_state(doc), "held");
    ck_assert_str_eq(cm_doc_text(doc, "holder"), "ST-1");
    const json_t *history = json_object_get(doc, "history");
    const json_t *last = json_array_get(history, json_array_size(history) - 1);
    ck_assert_str_eq(cm_doc_text(last, "action"), "hold");
    ck_assert_str_eq(cm_doc_text(last, "note"), "n");
    ck_assert_int_eq(json_array_size(events), 2);
    const json_t *first = json_array_get(events, 0);
    ck_assert_str_eq(cm_doc_text(first, "type"), "own.item.held");
    ck_assert(json_is_true(
        json_object_get(json_object_get(first, "data"), "checked")));
    ck_assert_str_eq(cm_doc_text(json_array_get(events, 1), "type"),
                     "own.item.held_extra");
    problem = s_apply(doc, "drop", clerk, NULL, events);
    ck_assert_ptr_null(problem);
    ck_assert_str_eq(cm_doc_state(doc), "free");
    json_decref(events);
    json_decref(boss);
    json_decref(clerk);
    json_decref(robot);
    json_decref(doc);
}
END_TEST

typedef struct {
    json_t *envelopes; // every outbox entry's envelope
} s_outbox_t;

static int
s_collect(const cm_event_t *event, void *arg)
{
    s_outbox_t *outbox = arg;
    json_array_append_new(outbox->envelopes,
                          json_loads(event->envelope, 0, NULL));
    return 0;
}

START_TEST(test_cm_action_events_and_own_indexes)
{
    json_t *doc = cm_doc_new("IT-2", "free", NULL, NOW);
    json_t *robot = s_robot();
    json_t *events = json_array();
    ck_assert_ptr_null(
        s_apply(doc, "hold", robot, "{\"who\":\"ST-4\"}", events));
    cm_commit_t *commit = cm_commit_new(OWNER);
    ck_assert_int_eq(
        cm_doc_commit(commit, &s_item, NULL, doc, CM_VERSION_NEW, NOW), 0);
    for (size_t i = 0; i < json_array_size(events); i++) {
        const json_t *event = json_array_get(events, i);
        ck_assert_int_eq(
            cm_doc_event_add(commit, &s_item, cm_doc_text(event, "type"), doc,
                             1, robot, "corr-1",
                             json_incref(json_object_get(event, "data"))),
            0);
    }
    cm_commit_result_t result;
    ck_assert_int_eq(cm_store_commit(store, commit, &result), 0);
    ck_assert_int_eq(result.outcome, CM_COMMIT_OK);
    cm_commit_result_clear(&result);
    cm_commit_destroy(&commit);
    s_outbox_t outbox = {json_array()};
    ck_assert_int_eq(cm_outbox_range(cm_store_redis(store), "sm:{own}:outbox",
                                     "0-0", 10, s_collect, &outbox),
                     2);
    const json_t *held = json_array_get(outbox.envelopes, 0);
    ck_assert_str_eq(cm_doc_text(held, "type"), "own.item.held");
    ck_assert_str_eq(cm_doc_text(held, "source"), OWNER);
    ck_assert_str_eq(cm_doc_text(held, "subject"), "item/IT-2");
    ck_assert_str_eq(cm_doc_text(held, "correlation_id"), "corr-1");
    ck_assert_str_eq(cm_doc_text(json_object_get(held, "actor"), "role"),
                     "robot");
    const json_t *data = json_object_get(held, "data");
    ck_assert_int_eq(cm_doc_integer(data, "version"), 1);
    ck_assert_str_eq(cm_doc_text(data, "holder"), "ST-4");
    json_decref(outbox.envelopes);
    // The type's own index followed the holder.
    cm_page_t page;
    ck_assert_int_eq(cm_store_list(store, "sm:{own}:idx:held_by:ST-4", NULL, 10,
                                   false, &page),
                     0);
    ck_assert_uint_eq(page.count, 1);
    ck_assert_str_eq(page.members[0], "IT-2");
    cm_page_clear(&page);
    json_decref(events);
    json_decref(robot);
    json_decref(doc);
}
END_TEST

Suite *
cm_action_suite(void)
{
    Suite *s = suite_create("cm_action");
    TCase *tc = tcase_create("own");
    tcase_add_unchecked_fixture(tc, server_start, server_stop);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_cm_action_apply_in_memory);
    tcase_add_test(tc, test_cm_action_events_and_own_indexes);
    suite_add_tcase(s, tc);
    return s;
}
