// Personnel's learning resources (services/personnel/learning.c): books,
// materials and courses added by those who record trainings, read by all
// staff, edited with If-Match, retired; a person marks one studied once and
// it shows in their training record as kind self_study. Suite:
// personnel_learning.
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_doc.h"
#include "cm_envelope.h"
#include "suites.h"
#include "test_personnel_stack.h"

#define S_COURSE                                                               \
    "{\"title\":\"Pump maintenance basics\",\"kind\":\"course\","              \
    "\"link\":\"https://learn.example.org/pumps\",\"tags\":[\"safety\","       \
    "\"pumps\"],\"roles\":[\"technician\"],\"hours\":4,"                       \
    "\"department\":\"lr_dept\"}"

// The field of the first error of a problem reply.
static const char *
s_first_error(const json_t *reply)
{
    const json_t *errors =
        json_object_get(json_object_get(reply, "error"), "errors");
    return cm_doc_text(json_array_get(errors, 0), "field");
}

// method path as actor with a body (JSON text or NULL); the reply.
static json_t *
s_call(const json_t *actor, const char *method, const char *path,
       const char *text)
{
    json_t *body = text ? json_loads(text, 0, NULL) : NULL;
    ck_assert(!text || body);
    json_t *reply = personnel_call(actor, method, path, NULL, body, NULL);
    json_decref(body);
    return reply;
}

// method path and assert the status; the first error's field into field
// (64 bytes) when not NULL.
static void
s_expect(const json_t *actor, const char *method, const char *path,
         const char *text, int status, char *field)
{
    json_t *reply = s_call(actor, method, path, text);
    ck_assert_msg(harness_mdp_status(reply) == status, "%s %s: %d, not %d (%s)",
                  method, path, harness_mdp_status(reply), status,
                  harness_mdp_error_code(reply));
    if (field) {
        snprintf(field, 64, "%s", s_first_error(reply));
    }
    json_decref(reply);
}

// The items of GET path?query (JSON text or NULL) as actor. Caller owns.
static json_t *
s_items(const json_t *actor, const char *path, const char *query_text)
{
    json_t *query = query_text ? json_loads(query_text, 0, NULL) : NULL;
    json_t *reply = personnel_call(actor, "GET", path, query, NULL, NULL);
    ck_assert_msg(harness_mdp_status(reply) == 200, "GET %s %s: %d (%s)", path,
                  query_text ? query_text : "", harness_mdp_status(reply),
                  harness_mdp_error_code(reply));
    json_t *items =
        json_incref(json_object_get(json_object_get(reply, "body"), "items"));
    json_decref(reply);
    json_decref(query);
    return items;
}

static size_t
s_count(const json_t *actor, const char *path, const char *query_text)
{
    json_t *items = s_items(actor, path, query_text);
    size_t n = json_array_size(items);
    json_decref(items);
    return n;
}

// A department with a head and a deputy head overseeing it.
static void
s_department(const char *code, char *head_id, char *deputy_id)
{
    personnel_create_department(code);
    personnel_create_staff("Head", "dept_head", code, head_id);
    personnel_create_staff("Deputy", "deputy_head", "management", deputy_id);
    char body[160];
    snprintf(body, sizeof body, "{\"head\":\"%s\",\"deputy\":\"%s\"}", head_id,
             deputy_id);
    ck_assert_int_eq(personnel_patch_department(code, body), 200);
}

