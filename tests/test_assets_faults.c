// Integration tests of assets' faults through the gateway with real tokens
// (test_assets_stack.h): a fault from another system's event (matched by
// tag or serial, once however often posted, an unknown tag kept), the
// equipment out of use in the same commit, the repair work order in
// dispatch, repair with parts, acceptance by the using department (never
// the repairer; a failed one back to repair), the dossier with MTBF and
// MTTR. Suite: assets_faults.
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "test_assets_stack.h"

#define S_BODY_MAX 1024

// Register equipment of department dept; its id into id (32 bytes).
static void
s_register(const char *tag, const char *serial, const char *dept, char *id)
{
    char body[S_BODY_MAX];
    snprintf(body, sizeof body,
             "{\"tag\":\"%s\",\"serial\":\"%s\",\"name\":\"Chiller\","
             "\"location\":\"roof\",\"department\":\"%s\"}",
             tag, serial, dept);
    json_t *doc = ast_expect(201, AST_TECH, "POST", "/v1/equipment", body);
    snprintf(id, 32, "%s", ast_text(doc, "id"));
    json_decref(doc);
}

static json_t *
s_equipment(const char *id)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/equipment/%s", id);
    return ast_expect(200, AST_OPS, "GET", path, NULL);
}

static json_t *
s_act(ast_who_t who, const char *id, const char *action, const char *body,
      int status)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/faults/%s/%s", id, action);
    return ast_expect(status, who, "POST", path, body);
}

static void
s_post_fault(const char *event_id, const char *ref)
{
    char event[S_BODY_MAX];
    snprintf(event, sizeof event,
             "{\"specversion\":\"1.0\",\"id\":\"%s\",\"source\":\"bms/site-a\","
             "\"type\":\"equipment.fault\",\"time\":\"2027-03-01T08:00:00Z\","
             "\"data\":{\"equipment\":\"%s\",\"code\":\"E42\","
             "\"description\":\"compressor trips\",\"severity\":\"high\"}}",
             event_id, ref);
    json_decref(ast_expect(202, AST_HEAD, "POST", "/v1/events", event));
}

// The faults an event opened (its id in source.id).
static size_t
s_faults_of_event(const char *event_id, char *fault_id)
{
    json_t *page =
        ast_expect(200, AST_HEAD, "GET", "/v1/faults?limit=200", NULL);
    size_t count = 0;
    const json_t *items = json_object_get(page, "items");
    for (size_t i = 0; i < json_array_size(items); i++) {
        const json_t *item = json_array_get(items, i);
        const json_t *source = json_object_get(item, "source");
        if (strcmp(ast_text(source, "id"), event_id) == 0) {
            count++;
            if (fault_id) {
                snprintf(fault_id, 32, "%s", ast_text(item, "id"));
            }
        }
    }
    json_decref(page);
    return count;
}

static bool
s_event_fault(void *arg)
{
    return s_faults_of_event(arg, NULL) > 0;
}

static bool
s_work_order(void *arg)
{
    char key[128];
    snprintf(key, sizeof key, "sm:{dispatch}:work_request:assets:%s",
             (const char *)arg);
    char *text = harness_redis_cmd(&ast_stack.redis, "HGET", key, "doc");
    bool found = text && strstr(text, "WO-");
    free(text);
    return found;
}

// A part issued to the technician on a requisition approved by the head
// of technical: the item and the requisition into item and id (32 bytes).
static void
s_issued_part(char *item, char *id)
{
    json_t *doc = ast_expect(201, AST_HEAD, "POST", "/v1/items",
                             "{\"name\":\"Contactor\",\"unit\":\"piece\","
                             "\"category\":\"spares\",\"location\":"
                             "\"main-store\"}");
    snprintf(item, 32, "%s", ast_text(doc, "id"));
    json_decref(doc);
    char body[S_BODY_MAX], path[96];
    snprintf(body, sizeof body,
             "{\"item\":\"%s\",\"kind\":\"receipt\",\"quantity\":2}", item);
    json_decref(ast_expect(201, AST_HEAD, "POST", "/v1/stock/movements", body));
    snprintf(body, sizeof body,
             "{\"purpose\":\"Chiller repair\",\"lines\":[{\"item\":\"%s\","
             "\"quantity\":1}]}",
             item);
    doc = ast_expect(201, AST_TECH, "POST", "/v1/requisitions", body);
    snprintf(id, 32, "%s", ast_text(doc, "id"));
    json_decref(doc);
    snprintf(path, sizeof path, "/v1/requisitions/%s/submit", id);
    json_decref(ast_expect(200, AST_TECH, "POST", path, "{}"));
    snprintf(path, sizeof path, "/v1/requisitions/%s/approve", id);
    json_decref(ast_expect(200, AST_TECH_HEAD, "POST", path, "{}"));
    snprintf(path, sizeof path, "/v1/requisitions/%s/issue", id);
    json_decref(ast_expect(200, AST_HEAD, "POST", path,
                           "{\"lines\":[{\"line\":\"L1\",\"quantity\":1}]}"));
}

