// Integration tests of assets' scrap requests through the gateway with real
// tokens (test_assets_stack.h): the using department applies, the
// technical department appraises, finance reviews, the station head
// approves (the chain of config/approvals.cfg), each step refused out of
// order and by the wrong person; disposal by sale scraps the equipment and
// finance posts the proceeds to the journal; a rejection returns the
// equipment to its status. Suite: assets_scrap.
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "test_assets_stack.h"

#define S_BODY_MAX 1024

static void
s_register(const char *tag, char *id)
{
    char body[S_BODY_MAX];
    snprintf(body, sizeof body,
             "{\"tag\":\"%s\",\"name\":\"Forklift\",\"model\":\"FL-2\","
             "\"specification\":\"2 t\",\"purchase_date\":\"2018-05-02\","
             "\"cost\":5000000,\"location\":\"yard\",\"department\":\"ops\"}",
             tag);
    json_t *doc = ast_expect(201, AST_TECH, "POST", "/v1/equipment", body);
    snprintf(id, 32, "%s", ast_text(doc, "id"));
    json_decref(doc);
}

static const char *
s_equipment_state(const char *id, char *state)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/equipment/%s", id);
    json_t *doc = ast_expect(200, AST_OPS, "GET", path, NULL);
    snprintf(state, 32, "%s", ast_text(doc, "state"));
    json_decref(doc);
    return state;
}

static json_t *
s_act(ast_who_t who, const char *id, const char *action, const char *body,
      int status)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/scrap-requests/%s/%s", id, action);
    return ast_expect(status, who, "POST", path, body);
}

static void
s_apply(const char *eq, char *id)
{
    char body[S_BODY_MAX];
    snprintf(body, sizeof body,
             "{\"equipment\":\"%s\",\"reason\":\"beyond economic repair\"}",
             eq);
    json_decref(
        ast_expect(403, AST_AUDITOR, "POST", "/v1/scrap-requests", body));
    json_decref(ast_expect(403, AST_TECH, "POST", "/v1/scrap-requests", body));
    json_t *doc = ast_expect(201, AST_OPS, "POST", "/v1/scrap-requests", body);
    ck_assert_str_eq(ast_text(doc, "state"), "applied");
    ck_assert_str_eq(ast_text(doc, "model"), "FL-2");
    ck_assert_str_eq(ast_text(doc, "purchase_date"), "2018-05-02");
    snprintf(id, 32, "%s", ast_text(doc, "id"));
    json_decref(doc);
    json_decref(ast_expect(409, AST_OPS, "POST", "/v1/scrap-requests", body));
}

static bool
s_posted(void *arg)
{
    json_t *page =
        ast_expect(200, AST_HEAD, "GET", "/v1/journal?limit=200", NULL);
    char memo[64];
    snprintf(memo, sizeof memo, "disposal proceeds of %s", (const char *)arg);
    bool found = false;
    const json_t *items = json_object_get(page, "items");
    for (size_t i = 0; i < json_array_size(items); i++) {
        found =
            found
            || strcmp(ast_text(json_array_get(items, i), "memo"), memo) == 0;
    }
    json_decref(page);
    return found;
}

