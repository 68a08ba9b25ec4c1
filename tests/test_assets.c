// Integration tests of assets through the gateway with real tokens
// (test_assets_stack.h): the equipment register (unique tag and serial,
// dates in order, who keeps it), registration from inventory's receipts
// exactly once, trainings and authorised operators. Suite: assets.
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "test_assets_stack.h"

#define S_BODY_MAX 1024

// Register equipment `tag` (serial may be NULL) as the technician; the
// document (caller owns).
static json_t *
s_register(const char *tag, const char *serial, int status)
{
    char body[S_BODY_MAX], serial_member[96] = "";
    if (serial) {
        snprintf(serial_member, sizeof serial_member, "\"serial\":\"%s\",",
                 serial);
    }
    snprintf(body, sizeof body,
             "{\"tag\":\"%s\",%s\"name\":\"Air compressor\","
             "\"specification\":\"7.5 kW, 8 bar\",\"model\":\"AC-75\","
             "\"supplier\":\"SU-1\",\"purchase_date\":\"2026-01-10\","
             "\"cost\":1250000,\"after_sales\":\"two visits a year\","
             "\"warranty_end\":\"2028-01-10\",\"location\":\"plant room\","
             "\"department\":\"ops\",\"custodian\":\"%s\","
             "\"procedure\":{\"document\":\"PR-3\",\"version\":\"2\"}}",
             tag, serial_member, ast_stack.ids[AST_OPS]);
    return ast_expect(status, AST_TECH, "POST", "/v1/equipment", body);
}

static json_t *
s_act(ast_who_t who, const char *id, const char *action, const char *body,
      int status)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/equipment/%s/%s", id, action);
    return ast_expect(status, who, "POST", path, body);
}

START_TEST(test_assets_register_unique_tag_and_serial)
{
    json_t *doc = s_register("AT-100", "SN-100", 201);
    ck_assert_str_eq(ast_text(doc, "state"), "in_service");
    ck_assert_str_eq(ast_text(doc, "tag"), "AT-100");
    ck_assert_str_eq(ast_text(doc, "serial"), "SN-100");
    ck_assert_int_eq(json_integer_value(json_object_get(doc, "cost")), 1250000);
    ck_assert_str_eq(ast_text(json_object_get(doc, "procedure"), "document"),
                     "PR-3");
    ck_assert_str_eq(ast_text(json_object_get(doc, "source"), "type"),
                     "manual");
    json_decref(doc);
    // The same tag, or the same serial under another tag: 409 naming it.
    json_t *problem = s_register("AT-100", "SN-101", 409);
    ck_assert_str_eq(ast_error_field(problem), "tag");
    json_decref(problem);
    problem = s_register("AT-101", "SN-100", 409);
    ck_assert_str_eq(ast_error_field(problem), "serial");
    json_decref(problem);
    // Found by tag; nothing of the refused ones was written.
    json_t *page =
        ast_expect(200, AST_OPS, "GET", "/v1/equipment?tag=AT-101", NULL);
    ck_assert_uint_eq(json_array_size(json_object_get(page, "items")), 0);
    json_decref(page);
    page = ast_expect(200, AST_OPS, "GET", "/v1/equipment?serial=SN-100", NULL);
    ck_assert_uint_eq(json_array_size(json_object_get(page, "items")), 1);
    json_decref(page);
}
END_TEST