// The work order dispatch opened for the fault is closed.
static bool
s_work_order_closed(void *arg)
{
    char key[128], path[96];
    snprintf(key, sizeof key, "sm:{dispatch}:work_request:assets:%s",
             (const char *)arg);
    char *text = harness_redis_cmd(&ast_stack.redis, "HGET", key, "doc");
    json_t *record = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    const char *id = NULL;
    const char *members[] = {"workorder_id", "workorder", "id"};
    for (size_t i = 0; !id && i < 3; i++) {
        id = json_string_value(json_object_get(record, members[i]));
    }
    snprintf(path, sizeof path, "/v1/work-orders/%s", id ? id : "none");
    json_decref(record);
    json_t *doc = NULL;
    bool closed = ast_http(AST_HEAD, "GET", path, NULL, &doc) == 200
                  && strcmp(ast_text(doc, "state"), "closed") == 0;
    json_decref(doc);
    return closed;
}

START_TEST(test_assets_fault_event_repair_acceptance)
{
    char eq[32], fault[32] = "";
    s_register("AT-500", "SN-500", "ops", eq);
    // Posted twice (matched by serial): one fault; the equipment is faulty.
    s_post_fault("bms-fault-1", "SN-500");
    s_post_fault("bms-fault-1", "SN-500");
    ck_assert_msg(ast_wait(s_event_fault, "bms-fault-1", HARNESS_WAIT_MS),
                  "the event opened no fault");
    ck_assert_uint_eq(s_faults_of_event("bms-fault-1", fault), 1);
    json_t *doc = s_equipment(eq);
    ck_assert_str_eq(ast_text(doc, "state"), "faulty");
    ck_assert_str_eq(ast_text(doc, "open_fault"), fault);
    json_decref(doc);
    // Dispatch opened the repair work order.
    ck_assert_msg(ast_wait(s_work_order, fault, HARNESS_WAIT_MS),
                  "no repair work order in dispatch");
    // Staff cannot report a second fault while one is open.
    char body[S_BODY_MAX];
    snprintf(body, sizeof body,
             "{\"equipment\":\"%s\",\"description\":\"again\"}", eq);
    json_t *problem = ast_expect(409, AST_OPS, "POST", "/v1/faults", body);
    ck_assert_str_eq(ast_text(problem, "code"), "fault_open");
    json_decref(problem);
    // The technician repairs it with a part issued on a requisition.
    char item[32], requisition[32];
    s_issued_part(item, requisition);
    json_decref(s_act(AST_OPS, fault, "start-repair", "{}", 403));
    doc = s_act(AST_TECH, fault, "start-repair", "{}", 200);
    ck_assert_str_eq(ast_text(doc, "state"), "repairing");
    json_decref(doc);
    doc = s_equipment(eq);
    ck_assert_str_eq(ast_text(doc, "state"), "under_repair");
    json_decref(doc);
    snprintf(body, sizeof body,
             "{\"cause\":\"worn contactor\",\"actions\":\"replaced it\","
             "\"parts\":[{\"item\":\"%s\",\"quantity\":1,"
             "\"requisition\":\"RQ-999\"}],\"hours\":2}",
             item);
    problem = s_act(AST_TECH, fault, "repair", body, 422);
    ck_assert_str_eq(ast_error_field(problem), "parts[0].requisition");
    json_decref(problem);
    snprintf(body, sizeof body,
             "{\"cause\":\"worn contactor\",\"actions\":\"replaced it\","
             "\"parts\":[{\"item\":\"%s\",\"quantity\":1,"
             "\"requisition\":\"%s\"}],\"hours\":2}",
             item, requisition);
    doc = s_act(AST_TECH, fault, "repair", body, 200);
    ck_assert_str_eq(ast_text(doc, "state"), "repaired");
    ck_assert_str_eq(ast_text(doc, "repaired_by"), ast_stack.ids[AST_TECH]);
    json_decref(doc);
    doc = s_equipment(eq);
    ck_assert_str_eq(ast_text(doc, "state"), "awaiting_acceptance");
    json_decref(doc);
    // Acceptance: not by the repairer, not by another department; a failed
    // one needs its reason and sends it back to repair.
    json_decref(s_act(AST_TECH, fault, "accept", "{\"passed\":true}", 403));
    json_decref(
        s_act(AST_OPS_HEAD, fault, "accept", "{\"passed\":false}", 400));
    doc = s_act(AST_OPS, fault, "accept",
                "{\"passed\":false,\"reason\":\"still trips when hot\"}", 200);
    ck_assert_str_eq(ast_text(doc, "state"), "repairing");
    json_decref(doc);
    doc = s_equipment(eq);
    ck_assert_str_eq(ast_text(doc, "state"), "under_repair");
    json_decref(doc);
    json_decref(s_act(AST_TECH2, fault, "repair",
                      "{\"cause\":\"fan\",\"actions\":\"cleaned\","
                      "\"hours\":1}",
                      200));
    // TECH repaired first, TECH2 the second time: TECH2 is the repairer.
    json_decref(s_act(AST_TECH2, fault, "accept", "{\"passed\":true}", 403));
    doc = s_act(AST_OPS_HEAD, fault, "accept", "{\"passed\":true}", 200);
    ck_assert_str_eq(ast_text(doc, "state"), "accepted");
    ck_assert_uint_eq(json_array_size(json_object_get(doc, "repairs")), 2);
    ck_assert_uint_eq(json_array_size(json_object_get(doc, "acceptances")), 2);
    json_decref(doc);
    doc = s_equipment(eq);
    ck_assert_str_eq(ast_text(doc, "state"), "in_service");
    ck_assert_ptr_null(json_object_get(doc, "open_fault"));
    json_decref(doc);
    // The repair work order was withdrawn from dispatch (closed).
    ck_assert_msg(ast_wait(s_work_order_closed, fault, HARNESS_WAIT_MS),
                  "dispatch kept the repair work order open");
    // The dossier: one failure, repaired: MTTR and MTBF are figures.
    char path[96];
    snprintf(path, sizeof path, "/v1/equipment/%s/file", eq);
    json_t *file = ast_expect(200, AST_AUDITOR, "GET", path, NULL);
    ck_assert_int_eq(json_integer_value(json_object_get(file, "failures")), 1);
    ck_assert(json_is_real(json_object_get(file, "mttr_hours")));
    ck_assert(json_is_real(json_object_get(file, "mtbf_hours")));
    ck_assert_uint_eq(json_array_size(json_object_get(file, "faults")), 1);
    json_decref(file);
}
END_TEST