START_TEST(test_assets_scrap_chain_in_order_and_proceeds)
{
    char eq[32], id[32], state[32];
    s_register("AT-700", eq);
    s_apply(eq, id);
    ck_assert_str_eq(s_equipment_state(eq, state), "scrapping");
    // Out of order: review, approve, dispose before the appraisal.
    json_decref(s_act(AST_FIN, id, "review",
                      "{\"book_value\":100000,\"expected_proceeds\":80000}",
                      409));
    json_decref(s_act(AST_HEAD, id, "approve", "{}", 409));
    json_decref(s_act(AST_TECH, id, "dispose", "{\"method\":\"scrap\"}", 409));
    // The appraisal is the technical department's, not finance's or the
    // applicant's department.
    const char *appraisal =
        "{\"report\":\"frame cracked\",\"recommendation\":\"scrap\"}";
    json_decref(s_act(AST_FIN, id, "appraise", appraisal, 403));
    json_decref(s_act(AST_OPS_HEAD, id, "appraise", appraisal, 403));
    json_t *doc = s_act(AST_TECH, id, "appraise", appraisal, 200);
    ck_assert_str_eq(ast_text(doc, "state"), "appraised");
    json_decref(doc);
    json_decref(s_act(AST_HEAD, id, "approve", "{}", 409));
    const char *review = "{\"book_value\":100000,\"expected_proceeds\":80000}";
    json_decref(s_act(AST_TECH2, id, "review", review, 403));
    doc = s_act(AST_FIN, id, "review", review, 200);
    ck_assert_str_eq(ast_text(doc, "state"), "reviewed");
    json_decref(doc);
    json_decref(s_act(AST_FIN, id, "approve", "{}", 403));
    doc = s_act(AST_HEAD, id, "approve", "{}", 200);
    ck_assert_str_eq(ast_text(doc, "state"), "approved");
    json_decref(doc);
    // Disposal: a sale needs proceeds; the keepers dispose.
    json_t *problem =
        s_act(AST_TECH, id, "dispose", "{\"method\":\"sale\"}", 400);
    ck_assert_str_eq(ast_error_field(problem), "proceeds");
    json_decref(problem);
    json_decref(s_act(AST_OPS, id, "dispose",
                      "{\"method\":\"sale\",\"proceeds\":85000}", 403));
    doc = s_act(AST_TECH, id, "dispose",
                "{\"method\":\"sale\",\"proceeds\":85000}", 200);
    ck_assert_str_eq(ast_text(doc, "state"), "disposed");
    json_decref(doc);
    ck_assert_str_eq(s_equipment_state(eq, state), "scrapped");
    // No fault on scrapped equipment; the proceeds are in the journal.
    char body[S_BODY_MAX];
    snprintf(body, sizeof body, "{\"equipment\":\"%s\",\"description\":\"x\"}",
             eq);
    problem = ast_expect(409, AST_OPS, "POST", "/v1/faults", body);
    ck_assert_str_eq(ast_error_field(problem), "equipment");
    json_decref(problem);
    ck_assert_msg(ast_wait(s_posted, id, HARNESS_WAIT_MS),
                  "finance posted no journal entry for the proceeds");
    // Renewal: a draft procurement plan of one line in inventory, once.
    json_t *item =
        ast_expect(201, AST_HEAD, "POST", "/v1/items",
                   "{\"name\":\"Forklift 2 t\",\"unit\":\"piece\",\"category\":"
                   "\"vehicles\",\"location\":\"main-store\"}");
    snprintf(body, sizeof body,
             "{\"item\":\"%s\",\"needed_by\":\"2031-03-01\"}",
             ast_text(item, "id"));
    json_decref(s_act(AST_OPS, id, "renew", body, 403));
    doc = s_act(AST_TECH, id, "renew", body, 200);
    char path[96];
    snprintf(path, sizeof path, "/v1/procurement-plans/%s",
             ast_text(json_object_get(doc, "renewal"), "plan"));
    json_decref(doc);
    json_t *plan = ast_expect(200, AST_OPS, "GET", path, NULL);
    ck_assert_str_eq(ast_text(plan, "state"), "draft");
    ck_assert_str_eq(ast_text(json_object_get(plan, "source"), "id"), id);
    ck_assert_str_eq(
        ast_text(json_array_get(json_object_get(plan, "lines"), 0), "item"),
        ast_text(item, "id"));
    json_decref(plan);
    json_decref(item);
    json_decref(s_act(AST_TECH, id, "renew", body, 409));
}
END_TEST

START_TEST(test_assets_scrap_rejected_returns_equipment)
{
    char eq[32], id[32], state[32];
    s_register("AT-800", eq);
    char path[96];
    snprintf(path, sizeof path, "/v1/equipment/%s/lay-up", eq);
    json_decref(ast_expect(200, AST_TECH, "POST", path, "{}"));
    s_apply(eq, id);
    json_decref(s_act(AST_TECH, id, "reject", "{}", 400)); // needs a reason
    json_t *doc = s_act(AST_TECH, id, "reject",
                        "{\"reason\":\"repairable: new mast\"}", 200);
    ck_assert_str_eq(ast_text(doc, "state"), "rejected");
    json_decref(doc);
    ck_assert_str_eq(s_equipment_state(eq, state), "idle");
    json_decref(s_act(AST_TECH, id, "appraise",
                      "{\"report\":\"x\",\"recommendation\":\"keep\"}", 409));
}
END_TEST

Suite *
assets_scrap_suite(void)
{
    Suite *s = suite_create("assets_scrap");
    TCase *tc = tcase_create("scrap");
    tcase_add_unchecked_fixture(tc, ast_stack_setup, ast_stack_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_assets_scrap_chain_in_order_and_proceeds);
    tcase_add_test(tc, test_assets_scrap_rejected_returns_equipment);
    suite_add_tcase(s, tc);
    return s;
}