START_TEST(test_assets_register_bad_input_and_roles)
{
    // The warranty ends before the purchase: 400 naming warranty_end.
    json_t *problem = ast_expect(
        400, AST_TECH, "POST", "/v1/equipment",
        "{\"tag\":\"AT-200\",\"name\":\"Pump\",\"location\":\"yard\","
        "\"department\":\"ops\",\"purchase_date\":\"2026-03-01\","
        "\"warranty_end\":\"2025-03-01\"}");
    ck_assert_str_eq(ast_error_field(problem), "warranty_end");
    json_decref(problem);
    // Unknown member, decimal money, missing name: every field named.
    problem = ast_expect(400, AST_TECH, "POST", "/v1/equipment",
                         "{\"tag\":\"AT-201\",\"location\":\"yard\","
                         "\"department\":\"ops\",\"cost\":10.5,\"x\":1}");
    ck_assert_uint_eq(json_array_size(json_object_get(problem, "errors")), 3);
    json_decref(problem);
    // An unknown department or custodian: 422 naming it.
    problem = ast_expect(422, AST_TECH, "POST", "/v1/equipment",
                         "{\"tag\":\"AT-202\",\"name\":\"Pump\","
                         "\"location\":\"yard\",\"department\":\"nowhere\"}");
    ck_assert_str_eq(ast_error_field(problem), "department");
    json_decref(problem);
    // Only the register's keepers register: not an agent, not a
    // technician of another department, not an auditor.
    const char *body = "{\"tag\":\"AT-203\",\"name\":\"Pump\","
                       "\"location\":\"yard\",\"department\":\"ops\"}";
    ast_who_t refused[] = {AST_OPS, AST_OPS_TECH, AST_AUDITOR, AST_OPS_HEAD};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        json_decref(ast_expect(403, refused[i], "POST", "/v1/equipment", body));
    }
    json_decref(ast_expect(201, AST_TECH_HEAD, "POST", "/v1/equipment", body));
}
END_TEST

// ---- registration from inventory's receipts

#define S_RECEIVED                                                             \
    "{\"id\":\"PO-9\",\"state\":\"received\",\"version\":4,"                   \
    "\"supplier\":\"SU-2\",\"budget_line\":\"BU-1/L1\",\"amount\":900000,"     \
    "\"lines\":[{\"id\":\"L1\",\"item\":\"IT-4\",\"quantity\":1,"              \
    "\"unit_price\":900000,\"accepted\":1,\"equipment\":true}],"               \
    "\"equipment\":{\"line\":\"L1\",\"item\":\"IT-4\",\"quantity\":1,"         \
    "\"unit_price\":900000,\"after_sales\":\"one year on site\","              \
    "\"specification\":\"Generator 20 kVA\"}}"

// The number of register entries with tag (arg: "tag=N").
static size_t
s_count(const char *tag)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/equipment?tag=%s", tag);
    json_t *page = ast_expect(200, AST_HEAD, "GET", path, NULL);
    size_t n = json_array_size(json_object_get(page, "items"));
    json_decref(page);
    return n;
}

static bool
s_registered(void *arg)
{
    return s_count(arg) == 1;
}

START_TEST(test_assets_registered_once_from_receipt)
{
    ast_publish("inventory", "inventory.equipment.received", "order/PO-9", 4,
                S_RECEIVED);
    ck_assert_msg(ast_wait(s_registered, "PO-9-L1-v4", HARNESS_WAIT_MS),
                  "the received line was never registered");
    // The same receipt published again (another event id), then another
    // order's: once the second is registered the repeat was handled too.
    ast_publish("inventory", "inventory.equipment.received", "order/PO-9", 4,
                S_RECEIVED);
    char other[sizeof S_RECEIVED];
    snprintf(other, sizeof other, "%s", S_RECEIVED);
    memcpy(strstr(other, "PO-9"), "PO-7", 4);
    ast_publish("inventory", "inventory.equipment.received", "order/PO-7", 4,
                other);
    ck_assert_msg(ast_wait(s_registered, "PO-7-L1-v4", HARNESS_WAIT_MS),
                  "the second order's line was never registered");
    ck_assert_uint_eq(s_count("PO-9-L1-v4"), 1);
    json_t *page =
        ast_expect(200, AST_OPS, "GET", "/v1/equipment?tag=PO-9-L1-v4", NULL);
    const json_t *item = json_array_get(json_object_get(page, "items"), 0);
    ck_assert_str_eq(ast_text(item, "state"), "idle");
    ck_assert_str_eq(ast_text(item, "name"), "Generator 20 kVA");
    ck_assert_str_eq(ast_text(item, "supplier"), "SU-2");
    ck_assert_str_eq(ast_text(json_object_get(item, "source"), "id"), "PO-9");
    ck_assert_int_eq(json_integer_value(json_object_get(item, "cost")), 900000);
    json_decref(page);
}
END_TEST

// ---- trainings and authorised operators

