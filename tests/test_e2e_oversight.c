// End-to-end process of oversight (suite e2e, tests/e2e_steps.h): a deputy
// head's periodic review of a department they oversee, with improvement
// measures; published, each measure is a work order of its owner in
// dispatch; an overdue measure escalates to the department head, then to
// the reviewer; the owners mark their measures done and the review closes.
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm_time.h"
#include "e2e_steps.h"

#define S_DAY_MS 86400000LL

typedef struct {
    char key[96];
    char assignee[48];
    int found;
} s_order_t;

static bool
s_order_found(void *arg)
{
    s_order_t *order = arg;
    json_t *page =
        e2e_expect(200, E2E_HEAD, "GET",
                   "/v1/work-orders?queue=technical&limit=200", NULL);
    const json_t *items = json_object_get(page, "items");
    order->found = 0;
    for (size_t i = 0; i < json_array_size(items); i++) {
        const json_t *item = json_array_get(items, i);
        if (strcmp(e2e_str(json_object_get(item, "request"), "key"), order->key)
            == 0) {
            order->found++;
            snprintf(order->assignee, sizeof order->assignee, "%s",
                     e2e_str(item, "assignee"));
        }
    }
    json_decref(page);
    return order->found > 0;
}

typedef struct {
    const char *path;
    long long level;
} s_level_t;

static bool
s_escalated(void *arg)
{
    const s_level_t *want = arg;
    json_t *doc = e2e_expect(200, S_TECH_HEAD, "GET", want->path, NULL);
    const json_t *m = json_array_get(json_object_get(doc, "measures"), 0);
    bool reached = e2e_int(m, "escalation_level") >= want->level;
    json_decref(doc);
    return reached;
}

START_TEST(test_e2e_review_measures_escalate_and_close)
{
    char due1[CM_TIME_TEXT_MAX], due2[CM_TIME_TEXT_MAX], body[1536];
    cm_time_format(cm_time_now_ms() + 3000, due1);
    cm_time_format(cm_time_now_ms() + S_DAY_MS, due2);
    snprintf(body, sizeof body,
             "{\"period\":{\"from\":\"%.8s01\",\"to\":\"%s\"},"
             "\"departments\":[\"technical\"],"
             "\"analysis\":\"Two repairs waited a week for parts.\","
             "\"problems\":[\"No minimum stock of common spare parts\"],"
             "\"measures\":[{\"text\":\"List the parts every repair of the "
             "quarter used\",\"owner\":\"%s\",\"due_at\":\"%s\"},"
             "{\"text\":\"Agree minimum stocks with logistics\","
             "\"owner\":\"%s\",\"due_at\":\"%s\"}]}",
             e2e_stack.today, e2e_stack.today, e2e_stack.ids[S_TECH], due1,
             e2e_stack.ids[S_TECH_HEAD], due2);
    // The deputy over logistics and the department head write no review of
    // the technical department.
    json_decref(e2e_expect(403, E2E_DEPUTY_B, "POST", "/v1/reviews", body));
    json_decref(e2e_expect(403, S_TECH_HEAD, "POST", "/v1/reviews", body));
    json_t *doc = e2e_expect(201, E2E_DEPUTY_A, "POST", "/v1/reviews", body);
    char id[48], path[96];
    snprintf(id, sizeof id, "%s", e2e_str(doc, "id"));
    snprintf(path, sizeof path, "/v1/reviews/%s", id);
    json_decref(doc);
    doc = e2e_act(E2E_DEPUTY_A, "reviews", id, "publish", NULL, 200);
    ck_assert_str_eq(e2e_str(doc, "state"), "published");
    json_decref(doc);
    // The technician's measure is their work order in dispatch.
    s_order_t order = {.found = 0};
    snprintf(order.key, sizeof order.key, "%s/M1", id);
    ck_assert(e2e_wait(s_order_found, &order, S_WAIT_MS));
    ck_assert_int_eq(order.found, 1);
    ck_assert_str_eq(order.assignee, e2e_stack.ids[S_TECH]);
    // Overdue: the department head is told, then the reviewer.
    s_level_t level = {path, 2};
    ck_assert(e2e_wait(s_escalated, &level, S_WAIT_MS));
    doc = e2e_expect(200, E2E_HEAD, "GET",
                     "/v1/reviews?overdue=true&department=technical", NULL);
    ck_assert_int_ge(json_array_size(json_object_get(doc, "items")), 1);
    json_decref(doc);
    doc = e2e_expect(200, S_TECH_HEAD, "GET", path, NULL);
    const json_t *escalations = json_object_get(
        json_array_get(json_object_get(doc, "measures"), 0), "escalations");
    ck_assert_str_eq(e2e_str(json_array_get(escalations, 0), "to"),
                     e2e_stack.ids[S_TECH_HEAD]);
    ck_assert_str_eq(e2e_str(json_array_get(escalations, 1), "to"),
                     e2e_stack.ids[E2E_DEPUTY_A]);
    json_decref(doc);
    // Open measures keep the review open; the owners mark them done.
    json_decref(e2e_act(E2E_DEPUTY_A, "reviews", id, "close", NULL, 409));
    const char *result = "{\"result\":\"Done and filed\"}";
    char done[128];
    snprintf(done, sizeof done, "%s/measures/M1/done", path);
    json_decref(e2e_expect(200, S_TECH, "POST", done, result));
    snprintf(done, sizeof done, "%s/measures/M2/done", path);
    json_decref(e2e_expect(200, S_TECH_HEAD, "POST", done, result));
    doc = e2e_act(E2E_DEPUTY_A, "reviews", id, "close", NULL, 200);
    ck_assert_str_eq(e2e_str(doc, "state"), "closed");
    ck_assert_str_eq(e2e_str(doc, "measure_state"), "done");
    json_decref(doc);
}
END_TEST

void
e2e_add_oversight(TCase *tc)
{
    tcase_add_test(tc, test_e2e_review_measures_escalate_and_close);
}