START_TEST(test_personnel_learning_resources)
{
    char head_id[PERSONNEL_TEST_ID_MAX], deputy_id[PERSONNEL_TEST_ID_MAX];
    char worker_id[PERSONNEL_TEST_ID_MAX], other_id[PERSONNEL_TEST_ID_MAX];
    s_department("lr_dept", head_id, deputy_id);
    personnel_create_staff("Worker", "technician", "lr_dept", worker_id);
    personnel_create_staff("Other", "cs_agent", "management", other_id);
    json_t *head = harness_mdp_actor(head_id, "dept_head", "lr_dept");
    json_t *deputy = harness_mdp_actor(deputy_id, "deputy_head", "management");
    json_t *worker = harness_mdp_actor(worker_id, "technician", "lr_dept");
    json_t *other = harness_mdp_actor(other_id, "cs_agent", "management");
    const char *base = "/v1/learning-resources";
    char field[64], path[128];
    // Refusals change nothing: a technician may not add; a bad kind, link
    // or role, a department the head does not run.
    s_expect(worker, "POST", base, S_COURSE, 403, NULL);
    s_expect(head, "POST", base,
             "{\"title\":\"x\",\"kind\":\"video\",\"roles\":[\"technician\"],"
             "\"department\":\"lr_dept\"}",
             400, field);
    ck_assert_str_eq(field, "kind");
    s_expect(head, "POST", base,
             "{\"title\":\"x\",\"kind\":\"course\",\"link\":\"ftp://x.org/a\","
             "\"roles\":[\"technician\"],\"department\":\"lr_dept\"}",
             400, field);
    ck_assert_str_eq(field, "link");
    s_expect(head, "POST", base,
             "{\"title\":\"x\",\"kind\":\"book\",\"roles\":[\"pilot\"],"
             "\"department\":\"lr_dept\"}",
             400, field);
    ck_assert_str_eq(field, "roles[0]");
    s_expect(head, "POST", base,
             "{\"title\":\"x\",\"kind\":\"book\",\"roles\":[\"technician\"],"
             "\"department\":\"management\"}",
             403, NULL);
    ck_assert_int_eq(s_count(worker, base, NULL), 0);
    // The head adds a course for technicians.
    json_t *reply = s_call(head, "POST", base, S_COURSE);
    ck_assert_int_eq(harness_mdp_status(reply), 201);
    char id[PERSONNEL_TEST_ID_MAX];
    snprintf(id, sizeof id, "%s", harness_mdp_body_string(reply, "id"));
    ck_assert_str_eq(harness_mdp_body_string(reply, "state"), "active");
    json_decref(reply);
    // A book for customer service, added by the deputy head.
    s_expect(deputy, "POST", base,
             "{\"title\":\"Listening to customers\",\"kind\":\"book\","
             "\"roles\":[\"cs_agent\",\"dept_head\"],\"department\":"
             "\"lr_dept\"}",
             201, NULL);
    // Everyone reads; the filters: tag, role, kind, department, state.
    ck_assert_int_eq(s_count(other, base, NULL), 2);
    ck_assert_int_eq(s_count(worker, base, "{\"tag\":\"pumps\"}"), 1);
    ck_assert_int_eq(s_count(worker, base, "{\"role\":\"technician\"}"), 1);
    ck_assert_int_eq(s_count(worker, base, "{\"role\":\"cs_agent\"}"), 1);
    ck_assert_int_eq(
        s_count(worker, base, "{\"role\":\"technician\",\"kind\":\"book\"}"),
        0);
    ck_assert_int_eq(
        s_count(worker, base, "{\"kind\":\"course\",\"tag\":\"safety\"}"), 1);
    ck_assert_int_eq(s_count(worker, base, "{\"department\":\"lr_dept\"}"), 2);
    json_t *query = json_pack("{s:s}", "kind", "video");
    reply = personnel_call(worker, "GET", base, query, NULL, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 400);
    ck_assert_str_eq(s_first_error(reply), "kind");
    json_decref(reply);
    json_decref(query);
    snprintf(path, sizeof path, "%s/%s", base, id);
    s_expect(other, "GET", path, NULL, 200, NULL);
    // PATCH needs the current version: 428 without, 412 stale; a
    // technician may not edit.
    json_t *patch = json_pack("{s:[s]}", "tags", "safety");
    reply = personnel_call_if(head, "PATCH", path, patch, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 428);
    json_decref(reply);
    reply = personnel_call_if(head, "PATCH", path, patch, "\"7\"");
    ck_assert_int_eq(harness_mdp_status(reply), 412);
    json_decref(reply);
    reply = personnel_call_if(worker, "PATCH", path, patch, "\"1\"");
    ck_assert_int_eq(harness_mdp_status(reply), 403);
    json_decref(reply);
    json_t *bad = json_pack("{s:s}", "link", "not a url");
    reply = personnel_call_if(head, "PATCH", path, bad, "\"1\"");
    ck_assert_int_eq(harness_mdp_status(reply), 400);
    ck_assert_str_eq(s_first_error(reply), "link");
    json_decref(reply);
    json_decref(bad);
    reply = personnel_call_if(head, "PATCH", path, patch, "\"1\"");
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    ck_assert_str_eq(personnel_header(reply, "ETag"), "\"2\"");
    json_decref(reply);
    json_decref(patch);
    ck_assert_int_eq(s_count(worker, base, "{\"tag\":\"pumps\"}"), 0);
    ck_assert_int_eq(s_count(worker, base, "{\"tag\":\"safety\"}"), 1);
    // What is meant for me and not studied yet.
    json_t *items = s_items(worker, base, "{\"for_me\":\"true\"}");
    ck_assert_int_eq(json_array_size(items), 1);
    ck_assert_str_eq(cm_doc_text(json_array_get(items, 0), "id"), id);
    json_decref(items);
    ck_assert_int_eq(s_count(other, base, "{\"for_me\":\"true\"}"), 1);
    query = json_pack("{s:s, s:s}", "for_me", "true", "role", "cs_agent");
    reply = personnel_call(worker, "GET", base, query, NULL, NULL);
    ck_assert_int_eq(harness_mdp_status(reply), 400);
    ck_assert_str_eq(s_first_error(reply), "role");
    json_decref(reply);
    json_decref(query);
    // The technician marks it studied: a self-study training record.
    snprintf(path, sizeof path, "%s/%s/studied", base, id);
    s_expect(worker, "POST", path, "{\"date\":\"2999-01-01\"}", 400, field);
    ck_assert_str_eq(field, "date");
    s_expect(worker, "POST", path, "{\"hours\":0}", 400, field);
    ck_assert_str_eq(field, "hours");
    reply = s_call(worker, "POST", path,
                   "{\"date\":\"2026-05-04\",\"hours\":3,\"note\":\"Did the "
                   "quiz\"}");
    ck_assert_int_eq(harness_mdp_status(reply), 201);
    char record[PERSONNEL_TEST_ID_MAX];
    snprintf(record, sizeof record, "%s", harness_mdp_body_string(reply, "id"));
    ck_assert_str_eq(harness_mdp_body_string(reply, "kind"), "self_study");
    ck_assert_str_eq(harness_mdp_body_string(reply, "resource"), id);
    ck_assert_str_eq(harness_mdp_body_string(reply, "course"),
                     "Pump maintenance basics");
    ck_assert_str_eq(harness_mdp_body_string(reply, "staff"), worker_id);
    json_decref(reply);
    // Once per person: marking again answers the same record.
    reply = s_call(worker, "POST", path, "{}");
    ck_assert_int_eq(harness_mdp_status(reply), 200);
    ck_assert_str_eq(harness_mdp_body_string(reply, "id"), record);
    json_decref(reply);
    // It is in the training record, read as any training record is.
    char trainings[128];
    snprintf(trainings, sizeof trainings, "/v1/staff/%s/trainings", worker_id);
    items = s_items(worker, trainings, NULL);
    ck_assert_int_eq(json_array_size(items), 1);
    const json_t *item = json_array_get(items, 0);
    ck_assert_str_eq(cm_doc_text(item, "kind"), "self_study");
    ck_assert_str_eq(cm_doc_text(item, "resource"), id);
    ck_assert_str_eq(cm_doc_text(item, "date"), "2026-05-04");
    ck_assert_int_eq(cm_doc_integer(item, "hours"), 3);
    json_decref(items);
    ck_assert_int_eq(s_count(head, trainings, NULL), 1);
    ck_assert_int_eq(s_count(other, trainings, NULL), 0);
    ck_assert_int_eq(
        s_count(head, "/v1/trainings", "{\"kind\":\"self_study\"}"), 1);
    ck_assert_int_eq(s_count(worker, base, "{\"for_me\":\"true\"}"), 0);
    // History; retire (not by a technician); a retired resource is not
    // studied, edited or retired again.
    char history[128];
    snprintf(history, sizeof history, "%s/%s/history", base, id);
    ck_assert_int_eq(s_count(other, history, NULL), 2);
    snprintf(path, sizeof path, "%s/%s/retire", base, id);
    s_expect(worker, "POST", path, "{}", 403, NULL);
    s_expect(head, "POST", path, "{\"reason\":\"Replaced by the 2027 course\"}",
             200, NULL);
    s_expect(head, "POST", path, "{}", 409, NULL);
    json_t *other_tech = NULL;
    char tech2_id[PERSONNEL_TEST_ID_MAX];
    personnel_create_staff("Tech2", "technician", "lr_dept", tech2_id);
    other_tech = harness_mdp_actor(tech2_id, "technician", "lr_dept");
    snprintf(path, sizeof path, "%s/%s/studied", base, id);
    s_expect(other_tech, "POST", path, "{}", 409, field);
    ck_assert_str_eq(field, "id");
    // The earlier study still answers for the person who made it.
    s_expect(worker, "POST", path, "{}", 200, NULL);
    snprintf(path, sizeof path, "%s/%s", base, id);
    patch = json_pack("{s:s}", "title", "Renamed");
    reply = personnel_call_if(head, "PATCH", path, patch, "\"3\"");
    ck_assert_int_eq(harness_mdp_status(reply), 409);
    json_decref(reply);
    json_decref(patch);
    ck_assert_int_eq(s_count(other_tech, base, "{\"for_me\":\"true\"}"), 0);
    ck_assert_int_eq(s_count(other, base, "{\"state\":\"retired\"}"), 1);
    s_expect(worker, "GET", "/v1/learning-resources/LR-999", NULL, 404, NULL);
    // Events: created, updated, retired; the study is a training record.
    personnel_events_t events = {0};
    personnel_read_events(&events);
    ck_assert_ptr_nonnull(
        personnel_last_event(&events, "personnel.learning_resource.created"));
    ck_assert_ptr_nonnull(
        personnel_last_event(&events, "personnel.learning_resource.updated"));
    const json_t *data =
        personnel_last_event(&events, "personnel.learning_resource.retired");
    ck_assert_ptr_nonnull(data);
    ck_assert_str_eq(cm_doc_text(data, "state"), "retired");
    data = personnel_last_event(&events, "personnel.training.recorded");
    ck_assert_ptr_nonnull(data);
    ck_assert_str_eq(cm_doc_text(data, "kind"), "self_study");
    ck_assert_str_eq(cm_doc_text(data, "resource"), id);
    personnel_events_clear(&events);
    json_decref(other_tech);
    json_decref(other);
    json_decref(worker);
    json_decref(deputy);
    json_decref(head);
}
END_TEST

Suite *
personnel_learning_suite(void)
{
    Suite *suite = suite_create("personnel_learning");
    TCase *core = tcase_create("core");
    tcase_add_unchecked_fixture(core, personnel_stack_setup,
                                personnel_stack_teardown);
    tcase_set_timeout(core, 60);
    tcase_add_test(core, test_personnel_learning_resources);
    suite_add_tcase(suite, core);
    return suite;
}