START_TEST(test_assets_operators_need_training)
{
    json_t *doc = s_register("AT-300", NULL, 201);
    char id[32], body[256];
    snprintf(id, sizeof id, "%s", ast_text(doc, "id"));
    json_decref(doc);
    const char *ops = ast_stack.ids[AST_OPS];
    snprintf(body, sizeof body, "{\"staff\":\"%s\"}", ops);
    // No training recorded: 422 naming staff.
    json_t *problem = s_act(AST_TECH, id, "authorise", body, 422);
    ck_assert_str_eq(ast_error_field(problem), "staff");
    json_decref(problem);
    // A training in the future is refused; one completed is recorded by a
    // keeper or a safety officer, not by the agent.
    char training[256];
    snprintf(training, sizeof training,
             "{\"staff\":\"%s\",\"completed_on\":\"2999-01-01\"}", ops);
    json_decref(s_act(AST_TECH, id, "record-training", training, 400));
    snprintf(training, sizeof training,
             "{\"staff\":\"%s\",\"completed_on\":\"2026-02-01\","
             "\"trainer\":\"%s\",\"course\":\"Compressor operation\"}",
             ops, ast_stack.ids[AST_TECH]);
    json_decref(s_act(AST_OPS, id, "record-training", training, 403));
    doc = s_act(AST_OFFICER, id, "record-training", training, 200);
    ck_assert_uint_eq(json_array_size(json_object_get(doc, "trainings")), 1);
    json_decref(doc);
    // The head of another department may not authorise; the head of the
    // equipment's department may.
    json_decref(s_act(AST_OPS_TECH, id, "authorise", body, 403));
    doc = s_act(AST_OPS_HEAD, id, "authorise", body, 200);
    ck_assert_str_eq(
        json_string_value(json_array_get(json_object_get(doc, "operators"), 0)),
        ops);
    json_decref(doc);
    json_decref(s_act(AST_TECH, id, "authorise", body, 409));
    // Revoking needs a reason.
    json_decref(s_act(AST_TECH, id, "revoke-operator", body, 400));
    snprintf(body, sizeof body, "{\"staff\":\"%s\",\"reason\":\"moved\"}", ops);
    doc = s_act(AST_TECH, id, "revoke-operator", body, 200);
    ck_assert_uint_eq(json_array_size(json_object_get(doc, "operators")), 0);
    json_decref(doc);
}
END_TEST

START_TEST(test_assets_lay_up_and_update)
{
    json_t *doc = s_register("AT-400", "SN-400", 201);
    char id[32], path[96];
    snprintf(id, sizeof id, "%s", ast_text(doc, "id"));
    json_decref(doc);
    json_decref(s_act(AST_AUDITOR, id, "lay-up", "{}", 403));
    doc = s_act(AST_TECH2, id, "lay-up", "{\"note\":\"season over\"}", 200);
    ck_assert_str_eq(ast_text(doc, "state"), "idle");
    json_decref(doc);
    json_decref(s_act(AST_TECH2, id, "lay-up", "{}", 409));
    doc = s_act(AST_TECH2, id, "put-in-service", "{}", 200);
    ck_assert_str_eq(ast_text(doc, "state"), "in_service");
    json_decref(doc);
    snprintf(path, sizeof path, "/v1/equipment/%s", id);
    doc = ast_expect(200, AST_TECH, "PATCH", path,
                     "{\"location\":\"roof\",\"custodian\":null}");
    ck_assert_str_eq(ast_text(doc, "location"), "roof");
    ck_assert_ptr_null(json_object_get(doc, "custodian"));
    json_decref(doc);
    json_t *problem = ast_expect(400, AST_TECH, "PATCH", path,
                                 "{\"warranty_end\":\"2020-01-01\"}");
    ck_assert_str_eq(ast_error_field(problem), "warranty_end");
    json_decref(problem);
    json_decref(ast_expect(400, AST_TECH, "PATCH", path, "{\"tag\":\"X\"}"));
}
END_TEST

Suite *
assets_suite(void)
{
    Suite *s = suite_create("assets");
    TCase *tc = tcase_create("register");
    tcase_add_unchecked_fixture(tc, ast_stack_setup, ast_stack_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_assets_register_unique_tag_and_serial);
    tcase_add_test(tc, test_assets_register_bad_input_and_roles);
    tcase_add_test(tc, test_assets_registered_once_from_receipt);
    tcase_add_test(tc, test_assets_operators_need_training);
    tcase_add_test(tc, test_assets_lay_up_and_update);
    suite_add_tcase(s, tc);
    return s;
}