START_TEST(test_assets_fault_unknown_tag_kept_and_staff_report)
{
    s_post_fault("bms-fault-2", "NO-SUCH-TAG");
    ck_assert_msg(ast_wait(s_event_fault, "bms-fault-2", HARNESS_WAIT_MS),
                  "the unknown tag's fault was dropped");
    char fault[32];
    ck_assert_uint_eq(s_faults_of_event("bms-fault-2", fault), 1);
    char path[96];
    snprintf(path, sizeof path, "/v1/faults/%s", fault);
    json_t *doc = ast_expect(200, AST_OPS, "GET", path, NULL);
    ck_assert_str_eq(ast_text(doc, "state"), "unmatched");
    ck_assert_str_eq(ast_text(json_object_get(doc, "source"), "equipment"),
                     "NO-SUCH-TAG");
    json_decref(doc);
    // Staff report by equipment id: the equipment is out of use at once.
    char eq[32], body[S_BODY_MAX];
    s_register("AT-600", "SN-600", "technical", eq);
    snprintf(body, sizeof body,
             "{\"equipment\":\"%s\",\"description\":\"leaks oil\","
             "\"occurred_at\":\"2999-01-01T00:00:00Z\"}",
             eq);
    json_t *problem = ast_expect(400, AST_OPS, "POST", "/v1/faults", body);
    ck_assert_str_eq(ast_error_field(problem), "occurred_at");
    json_decref(problem);
    json_decref(ast_expect(422, AST_OPS, "POST", "/v1/faults",
                           "{\"equipment\":\"EQ-999\",\"description\":\"x\"}"));
    json_decref(ast_expect(403, AST_AUDITOR, "POST", "/v1/faults",
                           "{\"equipment\":\"EQ-1\",\"description\":\"x\"}"));
    snprintf(body, sizeof body,
             "{\"equipment\":\"%s\",\"description\":\"leaks oil\","
             "\"severity\":\"low\"}",
             eq);
    doc = ast_expect(201, AST_OPS, "POST", "/v1/faults", body);
    ck_assert_str_eq(ast_text(doc, "state"), "open");
    ck_assert_str_eq(ast_text(doc, "department"), "technical");
    json_decref(doc);
    doc = s_equipment(eq);
    ck_assert_str_eq(ast_text(doc, "state"), "faulty");
    json_decref(doc);
}
END_TEST

Suite *
assets_faults_suite(void)
{
    Suite *s = suite_create("assets_faults");
    TCase *tc = tcase_create("faults");
    tcase_add_unchecked_fixture(tc, ast_stack_setup, ast_stack_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_assets_fault_event_repair_acceptance);
    tcase_add_test(tc, test_assets_fault_unknown_tag_kept_and_staff_report);
    suite_add_tcase(s, tc);
    return s;
}
